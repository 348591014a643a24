import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countLines, rateAndEta } from './import-progress';

describe('import progress', () => {
  it('shows the rate so far and the time left at that rate', () => {
    expect(rateAndEta(0, 1000, 0)).toEqual({ rate: '-', timeLeft: '-' });
    expect(rateAndEta(20_000, 200_000, 2_000)).toEqual({ rate: '10,000', timeLeft: '18s' });
    expect(rateAndEta(1_000, 200_000, 1_000)).toEqual({ rate: '1,000', timeLeft: '3m19s' });
    expect(rateAndEta(200_000, 200_000, 20_000)).toEqual({ rate: '10,000', timeLeft: '0s' });
  });

  it('counts the lines of a file, with or without a final newline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segments-lines-'));
    try {
      writeFileSync(join(dir, 'a'), '1\n2\n3\n');
      writeFileSync(join(dir, 'b'), '1\n2\n3');
      writeFileSync(join(dir, 'c'), '');
      expect(await countLines(join(dir, 'a'))).toBe(3);
      expect(await countLines(join(dir, 'b'))).toBe(3);
      expect(await countLines(join(dir, 'c'))).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
