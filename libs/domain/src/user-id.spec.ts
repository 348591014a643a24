import { isValidUserId, parseUserId } from './user-id';

describe('user ids', () => {
  it.each([
    ['1', 1],
    ['1000', 1000],
    ['9007199254740991', 9007199254740991],
  ])('parses %s', (text, id) => {
    expect(parseUserId(text)).toBe(id);
  });

  it.each(['0', '-1', '1.5', '1e3', '0012', '+5', ' 5', '9007199254740992', '99999999999999999', 'abc', ''])(
    'rejects %j',
    (text) => {
      expect(parseUserId(text)).toBeUndefined();
    },
  );

  it('accepts only safe positive integers as numbers', () => {
    expect([1, 2 ** 53 - 1].every(isValidUserId)).toBe(true);
    expect([0, -1, 1.5, 2 ** 53, Number.NaN, '1'].some(isValidUserId)).toBe(false);
  });
});
