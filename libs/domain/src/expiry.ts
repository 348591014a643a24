import { addDuration, MAX_EXPIRY_YEARS, parseDuration, tooLong } from './duration';
import { InvalidInputError } from './errors/errors';
import { parseRfc3339 } from './timestamp';

export interface ExpirySpec {
  expiresAt?: string;
  ttl?: string;
}

/**
 * Turns `expiresAt` (the API's expires_at) or `ttl` into an absolute expiry. `undefined` means the spec says nothing
 * (so an outer default may apply); `null` is never returned here.
 */
export function resolveExpiry(spec: ExpirySpec, now: Date, where: string): Date | undefined {
  if (spec.expiresAt !== undefined && spec.ttl !== undefined) {
    throw new InvalidInputError(`${where}: give either expires_at or ttl, not both`);
  }
  const latest = addDuration(now, { months: MAX_EXPIRY_YEARS * 12, days: 0, milliseconds: 0 });
  if (spec.ttl !== undefined) {
    const expiresAt = addDuration(now, parseDuration(spec.ttl));
    if (expiresAt.getTime() > latest.getTime()) throw tooLong(spec.ttl);
    return expiresAt;
  }
  if (spec.expiresAt === undefined) return undefined;
  const expiresAt = parseRfc3339(spec.expiresAt);
  if (!expiresAt) {
    throw new InvalidInputError(`${where}: expires_at "${spec.expiresAt}" is not an RFC 3339 time`, {
      expires_at: spec.expiresAt,
    });
  }
  if (expiresAt.getTime() <= now.getTime()) {
    throw new InvalidInputError(`${where}: expires_at ${spec.expiresAt} is not in the future`, {
      expires_at: spec.expiresAt,
    });
  }
  if (expiresAt.getTime() > latest.getTime()) {
    throw new InvalidInputError(`${where}: expires_at ${spec.expiresAt} is more than ${MAX_EXPIRY_YEARS} years ahead`, {
      expires_at: spec.expiresAt,
    });
  }
  return expiresAt;
}
