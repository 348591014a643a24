import { Readable } from 'node:stream';
import { ChunkReader } from './chunk-reader';

/** Reads every chunk: their sizes and whether each says it is the last. */
async function cut(pieces: string[], size: number): Promise<Array<[string, boolean]>> {
  const reader = new ChunkReader(Readable.from(pieces.map((piece) => Buffer.from(piece))), size);
  const chunks: Array<[string, boolean]> = [];
  for (;;) {
    const chunk = await reader.next();
    chunks.push([chunk.data.toString(), chunk.last]);
    if (chunk.last) return chunks;
  }
}

describe('ChunkReader', () => {
  it('cuts exact chunks across piece boundaries and marks the shorter last one', async () => {
    expect(await cut(['ab', 'cdefg', 'h', 'ij'], 4)).toEqual([
      ['abcd', false],
      ['efgh', false],
      ['ij', true],
    ]);
  });

  it('marks a full chunk as last when the stream ends right after it', async () => {
    expect(await cut(['abcd', 'efgh'], 4)).toEqual([
      ['abcd', false],
      ['efgh', true],
    ]);
  });

  it('gives one empty last chunk for an empty stream', async () => {
    expect(await cut([], 4)).toEqual([['', true]]);
  });

  it('passes the stream’s error on', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('source failed'));
      },
    });
    await expect(new ChunkReader(failing, 4).next()).rejects.toThrow('source failed');
  });
});
