import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './reliability/support/free-port';
import { API_MAIN, ensureBuilt } from './support/built-app';
import { postgresOnly, serverUrl } from './support/test-database';

const describeOnce = postgresOnly(
  'start-up configuration: no database involved, checked once (in the PostgreSQL project)',
);

describeOnce('invalid configuration stops start-up with one clear line', () => {
  beforeAll(() => ensureBuilt());

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
    [{ REPORT_STORAGE: 's3' }, 'REPORT_STORAGE'],
    [{ REPORT_STORAGE: 'gdrive' }, 'GOOGLE_APPLICATION_CREDENTIALS'],
    [{ EXPIRY_SWEEP_SECONDS: '0' }, 'EXPIRY_SWEEP_SECONDS'],
    [{ DATABASE_POOL_SIZE: '-3' }, 'DATABASE_POOL_SIZE'],
    [{ PUBLIC_BASE_URL: 'not a url' }, 'PUBLIC_BASE_URL'],
    [{ API_KEYS: ' , ,' }, 'API_KEYS'],
    [{ READ_CACHE_USERS: 'many' }, 'READ_CACHE_USERS'],
    [{ WEB_CONCURRENCY: '0' }, 'WEB_CONCURRENCY'],
    [{ WEB_CONCURRENCY: '2' }, 'WEB_CONCURRENCY'],
    // Embedded PGlite (no DATABASE_URL) has no replicas.
    [{ DATABASE_REPLICA_URLS: 'postgresql://127.0.0.1:5433/segments' }, 'DATABASE_REPLICA_URLS'],
    [
      { DATABASE_URL: 'postgresql://127.0.0.1/segments', DATABASE_REPLICA_URLS: 'mysql://replica/segments' },
      'DATABASE_REPLICA_URLS',
    ],
    [{ REPLICA_MAX_LAG_MS: '5' }, 'REPLICA_MAX_LAG_MS'],
    // A directory that cannot be made: Node's own recursive mkdir never returned here (start-up hung).
    [{ DATA_DIR: '/proc/segments-data' }, 'DATA_DIR'],
    [{ DATA_DIR: '/etc/hostname' }, 'DATA_DIR'],
    [{ DATA_DIR: '/etc/hostname/data' }, 'DATA_DIR'],
  ])('%j names %s and exits non-zero', (env, variable) => {
    expect(startFailure(env)).toMatch(new RegExp(`^invalid configuration: ${variable} `));
  });
});

/**
 * Starts the built service with only these variables, in an empty directory (no .env, no ./data);
 * expects exit 1 and returns its one stderr line.
 */
function startFailure(env: Record<string, string>, cwd = tmpdir()): string {
  const result = spawnSync(process.execPath, [API_MAIN], {
    cwd,
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 1, stdout: '' });
  const lines = result.stderr.trim().split('\n');
  expect(lines).toEqual([expect.any(String)]);
  return lines[0];
}

describeOnce('.env in the working directory', () => {
  let dir: string;

  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'segments-dotenv-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is read at start', () => {
    writeFileSync(join(dir, '.env'), '# settings\nLOG_LEVEL=info\nPORT="eighty"\n');
    expect(startFailure({}, dir)).toBe('invalid configuration: PORT must be an integer from 0 to 65535, got "eighty"');
  });

  it('loses to the real environment', () => {
    writeFileSync(join(dir, '.env'), 'PORT=eighty\n');
    expect(startFailure({ PORT: 'ninety' }, dir)).toBe(
      'invalid configuration: PORT must be an integer from 0 to 65535, got "ninety"',
    );
  });

  it.each([
    ['a line without =', 'LOG_LEVEL=info\nPORT 18086\n', 2],
    ['a line with no name', '# settings\n=foo\n', 2],
    ['a line after a value over several lines', 'A="one\ntwo"\nexport B=1\nnonsense\n', 4],
  ])('with %s stops start-up with one line naming the line', (_what, text, line) => {
    writeFileSync(join(dir, '.env'), text);
    expect(startFailure({}, dir)).toBe(
      `invalid configuration: .env line ${line} is not NAME=value, a comment or blank: fix or remove it`,
    );
  });

  it('that cannot be read stops start-up with one line', () => {
    const unreadable = mkdtempSync(join(tmpdir(), 'segments-dotenv-dir-'));
    try {
      mkdirSync(join(unreadable, '.env'));
      expect(startFailure({}, unreadable)).toBe(
        'invalid configuration: .env cannot be read (EISDIR): fix or remove it',
      );
    } finally {
      rmSync(unreadable, { recursive: true, force: true });
    }
  });
});

