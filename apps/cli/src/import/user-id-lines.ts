import { parseUserId } from '@app/domain';

/** How a file of user ids is laid out: one id per line, or CSV with a `user_id` column. */
export type IdFileFormat = { kind: 'plain' } | { kind: 'csv'; delimiter: string; column: number };

export type ParsedLine = { kind: 'id'; userId: number } | { kind: 'blank' } | { kind: 'bad'; reason: string };

const DELIMITERS = [',', ';', '\t'];

/**
 * The cells of one CSV line (RFC 4180): a quoted cell may hold the delimiter and doubled quotes.
 * Undefined when a quote is left open (a cell that spans lines is not an id anyway).
 */
export function csvCells(line: string, delimiter: string): string[] | undefined {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char !== '"') cell += char;
      else if (line[i + 1] === '"') cell += line[++i];
      else quoted = false;
    } else if (char === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (char === delimiter) {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += char;
    }
  }
  if (quoted) return undefined;
  cells.push(cell.trim());
  return cells;
}

/**
 * Reads the format from the first non-blank line. A header naming a `user_id` column means CSV;
 * `header` tells whether that line is a header (and so not data).
 */
export function detectFormat(firstLine: string): { format: IdFileFormat; header: boolean } {
  for (const delimiter of DELIMITERS) {
    const column = (csvCells(firstLine, delimiter) ?? []).map((cell) => cell.toLowerCase()).indexOf('user_id');
    if (column >= 0) return { format: { kind: 'csv', delimiter, column }, header: true };
  }
  return { format: { kind: 'plain' }, header: false };
}

export function parseLine(line: string, format: IdFileFormat): ParsedLine {
  if (line.trim() === '') return { kind: 'blank' };
  const cells = format.kind === 'csv' ? csvCells(line, format.delimiter) : [line.trim()];
  if (!cells) return { kind: 'bad', reason: 'a quote is left open' };
  const text = cells[format.kind === 'csv' ? format.column : 0] ?? '';
  if (text === '') return { kind: 'bad', reason: 'no user_id value' };
  const userId = parseUserId(text);
  if (userId === undefined) {
    return { kind: 'bad', reason: `"${text.slice(0, 40)}" is not a user id (an integer from 1 to 9007199254740991)` };
  }
  return { kind: 'id', userId };
}
