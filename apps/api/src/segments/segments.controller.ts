import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CreateSegment,
  DeleteSegment,
  GetSegment,
  ListSegmentMembers,
  ListSegments,
  UpdateSegment,
} from '@app/application';
import { InvalidInputError } from '@app/domain';
import { ApiErrors } from '../http/api-errors.decorator';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { PageQuery } from '../http/pagination.dto';
import { ParseSlugPipe } from '../http/path-params';
import { CreateSegmentDto } from './dto/create-segment.dto';
import {
  MemberPageResponse,
  MemberResponse,
  SegmentPageResponse,
  SegmentResponse,
} from './dto/segment.response';
import { UpdateSegmentDto } from './dto/update-segment.dto';

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
  @ApiOperation({ summary: 'Create a segment; with auto_percent, known users in range join at once' })
  @ApiCreatedResponse({ type: SegmentResponse })
  @ApiErrors(400, 409, 413)
  async create(@Body() dto: CreateSegmentDto): Promise<SegmentResponse> {
    const segment = await this.createSegment.execute({
      slug: dto.slug,
      description: dto.description ?? null,
      autoPercent: dto.auto_percent ?? null,
    });
    return SegmentResponse.from(segment);
  }

  @Get()
  @ApiOperation({ summary: 'List segments ordered by slug (byte order), a page at a time' })
  @ApiOkResponse({ type: SegmentPageResponse })
  @ApiErrors(400)
  async list(@Query() query: PageQuery): Promise<SegmentPageResponse> {
    const afterSlug = decodeCursor<string>('segments', query.cursor, 'string');
    const page = await this.listSegments.execute({ afterSlug, limit: query.limit });
    const last = page.items.at(-1);
    return {
      items: page.items.map(SegmentResponse.from),
      next_cursor: page.hasMore && last ? encodeCursor('segments', last.slug) : null,
    };
  }

  @Get(':slug')
  @ApiOperation({ summary: 'Get one segment' })
  @ApiOkResponse({ type: SegmentResponse })
  @ApiErrors(400, 404)
  async get(@Param('slug', ParseSlugPipe) slug: string): Promise<SegmentResponse> {
    return SegmentResponse.from(await this.getSegment.execute(slug));
  }

  @Patch(':slug')
  @ApiOperation({ summary: 'Change the description or the auto percent' })
  @ApiOkResponse({ type: SegmentResponse })
  @ApiErrors(400, 404, 413)
  async update(@Param('slug', ParseSlugPipe) slug: string, @Body() dto: UpdateSegmentDto): Promise<SegmentResponse> {
    if (dto.description === undefined && dto.auto_percent === undefined) {
      throw new InvalidInputError('nothing to change: give description and/or auto_percent');
    }
    const segment = await this.updateSegment.execute(slug, {
      description: dto.description,
      autoPercent: dto.auto_percent,
    });
    return SegmentResponse.from(segment);
  }

  @Delete(':slug')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a segment; every member leaves it with a segment_deleted history entry' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 404)
  async delete(@Param('slug', ParseSlugPipe) slug: string): Promise<void> {
    await this.deleteSegment.execute(slug);
  }

  @Get(':slug/members')
  @ApiOperation({ summary: 'Active members of a segment ordered by user_id, a page at a time' })
  @ApiOkResponse({ type: MemberPageResponse })
  @ApiErrors(400, 404)
  async members(@Param('slug', ParseSlugPipe) slug: string, @Query() query: PageQuery): Promise<MemberPageResponse> {
    const afterUserId = decodeCursor<number>('members', query.cursor, 'number');
    const page = await this.listMembers.execute({ slug, afterUserId, limit: query.limit });
    const last = page.items.at(-1);
    return {
      items: page.items.map(MemberResponse.from),
      next_cursor: page.hasMore && last ? encodeCursor('members', last.userId) : null,
    };
  }
}
