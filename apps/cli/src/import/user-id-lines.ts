import { parseUserId } from '@app/domain';

/** How a file of user ids is laid out: one id per line, or CSV with a `user_id` column. */
export type IdFileFormat = { kind: 'plain' } | { kind: 'csv'; delimiter: string; column: number };

export type ParsedLine = { kind: 'id'; userId: number } | { kind: 'blank' } | { kind: 'bad'; reason: string };

const DELIMITERS = [',', ';', '\t'];

const unquote = (cell: string) => cell.trim().replace(/^"(.*)"$/, '$1').trim();

/**
 * Reads the format from the first non-blank line. A header naming a `user_id` column means CSV;
 * `header` tells whether that line is a header (and so not data).
 */
export function detectFormat(firstLine: string): { format: IdFileFormat; header: boolean } {
  for (const delimiter of DELIMITERS) {
    const cells = firstLine.split(delimiter).map((cell) => unquote(cell).toLowerCase());
    const column = cells.indexOf('user_id');
    if (column >= 0) return { format: { kind: 'csv', delimiter, column }, header: true };
  }
  return { format: { kind: 'plain' }, header: false };
}

export function parseLine(line: string, format: IdFileFormat): ParsedLine {
  if (line.trim() === '') return { kind: 'blank' };
  const text = format.kind === 'csv' ? unquote(line.split(format.delimiter)[format.column] ?? '') : line.trim();
  if (text === '') return { kind: 'bad', reason: 'no user_id value' };
  const userId = parseUserId(text);
  if (userId === undefined) {
    return { kind: 'bad', reason: `"${text.slice(0, 40)}" is not a user id (an integer from 1 to 9007199254740991)` };
  }
  return { kind: 'id', userId };
}
