import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Clock, MembershipRepository } from '@app/application';
import { ApiErrorResponses } from '../http/errors/api-errors.decorator';
import { errorBodyOf } from '../http/errors/error-mapping';

const PING_TIMEOUT_MS = 2000;
/** Readiness reads this user's segments: the hot path's own prepared statement, not just `SELECT 1`. */
const PROBE_USER_ID = 1;

class HealthResponse {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly memberships: MembershipRepository,
    private readonly clock: Clock,
  ) {}

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
      await Promise.race([this.memberships.activeOf(PROBE_USER_ID, this.clock.now()), timeout]);
      return { status: 'ok' };
    } catch {
      throw new ServiceUnavailableException(
        errorBodyOf('DATABASE_UNAVAILABLE', 'the database does not answer'),
      );
    } finally {
      clearTimeout(timer);
    }
  }
}
