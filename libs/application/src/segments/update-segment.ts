import { Injectable } from '@nestjs/common';
import { InvalidInputError, Segment, SegmentNotFoundError } from '@app/domain';
import { Clock } from '../ports/clock';
import { OutcomeCounters } from '../ports/outcome-counters';
import { SegmentChanges, SegmentRepository } from '../ports/segment-repository';

@Injectable()
export class UpdateSegment {
  constructor(
    private readonly segments: SegmentRepository,
    private readonly clock: Clock,
    private readonly counters: OutcomeCounters,
  ) {}

  async execute(slug: string, changes: SegmentChanges): Promise<Segment> {
    if (changes.description === undefined && changes.autoPercent === undefined) {
      throw InvalidInputError.of('body', 'nothing to change: give description and/or auto_percent');
    }
    const written = await this.segments.update(slug, changes, this.clock.now());
    if (!written) throw new SegmentNotFoundError([slug]);
    this.counters.autoAssigned('segment_updated', written.autoAssigned);
    return written.segment;
  }
}
