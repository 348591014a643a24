import { ExamplesObject } from '@nestjs/swagger';

/** Request bodies shown on the docs page; an e2e test sends each one and expects success. */
export const CREATE_SEGMENT_EXAMPLES: ExamplesObject = {
  manual: {
    summary: 'A segment users join by change sets',
    value: { slug: 'AVITO_VOICE_MESSAGES', description: 'Voice messages experiment' },
  },
  auto: {
    summary: 'A segment that takes 30% of users itself',
    value: { slug: 'AVITO_DISCOUNT_30', description: '30% discount', auto_percent: 30 },
  },
  bare: { summary: 'Only a slug', value: { slug: 'AVITO_PERFORMANCE_VAS' } },
};

export const UPDATE_SEGMENT_EXAMPLES: ExamplesObject = {
  percent: { summary: 'Raise the auto share to 20%', value: { auto_percent: 20 } },
  description: { summary: 'Change the description', value: { description: 'Voice messages, second wave' } },
  stopAuto: { summary: 'Stop auto joins, keep current members', value: { auto_percent: null } },
};
