import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Clock } from '@app/application';
import { AppConfig, freeBytes, FULL_BELOW_BYTES, MembershipReader, ReadRouter, writtenDisk } from '@app/infrastructure';
import { ApiErrorResponses } from '../http/errors/api-errors.decorator';
import { errorBodyOf } from '../http/errors/error-mapping';

const PING_TIMEOUT_MS = 2000;
/** Readiness reads this user's segments: the hot path's own prepared statement, not just `SELECT 1`. */
const PROBE_USER_ID = 1;

class HealthResponse {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';
}

class DatabaseHealth {
  @ApiProperty({ example: 'primary', description: '`primary`, or a replica as host:port' })
  name!: string;

  @ApiProperty({ enum: ['primary', 'replica'], example: 'primary' })
  role!: 'primary' | 'replica';

  @ApiProperty({
    enum: ['up', 'behind', 'down'],
    example: 'up',
    description:
      'A replica `behind` by more than REPLICA_MAX_LAG_MS, or `down`, serves no reads (they go to the primary)',
  })
  state!: 'up' | 'behind' | 'down';

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0,
    description: 'How far behind the primary, at most, in ms; null while unknown',
  })
  lag_ms!: number | null;
}

class ReadinessResponse extends HealthResponse {
  @ApiProperty({ type: [DatabaseHealth], description: 'The primary, then each replica (DATABASE_REPLICA_URLS)' })
  databases!: DatabaseHealth[];
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly memberships: MembershipReader,
    private readonly clock: Clock,
    private readonly router: ReadRouter,
    private readonly config: AppConfig,
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
  @ApiOkResponse({ type: ReadinessResponse, description: 'The primary answered; replicas are reported, not required' })
  @ApiErrorResponses(['INTERNAL_ERROR', 'DATABASE_UNAVAILABLE', 'DISK_FULL'])
  async ready(): Promise<ReadinessResponse> {
    await this.refuseWhenDiskFull();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('ping timed out')), PING_TIMEOUT_MS);
    });
    try {
      const probe = this.memberships.uncachedActiveOf(PROBE_USER_ID, this.clock.now());
      await Promise.race([probe, timeout]);
      const replicas = this.router
        .replicaStatus()
        .map(({ name, state, lagMs }): DatabaseHealth => ({ name, role: 'replica', state, lag_ms: lagMs }));
      return { status: 'ok', databases: [{ name: 'primary', role: 'primary', state: 'up', lag_ms: 0 }, ...replicas] };
    } catch {
      throw new ServiceUnavailableException(errorBodyOf('DATABASE_UNAVAILABLE', 'the database does not answer'));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes fail on a full DATA_DIR disk (embedded database, local reports): not ready while it is. */
  private async refuseWhenDiskFull(): Promise<void> {
    const disk = writtenDisk(this.config);
    const free = disk === undefined ? undefined : await freeBytes(disk);
    if (free === undefined || free >= FULL_BELOW_BYTES) return;
    const message = `the disk of DATA_DIR is full (${free} bytes free): free space there; writes fail until then`;
    throw new ServiceUnavailableException(errorBodyOf('DISK_FULL', message, { free_bytes: free }));
  }
}
