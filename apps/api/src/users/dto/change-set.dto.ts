import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength, ValidateBy } from 'class-validator';
import { DURATION_PATTERN, echoed, isValidSlug, MAX_SLUGS_PER_LIST } from '@app/domain';
import { deeperFieldsMessage, fieldPath, unknownFieldMessage } from '../../http/request/field-errors';
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

interface ItemProblem {
  field: string;
  message: string;
}

/** What is wrong with `add[index]`, each problem at its deepest field; none when it is a slug or a well-formed object. */
function addItemProblems(item: unknown, index: number): ItemProblem[] {
  const at = `add[${index}]`;
  if (typeof item === 'string') {
    const valid: boolean = isValidSlug(item);
    return valid ? [] : [{ field: at, message: `${at} "${echoed(item)}" is not a slug (${SLUG_RULE})` }];
  }
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    return [{ field: at, message: `${at} must be a slug or an object` }];
  const unknown = Object.keys(item).filter((key) => !ITEM_KEYS.has(key));
  if (unknown.length > 0)
    return unknown
      .map((key) => fieldPath(at, key))
      .map((field) => ({ field, message: unknownFieldMessage('body', field) }));
  const { slug, expires_at, ttl } = item as Record<string, unknown>;
  const problems: ItemProblem[] = [];
  if (!isValidSlug(slug)) problems.push({ field: `${at}.slug`, message: `${at}.slug must hold ${SLUG_RULE}` });
  if (expires_at !== undefined && (typeof expires_at !== 'string' || expires_at.length > MAX_EXPIRY_LENGTH))
    problems.push({ field: `${at}.expires_at`, message: `${at}.expires_at must be an RFC 3339 string` });
  if (ttl !== undefined && (typeof ttl !== 'string' || ttl.length > MAX_EXPIRY_LENGTH))
    problems.push({ field: `${at}.ttl`, message: `${at}.ttl must be an ISO 8601 duration string` });
  return problems;
}

/** The problems of the first malformed `add` item. */
const firstItemProblems = (items: unknown[]): ItemProblem[] =>
  items.reduce<ItemProblem[]>((found, item, index) => (found.length > 0 ? found : addItemProblems(item, index)), []);

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
      validate: (items: unknown) => Array.isArray(items) && firstItemProblems(items).length === 0,
      defaultMessage: (args) => {
        if (!Array.isArray(args?.value)) return 'add must be a list of slugs or {slug, expires_at?, ttl?} objects';
        return deeperFieldsMessage(firstItemProblems(args.value as unknown[]));
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
