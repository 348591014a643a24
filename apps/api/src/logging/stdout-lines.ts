import { constants, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

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
 * stops reading (a hung log shipper), lines wait in memory up to MAX_PENDING_LOG_BYTES and the service
 * goes on; the rest are dropped and counted in a line written once stdout takes lines again. A line too long
 * to be written whole is cut to fit (its long strings shortened). At exit,
 * what waits gets EXIT_FLUSH_MS to go out, so a stuck reader cannot hold the process.
 */
export class StdoutLines {
  private lines: string[] = [];
  private bytes: number[] = [];
  private pendingBytes = 0;
  /** The unwritten rest of a write stdout took only in part, or refused: it goes first. */
  private unwritten?: Buffer;
  private scheduled = false;
  private closed = false;
  private dropped = 0;

  private readonly fd: number;

  constructor(fd: number) {
    this.fd = nonBlockingDescriptionOf(fd);
  }

  write(line: string): void {
    if (this.closed) return;
    let text = line;
    let size = Buffer.byteLength(text);
    if (size > ATOMIC_WRITE_BYTES) size = Buffer.byteLength((text = fitted(text)));
    if (this.pendingBytes + size > MAX_PENDING_LOG_BYTES) {
      this.dropped++;
      return;
    }
    this.lines.push(text);
    this.bytes.push(size);
    this.pendingBytes += size;
    this.schedule(false);
  }

  /** Writes what waits, for at most `withinMs` of retries when stdout would block (at exit). */
  drain(withinMs = EXIT_FLUSH_MS): void {
    const until = Date.now() + withinMs;
    while (!this.flush() && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }

  private schedule(later: boolean): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      if (!this.flush()) this.schedule(true);
    };
    if (later) setTimeout(run, RETRY_MS).unref();
    else setImmediate(run);
  }

  /** True once everything waiting is written (or cannot ever be: stdout closed). */
  private flush(): boolean {
    while (!this.closed && (this.unwritten || this.lines.length > 0)) {
      const chunk = this.unwritten ?? this.nextChunk();
      try {
        const written = writeSync(this.fd, chunk);
        this.unwritten = written < chunk.length ? chunk.subarray(written) : undefined;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          this.unwritten = chunk;
          return false;
        }
        // EPIPE and the like: nobody will read stdout again; logging must never take the service down.
        this.closed = true;
        this.lines = [];
        this.bytes = [];
        this.unwritten = undefined;
      }
      if (!this.unwritten && this.lines.length === 0 && this.dropped > 0) this.reportDropped();
    }
    return true;
  }

  /** Whole lines from the front, at most ATOMIC_WRITE_BYTES together. */
  private nextChunk(): Buffer {
    let count = 1;
    let size = this.bytes[0];
    while (count < this.lines.length && size + this.bytes[count] <= ATOMIC_WRITE_BYTES) size += this.bytes[count++];
    const text = count === 1 ? this.lines[0] : this.lines.slice(0, count).join('');
    this.lines.splice(0, count);
    this.bytes.splice(0, count);
    this.pendingBytes -= size;
    return Buffer.from(text);
  }

  private reportDropped(): void {
    const msg = `${this.dropped} log lines were dropped: stdout did not take them`;
    this.dropped = 0;
    const line = JSON.stringify({
      level: 'warn',
      time: new Date().toISOString(),
      pid: process.pid,
      hostname: hostname(),
      msg,
    });
    this.lines.push(`${line}\n`);
    this.bytes.push(Buffer.byteLength(line) + 1);
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
