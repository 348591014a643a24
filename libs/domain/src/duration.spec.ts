import { addDuration, parseDuration } from './duration';
import { InvalidInputError } from './errors/errors';

const at = (iso: string) => new Date(iso);
const plus = (start: string, ttl: string) => addDuration(at(start), parseDuration(ttl)).toISOString();

describe('ISO 8601 durations', () => {
  it.each([
    ['P2D', { months: 0, days: 2, milliseconds: 0 }],
    ['PT36H', { months: 0, days: 0, milliseconds: 36 * 3600_000 }],
    ['P1M', { months: 1, days: 0, milliseconds: 0 }],
    ['P1Y2M', { months: 14, days: 0, milliseconds: 0 }],
    ['P1W', { months: 0, days: 7, milliseconds: 0 }],
    ['P1M2DT3H', { months: 1, days: 2, milliseconds: 3 * 3600_000 }],
    ['PT1H30M15.5S', { months: 0, days: 0, milliseconds: 5415_500 }],
    ['PT0,5S', { months: 0, days: 0, milliseconds: 500 }],
  ])('parses %s', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it.each([
    '',
    'P',
    'PT',
    'P1DT',
    '-P1D',
    'P-1D',
    'P0D',
    'PT0S',
    'P0Y0M0DT0H0M0S',
    '1D',
    'P1H',
    'PT1D',
    'p1d',
    'P1.5D',
    'P 1D',
    'P1D ',
    'P1000Y',
  ])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(InvalidInputError);
  });

  it('names the bad value in the message', () => {
    expect(() => parseDuration('2 days')).toThrow(/ttl "2 days" is not an ISO 8601 duration/);
    expect(() => parseDuration('P0D')).toThrow(/zero/);
  });
});

describe('calendar-aware expiry arithmetic (UTC)', () => {
  it.each([
    ['2023-01-31T10:00:00.000Z', 'P1M', '2023-02-28T10:00:00.000Z'],
    ['2024-01-31T10:00:00.000Z', 'P1M', '2024-02-29T10:00:00.000Z'],
    ['2024-02-29T00:00:00.000Z', 'P1Y', '2025-02-28T00:00:00.000Z'],
    ['2024-02-29T00:00:00.000Z', 'P4Y', '2028-02-29T00:00:00.000Z'],
    ['2023-03-31T00:00:00.000Z', 'P1M', '2023-04-30T00:00:00.000Z'],
    ['2023-12-31T23:00:00.000Z', 'PT2H', '2024-01-01T01:00:00.000Z'],
    ['2023-01-31T00:00:00.000Z', 'P1M2DT3H', '2023-03-02T03:00:00.000Z'],
    ['2023-08-29T12:00:00.000Z', 'P2D', '2023-08-31T12:00:00.000Z'],
    ['2023-08-29T12:00:00.000Z', 'PT36H', '2023-08-31T00:00:00.000Z'],
    ['2023-11-30T00:00:00.000Z', 'P3M', '2024-02-29T00:00:00.000Z'],
  ])('%s + %s = %s', (start, ttl, expected) => {
    expect(plus(start, ttl)).toBe(expected);
  });
});
