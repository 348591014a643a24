import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import {
  CreateSegment,
  DeleteSegment,
  GetSegment,
  ListSegmentMembers,
  ListSegments,
  UpdateSegment,
} from '@app/application';
import { ApiErrors, BODY_ERRORS } from '../http/errors/api-errors.decorator';
import { QueryParameters } from '../http/request/query-parameters';
import { BulkWork } from '../http/request/bulk-work';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { PageQuery } from '../common/pagination.dto';
import { ParseSlugPipe, SLUG_SCHEMA } from '../common/path-params';
import { CreateSegmentDto } from './dto/create-segment.dto';
import { MemberPageResponse, MemberResponse, SegmentPageResponse, SegmentResponse } from './dto/segment.response';
import { UpdateSegmentDto } from './dto/update-segment.dto';
import { SLUG_RULE } from './dto/segment-fields';
import { CREATE_SEGMENT_EXAMPLES, UPDATE_SEGMENT_EXAMPLES } from './dto/segment.examples';

const SLUG_PARAM = { name: 'slug', description: `Case-sensitive, ${SLUG_RULE}`, schema: SLUG_SCHEMA };

@ApiTags('segments')
@Controller('api/v1/segments')
export class SegmentsController {
  constructor(
    private readonly createSegment: CreateSegment,
    private readonly getSegment: GetSegment,
    private readonly listSegments: ListSegments,
    private readonly updateSegment: UpdateSegment,
    private readonly deleteSegment: DeleteSegment,
    private readonly listMembers: ListSegmentMembers,
  ) {}

  @Post()
  @BulkWork()
  @ApiOperation({
    operationId: 'createSegment',
    summary: 'Create a segment; with auto_percent, known users in range join at once',
  })
  @ApiBody({ type: CreateSegmentDto, examples: CREATE_SEGMENT_EXAMPLES })
  @ApiCreatedResponse({ type: SegmentResponse, description: 'The new segment, with the users it took at once' })
  @ApiErrors('VALIDATION_FAILED', 'SEGMENT_EXISTS', ...BODY_ERRORS)
  async create(@Body() dto: CreateSegmentDto): Promise<SegmentResponse> {
    const segment = await this.createSegment.execute({
      slug: dto.slug,
      description: dto.description ?? null,
      autoPercent: dto.auto_percent ?? null,
    });
    return SegmentResponse.from(segment);
  }

  @Get()
  @ApiOperation({
    operationId: 'listSegments',
    summary: 'List segments ordered by slug (byte order), a page at a time',
  })
  @ApiOkResponse({ type: SegmentPageResponse, description: 'A page of segments; next_cursor is null on the last page' })
  @ApiErrors('VALIDATION_FAILED', 'INVALID_CURSOR')
  async list(@QueryParameters() query: PageQuery): Promise<SegmentPageResponse> {
    const list = ['segments'] as const;
    const afterSlug = decodeCursor<string>(list, query.cursor, 'string');
    const page = await this.listSegments.execute({ afterSlug, limit: query.limit });
    const last = page.items.at(-1);
    return {
      items: page.items.map(SegmentResponse.from),
      next_cursor: page.hasMore && last ? encodeCursor(list, last.slug) : null,
    };
  }

  @Get(':slug')
  @ApiOperation({ operationId: 'getSegment', summary: 'Get one segment' })
  @ApiParam(SLUG_PARAM)
  @ApiOkResponse({ type: SegmentResponse, description: 'The segment' })
  @ApiErrors('VALIDATION_FAILED', 'SEGMENT_NOT_FOUND')
  async get(@Param('slug', ParseSlugPipe) slug: string): Promise<SegmentResponse> {
    return SegmentResponse.from(await this.getSegment.execute(slug));
  }

  @Patch(':slug')
  @BulkWork()
  @ApiOperation({ operationId: 'updateSegment', summary: 'Change the description or the auto percent' })
  @ApiParam(SLUG_PARAM)
  @ApiBody({ type: UpdateSegmentDto, examples: UPDATE_SEGMENT_EXAMPLES })
  @ApiOkResponse({ type: SegmentResponse, description: 'The segment after the change' })
  @ApiErrors('VALIDATION_FAILED', 'SEGMENT_NOT_FOUND', ...BODY_ERRORS)
  async update(@Param('slug', ParseSlugPipe) slug: string, @Body() dto: UpdateSegmentDto): Promise<SegmentResponse> {
    const segment = await this.updateSegment.execute(slug, {
      description: dto.description,
      autoPercent: dto.auto_percent,
    });
    return SegmentResponse.from(segment);
  }

  @Delete(':slug')
  @BulkWork()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteSegment',
    summary: 'Delete a segment; every member leaves it with a segment_deleted history entry',
  })
  @ApiParam(SLUG_PARAM)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors('VALIDATION_FAILED', 'SEGMENT_NOT_FOUND')
  async delete(@Param('slug', ParseSlugPipe) slug: string): Promise<void> {
    await this.deleteSegment.execute(slug);
  }

  @Get(':slug/members')
  @ApiOperation({
    operationId: 'listSegmentMembers',
    summary: 'Active members of a segment ordered by user_id, a page at a time',
  })
  @ApiParam(SLUG_PARAM)
  @ApiOkResponse({ type: MemberPageResponse, description: 'A page of members; next_cursor is null on the last page' })
  @ApiErrors('VALIDATION_FAILED', 'INVALID_CURSOR', 'SEGMENT_NOT_FOUND')
  async members(
    @Param('slug', ParseSlugPipe) slug: string,
    @QueryParameters() query: PageQuery,
  ): Promise<MemberPageResponse> {
    const list = ['members', slug] as const;
    const afterUserId = decodeCursor<number>(list, query.cursor, 'number');
    const page = await this.listMembers.execute({ slug, afterUserId, limit: query.limit });
    const last = page.items.at(-1);
    return {
      items: page.items.map(MemberResponse.from),
      next_cursor: page.hasMore && last ? encodeCursor(list, last.userId) : null,
    };
  }
}
