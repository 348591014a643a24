import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApplyUserSegmentChanges, GetUserHistory, GetUserSegments, RegisterUsers } from '@app/application';
import { parseRfc3339 } from '@app/domain';
import { ApiErrors } from '../http/api-errors.decorator';
import { ParseUserIdPipe } from '../http/path-params';
import { ChangeSetDto } from './dto/change-set.dto';
import { HistoryQuery } from './dto/history-query.dto';
import { RegisterUsersDto } from './dto/register-users.dto';
import { HistoryEntryResponse, HistoryResponse, RegistrationResponse, UserSegmentsResponse } from './dto/user.responses';

const USER_ID_PARAM = { name: 'user_id', example: 1000, description: 'Integer from 1 to 9007199254740991' };

@ApiTags('users')
@Controller('api/v1/users')
export class UsersController {
  constructor(
    private readonly applyChanges: ApplyUserSegmentChanges,
    private readonly getSegments: GetUserSegments,
    private readonly getHistory: GetUserHistory,
    private readonly registerUsers: RegisterUsers,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Register users (idempotent); new users join the auto segments covering them' })
  @ApiOkResponse({ type: RegistrationResponse })
  @ApiErrors(400, 413)
  async register(@Body() dto: RegisterUsersDto): Promise<RegistrationResponse> {
    return RegistrationResponse.from(await this.registerUsers.execute(dto.user_ids));
  }

  @Patch(':user_id/segments')
  @ApiOperation({ summary: "Add and remove a user's segments in one atomic change set" })
  @ApiParam(USER_ID_PARAM)
  @ApiOkResponse({ type: UserSegmentsResponse, description: "The user's active segments after the change" })
  @ApiErrors(400, 404, 413)
  async change(
    @Param('user_id', ParseUserIdPipe) userId: number,
    @Body() dto: ChangeSetDto,
  ): Promise<UserSegmentsResponse> {
    return UserSegmentsResponse.from(userId, await this.applyChanges.execute(userId, dto));
  }

  @Get(':user_id/segments')
  @ApiOperation({ summary: "The user's active segments, ordered by slug" })
  @ApiParam(USER_ID_PARAM)
  @ApiOkResponse({ type: UserSegmentsResponse })
  @ApiErrors(400)
  async segments(@Param('user_id', ParseUserIdPipe) userId: number): Promise<UserSegmentsResponse> {
    return UserSegmentsResponse.from(userId, await this.getSegments.execute(userId));
  }

  @Get(':user_id/history')
  @ApiOperation({ summary: "The user's joins and leaves, oldest first" })
  @ApiParam(USER_ID_PARAM)
  @ApiOkResponse({ type: HistoryResponse })
  @ApiErrors(400)
  async history(
    @Param('user_id', ParseUserIdPipe) userId: number,
    @Query() query: HistoryQuery,
  ): Promise<HistoryResponse> {
    const entries = await this.getHistory.execute({
      userId,
      from: query.from === undefined ? undefined : parseRfc3339(query.from),
      to: query.to === undefined ? undefined : parseRfc3339(query.to),
    });
    return { items: entries.map(HistoryEntryResponse.from) };
  }
}
