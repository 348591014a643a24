import { TestApp } from './test-app';

export interface Member {
  user_id: number;
  source: 'manual' | 'auto';
}

/** Every member of a segment as GET /segments/{slug}/members shows them, all pages, ordered by user_id. */
export async function segmentMembers(t: Pick<TestApp, 'http'>, slug: string): Promise<Member[]> {
  const members: Member[] = [];
  let cursor: string | null = null;
  do {
    const page = await t.http
      .get(`/api/v1/segments/${slug}/members`)
      .query({ limit: 1000, ...(cursor ? { cursor } : {}) });
    if (page.status !== 200) throw new Error(`members of ${slug}: ${page.status} ${page.text}`);
    members.push(...(page.body.items as Member[]));
    cursor = page.body.next_cursor;
  } while (cursor !== null);
  return members;
}

/** The user ids of a segment's members, as the API lists them. */
export async function membersOf(t: Pick<TestApp, 'http'>, slug: string): Promise<number[]> {
  return (await segmentMembers(t, slug)).map((member) => member.user_id);
}
