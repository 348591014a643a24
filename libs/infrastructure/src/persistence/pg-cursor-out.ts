import { Readable } from 'node:stream';
import { Pool } from 'pg';
import { StreamedReport } from '@app/application';

const BATCH_ROWS = 5_000;

/**
 * The same stream as pgCopyOut, fetched through a server-side cursor a batch at a time. Embedded PGlite
 * runs a whole statement before answering, so a COPY of millions of rows would sit in memory at once;
 * a cursor bounds it to one batch.
 */
export async function pgCursorOut<T>(
  pool: Pool,
  select: string,
  consume: (csv: Readable) => Promise<T>,
  statementTimeoutMs: number,
): Promise<StreamedReport<T>> {
  const client = await pool.connect();
  let rows = 0;
  async function* batches(): AsyncGenerator<Buffer> {
    for (;;) {
      const batch = await client.query<[string]>({ text: `FETCH ${BATCH_ROWS} FROM report`, rowMode: 'array' });
      if (batch.rows.length === 0) return;
      rows += batch.rows.length;
      yield Buffer.from(`${batch.rows.map((row) => row[0]).join('\n')}\n`);
    }
  }
  let broken: Error | undefined;
  // Lent out, the client has no pool listener: a connection that dies between two FETCHes would emit an
  // unheard 'error' and kill the process.
  const onConnectionError = (error: Error) => (broken = error);
  client.on('error', onConnectionError);
  try {
    await client.query('BEGIN READ ONLY');
    // The shared connection starts with the hot paths' deadline; a report is bulk work.
    await client.query(`SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)}`);
    await client.query(`DECLARE report NO SCROLL CURSOR FOR ${select}`);
    const stream = Readable.from(batches(), { objectMode: false });
    const result = await consume(stream);
    if (!stream.readableEnded) throw new Error('the report stream was not read to its end');
    await client.query('COMMIT');
    return { rows, result };
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.removeListener('error', onConnectionError);
    client.release(broken);
  }
}
