import { Injectable } from '@nestjs/common';
import { Segment, SegmentNotFoundError } from '@app/domain';
import { Clock } from '../ports/clock';
import { SegmentChanges, SegmentRepository } from '../ports/segment-repository';

@Injectable()
export class UpdateSegment {
  constructor(
    private readonly segments: SegmentRepository,
    private readonly clock: Clock,
  ) {}

  async execute(slug: string, changes: SegmentChanges): Promise<Segment> {
    const segment = await this.segments.update(slug, changes, this.clock.now());
    if (!segment) throw new SegmentNotFoundError([slug]);
    return segment;
  }
}
