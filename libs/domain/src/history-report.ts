import { HistoryOperation } from './membership';
import { Period } from './period';

export const REPORT_LANGUAGES = ['ru', 'en'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];

/** How each operation is written in a history report, per language. */
export const OPERATION_LABELS: Record<ReportLanguage, Record<HistoryOperation, string>> = {
  ru: { added: 'добавление', removed: 'удаление' },
  en: { added: 'added', removed: 'removed' },
};

const REPORT_NAME_PATTERN = /^history-\d{4}-(0[1-9]|1[0-2])-(all|user-[1-9][0-9]{0,15})-(ru|en)\.csv$/;

/** The same period, user and language always give the same name, so a new run replaces the old file. */
export function historyReportName(period: Period, userId: number | null, language: ReportLanguage): string {
  return `history-${period.text}-${userId === null ? 'all' : `user-${userId}`}-${language}.csv`;
}

/** True only for names `historyReportName` can produce: no paths, no temporary files. */
export function isHistoryReportName(name: string): boolean {
  return REPORT_NAME_PATTERN.test(name);
}
