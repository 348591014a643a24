import { ApiProperty } from '@nestjs/swagger';
import { Membership } from '@app/domain';

type Terms = Pick<Membership, 'source' | 'addedAt' | 'expiresAt'>;

/** How a user holds a segment: shared by a user's segments and a segment's members. */
export abstract class MembershipTermsResponse {
  @ApiProperty({ enum: ['manual', 'auto'], example: 'manual' })
  source!: 'manual' | 'auto';

  @ApiProperty({ example: '2023-08-29T12:00:00.000Z', format: 'date-time' })
  added_at!: string;

  @ApiProperty({ example: null, nullable: true, type: String, format: 'date-time' })
  expires_at!: string | null;

  static terms(membership: Terms): MembershipTermsResponse {
    return {
      source: membership.source,
      added_at: membership.addedAt.toISOString(),
      expires_at: membership.expiresAt?.toISOString() ?? null,
    };
  }
}
