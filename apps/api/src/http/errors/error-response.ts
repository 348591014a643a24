import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ALL_ERROR_CODES } from './error-codes';

/** The one error shape of the contract, whatever produced the error. */
export class ErrorResponse {
  @ApiProperty({ example: 404, type: 'integer', description: 'The HTTP status, repeated' })
  statusCode!: number;

  @ApiProperty({ example: 'Not Found', description: 'The HTTP reason phrase' })
  error!: string;

  @ApiProperty({
    example: 'SEGMENT_NOT_FOUND',
    enum: ALL_ERROR_CODES,
    description: 'Stable machine-readable constant; each operation lists the codes it can answer with',
  })
  code!: string;

  @ApiProperty({ example: 'segments not found: AVITO_X' })
  message!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { slugs: ['AVITO_X'] },
    description:
      'Facts about the error, by code: `slugs` for SEGMENT_NOT_FOUND; for VALIDATION_FAILED always `errors`, ' +
      'each field concerned once as `{"field", "messages": [string]}` (`field`: a body field, a query or path ' +
      'parameter, a path such as `add[1].ttl`, or `body` for the body as a whole), ...',
  })
  details?: Record<string, unknown>;
}
