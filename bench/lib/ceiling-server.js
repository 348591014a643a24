'use strict';
/**
 * The hot paths' ceiling on this machine with the stack the architecture prescribes: bare Fastify
 * routes serving GET and PATCH /api/v1/users/:id/segments through the built domain and repository
 * (prepared statements, batched lookups, the one-statement change set) on a pg pool of the service's
 * size, with nothing else: no Nest, no hooks, no access log, no metrics, no validation beyond the
 * domain's. What the service serves is measured against it (docs/performance.md).
 *
 *   DATABASE_URL=... PORT=... node bench/lib/ceiling-server.js
 */
const { join } = require('node:path');
const Fastify = require('fastify');
const { Pool } = require('pg');

require('reflect-metadata');
const dist = join(__dirname, '../../dist');
const { builtRepository } = require('./built-repository');
const { UserSegmentsResponse } = require(join(dist, 'apps/api/src/users/dto/user.responses.js'));

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
});
pool.on('error', (error) => console.error(`idle connection failed: ${error.message}`));
const { repository, planChangeSet } = builtRepository(join(__dirname, '../..'), pool, process.env);

// Errors only: a failing route shows in the bench's log, and as non-2xx in its table.
const app = Fastify({ logger: { level: 'error' } });
app.get('/health/ready', async () => {
  await pool.query('SELECT 1');
  return { status: 'ok' };
});
app.get('/api/v1/users/:id/segments', async (request) => {
  const userId = Number(request.params.id);
  return UserSegmentsResponse.from(userId, await repository.activeOf(userId, new Date()));
});
app.patch('/api/v1/users/:id/segments', async (request) => {
  const userId = Number(request.params.id);
  return UserSegmentsResponse.from(
    userId,
    await repository.applyChanges(userId, planChangeSet(request.body, new Date())),
  );
});

process.on('SIGTERM', () =>
  app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0)),
);
app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).catch((error) => {
  console.error(error);
  process.exit(1);
});
