import { Injectable } from '@nestjs/common';
import { SegmentNotFoundError } from '@app/domain';
import { SegmentRepository } from '../ports/segment-repository';

@Injectable()
export class DeleteSegment {
  constructor(private readonly segments: SegmentRepository) {}

  async execute(slug: string): Promise<void> {
    const deleted = await this.segments.delete(slug);
    if (!deleted) throw new SegmentNotFoundError([slug]);
  }
}
