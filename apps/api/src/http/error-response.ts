import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The one error shape of the contract, whatever produced the error. */
export class ErrorResponse {
  @ApiProperty({ example: 404 })
  statusCode!: number;

  @ApiProperty({ example: 'Not Found' })
  error!: string;

  @ApiProperty({
    example: 'SEGMENT_NOT_FOUND',
    description:
      'Stable machine-readable constant: VALIDATION_FAILED, MALFORMED_JSON, CONFLICTING_CHANGES, INVALID_PERIOD, ' +
      'INVALID_CURSOR, UNAUTHORIZED, SEGMENT_NOT_FOUND, REPORT_NOT_FOUND, ROUTE_NOT_FOUND, METHOD_NOT_ALLOWED, ' +
      'SEGMENT_EXISTS, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, RATE_LIMITED, INTERNAL_ERROR, ' +
      'REPORT_STORAGE_FAILED, DATABASE_UNAVAILABLE',
  })
  code!: string;

  @ApiProperty({ example: 'segments not found: AVITO_X' })
  message!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { slugs: ['AVITO_X'] } })
  details?: Record<string, unknown>;
}
