import { digestOf, entityTagOf, noneMatchHits } from './entity-tag';

describe("entity tags of a user's segments", () => {
  const tag = entityTagOf(1, digestOf('[]'));

  it('is strong, quoted, and changes with the body (the user or the segments)', () => {
    expect(tag).toMatch(/^"1-[A-Za-z0-9_-]{16}"$/);
    expect(entityTagOf(1, digestOf('[]'))).toBe(tag);
    expect(entityTagOf(2, digestOf('[]'))).not.toBe(tag);
    expect(entityTagOf(1, digestOf('[{"slug":"A"}]'))).not.toBe(tag);
  });

  it('matches If-None-Match as RFC 9110 compares it: a list, weak prefixes ignored, or *', () => {
    expect(noneMatchHits(tag, tag)).toBe(true);
    expect(noneMatchHits(`"other", W/${tag}`, tag)).toBe(true);
    expect(noneMatchHits('*', tag)).toBe(true);
    expect(noneMatchHits('"other"', tag)).toBe(false);
    expect(noneMatchHits(tag.slice(1, -1), tag)).toBe(false);
    expect(noneMatchHits(undefined, tag)).toBe(false);
  });
});
