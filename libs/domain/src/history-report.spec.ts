import { historyReportName, isHistoryReportName } from './history-report';
import { parsePeriod } from './period';

describe('history report names', () => {
  const august = parsePeriod('2023-08', new Date('2023-09-01T00:00:00Z'));

  it('names a report by period, user and language, the same every time', () => {
    expect(historyReportName(august, null, 'ru')).toBe('history-2023-08-all-ru.csv');
    expect(historyReportName(august, 1000, 'en')).toBe('history-2023-08-user-1000-en.csv');
    expect(historyReportName(august, Number.MAX_SAFE_INTEGER, 'ru')).toBe(
      'history-2023-08-user-9007199254740991-ru.csv',
    );
  });

  it('accepts every name it gives', () => {
    for (const name of [
      historyReportName(august, null, 'ru'),
      historyReportName(august, Number.MAX_SAFE_INTEGER, 'en'),
    ]) {
      expect(isHistoryReportName(name)).toBe(true);
    }
  });

  it.each([
    '../history-2023-08-all-ru.csv',
    'reports/history-2023-08-all-ru.csv',
    '.history-2023-08-all-ru.csv.0b1c.tmp',
    'history-2023-08-all-ru.csv.tmp',
    'history-2023-13-all-ru.csv',
    'history-2023-08-user-0-ru.csv',
    'history-2023-08-user-01-ru.csv',
    'history-2023-08-all-de.csv',
    'history-2023-08-all-ru.csv\n',
    '',
  ])('rejects %j', (name) => {
    expect(isHistoryReportName(name)).toBe(false);
  });
});
