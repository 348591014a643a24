import { Injectable } from '@nestjs/common';
import { SegmentMember, SegmentNotFoundError } from '@app/domain';
import { Clock } from '../ports/clock';
import { Page } from '../ports/page';
import { SegmentRepository } from '../ports/segment-repository';

@Injectable()
export class ListSegmentMembers {
  constructor(
    private readonly segments: SegmentRepository,
    private readonly clock: Clock,
  ) {}

  async execute(input: { slug: string; afterUserId?: number; limit: number }): Promise<Page<SegmentMember>> {
    const page = await this.segments.membersAfter(input.slug, input.afterUserId, input.limit, this.clock.now());
    if (!page) throw new SegmentNotFoundError([input.slug]);
    return page;
  }
}
