import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApplyUserSegmentChanges, GetUserHistory, LookUpUsersSegments, RegisterUsers } from '@app/application';
import { ChangeSetInput } from '@app/domain';
import { ApiErrors, BODY_ERRORS } from '../http/errors/api-errors.decorator';
import { QueryParameters } from '../http/request/query-parameters';
import { BulkWork } from '../http/request/bulk-work';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { ParseUserIdPipe, USER_ID_SCHEMA } from '../common/path-params';
import { ChangeSetDto } from './dto/change-set.dto';
import { HistoryQuery } from './dto/history-query.dto';
import { LookupUsersDto, RegisterUsersDto } from './dto/register-users.dto';
import { CHANGE_SET_EXAMPLES, LOOKUP_USERS_EXAMPLES, REGISTER_USERS_EXAMPLES } from './dto/user.examples';
import {
  HistoryEntryResponse,
  HistoryResponse,
  RegistrationResponse,
  UserSegmentsResponse,
  UsersLookupResponse,
} from './dto/user.responses';

function changeSetInput(dto: ChangeSetDto): ChangeSetInput {
  return {
    add: dto.add?.map((item) =>
      typeof item === 'string' ? item : { slug: item.slug, expiresAt: item.expires_at, ttl: item.ttl },
    ),
    remove: dto.remove,
    expiresAt: dto.expires_at,
    ttl: dto.ttl,
  };
}

const USER_ID_PARAM = { name: 'user_id', description: 'Integer from 1 to 9007199254740991', schema: USER_ID_SCHEMA };

@ApiTags('users')
@Controller('api/v1/users')
export class UsersController {
  constructor(
    private readonly applyChanges: ApplyUserSegmentChanges,
    private readonly getHistory: GetUserHistory,
    private readonly registerUsers: RegisterUsers,
    private readonly lookUpUsers: LookUpUsersSegments,
  ) {}

  @Post('lookup')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'lookUpUsersSegments',
    summary: "Many users' active segments at once (1 to 1000 ids), each as GET /users/{id}/segments answers it",
    description: 'A read: it changes nothing and registers nobody. Each distinct id once, in the order given.',
  })
  @ApiBody({ type: LookupUsersDto, examples: LOOKUP_USERS_EXAMPLES })
  @ApiOkResponse({ type: UsersLookupResponse, description: "Each user's active segments; [] for an unknown user" })
  @ApiErrors('VALIDATION_FAILED', ...BODY_ERRORS)
  async lookup(@Body() dto: LookupUsersDto): Promise<UsersLookupResponse> {
    return UsersLookupResponse.from(await this.lookUpUsers.execute(dto.user_ids));
  }

  @Post()
  @BulkWork()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'registerUsers',
    summary: 'Register users (idempotent); new users join the auto segments covering them',
  })
  @ApiBody({ type: RegisterUsersDto, examples: REGISTER_USERS_EXAMPLES })
  @ApiOkResponse({
    type: RegistrationResponse,
    description: 'How many users were new and the auto memberships they got',
  })
  @ApiErrors('VALIDATION_FAILED', ...BODY_ERRORS)
  async register(@Body() dto: RegisterUsersDto): Promise<RegistrationResponse> {
    return RegistrationResponse.from(await this.registerUsers.execute(dto.user_ids));
  }

  @Patch(':user_id/segments')
  @ApiOperation({
    operationId: 'changeUserSegments',
    summary: "Add and remove a user's segments in one atomic change set",
  })
  @ApiParam(USER_ID_PARAM)
  @ApiBody({ type: ChangeSetDto, examples: CHANGE_SET_EXAMPLES })
  @ApiOkResponse({ type: UserSegmentsResponse, description: "The user's active segments after the change" })
  @ApiErrors('VALIDATION_FAILED', 'CONFLICTING_CHANGES', 'SEGMENT_NOT_FOUND', ...BODY_ERRORS)
  async change(
    @Param('user_id', ParseUserIdPipe) userId: number,
    @Body() dto: ChangeSetDto,
  ): Promise<UserSegmentsResponse> {
    return UserSegmentsResponse.from(userId, await this.applyChanges.execute(userId, changeSetInput(dto)));
  }

  @Get(':user_id/history')
  @ApiOperation({ operationId: 'getUserHistory', summary: "The user's joins and leaves, oldest first, in pages" })
  @ApiParam(USER_ID_PARAM)
  @ApiOkResponse({
    type: HistoryResponse,
    description: 'A page of history entries in [from, to), oldest first; next_cursor is null on the last page',
  })
  @ApiErrors('VALIDATION_FAILED', 'INVALID_CURSOR')
  async history(
    @Param('user_id', ParseUserIdPipe) userId: number,
    @QueryParameters() query: HistoryQuery,
  ): Promise<HistoryResponse> {
    // A cursor is this user's, for these bounds: the same instants, however they were written.
    const list = ['history', userId, query.from?.getTime() ?? null, query.to?.getTime() ?? null] as const;
    const page = await this.getHistory.execute({
      userId,
      from: query.from,
      to: query.to,
      after: decodeCursor<number>(list, query.cursor, 'number'),
      limit: query.limit,
    });
    return {
      items: page.items.map(HistoryEntryResponse.from),
      next_cursor: page.nextAfter === null ? null : encodeCursor(list, page.nextAfter),
    };
  }
}
