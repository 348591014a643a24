'use strict';
/**
 * The soak's hostile client, mixed into the normal load (npm run soak -- --hostile): 90,000-key bodies,
 * deeply nested arrays, lone surrogates, random API keys from another loopback address, bodies that
 * trickle in, and bursts of parallel reports. Every answer must be a 4xx, or 503 REPORTS_BUSY for reports;
 * a 5xx or a dropped answer is an error.
 */
const http = require('node:http');
const net = require('node:net');
const { randomUUID } = require('node:crypto');

const HOSTILE_ADDRESS = '127.0.0.2';
const WIDE = JSON.stringify({
  slug: 'HOSTILE',
  ...Object.fromEntries(Array.from({ length: 90_000 }, (_, i) => [`k${i}`, 1])),
});
const DEEP = `{"add":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
const LONE = '{"slug":"LONE","description":"a\\ud800b"}';

function request(baseUrl, { method, path, headers = {}, body }) {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        localAddress: HOSTILE_ADDRESS,
        timeout: 30_000,
        headers: {
          ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
          ...headers,
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve('failed'));
    req.end(body);
  });
}

/** Sends a request whose body arrives a byte every second; resolves with what the server answered. */
function trickle(baseUrl) {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port), localAddress: HOSTILE_ADDRESS });
    let answer = '';
    const body = JSON.stringify({ slug: 'TRICKLE', description: 'x'.repeat(200) });
    const timer = setInterval(() => socket.write('x'), 1_000);
    socket.on('connect', () =>
      socket.write(
        `POST /api/v1/segments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n{`,
      ),
    );
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0) || 'closed');
    });
  });
}

/** The hostile loops, by name (`npm run soak -- --hostile-loops wide,deep` runs only those: to see what each costs). */
const HOSTILE_LOOPS = ['wide', 'deep', 'surrogate', 'keys', 'trickle', 'reports'];

async function runHostile({ baseUrl, until, only = HOSTILE_LOOPS }) {
  const tally = { requests: 0, byStatus: {}, errors: 0, examples: [] };
  const count = (what, status, allowed) => {
    tally.requests += 1;
    tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
    if (!allowed(status)) {
      tally.errors += 1;
      if (tally.examples.length < 10) tally.examples.push(`${what} -> ${status}`);
    }
  };
  const clientError = (status) => typeof status === 'number' && status >= 400 && status < 500;
  const month = new Date().toISOString().slice(0, 7);
  const loops = {
    wide: async () =>
      count('wide body', await request(baseUrl, { method: 'POST', path: '/api/v1/segments', body: WIDE }), clientError),
    deep: async () =>
      count(
        'deep arrays',
        await request(baseUrl, { method: 'PATCH', path: '/api/v1/users/1/segments', body: DEEP }),
        clientError,
      ),
    surrogate: async () =>
      count(
        'lone surrogate',
        await request(baseUrl, { method: 'POST', path: '/api/v1/segments', body: LONE }),
        clientError,
      ),
    keys: async () =>
      count(
        'random key',
        await request(baseUrl, { method: 'GET', path: '/api/v1/segments', headers: { 'x-api-key': randomUUID() } }),
        (s) => [200, 429].includes(s),
      ),
    trickle: async () => count('trickled body', await trickle(baseUrl), (s) => s === 408),
    reports: async () => {
      const burst = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          request(baseUrl, { method: 'GET', path: `/api/v1/reports/history?period=${month}&user_id=${i + 1}` }),
        ),
      );
      for (const status of burst) count('report burst', status, (s) => s === 200 || s === 503);
    },
  };
  await Promise.all(
    only.flatMap((name) =>
      Array.from({ length: name === 'trickle' ? 10 : 1 }, async () => {
        while (until()) await loops[name]();
      }),
    ),
  );
  return tally;
}

module.exports = { HOSTILE_LOOPS, runHostile };
