import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ExpirySweepJob } from '../apps/api/src/jobs/expiry-sweep.job';
import { usersInRange } from './support/buckets';
import { parsePrometheus, Sample, sampleValue } from './support/prometheus';
import { startTestApp, TestApp } from './support/test-app';

describe('/metrics', () => {
  let t: TestApp;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'segments-metrics-'));
    // One pooled connection, so a held connection makes the next query wait on either database.
    t = await startTestApp({ env: { DATA_DIR: dataDir, DATABASE_POOL_SIZE: '1' } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const scrape = async (): Promise<Sample[]> => {
    const response = await t.http.get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    return parsePrometheus(response.text);
  };
  const value = async (name: string, labels?: Record<string, string>) => sampleValue(await scrape(), name, labels);

  it('times requests by method, route template and status', async () => {
    await t.http.get('/api/v1/segments/NOPE').expect(404);
    await t.http.get('/api/v1/segments/NOPE_2').expect(404);
    const labels = { method: 'GET', route: '/api/v1/segments/:slug', status: '404' };
    expect(await value('http_request_duration_seconds_count', labels)).toBe(2);
    expect(await value('http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(2);
    expect(await value('http_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
  });

  it('counts auto memberships from registration, segment creation and a raised percent', async () => {
    const users = Array.from({ length: 300 }, (_, i) => i + 1);
    await t.http.post('/api/v1/segments').send({ slug: 'M_AUTO', auto_percent: 10 }).expect(201);
    await t.http.post('/api/v1/users').send({ user_ids: users }).expect(200);
    const byRegistration = usersInRange('M_AUTO', users, 0, 1000).length;
    expect(byRegistration).toBeGreaterThan(0);
    expect(await value('segments_users_auto_assigned_total', { trigger: 'registration' })).toBe(byRegistration);

    await t.http.patch('/api/v1/segments/M_AUTO').send({ auto_percent: 60 }).expect(200);
    const byRaise = usersInRange('M_AUTO', users, 1000, 6000).length;
    expect(await value('segments_users_auto_assigned_total', { trigger: 'segment_updated' })).toBe(byRaise);

    await t.http.post('/api/v1/segments').send({ slug: 'M_AUTO_2', auto_percent: 50 }).expect(201);
    const byCreation = usersInRange('M_AUTO_2', users, 0, 5000).length;
    expect(await value('segments_users_auto_assigned_total', { trigger: 'segment_created' })).toBe(byCreation);
    expect(await value('segments_users_auto_assigned_total', { trigger: 'registration' })).toBe(byRegistration);
  });

  it('counts memberships the expiry cleaner ended', async () => {
    expect(await value('segments_memberships_expired_total')).toBe(0);
    await t.http.post('/api/v1/segments').send({ slug: 'M_TTL' }).expect(201);
    for (const userId of [501, 502]) {
      await t.http
        .patch(`/api/v1/users/${userId}/segments`)
        .send({ add: ['M_TTL'], ttl: 'PT1H' })
        .expect(200);
    }
    t.clock.advance(2 * 3600 * 1000);
    await t.app.get(ExpirySweepJob).tick();
    expect(await value('segments_memberships_expired_total')).toBe(2);
  });

  it('shows database connections in use and queries waiting for one', async () => {
    expect(await value('segments_db_pool_connections_in_use')).toBe(0);
    expect(await value('segments_db_pool_waiting_requests')).toBe(0);
    const held = t.app.get(DataSource).createQueryRunner();
    await held.connect();
    const waiting = t.http.get('/api/v1/segments').then((response) => response);
    try {
      let samples = await scrape();
      for (let i = 0; i < 100 && sampleValue(samples, 'segments_db_pool_waiting_requests') === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        samples = await scrape();
      }
      expect(sampleValue(samples, 'segments_db_pool_connections_in_use')).toBe(1);
      expect(sampleValue(samples, 'segments_db_pool_waiting_requests')).toBe(1);
    } finally {
      await held.release();
    }
    expect((await waiting).status).toBe(200);
    expect(await value('segments_db_pool_waiting_requests')).toBe(0);
  });

  it('counts reports written and report storage failures', async () => {
    expect(await value('segments_reports_generated_total')).toBe(0);
    expect(await value('segments_report_storage_failures_total')).toBe(0);
    // A file where the reports directory should be: the storage cannot write.
    writeFileSync(join(dataDir, 'reports'), 'in the way');
    await t.http.get('/api/v1/reports/history').query({ period: '2023-08' }).expect(502);
    expect(await value('segments_report_storage_failures_total')).toBe(1);
    expect(await value('segments_reports_generated_total')).toBe(0);

    rmSync(join(dataDir, 'reports'));
    await t.http.get('/api/v1/reports/history').query({ period: '2023-08' }).expect(200);
    await t.http.get('/api/v1/reports/history').query({ period: '2023-08', lang: 'en' }).expect(200);
    expect(await value('segments_reports_generated_total')).toBe(2);
    expect(await value('segments_report_storage_failures_total')).toBe(1);
  });

  it('includes the process metrics', async () => {
    expect(await value('process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});
