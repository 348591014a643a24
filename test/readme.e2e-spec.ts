import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ERROR_CODES } from '../apps/api/src/http/errors/error-codes';
import { BuiltService, ensureBuilt, startBuiltService } from './reliability/support/built-service';
import { ROOT } from './support/built-app';
import { createTestDatabase, postgresOnly, TestDatabase } from './support/test-database';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const GUIDES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** The README's examples: each `sh` block and the output block after it, in order. */
function examples(): Array<{ command: string; output: string }> {
  const section = README.slice(
    README.indexOf('## The API by example'),
    README.indexOf('\n## ', README.indexOf('## The API by example')),
  );
  return [...section.matchAll(/```sh\n([\s\S]*?)\n```\n```\n([\s\S]*?)\n```/g)].map(([, command, output]) => ({
    command,
    output,
  }));
}

/** What differs from run to run: times. The README's month is the one it was run in; now it is this one. */
function normalized(text: string, readmeMonth?: string): string {
  const month = new Date().toISOString().slice(0, 7);
  const monthFixed = readmeMonth ? text.split(readmeMonth).join(month) : text;
  return monthFixed
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, '<time>')
    .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/g, '<time>')
    .trim();
}

describe('the README examples, run as written on a fresh service', () => {
  let database: TestDatabase;
  let service: BuiltService;

  beforeAll(async () => {
    ensureBuilt();
    database = await createTestDatabase();
    // Links in answers read as in the README, whatever port the service got.
    service = await startBuiltService({ ...database.env, PUBLIC_BASE_URL: 'http://localhost:8080' });
  }, 60_000);
  afterAll(async () => {
    service?.kill();
    await service?.exited(10_000).catch(() => undefined);
    await database?.drop();
  });

  it('prints what the README shows', () => {
    const all = examples();
    expect(all.length).toBeGreaterThanOrEqual(15);
    const readmeMonth = /"period":"(\d{4}-\d{2})"/.exec(README)?.[1];
    for (const { command, output } of all) {
      const printed = execFileSync('bash', ['-c', command.split('http://localhost:8080').join(service.baseUrl)], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect({ command, printed: normalized(printed) }).toEqual({ command, printed: normalized(output, readmeMonth) });
    }
  });
});

const once = postgresOnly('README and guides: no database involved, checked once (in the PostgreSQL project)');

once('the README and the guides in docs/', () => {
  it.each(GUIDES)('%s links only to files inside the repository', (guide) => {
    const text = readFileSync(join(ROOT, guide), 'utf8');
    const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target);
    const local = targets.filter((target) => !/^(https?:|mailto:|#)/.test(target));
    const broken = local.filter((target) => {
      const file = resolve(ROOT, guide, '..', target.split('#')[0]);
      return relative(ROOT, file).startsWith('..') || !existsSync(file);
    });
    expect(broken).toEqual([]);
    expect(text).not.toMatch(/\.\.\/shared\//);
  });

  it('docs/api.md lists every error code with its status', () => {
    const guide = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');
    const missing = Object.entries(ERROR_CODES)
      .filter(([code, { status }]) => !guide.includes(`| \`${code}\` | ${status} |`))
      .map(([code]) => code);
    expect(missing).toEqual([]);
  });
});
