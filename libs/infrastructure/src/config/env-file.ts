import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ConfigError } from './app-config';

/**
 * Reads `.env` in the working directory into the environment when there is one, with Node's own
 * parser (KEY=value lines, # comments, quotes). A variable set in the real environment wins, even when empty.
 */
export function loadEnvFile(file = '.env', env: NodeJS.ProcessEnv = process.env): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') return;
    throw new ConfigError(`${file} cannot be read (${typeof code === 'string' ? code : (error as Error).message}): fix or remove it`);
  }
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] === undefined) env[name] = value;
  }
}
