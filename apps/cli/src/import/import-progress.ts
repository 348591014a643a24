import { createReadStream } from 'node:fs';
import { SingleBar } from 'cli-progress';

/** How many lines a file has: the bar's total, an upper bound of its ids. Reads it once, in chunks. */
export async function countLines(file: string): Promise<number> {
  let lines = 0;
  let last = 0x0a;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) lines++;
    last = chunk[chunk.length - 1];
  }
  return last === 0x0a ? lines : lines + 1;
}

/** Ids per second so far and the time left at that rate, as shown on the bar. */
export function rateAndEta(done: number, total: number, elapsedMs: number): { rate: string; timeLeft: string } {
  if (done === 0 || elapsedMs <= 0) return { rate: '-', timeLeft: '-' };
  const perSecond = (done / elapsedMs) * 1000;
  const left = Math.max(0, Math.ceil((total - done) / perSecond));
  const timeLeft = left >= 60 ? `${Math.floor(left / 60)}m${String(left % 60).padStart(2, '0')}s` : `${left}s`;
  return { rate: Math.round(perSecond).toLocaleString('en-US'), timeLeft };
}

/** The terminal bar of an import: ids the database has registered, out of the file's lines. */
export class ImportProgressBar {
  private readonly bar = new SingleBar({
    format: 'import [{bar}] {percentage}% | {value}/{total} ids | {rate} ids/s | {timeLeft} left',
    hideCursor: true,
  });
  private readonly started = Date.now();

  constructor(private total: number) {
    this.bar.start(total, 0, rateAndEta(0, total, 0));
  }

  update(done: number): void {
    // Lines that were blank, bad or a header are no ids: the total shrinks to what was really there.
    if (done > this.total) this.bar.setTotal((this.total = done));
    this.bar.update(done, rateAndEta(done, this.total, Date.now() - this.started));
  }

  finish(done: number): void {
    this.bar.setTotal((this.total = done));
    this.update(done);
    this.bar.stop();
  }
}
