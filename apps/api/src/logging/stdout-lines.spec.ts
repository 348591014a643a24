import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_PENDING_LOG_BYTES, StdoutLines } from './stdout-lines';

const LINE_BYTES = 400;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function line(i: number): string {
  const text = JSON.stringify({ level: 'info', i, msg: 'request completed', pad: '' });
  return `${text.slice(0, -2)}${'x'.repeat(LINE_BYTES - text.length - 1)}"}\n`;
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
  it('holds 4 MiB while nobody reads, drops and counts the rest, and writes on once read again while lines keep coming', async () => {
    const { reader, fd, output, done } = readerAndWriter();
    try {
      reader.stdout!.pause();
      const lines = new StdoutLines(fd);
      const unread = Math.ceil((1.5 * MAX_PENDING_LOG_BYTES) / LINE_BYTES);
      let written = 0;
      while (written < unread) {
        for (let k = 0; k < 100; k++) lines.write(line(written++));
        await nextTurn();
      }
      reader.stdout!.resume();
      // A line every turn: the writer must try stdout again although every new line finds it full.
      const total = written + 2_000;
      while (written < total) {
        lines.write(line(written++));
        await nextTurn();
      }
      const deadline = Date.now() + 10_000;
      while (!output().includes(`"i":${total - 1},`) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));

      const received = output()
        .split('\n')
        .filter(Boolean)
        .map((text) => JSON.parse(text) as { i?: number; msg: string });
      const indices = received.flatMap((entry) => (entry.i === undefined ? [] : [entry.i]));
      const dropped = received
        .map((entry) => /^(\d+) log lines were dropped/.exec(entry.msg))
        .reduce((sum, match) => sum + (match ? Number(match[1]) : 0), 0);
      expect(indices.at(-1)).toBe(total - 1);
      expect(indices).toEqual([...indices].sort((a, b) => a - b));
      expect(indices.length * LINE_BYTES).toBeGreaterThanOrEqual(MAX_PENDING_LOG_BYTES);
      expect(dropped).toBeGreaterThan(0);
      expect(indices.length + dropped).toBe(total);
    } finally {
      done();
    }
  });
});
