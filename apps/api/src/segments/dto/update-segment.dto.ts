import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, ValidateIf } from 'class-validator';
import { ApiSchemaRules, atLeastOneOf, CLOSED } from '../../http/openapi/openapi-schema-rules';
import { AUTO_PERCENT_SCHEMA, IsAutoPercent, MaxCodePoints } from './segment-fields';

@ApiSchemaRules({ ...CLOSED, ...atLeastOneOf('description', 'auto_percent') })
export class UpdateSegmentDto {
  @ApiPropertyOptional({ example: 'Voice messages, second wave', maxLength: 500, nullable: true, type: String })
  @ValidateIf((dto: UpdateSegmentDto) => dto.description !== undefined && dto.description !== null)
  @IsString()
  @MaxCodePoints(500)
  description?: string | null;

  @ApiPropertyOptional({
    ...AUTO_PERCENT_SCHEMA,
    example: 20,
    description: 'Raise to add newly covered users, lower to remove auto members out of range, null to stop auto joins',
  })
  @ValidateIf((dto: UpdateSegmentDto) => dto.auto_percent !== undefined && dto.auto_percent !== null)
  @IsAutoPercent()
  auto_percent?: number | null;
}
