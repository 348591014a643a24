import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import request from 'supertest';
import { Clock } from '@app/application';
import { configured, loadConfig, ReadCache, SqlExecutor, WrittenSignal } from '@app/infrastructure';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApp, createHttpAdapter } from '../../apps/api/src/app.setup';
import { FakeClock } from './fake-clock';
import { ResponseCheck } from './response-check';
import { createTestDatabase, TestDatabase } from './test-database';

export interface TestApp {
  app: NestFastifyApplication;
  /** Real HTTP to the listening app. */
  http: ReturnType<typeof request>;
  baseUrl: string;
  clock: FakeClock;
  /** Runs SQL on the app's own database. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** The read cache is off by default (docs/performance.md): the tests of the cache turn it on. */
export const CACHE_ON = { READ_CACHE_USERS: '50000' };

export interface TestAppOptions {
  /** Share a database between apps (PostgreSQL only); by default each app gets a new one. */
  database?: TestDatabase;
  env?: Record<string, string>;
  clock?: FakeClock;
  /** Further provider overrides, e.g. a log destination the test reads. */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

/** Boots the real app module on a real database, listening on a loopback port. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownDatabase = options.database ? undefined : await createTestDatabase();
  const database = options.database ?? ownDatabase!;
  const clock = options.clock ?? new FakeClock();
  const config = loadConfig({
    EXPIRY_SWEEP_SECONDS: '86400',
    LOG_LEVEL: 'silent',
    // The whole suite once more with the read cache on: TEST_READ_CACHE_USERS=50000 npm test.
    ...(process.env.TEST_READ_CACHE_USERS ? { READ_CACHE_USERS: process.env.TEST_READ_CACHE_USERS } : {}),
    ...database.env,
    ...options.env,
  });
  const builder = Test.createTestingModule({ imports: [configured(ApiModule, config)] })
    .overrideProvider(Clock)
    .useValue(clock);
  const moduleRef = await (options.override?.(builder) ?? builder).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), { logger: false });
  configureApp(app);
  const responses = new ResponseCheck(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = await app.getUrl();
  if (!options.clock) clock.restartLedger(); // start-up may have taken long: the ledger starts at the clock's time
  const sql = app.get(SqlExecutor);
  const signal = app.get(WrittenSignal);
  return {
    app,
    http: responses.wrap(request(baseUrl.replace('[::1]', '127.0.0.1'))),
    baseUrl,
    clock,
    // SQL run by hand bypasses the service: like an operator editing the data, it empties the read cache
    // (the change log would, but only at its next poll), and this instance's next reads must see it, with
    // replicas too.
    async sql<T>(text: string, params?: unknown[]) {
      const rows = await sql.rows<T>(text, params);
      signal.heard('everyone');
      return rows;
    },
    async close() {
      await app.close();
      await ownDatabase?.drop();
      responses.assertNoneLeft();
    },
  };
}

/** The app's read cache; undefined when READ_CACHE_USERS=0. */
export function readCacheOf(app: NestFastifyApplication): ReadCache | undefined {
  try {
    return app.get(ReadCache, { strict: false });
  } catch {
    return undefined;
  }
}
