import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { MAX_USER_ID, parseUserId, REPORT_LANGUAGES, ReportLanguage } from '@app/domain';
import { USER_ID_SCHEMA } from '../../common/path-params';

const USER_ID_RULE = `user_id must be an integer from 1 to ${MAX_USER_ID}`;

/** Plain decimal digits become a number; anything else stays as it came and fails validation. */
const toUserId = ({ value }: { value: unknown }) => (typeof value === 'string' ? (parseUserId(value) ?? value) : value);

export class HistoryReportQuery {
  // The month's format and its being past are the domain's rule (INVALID_PERIOD); here it only has to be text.
  @ApiProperty({
    example: '2023-08',
    pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
    description: 'A calendar month in UTC, YYYY-MM; the current month is allowed, a future one is not',
  })
  @IsString({ message: 'period must be a month such as 2023-08' })
  period!: string;

  @ApiPropertyOptional({ ...USER_ID_SCHEMA, description: 'Only this user’s entries' })
  @IsOptional()
  @Transform(toUserId)
  @IsInt({ message: USER_ID_RULE })
  @Min(1, { message: USER_ID_RULE })
  @Max(MAX_USER_ID, { message: USER_ID_RULE })
  user_id?: number;

  @ApiPropertyOptional({
    enum: REPORT_LANGUAGES,
    default: 'ru',
    description: 'Language of the operation column: ru (добавление/удаление) or en (added/removed)',
  })
  @IsOptional()
  @IsIn(REPORT_LANGUAGES, { message: 'lang must be ru or en' })
  lang: ReportLanguage = 'ru';
}
