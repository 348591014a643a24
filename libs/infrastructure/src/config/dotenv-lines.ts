import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from './app-config';

/** `NAME=value` (an `export ` before it is allowed, as shells write it). */
const ASSIGNMENT = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=(.*)$/;

/** The quote a value opens and does not close on its line (a value that goes on over several lines). */
function openQuote(value: string): string | undefined {
  const trimmed = value.trimStart();
  const quote = trimmed[0];
  if (quote !== '"' && quote !== "'" && quote !== '`') return undefined;
  return trimmed.indexOf(quote, 1) === -1 ? quote : undefined;
}

/**
 * Refuses a `.env` with a line that is neither `NAME=value`, a comment nor blank: the dotenv parser skips
 * such a line in silence (`PORT 18086` left the service on its default port without a word). The message
 * names the line by its number only: the line may hold a secret.
 */
export function checkDotenvLines(path: string): void {
  let text: string;
  try {
    if (!statSync(path).isFile()) return; // reading it fails elsewhere, with its own message
    text = readFileSync(path, 'utf8');
  } catch {
    return;
  }
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const assignment = ASSIGNMENT.exec(line);
    if (!assignment) {
      throw new ConfigError(`.env line ${i + 1} is not NAME=value, a comment or blank: fix or remove it`);
    }
    const quote = openQuote(assignment[1]);
    if (quote) while (i + 1 < lines.length && !lines[++i].includes(quote));
  }
}
