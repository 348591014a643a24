/** How much of a client's own text an answer quotes back. */
export const ECHO_CODE_POINTS = 64;

/**
 * `text` as an error answer quotes it: the first 64 code points and "…" when longer, so a 1 MB field name
 * or path segment is never sent back (once in `message`, again in `field` and `messages`). Cuts between
 * code points, never inside a surrogate pair.
 */
export function echoed(text: string): string {
  // Code points, not code units: at most two units each, so a text this short has no more than the limit.
  if (text.length <= ECHO_CODE_POINTS) return text;
  const points = Array.from(text.slice(0, 2 * ECHO_CODE_POINTS + 2));
  return points.length <= ECHO_CODE_POINTS ? text : `${points.slice(0, ECHO_CODE_POINTS).join('')}…`;
}
