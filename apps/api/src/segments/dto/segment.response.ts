import { ApiProperty } from '@nestjs/swagger';
import { Segment, SegmentMember } from '@app/domain';

export class SegmentResponse {
  @ApiProperty({ example: 'AVITO_VOICE_MESSAGES' })
  slug!: string;

  @ApiProperty({ example: 'Voice messages experiment', nullable: true, type: String })
  description!: string | null;

  @ApiProperty({ example: 10, nullable: true, type: Number })
  auto_percent!: number | null;

  @ApiProperty({ example: 1532, description: 'Active (non-expired) memberships' })
  members!: number;

  @ApiProperty({ example: '2023-08-29T12:00:00.000Z', format: 'date-time' })
  created_at!: string;

  static from(segment: Segment): SegmentResponse {
    return {
      slug: segment.slug,
      description: segment.description,
      auto_percent: segment.autoPercent,
      members: segment.members,
      created_at: segment.createdAt.toISOString(),
    };
  }
}

export class SegmentPageResponse {
  @ApiProperty({ type: [SegmentResponse] })
  items!: SegmentResponse[];

  @ApiProperty({ nullable: true, type: String, example: null })
  next_cursor!: string | null;
}

export class MemberResponse {
  @ApiProperty({ example: 1000 })
  user_id!: number;

  @ApiProperty({ enum: ['manual', 'auto'], example: 'manual' })
  source!: 'manual' | 'auto';

  @ApiProperty({ example: '2023-08-29T12:00:00.000Z', format: 'date-time' })
  added_at!: string;

  @ApiProperty({ example: null, nullable: true, type: String, format: 'date-time' })
  expires_at!: string | null;

  static from(member: SegmentMember): MemberResponse {
    return {
      user_id: member.userId,
      source: member.source,
      added_at: member.addedAt.toISOString(),
      expires_at: member.expiresAt?.toISOString() ?? null,
    };
  }
}

export class MemberPageResponse {
  @ApiProperty({ type: [MemberResponse] })
  items!: MemberResponse[];

  @ApiProperty({ nullable: true, type: String, example: null })
  next_cursor!: string | null;
}
