import { connect } from 'node:net';
import { Client } from 'pg';
import { createPostgresDatabase, postgresOnly, TestDatabase } from '../support/test-database';
import { BuiltService, ensureBuilt, startBuiltService } from './support/built-service';
import { rawRequest } from './support/raw-http';
import { waitFor } from './support/wait-for';

/**
 * SIGTERM to the built service under load: requests in flight complete, new connections are refused,
 * no answer is an error because of the shutdown, and the process exits 0 within 10 s.
 */
const describeOnPostgres = postgresOnly(
  'reliability/graceful-shutdown: skipped on PGlite (it holds a row lock from a second connection)',
);

const IN_FLIGHT = 5;
const EXIT_WITHIN_MS = 10_000;
const LIVENESS_WITHIN_MS = 5_000;

/** Whether a new TCP connection to the port is refused. */
function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** Writes raw HTTP/1.1 text on one connection and answers everything read until the server closes it. */
function rawExchange(port: number, text: string): { sent: Promise<void>; received: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
  const sent = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => socket.write(text, () => resolve()));
    socket.once('error', reject);
  });
  const received = new Promise<string>((resolve, reject) => {
    socket.once('close', () => resolve(data));
    socket.once('error', reject);
  });
  return { sent, received };
}

const statusesIn = (text: string) => [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((match) => Number(match[1]));

describeOnPostgres('graceful shutdown of the built service (PostgreSQL)', () => {
  let database: TestDatabase;
  let service: BuiltService | undefined;
  let locker: Client | undefined;

  beforeAll(async () => {
    ensureBuilt();
    database = await createPostgresDatabase();
  }, 300_000);

  afterAll(async () => {
    service?.kill();
    await locker?.end().catch(() => undefined);
    await database?.drop();
  });

  it('finishes in-flight requests, refuses new connections and exits 0 within 10 s', async () => {
    service = await startBuiltService({ DATABASE_URL: database.url!, EXPIRY_SWEEP_SECONDS: '3600' });
    const { baseUrl, port } = service;
    const json = { 'content-type': 'application/json' };
    expect(
      (
        await rawRequest(baseUrl, {
          method: 'POST',
          path: '/api/v1/segments',
          headers: json,
          body: '{"slug":"SHUT_A"}',
        })
      ).status,
    ).toBe(201);
    expect(
      (await rawRequest(baseUrl, { method: 'POST', path: '/api/v1/users', headers: json, body: '{"user_ids":[42]}' }))
        .status,
    ).toBe(200);

    // Slow requests: change sets naming SHUT_A key-share lock its row, which the test holds locked.
    locker = new Client({ connectionString: database.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM segments WHERE slug = 'SHUT_A' FOR UPDATE`);
    const inFlight = Array.from({ length: IN_FLIGHT }, (_, index) =>
      rawRequest(baseUrl, {
        method: 'PATCH',
        path: '/api/v1/users/42/segments',
        headers: json,
        body: JSON.stringify(index % 2 ? { remove: ['SHUT_A'] } : { add: ['SHUT_A'] }),
        // Kept-alive connections busy at SIGTERM must not hold the exit until their idle timeout.
        keepAlive: index % 2 === 0,
      }),
    );
    // One more, pipelined behind a slow one on a kept-alive connection: it reaches the server while it closes.
    const slowBody = '{"add":["SHUT_A"]}';
    const pipelined = rawExchange(
      port,
      `PATCH /api/v1/users/42/segments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${slowBody.length}\r\n\r\n${slowBody}` +
        'GET /api/v1/users/42/segments HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    await pipelined.sent;
    // Asked outside the locking transaction: pg_stat_activity is a snapshot fixed for a transaction.
    await waitFor(`${IN_FLIGHT + 1} requests waiting on the lock`, LIVENESS_WITHIN_MS, async () => {
      const observer = new Client({ connectionString: database.url });
      await observer.connect();
      try {
        const [{ waiting }] = (
          await observer.query<{ waiting: number }>(
            `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )
        ).rows;
        return waiting >= IN_FLIGHT + 1;
      } finally {
        await observer.end();
      }
    });

    // Background load: plain reads, a new connection each, until the process is gone.
    const background: Array<number | string> = [];
    let loading = true;
    const load = (async () => {
      while (loading && background.length < 50_000) {
        try {
          background.push(
            (await rawRequest(baseUrl, { method: 'GET', path: '/api/v1/segments/SHUT_A', timeoutMs: 5_000 })).status,
          );
        } catch (error) {
          background.push((error as NodeJS.ErrnoException).code ?? (error as Error).message);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    })();
    await waitFor(
      'background reads',
      LIVENESS_WITHIN_MS,
      () => background.filter((status) => status === 200).length >= 20,
    );

    const exited = service.exited(EXIT_WITHIN_MS);
    service.child.kill('SIGTERM');
    await waitFor('new connections to be refused', LIVENESS_WITHIN_MS, () => connectionRefused(port));
    let settled = 0;
    for (const request of inFlight)
      void request.then(
        () => (settled += 1),
        () => (settled += 1),
      );
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(0);

    await locker.query('COMMIT');
    const answers = await Promise.all(inFlight);
    expect(answers.map((answer) => answer.status)).toEqual(Array(IN_FLIGHT).fill(200));
    // The connection closes after the slow answer (`Connection: close`); the request behind it is answered
    // 200 or not at all (an unanswered pipelined request is the client's to retry), never an error.
    const pipelinedStatuses = statusesIn(await pipelined.received);
    expect(pipelinedStatuses[0]).toBe(200);
    expect(pipelinedStatuses.filter((status) => status !== 200)).toEqual([]);
    const code = await exited;
    loading = false;
    await load;
    expect({ code, output: code === 0 ? '' : service.output() }).toEqual({ code: 0, output: '' });

    // Every answer the load got was a success; once closed, connections were refused (or reset mid-accept).
    const answered = background.filter((status): status is number => typeof status === 'number');
    expect(answered.filter((status) => status !== 200)).toEqual([]);
    expect(
      background.filter((status) => typeof status === 'string' && status !== 'ECONNREFUSED' && status !== 'ECONNRESET'),
    ).toEqual([]);
    console.log(
      `graceful shutdown: ${IN_FLIGHT + 1} slow requests in flight completed, ${answered.length} background reads answered 200, ` +
        `${background.length - answered.length} refused after close; exit code ${code}`,
    );
  });
});
