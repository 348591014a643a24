import { Injectable } from '@nestjs/common';
import { Segment, SegmentExistsError } from '@app/domain';
import { Clock } from '../ports/clock';
import { OutcomeCounters } from '../ports/outcome-counters';
import { NewSegment, SegmentRepository } from '../ports/segment-repository';

@Injectable()
export class CreateSegment {
  constructor(
    private readonly segments: SegmentRepository,
    private readonly clock: Clock,
    private readonly counters: OutcomeCounters,
  ) {}

  async execute(input: NewSegment): Promise<Segment> {
    const written = await this.segments.create(input, this.clock.now());
    if (!written) throw new SegmentExistsError(input.slug);
    this.counters.autoAssigned('segment_created', written.autoAssigned);
    return written.segment;
  }
}
