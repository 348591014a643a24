import { createHash } from 'node:crypto';

/** The contract's bucket rule, computed independently of the service's own code. */
export function expectedBucket(slug: string, userId: number): number {
  const hex = createHash('md5').update(`${slug}:${userId}`).digest('hex').slice(0, 8);
  return Number.parseInt(hex, 16) % 10000;
}

export function usersInRange(slug: string, userIds: number[], fromBucket: number, toBucket: number): number[] {
  return userIds.filter((id) => {
    const bucket = expectedBucket(slug, id);
    return bucket >= fromBucket && bucket < toBucket;
  });
}
