import { parse } from 'dotenv';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig, ConfigError, loadConfig } from './app-config';
import { checkDotenvLines } from './dotenv-lines';

type Env = Record<string, string | undefined>;

/** `.env` in the working directory, parsed by dotenv; nothing when there is none. */
function dotenvFile(): Env {
  const path = join(process.cwd(), '.env');
  checkDotenvLines(path);
  if (!existsSync(path)) return {};
  try {
    return parse(readFileSync(path));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ConfigError(
      `.env cannot be read (${typeof code === 'string' ? code : (error as Error).message}): fix or remove it`,
    );
  }
}

/**
 * The configuration: `.env` in the working directory, where the real environment wins (even set to nothing)
 * and whose variables then join process.env, validated once, by loadConfig, into the typed AppConfig. A bad
 * value, a line of .env that is not NAME=value (the parser would skip it in silence) or an unreadable .env
 * is a ConfigError, one line.
 * Read before the application exists: main.ts needs the port, the HTTP limits and DATA_DIR first.
 * `overrides` win over both (the CLI's MIGRATIONS_RUN for `migrate`).
 */
export function readConfig(overrides: Env = {}): AppConfig {
  const fromFile = dotenvFile();
  const config = loadConfig({ ...fromFile, ...process.env, ...overrides });
  for (const [name, value] of Object.entries(fromFile)) if (!(name in process.env)) process.env[name] = value;
  return config;
}
