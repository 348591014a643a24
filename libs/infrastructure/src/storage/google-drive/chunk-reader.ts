import { Readable } from 'node:stream';

export interface Chunk {
  data: Buffer;
  /** True when nothing follows: the stream ended within this chunk. */
  last: boolean;
}

/**
 * Cuts a byte stream into chunks of exactly `size` bytes, the last one `size` bytes or fewer, and knows which
 * chunk is last by reading a little past it. Holds at most about one chunk in memory.
 */
export class ChunkReader {
  private readonly source: AsyncIterator<Buffer | string>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private ended = false;

  constructor(
    stream: Readable,
    private readonly size: number,
  ) {
    this.source = stream[Symbol.asyncIterator]();
  }

  async next(): Promise<Chunk> {
    while (!this.ended && this.pendingBytes <= this.size) {
      const { value, done } = await this.source.next();
      if (done) {
        this.ended = true;
      } else {
        const piece = typeof value === 'string' ? Buffer.from(value) : value;
        this.pending.push(piece);
        this.pendingBytes += piece.length;
      }
    }
    const all = Buffer.concat(this.pending, this.pendingBytes);
    if (this.ended && all.length <= this.size) {
      this.pending = [];
      this.pendingBytes = 0;
      return { data: all, last: true };
    }
    this.pending = [all.subarray(this.size)];
    this.pendingBytes = all.length - this.size;
    return { data: all.subarray(0, this.size), last: false };
  }
}
