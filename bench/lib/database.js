'use strict';
/** The benchmark's own database: created, seeded with set-based SQL, dropped. */
const { Client } = require('pg');

const SEGMENTS = 10;

function withDatabase(url, name) {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function withClient(url, work) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function createDatabase(serverUrl) {
  const name = `segments_bench_${process.pid}_${Date.now().toString(36)}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  return { name, url: withDatabase(serverUrl, name) };
}

/** A copy of database `from` (which nobody may be connected to meanwhile), named after it. */
async function copyDatabase(serverUrl, from, suffix) {
  const name = `${from}_${suffix}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${from}`));
  return { name, url: withDatabase(serverUrl, name) };
}

async function dropDatabase(serverUrl, name) {
  await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/**
 * Users 1..N, segments SEG_1..SEG_10, user u in SEG_s iff (u + s) % 3 = 0, one `added` history entry per
 * membership. Deterministic: fixed timestamps derived from the ids. Returns the row counts.
 */
async function seed(url, users) {
  return withClient(url, async (client) => {
    await client.query(`SET synchronous_commit = off`);
    await client.query(`SET maintenance_work_mem = '256MB'`);
    await client.query(`BEGIN`);
    await client.query(
      `INSERT INTO segments (slug, description, created_at)
       SELECT 'SEG_' || s, 'benchmark segment ' || s, timestamptz '2024-01-01 00:00:00+00'
       FROM generate_series(1, ${SEGMENTS}) s ORDER BY s`,
    );
    await client.query(
      `INSERT INTO users (user_id, known_since)
       SELECT u, timestamptz '2024-01-01 00:00:00+00' + u * interval '1 second' FROM generate_series(1, $1::bigint) u`,
      [users],
    );
    const memberships = await client.query(
      `INSERT INTO memberships (user_id, segment_id, source, added_at)
       SELECT u, s.id, 'manual', timestamptz '2024-02-01 00:00:00+00' + u * interval '1 second'
       FROM generate_series(1, $1::bigint) u
       CROSS JOIN segments s
       WHERE (u + substr(s.slug, 5)::int) % 3 = 0
       ORDER BY u, s.id`,
      [users],
    );
    await client.query(
      `INSERT INTO membership_history (user_id, segment, operation, reason, at)
       SELECT m.user_id, s.slug, 'added', 'manual', m.added_at
       FROM memberships m JOIN segments s ON s.id = m.segment_id
       ORDER BY m.added_at, m.user_id, s.slug`,
    );
    await client.query(`COMMIT`);
    await client.query(`VACUUM (ANALYZE) segments, users, memberships, membership_history`);
    // The load scripts pick SEG_<n> by number and use n as its id: true for a fresh schema, checked here.
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM segments WHERE id::text <> substr(slug, 5)`);
    if (rows[0].n !== 0) throw new Error('benchmark segments did not get ids 1..10');
    return { users, segments: SEGMENTS, memberships: memberships.rowCount };
  });
}

module.exports = { SEGMENTS, withClient, withDatabase, createDatabase, copyDatabase, dropDatabase, seed };
