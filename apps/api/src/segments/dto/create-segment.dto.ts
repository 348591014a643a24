import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsAutoPercent, IsSlug, SLUG_RULE } from './segment-fields';

export class CreateSegmentDto {
  @ApiProperty({ example: 'AVITO_VOICE_MESSAGES', description: SLUG_RULE })
  @IsSlug()
  slug!: string;

  @ApiPropertyOptional({ example: 'Voice messages experiment', maxLength: 500, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({
    example: 10,
    description: 'Percent of users (0 < p <= 100, at most 2 decimals) assigned automatically',
    nullable: true,
  })
  @IsOptional()
  @IsAutoPercent()
  auto_percent?: number | null;
}
