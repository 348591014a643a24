import { constants, openSync } from 'node:fs';
import { hostname } from 'node:os';
import SonicBoom from 'sonic-boom';

/** A pipe takes a write of up to PIPE_BUF (4096 bytes on Linux) whole: worker processes' lines never interleave. */
const ATOMIC_WRITE_BYTES = 4096;

/** Lines held while stdout does not take them, at most (about 10,000 request lines); later ones are dropped. */
export const MAX_PENDING_LOG_BYTES = 4 * 1024 * 1024;

/** How often a stdout that would block is tried again. */
const RETRY_MS = 50;

/** How long the process may spend at exit writing what is still held. */
const EXIT_FLUSH_MS = 1_000;

/** A string field of a line too long to be written whole is cut to this many characters. */
const MAX_FIELD_CHARS = 256;

/**
 * A description of its own for `fd`'s file, non-blocking: whether fd 1 blocks is not this process's choice
 * (a TTY does; a pipe shared by worker processes turns blocking when one of them exits and Node restores its
 * flags), and a blocking write to a stdout nobody reads stops the process. Linux (/proc); elsewhere, or for a
 * socket, `fd` itself.
 */
function nonBlockingDescriptionOf(fd: number): number {
  try {
    return openSync(`/proc/self/fd/${fd}`, constants.O_WRONLY | constants.O_APPEND | constants.O_NONBLOCK);
  } catch {
    return fd;
  }
}

/** `line` (one JSON object and a newline) cut to fit one atomic write: its long strings shortened. */
function fitted(line: string): string {
  try {
    const cut = JSON.stringify(JSON.parse(line), (_key, value: unknown) =>
      typeof value === 'string' && value.length > MAX_FIELD_CHARS
        ? `${value.slice(0, MAX_FIELD_CHARS)}... (${value.length - MAX_FIELD_CHARS} more characters)`
        : value,
    );
    if (Buffer.byteLength(cut) < ATOMIC_WRITE_BYTES) return `${cut}\n`;
  } catch {
    // not JSON: cut below
  }
  return `${JSON.stringify({ level: 'warn', time: new Date().toISOString(), pid: process.pid, msg: `a log line of ${line.length} characters was too long to write whole`, start: line.slice(0, MAX_FIELD_CHARS) })}\n`;
}

/**
 * Log lines to a file descriptor without ever waiting for it: lines logged in one turn of the event loop
 * go out together at its end, in writes of whole lines of at most ATOMIC_WRITE_BYTES. When the reader
 * stops reading (a hung log shipper), sonic-boom holds lines up to MAX_PENDING_LOG_BYTES and the service
 * goes on; the rest are dropped and counted in a line written once stdout takes lines again. A line too long
 * to be written whole is cut to fit (its long strings shortened). At exit, what waits gets EXIT_FLUSH_MS to
 * go out, so a stuck reader cannot hold the process.
 *
 * Built on sonic-boom, synchronous and without `minLength` (what it is handed is written at once, or held
 * while stdout refuses it), plus three things of its own: it gathers a turn's lines into pieces itself, as
 * sonic-boom joins lines only while stdout refuses them and its `flush()` leaves up to `minLength` bytes
 * behind without saying so; it follows a refused write with an empty one, as sonic-boom tries again only
 * when written to; and it never calls `flushSync()`, which in sonic-boom 4.2 retries any error but EAGAIN
 * every 100 ms for ever: a closed stdout (EPIPE) would hang the process (fixed upstream after 5.0.0).
 */
export class StdoutLines {
  /** This turn's lines, joined into pieces of at most ATOMIC_WRITE_BYTES. */
  private pieces: string[] = [];
  private lastPieceBytes = 0;
  private scheduled = false;
  /** stdout refused the last write (EAGAIN): sonic-boom holds it and what came after. */
  private held = false;
  private closed = false;
  private dropped = 0;
  /** Until when sonic-boom may wait for stdout (sleeping between tries): never while the service runs. */
  private waitUntil = 0;
  private readonly out: SonicBoom;

  constructor(fd: number) {
    this.out = new SonicBoom({
      fd: nonBlockingDescriptionOf(fd),
      sync: true,
      maxWrite: ATOMIC_WRITE_BYTES,
      maxLength: MAX_PENDING_LOG_BYTES,
      retryEAGAIN: () => Date.now() < this.waitUntil,
    });
    this.out.on('write', () => (this.held = false));
    this.out.on('drop', (piece: string) => (this.dropped += piece.split('\n').length - 1));
    this.out.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EAGAIN') this.held = true;
      // EPIPE and the like: nobody will read stdout again; logging must never take the service down.
      else this.close();
    });
  }

  write(line: string): void {
    if (this.closed) return;
    let text = line;
    let size = Buffer.byteLength(text);
    if (size > ATOMIC_WRITE_BYTES) size = Buffer.byteLength((text = fitted(text)));
    if (this.pieces.length > 0 && this.lastPieceBytes + size <= ATOMIC_WRITE_BYTES) {
      this.pieces[this.pieces.length - 1] += text;
      this.lastPieceBytes += size;
    } else {
      this.pieces.push(text);
      this.lastPieceBytes = size;
    }
    this.schedule(false);
  }

  /** Writes what waits, for at most `withinMs` of retries when stdout would block (at exit). */
  drain(withinMs = EXIT_FLUSH_MS): void {
    this.waitUntil = Date.now() + withinMs;
    this.flush();
  }

  private schedule(later: boolean): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.flush();
    };
    if (later) setTimeout(run, RETRY_MS).unref();
    else setImmediate(run);
  }

  private flush(): void {
    const pieces = this.pieces;
    this.pieces = [];
    if (this.closed) return;
    // sonic-boom tries again what stdout refused before only when written to, and drops without trying what
    // does not fit: an empty write first.
    if (this.held) this.out.write('');
    for (const piece of pieces) if (!this.closed) this.out.write(piece);
    if (this.closed) return;
    if (!this.held && this.dropped > 0) this.reportDropped();
    if (this.held) this.schedule(true);
  }

  private reportDropped(): void {
    const msg = `${this.dropped} log lines were dropped: stdout did not take them`;
    this.dropped = 0;
    this.out.write(
      `${JSON.stringify({ level: 'warn', time: new Date().toISOString(), pid: process.pid, hostname: hostname(), msg })}\n`,
    );
  }

  private close(): void {
    this.closed = true;
    this.pieces = [];
    this.out.destroy();
  }
}

let stdout: StdoutLines | undefined;

/** The process's one writer of log lines to stdout, drained when the process exits. */
export function stdoutLines(): StdoutLines {
  if (!stdout) {
    const lines = (stdout = new StdoutLines(1));
    process.on('exit', () => lines.drain());
  }
  return stdout;
}
