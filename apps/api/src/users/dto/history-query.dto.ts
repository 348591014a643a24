import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, ValidateBy } from 'class-validator';
import { parseRfc3339 } from '@app/domain';
import { PageQuery } from '../../common/pagination.dto';

/** An RFC 3339 string becomes its Date here, once; anything else stays as it came, for the checks below. */
const toTime = ({ value }: { value: unknown }) => (typeof value === 'string' ? (parseRfc3339(value) ?? value) : value);

/** The checks and messages of IsString and an RFC 3339 check, on what toTime left. */
function IsRfc3339Time(): PropertyDecorator {
  const isString = ValidateBy({
    name: 'isString',
    validator: {
      validate: (value: unknown) => typeof value === 'string' || value instanceof Date,
      defaultMessage: () => '$property must be a string',
    },
  });
  const isRfc3339 = ValidateBy({
    name: 'isRfc3339',
    validator: {
      validate: (value: unknown) => value instanceof Date,
      defaultMessage: () => '$property must be an RFC 3339 time such as 2023-08-01T00:00:00Z',
    },
  });
  return (target, key) => {
    isRfc3339(target, key);
    isString(target, key);
  };
}

export class HistoryQuery extends PageQuery {
  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    example: '2023-08-01T00:00:00Z',
    description: 'Inclusive lower bound (RFC 3339)',
  })
  @IsOptional()
  @Transform(toTime)
  @IsRfc3339Time()
  from?: Date;

  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    example: '2023-09-01T00:00:00Z',
    description: 'Exclusive upper bound (RFC 3339)',
  })
  @IsOptional()
  @Transform(toTime)
  @IsRfc3339Time()
  to?: Date;
}
