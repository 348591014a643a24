const RFC3339_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 timestamp with its offset; impossible dates (Feb 30, 25:00) give undefined. */
export function parseRfc3339(text: string): Date | undefined {
  const match = RFC3339_PATTERN.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  const probe = new Date(0);
  probe.setUTCFullYear(year, month - 1, day);
  probe.setUTCHours(hour, minute, second);
  if (
    probe.getUTCFullYear() !== year ||
    probe.getUTCMonth() !== month - 1 ||
    probe.getUTCDate() !== day ||
    probe.getUTCHours() !== hour ||
    probe.getUTCMinutes() !== minute
  ) {
    return undefined;
  }
  const fraction = (match[7] ?? '').slice(0, 4);
  const time = Date.parse(
    `${match.slice(1, 4).join('-')}T${match.slice(4, 7).join(':')}${fraction}${match[8].toUpperCase()}`,
  );
  return Number.isNaN(time) ? undefined : new Date(time);
}
