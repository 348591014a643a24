import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponse } from './error-response';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (VALIDATION_FAILED, MALFORMED_JSON, ...)',
  401: 'Missing or wrong API key (UNAUTHORIZED)',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body over 1 MiB (PAYLOAD_TOO_LARGE)',
  502: 'Report storage failed (REPORT_STORAGE_FAILED)',
  503: 'Database unavailable (DATABASE_UNAVAILABLE)',
};

/** Documents error answers in the one error shape; 401, 500 and 503 apply to every endpoint. */
export function ApiErrors(...statuses: number[]) {
  return applyDecorators(
    ...[...statuses, 401, 503].map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', type: ErrorResponse }),
    ),
  );
}
