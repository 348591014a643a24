import { Injectable } from '@nestjs/common';
import { Segment, SegmentNotFoundError } from '@app/domain';
import { Clock } from '../ports/clock';
import { SegmentRepository } from '../ports/segment-repository';

@Injectable()
export class GetSegment {
  constructor(
    private readonly segments: SegmentRepository,
    private readonly clock: Clock,
  ) {}

  async execute(slug: string): Promise<Segment> {
    const segment = await this.segments.findBySlug(slug, this.clock.now());
    if (!segment) throw new SegmentNotFoundError([slug]);
    return segment;
  }
}
