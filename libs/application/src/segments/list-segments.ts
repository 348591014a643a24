import { Injectable } from '@nestjs/common';
import { Segment } from '@app/domain';
import { Clock } from '../ports/clock';
import { Page } from '../ports/page';
import { SegmentRepository } from '../ports/segment-repository';

@Injectable()
export class ListSegments {
  constructor(
    private readonly segments: SegmentRepository,
    private readonly clock: Clock,
  ) {}

  execute(input: { afterSlug?: string; limit: number }): Promise<Page<Segment>> {
    return this.segments.listAfter(input.afterSlug, input.limit, this.clock.now());
  }
}
