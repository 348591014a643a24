import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, ValidateBy } from 'class-validator';
import { parseRfc3339 } from '@app/domain';
import { PageQuery } from '../../http/pagination.dto';

function IsRfc3339() {
  return ValidateBy({
    name: 'isRfc3339',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseRfc3339(value) !== undefined,
      defaultMessage: () => '$property must be an RFC 3339 time such as 2023-08-01T00:00:00Z',
    },
  });
}

export class HistoryQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'date-time', example: '2023-08-01T00:00:00Z', description: 'Inclusive lower bound (RFC 3339)' })
  @IsOptional()
  @IsString()
  @IsRfc3339()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2023-09-01T00:00:00Z', description: 'Exclusive upper bound (RFC 3339)' })
  @IsOptional()
  @IsString()
  @IsRfc3339()
  to?: string;
}
