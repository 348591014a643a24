import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importUsers } from './import-users';

describe('importUsers', () => {
  it('reports progress as the ids registered so far, after each batch is registered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segments-import-unit-'));
    try {
      const file = join(dir, 'ids.txt');
      writeFileSync(file, `${Array.from({ length: 2500 }, (_, i) => i + 1).join('\n')}\nbad\n`);
      const registeredSoFar: number[] = [];
      const progress: number[] = [];
      const summary = await importUsers(
        file,
        async (ids) => {
          registeredSoFar.push((registeredSoFar.at(-1) ?? 0) + ids.length);
          return { registered: ids.length, autoAssigned: 0 };
        },
        { batchSize: 700, report: () => undefined, maxReported: 10, onProgress: (done) => progress.push(done) },
      );
      expect(progress).toEqual([700, 1400, 2100, 2500]);
      expect(progress).toEqual(registeredSoFar);
      expect(summary).toMatchObject({ ids: 2500, registered: 2500, badLines: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
