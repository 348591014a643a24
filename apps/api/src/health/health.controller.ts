import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SqlExecutor } from '@app/infrastructure';
import { errorBody } from '../http/error-mapping';
import { ErrorResponse } from '../http/error-response';

const PING_TIMEOUT_MS = 2000;

class HealthResponse {
  status!: 'ok';
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly sql: SqlExecutor) {}

  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: 'The process is running' })
  @ApiOkResponse({ type: HealthResponse, schema: { example: { status: 'ok' } } })
  live(): HealthResponse {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'The database answers' })
  @ApiOkResponse({ type: HealthResponse, schema: { example: { status: 'ok' } } })
  @ApiResponse({ status: 503, type: ErrorResponse, description: 'Database unavailable (DATABASE_UNAVAILABLE)' })
  async ready(): Promise<HealthResponse> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('ping timed out')), PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.sql.rows('SELECT 1'), timeout]);
      return { status: 'ok' };
    } catch {
      throw new ServiceUnavailableException(
        errorBody(503, 'DATABASE_UNAVAILABLE', 'the database does not answer'),
      );
    } finally {
      clearTimeout(timer);
    }
  }
}
