import { connect, Socket } from 'node:net';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Slow clients cannot hold the server: headers or a body that trickle in get 408 REQUEST_TIMEOUT once
 * HTTP_HEADERS_TIMEOUT_MS / HTTP_REQUEST_TIMEOUT_MS pass (they were held 85 s, or forever), and
 * HTTP_MAX_CONNECTIONS caps open connections. A client that keeps trickling is far slower than the
 * bound below; the bound only says "the server gave up first".
 */
const GIVE_UP_MS = 20_000;
const TRICKLE_EVERY_MS = 200;

interface Conversation {
  socket: Socket;
  /** Everything the server sent, once it closed the connection (rejects after GIVE_UP_MS). */
  closed: Promise<string>;
}

function open(port: number): Promise<Conversation> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const closed = new Promise<string>((resolveClosed, rejectClosed) => {
      const timer = setTimeout(
        () => rejectClosed(new Error(`the server still held the connection after ${GIVE_UP_MS} ms`)),
        GIVE_UP_MS,
      );
      socket.on('close', () => {
        clearTimeout(timer);
        resolveClosed(received);
      });
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

/** Writes one byte of `text` every TRICKLE_EVERY_MS until the socket closes. */
function trickle(socket: Socket, text: string): void {
  let index = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || index >= text.length) return clearInterval(timer);
    socket.write(text[index++]);
  }, TRICKLE_EVERY_MS);
  socket.once('close', () => clearInterval(timer));
}

const expect408 = (answer: string) => {
  expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({
    statusCode: 408,
    code: 'REQUEST_TIMEOUT',
  });
};

describe('slow clients, with a request timeout shorter than the headers timeout', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { HTTP_REQUEST_TIMEOUT_MS: '2000' } }); // headers: the default 10 s
  });
  afterAll(() => t.close());

  it('answers 408 to a body that trickles in once HTTP_REQUEST_TIMEOUT_MS has passed', async () => {
    const { socket, closed } = await open(Number(new URL(t.baseUrl).port));
    const started = Date.now();
    socket.write(
      'POST /api/v1/segments HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n',
    );
    trickle(socket, 'x'.repeat(100));
    expect408(await closed);
    expect(Date.now() - started).toBeLessThan(5_000); // Node swapped the two: the 408 came after 10 s
  });
});

describe('slow clients', () => {
  let t: TestApp;
  const port = () => Number(new URL(t.baseUrl).port);

  beforeAll(async () => {
    t = await startTestApp({ env: { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000' } });
  });
  afterAll(() => t.close());

  it('answers 408 to headers that trickle in', async () => {
    const { socket, closed } = await open(port());
    socket.write('GET /api/v1/segments HTTP/1.1\r\nHost: localhost\r\n');
    trickle(socket, `X-Slow: ${'a'.repeat(10_000)}\r\n\r\n`);
    expect408(await closed);
  });

  it('answers 408 to a body that trickles in', async () => {
    const { socket, closed } = await open(port());
    const body = JSON.stringify({ slug: 'SLOW_BODY', description: 'x'.repeat(400) });
    socket.write(
      `POST /api/v1/segments HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    trickle(socket, body);
    expect408(await closed);
    await t.http.get('/api/v1/segments/SLOW_BODY').expect(404);
  });

  it('closes a connection that never sends a request', async () => {
    const { closed } = await open(port());
    expect408(await closed); // answered in the error shape, then closed: not held until the client gives up
  });
});

describe('connection cap', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { HTTP_MAX_CONNECTIONS: '3' } });
  });
  afterAll(() => t.close());

  it('closes connections beyond HTTP_MAX_CONNECTIONS at once, and serves again when some close', async () => {
    const port = Number(new URL(t.baseUrl).port);
    const held = await Promise.all([open(port), open(port), open(port)]);
    for (const { socket } of held) socket.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\n');
    const extra = await open(port);
    extra.socket.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(await extra.closed).toBe('');
    for (const { socket } of held) socket.destroy();
    await Promise.all(held.map(({ closed }) => closed));
    await t.http.get('/health/live').expect(200);
  });
});
