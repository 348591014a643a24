import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { segmentsClient, useEveryOperation } from './generated-client/every-operation';
import { ROOT } from './support/built-app';
import { postgresOnly } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

const CLIENT_DIR = join(__dirname, 'generated-client');
const TYPES = join(ROOT, 'libs/client/src/openapi.ts');
const USAGE = join(CLIENT_DIR, 'every-operation.ts');
const EXPECT_ERROR = /\/\/ @ts-expect-error .*$/gm;

/** Type-checks the usage script with the repository's compiler options, its text replaced by `text`. */
function typeErrors(text: string): Array<{ line: number; message: string }> {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  )!;
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language, ...rest) =>
    fileName === USAGE ? ts.createSourceFile(fileName, text, language) : getSourceFile(fileName, language, ...rest);
  const program = ts.createProgram([USAGE], { ...config.options, noEmit: true }, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => ({
    line: diagnostic.file ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1 : 0,
    message: `${diagnostic.file?.fileName}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`,
  }));
}

const onPostgres = postgresOnly(
  'generated client types: no database involved, checked once (in the PostgreSQL project)',
);

onPostgres('a TypeScript client generated from docs/openapi.json (openapi-typescript + openapi-fetch)', () => {
  it('is what openapi-typescript makes of the committed document (run `npm run openapi` after changing the API)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'segments-client-'));
    try {
      const fresh = join(dir, 'openapi.ts');
      const result = spawnSync(join(ROOT, 'node_modules/.bin/openapi-typescript'), ['docs/openapi.json', '-o', fresh], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
      expect(readFileSync(TYPES, 'utf8')).toBe(readFileSync(fresh, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('type-checks a script calling every operation', () => {
    expect(typeErrors(readFileSync(USAGE, 'utf8'))).toEqual([]);
  });

  it('refuses to compile each call the service rejects', () => {
    const usage = readFileSync(USAGE, 'utf8');
    const expected = [...usage.matchAll(EXPECT_ERROR)].map(
      (match) => usage.slice(0, match.index).split('\n').length + 1,
    );
    expect(expected.length).toBeGreaterThanOrEqual(10);
    // Without the directives, each line after one must be an error of its own.
    const failing = new Set(typeErrors(usage.replace(EXPECT_ERROR, '//')).map((error) => error.line));
    expect(expected.filter((line) => !failing.has(line))).toEqual([]);
  });

  it("is what docs/api.md tells to install: package.json's pinned versions, installed here", () => {
    const guide = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
      overrides: Record<string, Record<string, string>>;
    };
    const install = /^npm install --save-exact (.+)$/m.exec(guide)?.[1] ?? '';
    const pinned = Object.fromEntries(install.split(' ').map((spec) => [spec.slice(0, spec.lastIndexOf('@')), spec]));
    const names = ['openapi-fetch', 'openapi-typescript', 'typescript'];
    expect(pinned).toEqual(
      Object.fromEntries(names.map((name) => [name, `${name}@${manifest.devDependencies[name]}`])),
    );
    const installed = (name: string) =>
      (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
        .version;
    expect(Object.fromEntries(names.map((name) => [name, `${name}@${installed(name)}`]))).toEqual(pinned);
    // openapi-typescript declares TypeScript 5 as its peer: both say to use the pinned one instead.
    const override = manifest.overrides['openapi-typescript'].typescript;
    expect(guide).toContain(`npm pkg set 'overrides.openapi-typescript.typescript=${override}'`);
  });

  it('names every operation of the document', () => {
    const document = JSON.parse(readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const usage = readFileSync(USAGE, 'utf8');
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `client.${method.toUpperCase()}('${path}'`),
    );
    expect(operations.filter((call) => !usage.includes(call))).toEqual([]);
  });
});

describe('the generated client against the service', () => {
  let t: TestApp;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'segments-client-'));
    t = await startTestApp({ env: { DATA_DIR: dataDir } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gets the documented answer from every operation', async () => {
    const period = t.clock.now().toISOString().slice(0, 7);
    const answers = await useEveryOperation(segmentsClient(t.baseUrl.replace('[::1]', '127.0.0.1')), period);
    expect(answers).toEqual({
      created: 'CLIENT_MANUAL',
      registered: 2,
      changed: ['CLIENT_AUTO', 'CLIENT_MANUAL'],
      segments: ['CLIENT_AUTO:manual', 'CLIENT_MANUAL:manual'],
      lookedUp: expect.arrayContaining(['1000:2']),
      history: expect.arrayContaining(['CLIENT_MANUAL added manual', 'CLIENT_AUTO added manual']),
      listed: 1,
      members: 1,
      memberIds: [1000],
      updated: null,
      reportRows: expect.any(Number),
      file: expect.stringContaining('CLIENT_MANUAL;added;'),
      removed: 204,
      missing: 'SEGMENT_NOT_FOUND',
      live: 'ok',
      ready: 'ok',
      metrics: 200,
    });
  });
});
