/**
 * Polls `condition` until it holds; fails naming `what` when it does not within `withinMs`. The bound
 * is the liveness promise under test ("turns 503 within 5 s"), not a speed measurement.
 */
export async function waitFor(
  what: string,
  withinMs: number,
  condition: () => boolean | Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
