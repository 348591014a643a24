import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { SqlExecutor } from '@app/infrastructure';
import { ApiErrorResponses } from '../http/api-errors.decorator';
import { errorBody } from '../http/error-mapping';

const PING_TIMEOUT_MS = 2000;

class HealthResponse {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly sql: SqlExecutor) {}

  @Get('live')
  @HttpCode(200)
  @ApiOperation({ operationId: 'live', summary: 'The process is running' })
  @ApiOkResponse({ type: HealthResponse, description: 'Alive' })
  @ApiErrorResponses(['INTERNAL_ERROR'])
  live(): HealthResponse {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ operationId: 'ready', summary: 'The database answers' })
  @ApiOkResponse({ type: HealthResponse, description: 'The database answered' })
  @ApiErrorResponses(['INTERNAL_ERROR', 'DATABASE_UNAVAILABLE'])
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
