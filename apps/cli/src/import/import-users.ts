import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Registration } from '@app/application';
import { detectFormat, IdFileFormat, parseLine } from './user-id-lines';

export interface ImportSummary {
  lines: number;
  ids: number;
  registered: number;
  autoAssigned: number;
  badLines: number;
}

export interface ImportOptions {
  batchSize: number;
  /** Where bad lines are reported (line number and reason); at most `maxReported` of them. */
  report: (message: string) => void;
  maxReported: number;
  /** Called after each batch is registered, with how many ids are registered so far. */
  onProgress?: (idsDone: number) => void;
}

/** Registers one batch: the use case on the database, or the running service's API. */
export type RegisterBatch = (userIds: number[]) => Promise<Registration>;

/**
 * Streams a file of user ids into the registry in batches: memory stays flat whatever the file's
 * size, because reading waits while a batch is written.
 */
export async function importUsers(
  file: string,
  register: RegisterBatch,
  options: ImportOptions,
): Promise<ImportSummary> {
  const summary: ImportSummary = { lines: 0, ids: 0, registered: 0, autoAssigned: 0, badLines: 0 };
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let format: IdFileFormat | undefined;
  let batch: number[] = [];
  let idsDone = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await register(batch);
    summary.registered += result.registered;
    summary.autoAssigned += result.autoAssigned;
    idsDone += batch.length;
    batch = [];
    options.onProgress?.(idsDone);
  };
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    summary.lines++;
    if (!format) {
      if (line.trim() === '') continue;
      const detected = detectFormat(line);
      format = detected.format;
      if (detected.header) continue;
    }
    const parsed = parseLine(line, format);
    if (parsed.kind === 'id') {
      summary.ids++;
      batch.push(parsed.userId);
      if (batch.length >= options.batchSize) await flush();
    } else if (parsed.kind === 'bad') {
      summary.badLines++;
      if (summary.badLines <= options.maxReported) options.report(`line ${summary.lines}: ${parsed.reason}`);
    }
  }
  await flush();
  if (summary.badLines > options.maxReported) {
    options.report(`... and ${summary.badLines - options.maxReported} more bad lines`);
  }
  return summary;
}
