import { Client, QueryConfig } from 'pg';

/** How often the watch asks the server whether it still answers, while long work runs. */
const PROBE_EVERY_MS = 1_000;

/** pg keeps a client's socket as `connection.stream`; cutting it fails the client's statement at once. */
interface WatchedClient {
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  connection?: { stream?: { destroy(error?: Error): void } };
}

/** A statement's connection was cut because the server stopped answering (DATABASE_UNAVAILABLE, a 503). */
export class DatabaseHangsError extends Error {
  override readonly name = 'DatabaseHangsError';
}

/** An answer from the server, even an error (too many connections, shutting down), shows it is alive. */
const isServerAnswer = (error: unknown) => /^[0-9A-Z]{5}$/.test(String((error as { code?: unknown }).code));

/**
 * Long work (bulk statements, reports) has a deadline of minutes, rightly: but a database that hangs
 * (frozen, or the network to it) then holds its request for minutes too. While such work runs, the
 * watch asks the server `SELECT 1` every second on a connection of its own; when that gets no answer
 * within `answerWithinMs`, the server hangs, and the watch cuts the connections of the work it
 * watches: each request gets its 503 within seconds instead of waiting as long as the database does.
 */
export class DatabaseHangWatch {
  private readonly watched = new Set<WatchedClient>();
  private timer: NodeJS.Timeout | undefined;
  private probe: Client | undefined;
  private probing = false;

  /** `databaseUrl` undefined (embedded PGlite, in this process): nothing to watch. */
  constructor(
    private readonly databaseUrl: string | undefined,
    private readonly answerWithinMs: number,
  ) {}

  /** Runs `work`, which uses `client`, cutting the client's connection if the server stops answering. */
  async during<T>(client: WatchedClient, work: () => Promise<T>): Promise<T> {
    if (!this.databaseUrl) return work();
    // A cut connection emits 'error' on its client: unheard, that would end the process.
    const ignore = () => undefined;
    client.on('error', ignore);
    this.watched.add(client);
    this.timer ??= setInterval(() => void this.check(), PROBE_EVERY_MS).unref();
    try {
      return await work();
    } finally {
      client.removeListener('error', ignore);
      this.watched.delete(client);
      if (this.watched.size === 0) this.stop();
    }
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.dropProbe();
  }

  private async check(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      if (!(await this.answers())) this.cutWatched();
    } finally {
      this.probing = false;
    }
  }

  /** False when the server did not answer within answerWithinMs (or cannot be reached at all). */
  private async answers(): Promise<boolean> {
    let probe: Client | undefined;
    try {
      probe = this.probe ??= await this.connectProbe();
      await probe.query({ text: 'SELECT 1', query_timeout: this.answerWithinMs } as QueryConfig);
      return true;
    } catch (error) {
      // Dropped by stop() meanwhile (the watched work ended), not failed by the server.
      if (probe && probe !== this.probe) return true;
      this.dropProbe();
      return isServerAnswer(error);
    }
  }

  private async connectProbe(): Promise<Client> {
    const client = new Client({
      connectionString: this.databaseUrl,
      connectionTimeoutMillis: this.answerWithinMs,
      application_name: 'segmentation-service-hang-watch',
    });
    client.on('error', () => undefined);
    await client.connect();
    if (!this.timer) {
      // The watched work ended while this connected.
      void client.end();
      throw new Error('the watch stopped');
    }
    return client;
  }

  private dropProbe(): void {
    this.probe?.connection?.stream?.destroy();
    this.probe = undefined;
  }

  private cutWatched(): void {
    const error = new DatabaseHangsError(`the database did not answer within ${this.answerWithinMs} ms: it hangs`);
    for (const client of this.watched) client.connection?.stream?.destroy(error);
  }
}
