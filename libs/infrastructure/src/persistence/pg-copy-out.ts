import { Readable } from 'node:stream';
import { Pool } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { StreamedReport } from '@app/application';
import { DatabaseHangWatch } from '../database/hang-watch';

/**
 * `COPY (select) TO STDOUT` in text format, handed to `consume` as a byte stream: PostgreSQL sends rows as
 * fast as they are read and pauses when they are not, so memory stays flat. The select must yield one
 * text column free of tabs, backslashes and line breaks, which COPY then writes verbatim, one per line.
 */
export async function pgCopyOut<T>(
  pool: Pool,
  select: string,
  consume: (csv: Readable) => Promise<T>,
  hangWatch: DatabaseHangWatch,
): Promise<StreamedReport<T>> {
  const client = await pool.connect();
  const stream = client.query(copyTo(`COPY (${select}) TO STDOUT`));
  let failure: Error | undefined;
  try {
    // COPY has no client-side deadline: a server that hangs mid-report is found by the watch.
    const result = await hangWatch.during(client, () => consume(stream));
    if (!stream.readableEnded) throw new Error('the report stream was not read to its end');
    return { rows: stream.rowCount, result };
  } catch (error) {
    failure = error as Error;
    // The COPY torn down here reports "Connection terminated" later; unheard, that error would crash the process.
    stream.on('error', () => undefined);
    stream.destroy();
    throw error;
  } finally {
    // A connection left in the middle of COPY cannot be reused: release(error) closes it.
    client.release(failure);
  }
}
