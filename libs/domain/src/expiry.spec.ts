import { InvalidInputError } from './errors/errors';
import { resolveExpiry } from './expiry';

const now = new Date('2030-01-31T10:00:00.000Z');

describe('expiry at most 100 years ahead, whichever form gives it', () => {
  it.each(['P100Y', 'P1200M', 'P36524D', 'PT876576H'])('accepts ttl %s', (ttl) => {
    expect(resolveExpiry({ ttl }, now, 'add')).toBeInstanceOf(Date);
  });

  it('accepts expires_at exactly 100 years ahead', () => {
    expect(resolveExpiry({ expiresAt: '2130-01-31T10:00:00Z' }, now, 'add')).toEqual(
      new Date('2130-01-31T10:00:00.000Z'),
    );
  });

  it.each(['P100YT1S', 'P1200M1D', 'P37199D', 'P5300W', 'PT900000H', 'PT3240000000S'])('rejects ttl %s', (ttl) => {
    expect(() => resolveExpiry({ ttl }, now, 'add')).toThrow(InvalidInputError);
    expect(() => resolveExpiry({ ttl }, now, 'add')).toThrow(/longer than 100 years/);
  });

  it.each(['2130-01-31T10:00:00.001Z', '2200-01-01T00:00:00Z', '9999-12-31T23:59:59Z'])(
    'rejects expires_at %s',
    (expiresAt) => {
      expect(() => resolveExpiry({ expiresAt: expiresAt }, now, 'add')).toThrow(/more than 100 years ahead/);
    },
  );
});
