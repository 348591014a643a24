import { InvalidInputError } from './errors/errors';

/** An ISO 8601 duration split into its calendar part (months) and its exact part (milliseconds). */
export interface Duration {
  months: number;
  days: number;
  milliseconds: number;
}

/** ISO 8601 duration syntax; the lookaheads refuse a bare `P` and a `T` with no time after it. */
export const DURATION_PATTERN =
  /^P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d{1,3})?)S)?)?$/;

/** The furthest an expiry may lie ahead, whichever form gave it. */
export const MAX_EXPIRY_YEARS = 100;

/** `field`: where the request gave it (`ttl`, `add[2].ttl`), for the error that names it. */
export function parseDuration(text: string, field = 'ttl'): Duration {
  const match = DURATION_PATTERN.exec(text);
  if (!match) {
    throw InvalidInputError.of(field, `ttl "${text}" is not an ISO 8601 duration such as P2D, PT36H or P1M2DT3H`);
  }
  const [years, months, weeks, days, hours, minutes] = match.slice(1, 7).map((part) => Number(part ?? 0));
  const seconds = Number((match[7] ?? '0').replace(',', '.'));
  const duration: Duration = {
    months: years * 12 + months,
    days: weeks * 7 + days,
    milliseconds: Math.round(((hours * 60 + minutes) * 60 + seconds) * 1000),
  };
  if (duration.months === 0 && duration.days === 0 && duration.milliseconds === 0) {
    throw InvalidInputError.of(field, `ttl "${text}" is zero; it must be a positive duration`);
  }
  // A coarse bound that keeps the date arithmetic finite; resolveExpiry checks the exact 100 years.
  if (duration.months + duration.days / 31 + duration.milliseconds / 2.7e9 > MAX_EXPIRY_YEARS * 12) {
    throw tooLong(text, field);
  }
  return duration;
}

export const tooLong = (ttl: string, field = 'ttl') =>
  InvalidInputError.of(field, `ttl "${ttl}" is longer than ${MAX_EXPIRY_YEARS} years`);

/**
 * Adds a duration the calendar way, in UTC: months first, clamping to the month's last day
 * (Jan 31 + P1M = Feb 28 or 29), then days, then the exact time.
 */
export function addDuration(start: Date, duration: Duration): Date {
  const result = new Date(start.getTime());
  if (duration.months) {
    const day = result.getUTCDate();
    result.setUTCDate(1);
    result.setUTCMonth(result.getUTCMonth() + duration.months);
    const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
    result.setUTCDate(Math.min(day, lastDay));
  }
  result.setUTCDate(result.getUTCDate() + duration.days);
  return new Date(result.getTime() + duration.milliseconds);
}
