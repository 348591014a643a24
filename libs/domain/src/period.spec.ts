import { InvalidPeriodError } from './errors/errors';
import { parsePeriod } from './period';

const now = new Date('2030-05-15T00:00:00.000Z');

describe('report periods', () => {
  it('is a UTC month', () => {
    expect(parsePeriod('2024-02', now)).toEqual({
      text: '2024-02',
      start: new Date('2024-02-01T00:00:00.000Z'),
      end: new Date('2024-03-01T00:00:00.000Z'),
    });
    expect(parsePeriod('2023-12', now).end).toEqual(new Date('2024-01-01T00:00:00.000Z'));
    expect(parsePeriod('2030-05', now).text).toBe('2030-05');
  });

  it('starts at 1970-01 (Date.UTC would read years 0-99 as 1900-1999)', () => {
    expect(parsePeriod('1970-01', now).start).toEqual(new Date('1970-01-01T00:00:00.000Z'));
  });

  it.each([
    '0000-01',
    '0099-12',
    '1900-01',
    '1969-12',
    '2030-06',
    '2023-13',
    '2023-00',
    '2023-8',
    '23-08',
    '2023-08-01',
    'august',
  ])('rejects %s', (text) => {
    expect(() => parsePeriod(text, now)).toThrow(InvalidPeriodError);
  });
});
