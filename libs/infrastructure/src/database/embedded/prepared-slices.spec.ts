import { PGlite } from '@electric-sql/pglite';
import { MAX_PREPARED_SLICES, settleUnfinishedSlices, sliceName } from './prepared-slices';

/** A bulk change stopped part-way (the process died) is finished or undone at the next start: never half. */
describe('settleUnfinishedSlices', () => {
  let db: PGlite;

  beforeAll(async () => {
    db = await PGlite.create({
      startParams: [...PGlite.defaultStartParams, '-c', `max_prepared_transactions=${MAX_PREPARED_SLICES}`],
    });
    await db.exec('CREATE TABLE rows_written (job text, slice int)');
  }, 60_000);
  afterAll(() => db.close());

  const prepare = async (job: string, slice: number) =>
    db.exec(
      `BEGIN; INSERT INTO rows_written VALUES ('${job}', ${slice}); PREPARE TRANSACTION '${sliceName(job, slice)}'`,
    );
  const slicesOf = async (job: string) =>
    (await db.query<{ slice: number }>(`SELECT slice FROM rows_written WHERE job = $1 ORDER BY slice`, [job])).rows.map(
      (row) => row.slice,
    );

  it('commits the rest of a job whose commit had begun, rolls back one that had not, leaves others alone', async () => {
    for (const slice of [1, 2, 3]) await prepare('committing', slice);
    await db.exec(`COMMIT PREPARED '${sliceName('committing', 1)}'`);
    for (const slice of [1, 2, 3]) await prepare('preparing', slice);
    await db.exec(`BEGIN; INSERT INTO rows_written VALUES ('other', 1); PREPARE TRANSACTION 'not-a-slice'`);

    expect(await settleUnfinishedSlices((sql) => db.query(sql))).toEqual({ committed: 1, rolledBack: 1 });

    expect(await slicesOf('committing')).toEqual([1, 2, 3]);
    expect(await slicesOf('preparing')).toEqual([]);
    const left = await db.query<{ gid: string }>('SELECT gid FROM pg_prepared_xacts');
    expect(left.rows.map((row) => row.gid)).toEqual(['not-a-slice']);
    await db.exec(`ROLLBACK PREPARED 'not-a-slice'`);
  });
});
