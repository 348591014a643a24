import { ensureBuilt, startBuiltService } from './reliability/support/built-service';
import { createPostgresDatabase, createTestDatabase, postgresOnly, TestDatabase } from './support/test-database';

/** The start-up line says where the database is (never its password) and what the migrations did. */
postgresOnly('start-up line: PostgreSQL only (its host, port and database)')(
  'the start-up line in PostgreSQL mode',
  () => {
    let database: TestDatabase;
    beforeAll(async () => {
      ensureBuilt();
      database = await createPostgresDatabase();
    });
    afterAll(() => database?.drop());

    const listeningLine = async (databaseUrl: string) => {
      const service = await startBuiltService({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'info' });
      try {
        const lines = service
          .output()
          .split('\n')
          .filter((line) => line.includes('listening on'));
        expect(lines).toHaveLength(1);
        return JSON.parse(lines[0]).msg as string;
      } finally {
        service.child.kill('SIGTERM');
        await service.exited(10_000);
      }
    };

    it('names host, port and database, the migrations applied, then the schema up to date; never the password', async () => {
      const url = new URL(database.url!);
      url.password = 'never-shown';
      const name = url.pathname.slice(1);
      const first = await listeningLine(url.toString());
      expect(first).toMatch(
        new RegExp(`PostgreSQL at ${url.hostname}:${url.port || 5432}, database "${name}", \\d+ migrations applied`),
      );
      expect(first).not.toContain('never-shown');
      expect(await listeningLine(url.toString())).toContain(`database "${name}", schema up to date`);
    });
  },
);

/** Nest's own start-up lines (a line per module, controller and route) are at debug: at info, the listening line stands out. */
postgresOnly('start-up output: the same in both modes, checked once (in the PostgreSQL project)')(
  "Nest's start-up lines",
  () => {
    let database: TestDatabase;
    beforeAll(async () => {
      ensureBuilt();
      database = await createTestDatabase();
    });
    afterAll(() => database?.drop());

    const startUpContexts = async (logLevel: string) => {
      const service = await startBuiltService({ ...database.env, LOG_LEVEL: logLevel });
      service.child.kill('SIGTERM');
      await service.exited(10_000);
      return service
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { context?: string; msg: string })
        .filter((entry) => !entry.msg.includes('SIGTERM'))
        .map((entry) => entry.context);
    };

    it('are left out at the default LOG_LEVEL (info), leaving the listening line alone', async () => {
      expect(await startUpContexts('info')).toEqual(['Main']);
    });

    it('are written at LOG_LEVEL=debug', async () => {
      expect(await startUpContexts('debug')).toEqual(expect.arrayContaining(['RoutesResolver', 'RouterExplorer']));
    });
  },
);
