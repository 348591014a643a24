import { echoed } from './echo';
import { InvalidPeriodError } from './errors/errors';

export interface Period {
  text: string;
  start: Date;
  end: Date;
}

/** The first month with history: the Unix epoch. */
const FIRST_YEAR = 1970;

/** A calendar month in UTC (`YYYY-MM`), from 1970-01 on, never in the future. */
export function parsePeriod(text: string, now: Date): Period {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text);
  if (!match) {
    const quoted = echoed(text);
    throw new InvalidPeriodError(`period "${quoted}" is not a month such as 2023-08`, { period: quoted });
  }
  const year = Number(match[1]);
  const month = Number(match[2]) - 1;
  if (year < FIRST_YEAR) {
    throw new InvalidPeriodError(`period ${text} is before ${FIRST_YEAR}-01`, { period: text });
  }
  const start = new Date(Date.UTC(year, month, 1));
  if (start.getTime() > now.getTime()) {
    throw new InvalidPeriodError(`period ${text} is in the future`, { period: text });
  }
  return { text, start, end: new Date(Date.UTC(year, month + 1, 1)) };
}
