import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpireMemberships, RegisterUsers } from '@app/application';
import {
  AppConfig,
  ConfigError,
  configured,
  databaseStartFailure,
  DataDirInUseError,
  DataDirLock,
  readConfig,
  startEmbeddedPostgresEarly,
} from '@app/infrastructure';
import { CliModule } from './cli.module';
import { ImportProgressBar, countLines } from './import/import-progress';
import { importUsers, RegisterBatch } from './import/import-users';
import { MAX_IDS_PER_REQUEST, ServiceApiError, serviceApiRegistrar } from './import/service-api-registrar';

const USAGE = `usage: npm run cli -- <command>
  migrate                       apply pending database migrations
  import-users FILE [--batch N] [--url URL]
                                register the user ids in FILE (one per line, or CSV with a user_id column)
  expire                        end every expired membership now (what the scheduled cleaner does)
The database comes from DATABASE_URL, or embedded PGlite under DATA_DIR, as for the service.
While a service runs on DATA_DIR, import-users sends its batches to that service's API (found in
DATA_DIR/segments.lock, or --url; API_KEY is sent as its key) and the other commands refuse.
Exit codes: 0 done, 1 failed, 2 bad usage or (import-users) some lines were bad and skipped.`;

/** Bad arguments: the usage is printed, exit 2. */
class UsageError extends Error {}

/** The database could not be opened: what to do about it, when the cause is known. */
class DatabaseStartError extends Error {
  constructor(cause: unknown, databaseUrl: string | undefined) {
    const known = databaseUrl ? databaseStartFailure(cause, databaseUrl) : undefined;
    super(known ?? (cause instanceof Error ? cause.message : String(cause)).split('\n')[0], { cause });
  }
}

function optionValue(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
  return value;
}

function batchOption(args: string[], max: number): number {
  const raw = optionValue(args, '--batch');
  if (raw === undefined) return max;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 100_000)
    throw new UsageError('--batch must be an integer from 1 to 100000');
  return Math.min(value, max);
}

/** Runs `work` on the database, holding DATA_DIR's lock in embedded mode. */
async function withDatabase<T>(
  config: AppConfig,
  owner: string,
  work: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  if (!config.databaseUrl) {
    DataDirLock.assertFree(config.dataDir);
    // Started here, before Nest, so that DATA_DIR's lock names `owner` as its holder.
    startEmbeddedPostgresEarly(config.dataDir, owner);
  }
  // Held back until the context stands: a failure to start is the one line `failed` prints, not Nest's dump.
  const app = await NestFactory.createApplicationContext(configured(CliModule, config), {
    logger: ['error', 'warn'],
    abortOnError: false,
    bufferLogs: true,
    autoFlushLogs: false,
  }).catch((error: unknown) => {
    throw new DatabaseStartError(error, config.databaseUrl);
  });
  app.flushLogs();
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

async function importCommand(args: string[], config: AppConfig): Promise<number> {
  const file = args[0];
  if (!file || file.startsWith('--')) throw new UsageError('import-users needs a FILE');
  if (!existsSync(file)) {
    process.stderr.write(`import-users: no such file: ${file}\n`);
    return 1;
  }
  // A service on DATA_DIR owns it: the batches go through its API, the only safe way in.
  const serviceUrl =
    optionValue(args, '--url') ?? (config.databaseUrl ? undefined : DataDirLock.holderOf(config.dataDir)?.url);
  const batchSize = batchOption(args, serviceUrl ? MAX_IDS_PER_REQUEST : 20_000);
  const bar = process.stderr.isTTY ? new ImportProgressBar(await countLines(file)) : undefined;
  const run = (register: RegisterBatch) =>
    importUsers(file, register, {
      batchSize,
      report: (message) => process.stderr.write(`${message}\n`),
      maxReported: 100,
      onProgress: (done) => bar?.update(done),
    });
  const started = Date.now();
  const summary = serviceUrl
    ? await run(serviceApiRegistrar(serviceUrl, process.env.API_KEY?.trim() || config.apiKeys[0]))
    : await withDatabase(config, 'the CLI (import-users)', (app) => {
        const useCase = app.get(RegisterUsers);
        return run((ids) => useCase.execute(ids));
      });
  bar?.finish(summary.ids);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `import-users: ${summary.lines} lines, ${summary.ids} ids, ${summary.registered} newly registered, ` +
      `${summary.autoAssigned} auto memberships, ${summary.badLines} bad lines skipped, ${seconds}s` +
      `${serviceUrl ? ` (through ${serviceUrl})` : ''}\n`,
  );
  return summary.badLines > 0 ? 2 : 0;
}

async function run(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (!['migrate', 'import-users', 'expire'].includes(command ?? ''))
    throw new UsageError(`unknown command: ${command ?? '(none)'}`);
  // Read here, before Nest exists (DATA_DIR's lock is taken first), from the same .env as the service's,
  // so both open the same database; Nest gets this value through `configured`.
  const config = readConfig(command === 'migrate' ? { MIGRATIONS_RUN: 'true' } : {});
  // Everything the CLI does is bulk work: its statements get the bulk deadline.
  config.databaseStatementTimeoutMs = config.databaseBulkTimeoutMs;
  if (command === 'import-users') return importCommand(rest, config);
  return withDatabase(config, `the CLI (${command})`, async (app) => {
    if (command === 'migrate') {
      process.stdout.write('migrations: up to date\n');
    } else {
      process.stdout.write(`expired: ${await app.get(ExpireMemberships).execute()}\n`);
    }
    return 0;
  });
}

const command = process.argv[2] ?? 'cli';
run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      process.exit(2);
    }
    if (error instanceof ConfigError) process.stderr.write(`invalid configuration: ${error.message}\n`);
    else if (
      error instanceof DataDirInUseError ||
      error instanceof ServiceApiError ||
      error instanceof DatabaseStartError
    )
      process.stderr.write(`${command}: ${error.message}\n`);
    else process.stderr.write(`failed: ${error.message}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
