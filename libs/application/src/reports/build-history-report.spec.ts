import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { InvalidPeriodError } from '@app/domain';
import { FakeClock } from '../../../../test/support/fake-clock';
import { HistoryReportFilter, HistoryReportSource, StreamedReport } from '../ports/history-report-source';
import { NO_COUNTERS } from '../ports/outcome-counters';
import { PrunedReports, ReportFile, ReportStorage, StoredReport } from '../ports/report-storage';
import { BuildHistoryReport } from './build-history-report';
import { ReportBuilds } from './report-builds';

class LinesSource extends HistoryReportSource {
  filters: HistoryReportFilter[] = [];
  constructor(private readonly lines: string[]) {
    super();
  }
  async streamCsv<T>(filter: HistoryReportFilter, consume: (csv: Readable) => Promise<T>): Promise<StreamedReport<T>> {
    this.filters.push(filter);
    const result = await consume(Readable.from(this.lines.map((line) => Buffer.from(`${line}\n`))));
    return { rows: this.lines.length, result };
  }
}

class MemoryStorage extends ReportStorage {
  readonly files = new Map<string, string>();
  async save(name: string, csv: Readable): Promise<StoredReport> {
    this.files.set(name, await text(csv));
    return { url: `memory://${name}` };
  }
  async open(): Promise<ReportFile | undefined> {
    return undefined;
  }
  wasDeleted(): boolean {
    return false;
  }
  async prune(): Promise<PrunedReports> {
    return { deleted: 0, failed: 0 };
  }
}

describe('BuildHistoryReport', () => {
  const setUp = (lines: string[] = []) => {
    const source = new LinesSource(lines);
    const storage = new MemoryStorage();
    return {
      source,
      storage,
      build: new BuildHistoryReport(
        source,
        storage,
        new FakeClock(new Date('2023-09-15T12:00:00Z')),
        new ReportBuilds(2, 4),
        NO_COUNTERS,
      ),
    };
  };

  it('asks for the month in UTC with the language’s labels and stores the stream under the report name', async () => {
    const { source, storage, build } = setUp(['1000;A;added;2023-08-01 00:00:00']);
    const report = await build.execute({ period: '2023-08', userId: 1000, language: 'en' });
    expect(report).toEqual({
      period: '2023-08',
      userId: 1000,
      rows: 1,
      url: 'memory://history-2023-08-user-1000-en.csv',
    });
    expect(source.filters).toEqual([
      {
        from: new Date('2023-08-01T00:00:00Z'),
        to: new Date('2023-09-01T00:00:00Z'),
        userId: 1000,
        labels: { added: 'added', removed: 'removed' },
      },
    ]);
    expect(storage.files.get('history-2023-08-user-1000-en.csv')).toBe('1000;A;added;2023-08-01 00:00:00\n');
  });

  it('uses the Russian labels for ru', async () => {
    const { source, build } = setUp();
    await build.execute({ period: '2023-09', userId: null, language: 'ru' });
    expect(source.filters[0].labels).toEqual({ added: 'добавление', removed: 'удаление' });
  });

  it('refuses a future month without touching the database or storage', async () => {
    const { source, storage, build } = setUp();
    await expect(build.execute({ period: '2023-10', userId: null, language: 'ru' })).rejects.toBeInstanceOf(
      InvalidPeriodError,
    );
    expect(source.filters).toEqual([]);
    expect(storage.files.size).toBe(0);
  });
});
