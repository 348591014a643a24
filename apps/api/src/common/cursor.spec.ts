import { CursorList, decodeCursor, encodeCursor, InvalidCursorError } from './cursor';

const HISTORY_A: CursorList = ['history', 1, null, null];

describe('page cursors', () => {
  it('give back the key of the list that issued them, and stay short', () => {
    const cursor = encodeCursor(HISTORY_A, 123_456);
    expect(decodeCursor<number>(HISTORY_A, cursor, 'number')).toBe(123_456);
    expect(cursor.length).toBeLessThan(40);
    const slug = encodeCursor(['segments'], 'AVITO_VOICE_MESSAGES');
    expect(decodeCursor<string>(['segments'], slug, 'string')).toBe('AVITO_VOICE_MESSAGES');
    expect(decodeCursor(['segments'], undefined, 'string')).toBeUndefined();
  });

  it.each<[string, CursorList]>([
    ['another user', ['history', 2, null, null]],
    ['another from', ['history', 1, 0, null]],
    ['another to', ['history', 1, null, 0]],
    ['another endpoint', ['members', 1]],
    ['another slug', ['members', 'B']],
  ])('refuse a cursor of %s', (_name, other) => {
    const cursor = encodeCursor(HISTORY_A, 5);
    expect(() => decodeCursor(other, cursor, 'number')).toThrow(InvalidCursorError);
    const members = encodeCursor(['members', 'A'], 5);
    if (other[1] !== 'A') expect(() => decodeCursor(other, members, 'number')).toThrow(InvalidCursorError);
  });

  it('refuse an altered cursor: another key, a changed character, a stray one, the old unchecked form', () => {
    const cursor = encodeCursor(HISTORY_A, 5);
    const [, check] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [number, string];
    const otherKey = Buffer.from(JSON.stringify([6, check])).toString('base64url');
    const flipped = cursor.slice(0, 3) + (cursor[3] === 'A' ? 'B' : 'A') + cursor.slice(4);
    const legacy = Buffer.from(JSON.stringify(['history', 5])).toString('base64url');
    for (const bad of [otherKey, flipped, `${cursor}!`, `${cursor}=`, `!${cursor}`, legacy, '', 'garbage']) {
      expect(() => decodeCursor(HISTORY_A, bad, 'number')).toThrow(InvalidCursorError);
    }
  });

  it('refuse keys SQL cannot take, even with a matching check', () => {
    for (const [list, key, type] of [
      [HISTORY_A, 1.5, 'number'],
      [HISTORY_A, -1, 'number'],
      [HISTORY_A, 1e300, 'number'],
      [HISTORY_A, '5', 'number'],
      [['segments'], 'a\u0000', 'string'],
      [['segments'], 5, 'string'],
    ] as Array<[CursorList, string | number, 'string' | 'number']>) {
      expect(() => decodeCursor(list, encodeCursor(list, key), type)).toThrow(InvalidCursorError);
    }
  });
});
