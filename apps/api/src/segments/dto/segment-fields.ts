import { isValidAutoPercent, MAX_SLUG_LENGTH, SLUG_PATTERN } from '@app/domain';
import { applyDecorators } from '@nestjs/common';
import { IsString, Matches, MaxLength, MinLength, ValidateBy, ValidationOptions } from 'class-validator';

export const SLUG_RULE = `1-${MAX_SLUG_LENGTH} characters matching ${SLUG_PATTERN.source}`;

/**
 * 0 < p <= 100 with at most 2 decimals. A validator must allow for binary floats in multipleOf
 * (0.29 / 0.01 is 28.999999999999996): Ajv's multipleOfPrecision, for one.
 */
export const AUTO_PERCENT_SCHEMA = {
  type: 'number' as const,
  minimum: 0,
  exclusiveMinimum: true,
  maximum: 100,
  multipleOf: 0.01,
  nullable: true,
  example: 10,
};

export function IsSlug(options: ValidationOptions = {}) {
  const message = `$property must hold ${SLUG_RULE}`;
  return applyDecorators(
    IsString({ ...options, message }),
    MinLength(1, { ...options, message }),
    MaxLength(MAX_SLUG_LENGTH, { ...options, message }),
    Matches(SLUG_PATTERN, { ...options, message }),
  );
}

/** At most `max` Unicode code points, as PostgreSQL counts `varchar(n)` (class-validator's MaxLength skips U+FE0F). */
export function MaxCodePoints(max: number) {
  return ValidateBy({
    name: 'maxCodePoints',
    constraints: [max],
    validator: {
      validate: (value: unknown) => typeof value === 'string' && codePointCount(value) <= max,
      defaultMessage: () => `$property must hold at most ${max} characters (Unicode code points)`,
    },
  });
}

function codePointCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export function IsAutoPercent() {
  return ValidateBy({
    name: 'isAutoPercent',
    validator: {
      validate: (value: unknown) => isValidAutoPercent(value),
      defaultMessage: () => 'auto_percent must be a number with 0 < p <= 100 and at most 2 decimals',
    },
  });
}
