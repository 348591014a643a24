import { hash } from 'node:crypto';

/**
 * A strong entity tag of a user's segments answer, whose body is a function of the user id and the
 * segments' JSON: the id, and 96 bits of the JSON's SHA-1 (computed once per rendered JSON), quoted as
 * RFC 9110 writes tags.
 */
export function entityTagOf(userId: number, segmentsDigest: string): string {
  return `"${userId}-${segmentsDigest}"`;
}

export function digestOf(json: string): string {
  // The one-shot hash: a third of what a Hash object costs on a read's few hundred bytes.
  return hash('sha1', json, 'base64url').slice(0, 16);
}

/**
 * Whether an If-None-Match header names `tag`: `*`, or a list of tags compared weakly, as RFC 9110 says
 * If-None-Match compares (a `W/` prefix is ignored).
 */
export function noneMatchHits(header: string | undefined, tag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((item) => {
    const candidate = item.trim();
    return (candidate.startsWith('W/') ? candidate.slice(2) : candidate) === tag;
  });
}
