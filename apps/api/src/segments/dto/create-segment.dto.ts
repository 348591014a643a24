import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { ApiSchemaRules, CLOSED } from '../../http/openapi/openapi-schema-rules';
import { SLUG_SCHEMA } from '../../common/path-params';
import { AUTO_PERCENT_SCHEMA, IsAutoPercent, IsSlug, MaxCodePoints, SLUG_RULE } from './segment-fields';

@ApiSchemaRules(CLOSED)
export class CreateSegmentDto {
  @ApiProperty({ ...SLUG_SCHEMA, description: SLUG_RULE })
  @IsSlug()
  slug!: string;

  @ApiPropertyOptional({ type: String, example: 'Voice messages experiment', maxLength: 500, nullable: true })
  @IsOptional()
  @IsString()
  @MaxCodePoints(500)
  description?: string | null;

  @ApiPropertyOptional({
    ...AUTO_PERCENT_SCHEMA,
    description: 'Percent of users (0 < p <= 100, at most 2 decimals) assigned automatically',
  })
  @IsOptional()
  @IsAutoPercent()
  auto_percent?: number | null;
}
