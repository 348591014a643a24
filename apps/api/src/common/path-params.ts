import { Injectable, PipeTransform } from '@nestjs/common';
import {
  echoed,
  InvalidInputError,
  isValidSlug,
  MAX_SLUG_LENGTH,
  MAX_USER_ID,
  parseUserId,
  SLUG_PATTERN,
} from '@app/domain';

/** OpenAPI schemas of the two identifiers, in paths and bodies alike. */
export const USER_ID_SCHEMA = { type: 'integer' as const, minimum: 1, maximum: MAX_USER_ID, example: 1000 };
export const SLUG_SCHEMA = {
  type: 'string' as const,
  minLength: 1,
  maxLength: MAX_SLUG_LENGTH,
  pattern: SLUG_PATTERN.source,
  example: 'AVITO_VOICE_MESSAGES',
};

/** The `user_id` path parameter, or a 400 VALIDATION_FAILED naming it. */
export function userIdParam(value: string): number {
  const userId = parseUserId(value);
  if (userId === undefined) {
    throw InvalidInputError.of(
      'user_id',
      `user_id must be an integer from 1 to ${MAX_USER_ID}, got "${echoed(value)}"`,
    );
  }
  return userId;
}

@Injectable()
export class ParseUserIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    return userIdParam(value);
  }
}

@Injectable()
export class ParseSlugPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isValidSlug(value)) {
      throw InvalidInputError.of(
        'slug',
        'slug must be 1-100 characters of letters, digits, "_", "." or "-", starting with a letter or digit',
      );
    }
    return value;
  }
}
