import { ConfigModule } from '@nestjs/config';
import { join } from 'node:path';
import { AppConfig, ConfigError, loadConfig } from './app-config';
import { checkDotenvLines } from './dotenv-lines';

type Env = Record<string, string | undefined>;

/**
 * The configuration, read through @nestjs/config: `.env` in the working directory, where the real
 * environment wins (even set to nothing) and whose variables then join process.env, validated once, by
 * loadConfig, into the typed AppConfig. A bad value, a line of .env that is not NAME=value (the parser
 * would skip it in silence) or an unreadable .env is a ConfigError, one line.
 * Read before the application exists: main.ts needs the port, the HTTP limits and DATA_DIR first.
 * `overrides` win over both (the CLI's MIGRATIONS_RUN for `migrate`).
 */
export async function readConfig(overrides: Env = {}): Promise<AppConfig> {
  let config: AppConfig | undefined;
  checkDotenvLines(join(process.cwd(), '.env'));
  try {
    await ConfigModule.forRoot({
      validate: (env) => {
        config = loadConfig({ ...env, ...overrides });
        return env;
      },
    });
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as { code?: unknown }).code;
    throw new ConfigError(
      `.env cannot be read (${typeof code === 'string' ? code : (error as Error).message}): fix or remove it`,
    );
  }
  return config!;
}
