import { ApiProperty } from '@nestjs/swagger';
import { Segment, SegmentMember } from '@app/domain';
import { MembershipTermsResponse } from '../../common/membership-terms.response';
import { SLUG_SCHEMA, USER_ID_SCHEMA } from '../../common/path-params';
import { AUTO_PERCENT_SCHEMA } from './segment-fields';

export class SegmentResponse {
  @ApiProperty(SLUG_SCHEMA)
  slug!: string;

  @ApiProperty({ example: 'Voice messages experiment', nullable: true, type: String })
  description!: string | null;

  @ApiProperty(AUTO_PERCENT_SCHEMA)
  auto_percent!: number | null;

  @ApiProperty({ type: 'integer', minimum: 0, example: 1532, description: 'Active (non-expired) memberships' })
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

export class MemberResponse extends MembershipTermsResponse {
  @ApiProperty(USER_ID_SCHEMA)
  user_id!: number;

  static from(member: SegmentMember): MemberResponse {
    return { user_id: member.userId, ...MembershipTermsResponse.terms(member) };
  }
}

export class MemberPageResponse {
  @ApiProperty({ type: [MemberResponse] })
  items!: MemberResponse[];

  @ApiProperty({ nullable: true, type: String, example: null })
  next_cursor!: string | null;
}
