'use strict';
/**
 * What a load costs: CPU time (utime + stime, reaped children included, from /proc/<pid>/stat) of a
 * service's processes (primary and workers) and of the PostgreSQL backends of one database, and the
 * service's peak RSS, sampled while the load runs.
 *
 * Backends are the pids pg_stat_activity lists for the database (pgbench's or the service's pool, its
 * change-log poller, lag watch and cleaner alike), asked again at every sample: a backend that appears
 * during the round counts from zero, one that ends keeps what it used until its last sample. The
 * monitoring connection itself is left out. When PostgreSQL runs on another host (its pids are not in
 * this machine's /proc), the PostgreSQL figure is null.
 */
const { readFileSync } = require('node:fs');
const { Client } = require('pg');
const { processTree, sleep, statusKb } = require('./processes');

/** /proc/<pid>/stat counts in clock ticks, which Linux reports at USER_HZ = 100 a second. */
const TICK_US = 10_000;
const SAMPLE_MS = 200;

/** CPU µs used by `pid` and its reaped children, or null when it is gone (or not on this machine). */
function cpuUs(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // After "pid (comm) ": state is field 3; utime, stime, cutime, cstime are fields 14-17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * TICK_US;
}

/** CPU used by a changing set of pids: each from its first sample (0 if it appeared late) to its last. */
class PidCpu {
  constructor() {
    this.first = new Map();
    this.last = new Map();
    this.started = false;
    this.missing = 0;
  }

  sample(pids) {
    for (const pid of pids) {
      const used = cpuUs(pid);
      if (used === null) {
        if (!this.last.has(pid)) this.missing++;
        continue;
      }
      if (!this.first.has(pid)) this.first.set(pid, this.started ? 0 : used);
      this.last.set(pid, used);
    }
    this.started = true;
  }

  /** µs used since the first sample; null when none of the pids could be read. */
  total() {
    if (this.last.size === 0) return this.missing > 0 ? null : 0;
    let sum = 0;
    for (const [pid, used] of this.last) sum += used - this.first.get(pid);
    return sum;
  }
}

/**
 * Starts measuring. `servicePid`: the service's top process (omit for pgbench alone); `database`: the
 * database whose backends count, asked through `monitorUrl` (any database of the same server).
 * `stop()` resolves { service_cpu_us, pg_cpu_us, pg_backends, peak_rss_mb (all the service's processes),
 * largest_process_rss_mb }.
 */
async function startCostMeter({ servicePid, monitorUrl, database }) {
  const monitor = new Client({ connectionString: monitorUrl });
  await monitor.connect();
  const service = new PidCpu();
  const postgres = new PidCpu();
  let peakRssKb = 0;
  let largestRssKb = 0;
  const backendPids = async () => {
    const { rows } = await monitor.query(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    return rows.map((row) => row.pid);
  };
  const sample = async () => {
    if (servicePid !== undefined) {
      const tree = processTree(servicePid);
      service.sample(tree);
      const sizes = tree.map((pid) => statusKb(pid, 'VmRSS'));
      peakRssKb = Math.max(
        peakRssKb,
        sizes.reduce((sum, kb) => sum + kb, 0),
      );
      largestRssKb = Math.max(largestRssKb, ...sizes);
    }
    postgres.sample(await backendPids());
  };
  await sample();
  let running = true;
  const loop = (async () => {
    while (running) {
      await sleep(SAMPLE_MS);
      if (running) await sample();
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      try {
        await sample();
      } finally {
        await monitor.end();
      }
      return {
        service_cpu_us: servicePid === undefined ? null : service.total(),
        pg_cpu_us: postgres.total(),
        pg_backends: postgres.last.size,
        peak_rss_mb: servicePid === undefined ? null : mb(peakRssKb),
        largest_process_rss_mb: servicePid === undefined ? null : mb(largestRssKb),
      };
    },
  };
}

const mb = (kb) => Math.round((kb / 1024) * 10) / 10;

/** µs per request (one decimal), or null when the CPU figure is unknown or nothing was answered. */
function perRequest(cpuUsTotal, requests) {
  if (cpuUsTotal === null || cpuUsTotal === undefined || !requests) return null;
  return Math.round((cpuUsTotal / requests) * 10) / 10;
}

/** How many requests one PostgreSQL core serves at `pgUsPerRequest` µs each. */
function perCore(pgUsPerRequest) {
  return pgUsPerRequest ? Math.round(1e6 / pgUsPerRequest) : null;
}

module.exports = { cpuUs, startCostMeter, perRequest, perCore };
