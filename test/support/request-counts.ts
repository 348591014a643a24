import { parsePrometheus } from './prometheus';

/**
 * Requests the service has answered, by `METHOD route status` (its http_request_duration_seconds counts),
 * but for /metrics: asking for them is not counted.
 */
export async function requestCounts(baseUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const sample of parsePrometheus(text)) {
    if (sample.name !== 'http_request_duration_seconds_count' || sample.labels.route === '/metrics') continue;
    counts.set(`${sample.labels.method} ${sample.labels.route} ${sample.labels.status}`, sample.value);
  }
  return counts;
}

/** What changed between two requestCounts(), zero counts left out. */
export function countsSince(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  return Object.fromEntries(
    [...after].map(([key, value]) => [key, value - (before.get(key) ?? 0)]).filter(([, value]) => value !== 0),
  );
}
