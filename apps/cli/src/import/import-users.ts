import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { SingleBar } from 'cli-progress';
import { RegisterUsers } from '@app/application';
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
  progress: boolean;
}

/**
 * Streams a file of user ids into the registry in batches: memory stays flat whatever the file's
 * size, because reading waits while a batch is written.
 */
export async function importUsers(file: string, register: RegisterUsers, options: ImportOptions): Promise<ImportSummary> {
  const summary: ImportSummary = { lines: 0, ids: 0, registered: 0, autoAssigned: 0, badLines: 0 };
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const bar = options.progress ? new SingleBar({ format: 'import [{bar}] {percentage}% | {value}/{total} bytes | {eta}s left' }) : undefined;
  bar?.start(statSync(file).size, 0);
  let format: IdFileFormat | undefined;
  let batch: number[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await register.execute(batch);
    summary.registered += result.registered;
    summary.autoAssigned += result.autoAssigned;
    batch = [];
    bar?.update(stream.bytesRead);
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
  bar?.update(statSync(file).size);
  bar?.stop();
  if (summary.badLines > options.maxReported) {
    options.report(`... and ${summary.badLines - options.maxReported} more bad lines`);
  }
  return summary;
}