describeOnce('a key file that cannot be used stops start-up with one line', () => {
  let dir: string;
  const keyFile = (name: string, content: string) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };
  // A database that opens (nothing is migrated), so that the key file is the only thing wrong.
  const gdrive = (file: string) => ({
    REPORT_STORAGE: 'gdrive',
    GOOGLE_APPLICATION_CREDENTIALS: file,
    DATABASE_URL: serverUrl(),
    MIGRATIONS_RUN: 'false',
  });

  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'segments-keys-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing file', () => {
    expect(startFailure(gdrive(join(dir, 'absent.json')))).toMatch(
      /^invalid configuration: GOOGLE_APPLICATION_CREDENTIALS: cannot read .*absent\.json \(ENOENT\); set GOOGLE_APPLICATION_CREDENTIALS/,
    );
  });

  it('a directory instead of a file', () => {
    expect(startFailure(gdrive(dir))).toMatch(
      /^invalid configuration: GOOGLE_APPLICATION_CREDENTIALS: cannot read .* \(EISDIR\)/,
    );
  });

  it.each([
    ['not JSON', '-----BEGIN PRIVATE KEY-----'],
    ['a JSON list', '[]'],
  ])('%s', (_case, content) => {
    const line = startFailure(gdrive(keyFile('bad.json', content)));
    expect(line).toMatch(
      /^invalid configuration: GOOGLE_APPLICATION_CREDENTIALS: .*bad\.json is not a JSON object; set /,
    );
    expect(line).not.toContain('BEGIN');
  });

  it('a private_key that is not a PEM private key', () => {
    const file = keyFile(
      'not-pem.json',
      JSON.stringify({ client_email: 'a@b.c', private_key: 'secret-but-not-a-key' }),
    );
    const line = startFailure(gdrive(file));
    expect(line).toMatch(
      /^invalid configuration: GOOGLE_APPLICATION_CREDENTIALS: the private_key of .*not-pem\.json is not a PEM private key; set /,
    );
    expect(line).not.toContain('secret-but-not-a-key');
  });

  it('missing fields', () => {
    expect(startFailure(gdrive(keyFile('partial.json', '{"client_email":"a@b.c"}')))).toMatch(
      /^invalid configuration: GOOGLE_APPLICATION_CREDENTIALS: .*partial\.json has no private_key; set /,
    );
  });
});

describeOnce('a database that cannot be opened stops start-up with one line', () => {
  const server = new URL(serverUrl());
  const at = (database: string, user = server.username || 'postgres', port = server.port || '5432') =>
    `postgresql://${user}:not-shown@${server.hostname}:${port}/${database}`;

  beforeAll(() => ensureBuilt());

  it('a database that does not exist', () => {
    const line = startFailure({ DATABASE_URL: at('segments_no_such_database') });
    expect(line).toMatch(
      /^start-up failed: database "segments_no_such_database" does not exist on PostgreSQL at .*: create it .* or set DATABASE_URL/,
    );
    expect(line).not.toContain('not-shown');
  });

  it('a database that does not exist, with WEB_CONCURRENCY=2: still one line (the primary printed a second)', () => {
    const line = startFailure({ DATABASE_URL: at('segments_no_such_database'), WEB_CONCURRENCY: '2' });
    expect(line).toMatch(/^start-up failed: database "segments_no_such_database" does not exist/);
  });

  it('a user the server does not know', () => {
    expect(startFailure({ DATABASE_URL: at('postgres', 'segments_no_such_user') })).toMatch(
      /^start-up failed: PostgreSQL at .* does not let user "segments_no_such_user" in .*: set an existing user in DATABASE_URL$/,
    );
  });

  it('a server that refuses connections', async () => {
    const port = String(await freePort());
    expect(startFailure({ DATABASE_URL: at('postgres', 'postgres', port) })).toMatch(
      new RegExp(
        `^start-up failed: cannot connect to PostgreSQL at ${server.hostname}:${port} \\(ECONNREFUSED\\): start the server, or set DATABASE_URL`,
      ),
    );
  });
});

describeOnce('a DATA_DIR whose contents cannot be used stops start-up with one line naming it', () => {
  let dir: string;
  beforeEach(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'segments-odd-data-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // These printed a bare EISDIR or EEXIST naming neither DATA_DIR nor what to do.
  it.each([
    ['its lock file is a directory', (d: string) => mkdirSync(join(d, 'segments.lock'))],
    ['its database directory is a file', (d: string) => writeFileSync(join(d, 'pglite'), '')],
  ])('%s', (_what, spoil) => {
    spoil(dir);
    expect(startFailure({ DATA_DIR: dir })).toMatch(
      new RegExp(
        `^start-up failed: the embedded database in DATA_DIR ${dir} cannot be opened \\(.+\\): repair or move`,
      ),
    );
  });

  it('a path with a line break is quoted, so that it cannot print a second line', () => {
    writeFileSync(join(dir, 'file'), '');
    expect(startFailure({ DATA_DIR: `${dir}/file/data\nstart-up ok` }, dir)).toMatch(
      /^invalid configuration: DATA_DIR ".*\\nstart-up ok" cannot be used/,
    );
  });
});

describeOnce('a port in use stops start-up with one line', () => {
  let taken: Server;
  let port: number;

  beforeAll(async () => {
    ensureBuilt();
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  it('names the address and PORT', () => {
    expect(
      startFailure({ HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: serverUrl(), MIGRATIONS_RUN: 'false' }),
    ).toBe(`start-up failed: cannot listen on 127.0.0.1:${port} (EADDRINUSE): set PORT (or HOST) to a free address`);
  });

  it('before it creates DATA_DIR: a failed start leaves no directory behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'segments-port-'));
    try {
      const dataDir = join(dir, 'data');
      expect(startFailure({ HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir }, dir)).toBe(
        `start-up failed: cannot listen on 127.0.0.1:${port} (EADDRINUSE): set PORT (or HOST) to a free address`,
      );
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
