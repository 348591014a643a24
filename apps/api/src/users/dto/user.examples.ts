import { ExamplesObject } from '@nestjs/swagger';

/**
 * Request bodies shown on the docs page; an e2e test sends each one and expects success. They name
 * the segments of the create-segment examples.
 */
export const CHANGE_SET_EXAMPLES: ExamplesObject = {
  add: { summary: 'Join two segments for good', value: { add: ['AVITO_VOICE_MESSAGES', 'AVITO_PERFORMANCE_VAS'] } },
  ttl: {
    summary: 'Join for 30 days; one item with its own expiry',
    value: {
      add: ['AVITO_VOICE_MESSAGES', { slug: 'AVITO_DISCOUNT_30', expires_at: '2099-01-01T00:00:00Z' }],
      ttl: 'P30D',
    },
  },
  remove: {
    summary: 'Join one, leave another, in one transaction',
    value: { add: [{ slug: 'AVITO_DISCOUNT_30', ttl: 'P2D' }], remove: ['AVITO_PERFORMANCE_VAS'] },
  },
};

export const LOOKUP_USERS_EXAMPLES: ExamplesObject = {
  users: { summary: "Three users' segments", value: { user_ids: [1000, 1001, 1002] } },
};

export const REGISTER_USERS_EXAMPLES: ExamplesObject = {
  users: { summary: 'Three users', value: { user_ids: [1000, 1001, 1002] } },
};
