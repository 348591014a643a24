/**
 * Milliseconds on a clock that never steps (performance.now()), for every interval, deadline and
 * freshness window: the wall clock can be set back or forward (NTP, an operator), and a window measured on
 * it then lasts as much longer or shorter. Values mean nothing across processes.
 */
export const monotonicMs = (): number => performance.now();
