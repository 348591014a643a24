import { Injectable } from '@nestjs/common';
import { Segment, SegmentExistsError } from '@app/domain';
import { Clock } from '../ports/clock';
import { NewSegment, SegmentRepository } from '../ports/segment-repository';

@Injectable()
export class CreateSegment {
  constructor(
    private readonly segments: SegmentRepository,
    private readonly clock: Clock,
  ) {}

  async execute(input: NewSegment): Promise<Segment> {
    const segment = await this.segments.create(input, this.clock.now());
    if (!segment) throw new SegmentExistsError(input.slug);
    return segment;
  }
}
