import { addDuration, MAX_EXPIRY_YEARS, parseDuration, tooLong } from './duration';
import { InvalidInputError } from './errors/errors';
import { parseRfc3339 } from './timestamp';

export interface ExpirySpec {
  expiresAt?: string;
  ttl?: string;
}

/**
 * Turns `expiresAt` (the API's expires_at) or `ttl` into an absolute expiry. `undefined` means the spec says nothing
 * (so an outer default may apply); `null` is never returned here. `where` begins the messages ("add A");
 * `fieldPrefix` is the path of the spec's fields in the request ("add[0]."; none at the top level).
 */
export function resolveExpiry(spec: ExpirySpec, now: Date, where: string, fieldPrefix = ''): Date | undefined {
  const expiresAtField = `${fieldPrefix}expires_at`;
  const ttlField = `${fieldPrefix}ttl`;
  if (spec.expiresAt !== undefined && spec.ttl !== undefined) {
    throw InvalidInputError.of([expiresAtField, ttlField], `${where}: give either expires_at or ttl, not both`);
  }
  const latest = addDuration(now, { months: MAX_EXPIRY_YEARS * 12, days: 0, milliseconds: 0 });
  if (spec.ttl !== undefined) {
    const expiresAt = addDuration(now, parseDuration(spec.ttl, ttlField));
    if (expiresAt.getTime() > latest.getTime()) throw tooLong(spec.ttl, ttlField);
    return expiresAt;
  }
  if (spec.expiresAt === undefined) return undefined;
  const expiresAt = parseRfc3339(spec.expiresAt);
  const problem = !expiresAt
    ? `expires_at "${spec.expiresAt}" is not an RFC 3339 time`
    : expiresAt.getTime() <= now.getTime()
      ? `expires_at ${spec.expiresAt} is not in the future`
      : expiresAt.getTime() > latest.getTime()
        ? `expires_at ${spec.expiresAt} is more than ${MAX_EXPIRY_YEARS} years ahead`
        : undefined;
  if (problem) throw InvalidInputError.of(expiresAtField, `${where}: ${problem}`);
  return expiresAt!;
}
