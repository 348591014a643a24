import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from './error-codes';

const ROOT = join(__dirname, '..', '..', '..', '..');

function sources(): string[] {
  return ['apps', 'libs'].flatMap((dir) =>
    (readdirSync(join(ROOT, dir), { recursive: true }) as string[])
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
      .map((file) => readFileSync(join(ROOT, dir, file), 'utf8')),
  );
}

/** The catalogue is what the OpenAPI document lists: a code thrown but missing there would surprise clients. */
describe('ERROR_CODES', () => {
  const text = sources().join('\n');

  it('lists every code a domain error carries', () => {
    const codes = [...text.matchAll(/readonly code = '([A-Z_]+)'/g)].map((match) => match[1]);
    expect(codes.length).toBeGreaterThan(5);
    expect(codes.filter((code) => !(code in ERROR_CODES))).toEqual([]);
  });

  it('lists every code the HTTP layer writes, with the same status', () => {
    const written = [...text.matchAll(/errorBody\((\d{3}), '([A-Z_]+)'/g)].map((match) => [match[2], Number(match[1])]);
    expect(written.length).toBeGreaterThan(5);
    const mismatched = written.filter(([code, status]) => ERROR_CODES[code as keyof typeof ERROR_CODES]?.status !== status);
    expect(mismatched).toEqual([]);
  });
});
