import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs, { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_PENDING_LOG_BYTES, StdoutLines } from './stdout-lines';

const LINE_BYTES = 400;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function line(i: number): string {
  const text = JSON.stringify({ level: 'info', i, msg: 'request completed', pad: '' });
  return `${text.slice(0, -2)}${'x'.repeat(LINE_BYTES - text.length - 1)}"}\n`;
}

type WriteSync = (fd: number, data: string | Buffer, ...rest: unknown[]) => number;

/** The bytes of every write that went through to a descriptor other than stdio's, whole or in part. */
function recordWrites(): Buffer[] {
  const writes: Buffer[] = [];
  const realWriteSync = fs.writeSync.bind(fs) as WriteSync;
  const recording: WriteSync = (fd, data, ...rest) => {
    const written = realWriteSync(fd, data, ...rest);
    if (fd > 2 && written > 0) writes.push((typeof data === 'string' ? Buffer.from(data) : data).subarray(0, written));
    return written;
  };
  jest.spyOn(fs, 'writeSync').mockImplementation(recording as typeof fs.writeSync);
  return writes;
}

/** A FIFO read by `cat` whose output the test can stop reading, and a writer to it. */
function readerAndWriter(): { reader: ChildProcess; fd: number; output: () => string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'stdout-lines-'));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  reader.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  let fd = -1;
  const until = Date.now() + 5_000;
  while (fd < 0) {
    try {
      fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK); // ENXIO until cat has opened it
    } catch (error) {
      if (Date.now() > until) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
  return {
    reader,
    fd,
    output: () => output,
    done: () => {
      reader.kill();
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('StdoutLines', () => {
  afterEach(() => jest.restoreAllMocks());

  it("writes a turn's lines together in whole lines of at most 4 KiB; holds 4 MiB unread, drops and counts the rest, and recovers while lines keep coming", async () => {
    const { reader, fd, output, done } = readerAndWriter();
    const writes = recordWrites();
    try {
      const lines = new StdoutLines(fd);
      let written = 0;
      const writeTurn = async (count: number) => {
        for (let k = 0; k < count; k++) lines.write(line(written++));
        await nextTurn();
      };
      // Read: a turn's 100 lines (40 KB) go out in about ten writes, not a hundred.
      for (let turn = 0; turn < 50; turn++) await writeTurn(100);
      const until = Date.now() + 5_000;
      while (!output().includes(`"i":${written - 1},`) && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      const writesWhileRead = writes.length;

      reader.stdout!.pause();
      const unread = written + Math.ceil((1.5 * MAX_PENDING_LOG_BYTES) / LINE_BYTES);
      while (written < unread) await writeTurn(100);
      reader.stdout!.resume();
      // Ten lines a turn, each turn finding the 4 MiB full at first: the writer must try stdout again anyway,
      // and say how many it dropped once it has written what it held.
      let deadline = Date.now() + 10_000;
      while (!output().includes('log lines were dropped') && Date.now() < deadline) await writeTurn(10);
      for (let turn = 0; turn < 100; turn++) await writeTurn(10);
      const total = written;

      const received = () =>
        output()
          .split('\n')
          .filter(Boolean)
          .map((text) => JSON.parse(text) as { i?: number; msg: string });
      const indices = () => received().flatMap((entry) => (entry.i === undefined ? [] : [entry.i]));
      const dropped = () =>
        received()
          .map((entry) => /^(\d+) log lines were dropped/.exec(entry.msg))
          .reduce((sum, match) => sum + (match ? Number(match[1]) : 0), 0);
      deadline = Date.now() + 5_000;
      while (indices().length + dropped() < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

      expect(dropped()).toBeGreaterThan(0);
      expect(indices().length + dropped()).toBe(total);
      expect(indices().at(-1)).toBe(total - 1);
      expect(indices()).toEqual([...indices()].sort((a, b) => a - b));
      expect(indices().length * LINE_BYTES).toBeGreaterThanOrEqual(MAX_PENDING_LOG_BYTES);
      // Whole lines in writes a pipe takes whole (PIPE_BUF): another process's lines never land inside them.
      expect(writes.filter((bytes) => bytes.length > 4096 || bytes.at(-1) !== 0x0a)).toEqual([]);
      expect(writes.reduce((sum, bytes) => sum + bytes.length, 0)).toBe(Buffer.byteLength(output()));
      expect(writesWhileRead).toBeLessThanOrEqual(50 * 12);
    } finally {
      done();
    }
  });
});
