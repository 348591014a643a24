import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { ExpireMemberships, RegisterUsers } from '@app/application';
import { ConfigError, loadConfig } from '@app/infrastructure';
import { CliModule } from './cli.module';
import { importUsers } from './import/import-users';

const USAGE = `usage: npm run cli -- <command>
  migrate                      apply pending database migrations
  import-users FILE [--batch N] register the user ids in FILE (one per line, or CSV with a user_id column)
  expire                       end every expired membership now (what the scheduled cleaner does)
The database comes from DATABASE_URL, or embedded PGlite under DATA_DIR, as for the service.
Exit codes: 0 done, 1 failed, 2 bad usage or (import-users) some lines were bad and skipped.`;

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value < 1 || value > 100_000) throw new ConfigError(`${name} must be an integer from 1 to 100000`);
  return value;
}

async function run(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (!['migrate', 'import-users', 'expire'].includes(command ?? '')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const file = rest[0];
  if (command === 'import-users' && (!file || !existsSync(file))) {
    process.stderr.write(`import-users: no such file: ${file ?? '(none given)'}\n`);
    return 2;
  }
  const batchSize = option(rest, '--batch', 20_000);
  const config = loadConfig({ ...process.env, MIGRATIONS_RUN: command === 'migrate' ? 'true' : process.env.MIGRATIONS_RUN });
  // Everything the CLI does is bulk work: its statements get the bulk deadline.
  config.databaseStatementTimeoutMs = config.databaseBulkTimeoutMs;
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    if (command === 'migrate') {
      process.stdout.write('migrations: up to date\n');
      return 0;
    }
    if (command === 'expire') {
      const expired = await app.get(ExpireMemberships).execute();
      process.stdout.write(`expired: ${expired}\n`);
      return 0;
    }
    const started = Date.now();
    const summary = await importUsers(file, app.get(RegisterUsers), {
      batchSize,
      report: (message) => process.stderr.write(`${message}\n`),
      maxReported: 100,
      progress: process.stderr.isTTY === true,
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `import-users: ${summary.lines} lines, ${summary.ids} ids, ${summary.registered} newly registered, ` +
        `${summary.autoAssigned} auto memberships, ${summary.badLines} bad lines skipped, ${seconds}s\n`,
    );
    return summary.badLines > 0 ? 2 : 0;
  } finally {
    await app.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error instanceof ConfigError ? 'invalid configuration' : 'failed'}: ${error.message}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
