import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength, ValidateBy } from 'class-validator';
import { DURATION_PATTERN, isValidSlug, MAX_SLUGS_PER_LIST } from '@app/domain';
import { ApiSchemaRules, atLeastOneOf, CLOSED } from '../../http/openapi/openapi-schema-rules';
import { SLUG_SCHEMA } from '../../common/path-params';
import { IsSlug, SLUG_RULE } from '../../segments/dto/segment-fields';

const MAX_EXPIRY_LENGTH = 64;

const EXPIRES_AT_SCHEMA = { type: 'string' as const, format: 'date-time', maxLength: MAX_EXPIRY_LENGTH };
const TTL_SCHEMA = { type: 'string' as const, pattern: DURATION_PATTERN.source, maxLength: MAX_EXPIRY_LENGTH };

@ApiSchemaRules(CLOSED)
export class AddItemDto {
  @ApiProperty({ ...SLUG_SCHEMA, example: 'AVITO_DISCOUNT_30', description: SLUG_RULE })
  slug!: string;

  @ApiPropertyOptional({
    ...EXPIRES_AT_SCHEMA,
    example: '2099-01-01T00:00:00Z',
    description: 'A future RFC 3339 time; not together with ttl',
  })
  expires_at?: string;

  @ApiPropertyOptional({
    ...TTL_SCHEMA,
    example: 'P2D',
    description: 'ISO 8601 duration, calendar-aware (P1M, PT36H, P1M2DT3H); not together with expires_at',
  })
  ttl?: string;
}

const ITEM_KEYS = new Set(['slug', 'expires_at', 'ttl']);

/** Why an `add` item is malformed, or undefined when it is a slug or a well-formed object. */
function addItemProblem(item: unknown): string | undefined {
  if (typeof item === 'string') {
    const valid: boolean = isValidSlug(item);
    return valid ? undefined : `"${item.slice(0, 120)}" is not a slug (${SLUG_RULE})`;
  }
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'must be a slug or an object';
  const unknown = Object.keys(item).filter((key) => !ITEM_KEYS.has(key));
  if (unknown.length > 0) return `has unknown fields: ${unknown.join(', ')}`;
  const { slug, expires_at, ttl } = item as Record<string, unknown>;
  if (!isValidSlug(slug)) return `slug must hold ${SLUG_RULE}`;
  if (expires_at !== undefined && (typeof expires_at !== 'string' || expires_at.length > MAX_EXPIRY_LENGTH)) {
    return 'expires_at must be an RFC 3339 string';
  }
  if (ttl !== undefined && (typeof ttl !== 'string' || ttl.length > MAX_EXPIRY_LENGTH)) {
    return 'ttl must be an ISO 8601 duration string';
  }
  return undefined;
}

@ApiExtraModels(AddItemDto)
@ApiSchemaRules({ ...CLOSED, ...atLeastOneOf('add', 'remove') })
@ApiSchema({
  description:
    'At least one of add and remove, non-empty; a slug in both is CONFLICTING_CHANGES. ' +
    "Top-level expires_at/ttl apply to plain-slug items of add; an item's own value wins. All of it applies or none.",
})
export class ChangeSetDto {
  @ApiPropertyOptional({
    description: `Segments to join (at most ${MAX_SLUGS_PER_LIST}): a slug, or an object with its own expiry`,
    type: 'array',
    maxItems: MAX_SLUGS_PER_LIST,
    items: { oneOf: [SLUG_SCHEMA, { $ref: getSchemaPath(AddItemDto) }] },
    example: ['AVITO_VOICE_MESSAGES', { slug: 'AVITO_DISCOUNT_30', ttl: 'P2D' }],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SLUGS_PER_LIST)
  @ValidateBy({
    name: 'isAddList',
    validator: {
      validate: (items: unknown) => Array.isArray(items) && items.every((item) => !addItemProblem(item)),
      defaultMessage: (args) => {
        if (!Array.isArray(args?.value)) return 'add must be a list of slugs or {slug, expires_at?, ttl?} objects';
        const items = args.value as unknown[];
        const index = items.findIndex((item) => addItemProblem(item));
        return `add[${index}] ${addItemProblem(items[index])}`;
      },
    },
  })
  add?: Array<string | AddItemDto>;

  @ApiPropertyOptional({
    description: `Segments to leave (at most ${MAX_SLUGS_PER_LIST})`,
    type: 'array',
    maxItems: MAX_SLUGS_PER_LIST,
    items: SLUG_SCHEMA,
    example: ['AVITO_PERFORMANCE_VAS'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SLUGS_PER_LIST)
  @IsSlug({ each: true })
  remove?: string[];

  @ApiPropertyOptional({
    ...EXPIRES_AT_SCHEMA,
    example: '2099-01-01T00:00:00Z',
    description: 'Expiry (a future RFC 3339 time) for plain-slug items of add; not together with ttl',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_EXPIRY_LENGTH)
  expires_at?: string;

  @ApiPropertyOptional({
    ...TTL_SCHEMA,
    example: 'P1M',
    description: 'TTL for plain-slug items of add (ISO 8601 duration); not together with expires_at',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_EXPIRY_LENGTH)
  ttl?: string;
}
