import { ApiProperty } from '@nestjs/swagger';
import { HistoryEntry, Membership } from '@app/domain';
import { Registration, UserSegments } from '@app/application';
import { MembershipTermsResponse } from '../../common/membership-terms.response';
import { SLUG_SCHEMA, USER_ID_SCHEMA } from '../../common/path-params';

export class MembershipResponse extends MembershipTermsResponse {
  @ApiProperty(SLUG_SCHEMA)
  slug!: string;

  static from(membership: Membership): MembershipResponse {
    return { slug: membership.slug, ...MembershipTermsResponse.terms(membership) };
  }
}

export class UserSegmentsResponse {
  @ApiProperty(USER_ID_SCHEMA)
  user_id!: number;

  @ApiProperty({ type: [MembershipResponse] })
  segments!: MembershipResponse[];

  static from(userId: number, memberships: Membership[]): UserSegmentsResponse {
    return { user_id: userId, segments: memberships.map(MembershipResponse.from) };
  }
}

export class UsersLookupResponse {
  @ApiProperty({
    type: [UserSegmentsResponse],
    description: 'Each distinct user id asked for once, in the order of its first appearance',
  })
  users!: UserSegmentsResponse[];

  static from(users: UserSegments[]): UsersLookupResponse {
    return { users: users.map(({ userId, memberships }) => UserSegmentsResponse.from(userId, memberships)) };
  }
}

export class HistoryEntryResponse {
  @ApiProperty(USER_ID_SCHEMA)
  user_id!: number;

  @ApiProperty({ type: 'string', example: 'AVITO_VOICE_MESSAGES', description: 'The slug as it was then' })
  segment!: string;

  @ApiProperty({ enum: ['added', 'removed'], example: 'added' })
  operation!: 'added' | 'removed';

  @ApiProperty({ enum: ['manual', 'auto', 'ttl', 'segment_deleted'], example: 'manual' })
  reason!: 'manual' | 'auto' | 'ttl' | 'segment_deleted';

  @ApiProperty({ example: '2023-08-29T12:00:00.000Z', format: 'date-time' })
  at!: string;

  static from(entry: HistoryEntry): HistoryEntryResponse {
    return {
      user_id: entry.userId,
      segment: entry.segment,
      operation: entry.operation,
      reason: entry.reason,
      at: entry.at.toISOString(),
    };
  }
}

export class HistoryResponse {
  @ApiProperty({ type: [HistoryEntryResponse] })
  items!: HistoryEntryResponse[];

  @ApiProperty({ nullable: true, type: String, example: null })
  next_cursor!: string | null;
}

export class RegistrationResponse {
  @ApiProperty({ type: 'integer', minimum: 0, example: 3, description: 'Users that were not known before' })
  registered!: number;

  @ApiProperty({ type: 'integer', minimum: 0, example: 1, description: 'Auto memberships the new users received' })
  auto_assigned!: number;

  static from(registration: Registration): RegistrationResponse {
    return { registered: registration.registered, auto_assigned: registration.autoAssigned };
  }
}
