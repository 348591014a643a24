import { Injectable } from '@nestjs/common';
import { SegmentNotFoundError } from '@app/domain';
import { Clock } from '../ports/clock';
import { SegmentRepository } from '../ports/segment-repository';

@Injectable()
export class DeleteSegment {
  constructor(
    private readonly segments: SegmentRepository,
    private readonly clock: Clock,
  ) {}

  async execute(slug: string): Promise<void> {
    const deleted = await this.segments.delete(slug, this.clock.now());
    if (!deleted) throw new SegmentNotFoundError([slug]);
  }
}
