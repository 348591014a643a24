/** Signs that an error body carries internals: a stack frame, SQL, driver or file-system detail. */
const INTERNALS = [
  /\bat .+\(.*:\d+:\d+\)/,
  /\n\s+at /,
  /\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|WITH \w+ AS)\b/,
  /\b(relation|column|constraint|syntax error|duplicate key|violates)\b/i,
  /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|SQLSTATE|pg_|postgres)\b/i,
  /node_modules|\/work\/|\.ts:\d+|\.js:\d+/,
];

/** The first internal detail found in `text`, or undefined. */
export function leakedInternals(text: string): string | undefined {
  for (const pattern of INTERNALS) {
    const match = pattern.exec(text);
    if (match) return match[0];
  }
  return undefined;
}
