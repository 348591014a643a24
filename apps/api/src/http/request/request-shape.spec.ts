import { jsonTextShapeProblem, MAX_FIELDS, MAX_ITEMS, MAX_NESTING } from './request-shape';

const check = (json: string) => jsonTextShapeProblem(Buffer.from(json));
const object = (fields: number) => `{${Array.from({ length: fields }, (_, i) => `"f${i}":${i}`).join(',')}}`;

describe('jsonTextShapeProblem (before JSON.parse)', () => {
  it('accepts objects up to MAX_FIELDS fields and nesting up to MAX_NESTING levels', () => {
    expect(check(object(MAX_FIELDS))).toBeUndefined();
    expect(check(`${'['.repeat(MAX_NESTING)}${']'.repeat(MAX_NESTING)}`)).toBeUndefined();
    expect(check(`{"a":[${object(MAX_FIELDS)},${object(MAX_FIELDS)}]}`)).toBeUndefined();
  });

  it('refuses an object with more fields, at any depth', () => {
    expect(check(object(MAX_FIELDS + 1))).toMatch(/more than 32 fields/);
    expect(check(`{"add":[{"x":${object(MAX_FIELDS + 1)}}]}`)).toMatch(/more than 32 fields/);
  });

  it('refuses an array of more than MAX_ITEMS items, at any depth; commas in strings and objects do not count', () => {
    const items = (count: number, item: string) => `[${Array(count).fill(item).join(',')}]`;
    expect(check(`{"user_ids":${items(MAX_ITEMS, '1')}}`)).toBeUndefined();
    expect(check(`{"user_ids":${items(MAX_ITEMS + 1, '1')}}`)).toMatch(/more than 10000 items/);
    expect(check(`{"add":${items(MAX_ITEMS + 1, '{}')}}`)).toMatch(/more than 10000 items/);
    expect(check(`[${JSON.stringify(','.repeat(MAX_ITEMS + 5))},${object(MAX_FIELDS)}]`)).toBeUndefined();
  });

  it('refuses deeper nesting, of arrays or objects', () => {
    expect(check(`${'['.repeat(MAX_NESTING + 1)}${']'.repeat(MAX_NESTING + 1)}`)).toMatch(/deeper than 16/);
    expect(check(`${'{"a":'.repeat(MAX_NESTING + 1)}1${'}'.repeat(MAX_NESTING + 1)}`)).toMatch(/deeper than 16/);
  });

  it('does not count colons, braces or escaped quotes inside strings', () => {
    const tricky = JSON.stringify({ description: `${':'.repeat(100)}${'{['.repeat(100)}\\"":{` });
    expect(check(tricky)).toBeUndefined();
    expect(check(JSON.stringify({ [`a":1,"b`]: 'x:y' }))).toBeUndefined();
  });

  it('counts UTF-8 text byte by byte without mistaking it for structure', () => {
    expect(check(JSON.stringify({ description: '❤️'.repeat(250), slug: 'я:{' }))).toBeUndefined();
  });
});
