'use strict';
/** The soak's mixed load: reads, change sets with short TTLs, registrations, segment changes, reports. */
const http = require('node:http');

const SEGMENTS = Array.from({ length: 20 }, (_, i) => `SOAK_${String(i).padStart(2, '0')}`);
const INITIAL_USERS = 5_000;
const TTLS = ['PT3S', 'PT10S', 'PT30S', 'PT2M'];

const pick = (items) => items[Math.floor(Math.random() * items.length)];
const some = (items, max) => [...items].sort(() => Math.random() - 0.5).slice(0, Math.floor(Math.random() * (max + 1)));

function client(baseUrl, concurrency) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const request = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          timeout: 30_000,
          headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {},
        },
        (response) => {
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString('utf8') }),
          );
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error('no answer within 30 s')));
      request.on('error', reject);
      request.end(data);
    });
}

/** Segments (a third of them auto) and registered users to start from. */
async function seed(send) {
  for (const [index, slug] of SEGMENTS.entries()) {
    const body = index % 3 === 0 ? { slug, auto_percent: 5 + index } : { slug, description: `soak segment ${index}` };
    const answer = await send('POST', '/api/v1/segments', body);
    if (answer.status !== 201) throw new Error(`seeding ${slug}: ${answer.status} ${answer.text}`);
  }
  for (let first = 1; first <= INITIAL_USERS; first += 1000) {
    const ids = Array.from({ length: 1000 }, (_, i) => first + i);
    const answer = await send('POST', '/api/v1/users', { user_ids: ids });
    if (answer.status !== 200) throw new Error(`seeding users: ${answer.status} ${answer.text}`);
  }
}

/** One operation: its name, request and the statuses a correct service gives. */
function nextOperation(state) {
  const roll = Math.random() * 100;
  const user = 1 + Math.floor(Math.random() * state.maxUser);
  const slug = pick(SEGMENTS);
  if (roll < 45) return ['user segments', 'GET', `/api/v1/users/${user}/segments`, undefined, [200]];
  if (roll < 70) {
    const add = some(SEGMENTS, 3).map((s) => (Math.random() < 0.5 ? { slug: s, ttl: pick(TTLS) } : s));
    const taken = add.map((item) => item.slug ?? item);
    const remove = some(
      SEGMENTS.filter((s) => !taken.includes(s)),
      2,
    );
    if (add.length + remove.length === 0) remove.push(slug);
    return ['change set', 'PATCH', `/api/v1/users/${user}/segments`, { add, remove }, [200]];
  }
  if (roll < 74) {
    const first = state.maxUser + 1;
    state.maxUser += 50;
    return [
      'registration',
      'POST',
      '/api/v1/users',
      { user_ids: Array.from({ length: 50 }, (_, i) => first + i) },
      [200],
    ];
  }
  if (roll < 80) return ['segment', 'GET', `/api/v1/segments/${slug}`, undefined, [200]];
  if (roll < 83) return ['segment list', 'GET', '/api/v1/segments?limit=50', undefined, [200]];
  if (roll < 87) return ['members', 'GET', `/api/v1/segments/${slug}/members?limit=100`, undefined, [200]];
  if (roll < 93) return ['history', 'GET', `/api/v1/users/${user}/history`, undefined, [200]];
  if (roll < 95) {
    const percent = Math.random() < 0.2 ? null : Math.round(1 + Math.random() * 3000) / 100;
    return [
      'auto percent',
      'PATCH',
      `/api/v1/segments/${pick(SEGMENTS.filter((_, i) => i % 3 === 0))}`,
      { auto_percent: percent },
      [200],
    ];
  }
  if (roll < 96 && state.reports) {
    const month = new Date().toISOString().slice(0, 7);
    return [
      'report',
      'GET',
      `/api/v1/reports/history?period=${month}&user_id=${user}&lang=en`,
      undefined,
      state.reportStatuses,
    ];
  }
  if (roll < 98) return ['ready', 'GET', '/health/ready', undefined, [200]];
  return ['metrics', 'GET', '/metrics', undefined, [200]];
}

/**
 * Runs `concurrency` closed loops until `until()` is false. Resolves the tally: requests, errors
 * (unexpected statuses and transport failures, with a few examples), latencies per operation.
 */
async function runLoad({ baseUrl, concurrency, until, reports, reportStatuses = [200] }) {
  const send = client(baseUrl, concurrency);
  const tally = { requests: 0, errors: 0, examples: [], latencies: [], readLatencies: [], byOperation: {} };
  const state = { maxUser: INITIAL_USERS, reports, reportStatuses };
  const loop = async () => {
    while (until()) {
      const [name, method, path, body, expected] = nextOperation(state);
      const started = process.hrtime.bigint();
      let problem;
      try {
        const answer = await send(method, path, body);
        if (!expected.includes(answer.status))
          problem = `${method} ${path} -> ${answer.status} ${answer.text.slice(0, 200)}`;
        if (!problem && name === 'report' && answer.status === 200) {
          const file = new URL(JSON.parse(answer.text).url).pathname;
          const download = await send('GET', file);
          if (download.status !== 200) problem = `GET ${file} -> ${download.status}`;
        }
      } catch (error) {
        problem = `${method} ${path} failed: ${error.message}`;
      }
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      tally.requests += 1;
      tally.latencies.push(ms);
      if (name === 'user segments') tally.readLatencies.push(ms);
      tally.byOperation[name] = (tally.byOperation[name] ?? 0) + 1;
      if (problem) {
        tally.errors += 1;
        if (tally.examples.length < 10) tally.examples.push(problem);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return tally;
}

module.exports = { client, seed, runLoad };
