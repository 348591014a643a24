'use strict';
/** The one table the benchmark prints. */

function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column] ?? '').length)));
  const line = (row) =>
    row
      .map((cell, column) => String(cell ?? '').padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const verdict = (ok) => (ok ? 'ok' : 'MISSED');

const loadRow = (name, s) => [name, s.rate, s.p50_ms, s.p99_ms, s.non2xx + s.socket_errors];
const pgRow = (name, p) => [name, p.rate.toFixed(1), p.p50_ms, p.p99_ms, p.failed];

const LOADS = [
  ['read', 'read uniform'],
  ['zipf', 'read zipf s=1'],
  ['write', 'write'],
];
const orDash = (value) => (value === null || value === undefined ? '-' : value);

/** Per load: rate, CPU per answered request (service, PostgreSQL), reads per PostgreSQL core, latency, RSS. */
function printCost(result) {
  const rows = [
    ['load', 'req/s', 'service µs/req', 'pg µs/req', 'reqs per pg core', 'p50 ms', 'p99 ms', 'peak RSS MB'],
  ];
  const services = [...(result.variants ?? []), ...(result.ceiling ? [result.ceiling] : [])];
  for (const [kind, label] of LOADS) {
    for (const s of services) {
      const f = s[kind];
      rows.push([
        `${label}, ${s.name}`,
        f.rate,
        orDash(f.service_cpu_us),
        orDash(f.pg_cpu_us),
        orDash(f.per_pg_core),
        f.p50_ms,
        f.p99_ms,
        f.peak_rss_mb,
      ]);
    }
  }
  const pgbench = [
    ['pgbench: the read statement', result.read?.pgbench],
    ['pgbench: floor (segment_id by user_id)', result.read_floor?.pgbench],
    ['pgbench: the change set', result.write?.pgbench],
  ];
  for (const [name, p] of pgbench) {
    if (p)
      rows.push([
        name,
        p.rate.toFixed(1),
        '',
        orDash(p.pg_cpu_us),
        orDash(p.pg_cpu_us && Math.round(1e6 / p.pg_cpu_us)),
        p.p50_ms,
        p.p99_ms,
        '',
      ]);
  }
  console.log(
    "\ncost per answered request (CPU from /proc: the service's processes; the database's PostgreSQL backends)",
  );
  console.log(table(rows));
  const versus = Object.entries(result.versus_ceiling ?? {});
  if (versus.length > 0) {
    const ratios = [['uniform reads, against the ceiling (interleaved)', 'req/s', 'service CPU per read']];
    for (const [name, ratio] of versus) ratios.push([name, ratio.rate, orDash(ratio.cpu)]);
    console.log('');
    console.log(table(ratios));
  }
}

/** `--change-set`: pgbench of the change set against its floor, and what each part costs PostgreSQL. */
function printChangeSet(changeSet, targets) {
  const rows = [['pgbench variant', 'tps', 'p50 ms', 'p99 ms', 'failed', 'pg µs/tx']];
  for (const v of changeSet.variants) rows.push([v.name, v.rate, v.p50_ms, v.p99_ms, v.failed, orDash(v.pg_cpu_us)]);
  console.log('');
  console.log(table(rows));
  const parts = [['part', 'pg µs/tx', 'share of the change set', 'tps without / with']];
  for (const p of changeSet.parts)
    parts.push([p.name, orDash(p.pg_cpu_us), orDash(p.share_of_change_set), p.tps_without_vs_with]);
  console.log('');
  console.log(table(parts));
  const ok = changeSet.change_set_vs_floor >= targets.changeSetVsFloor;
  console.log(
    `\nchange set / floor: ${changeSet.change_set_vs_floor} of its tps (target >= ${targets.changeSetVsFloor}: ${verdict(ok)}), ` +
      `${orDash(changeSet.change_set_cpu_vs_floor)}x its PostgreSQL CPU per transaction`,
  );
}

function printTable(result) {
  const { targets } = result;
  if (result.change_set) {
    console.log(
      `\nusers ${result.seed?.users}, ${result.options.connections} connections, ${result.options.seconds} s each`,
    );
    printChangeSet(result.change_set, targets);
    return;
  }
  const rows = [['figure', 'req/s (tps)', 'p50 ms', 'p99 ms', 'non-2xx']];
  for (const variant of result.variants ?? []) {
    rows.push(loadRow(`read uniform, ${variant.name}`, variant.read));
    rows.push(loadRow(`read zipf s=1, ${variant.name}`, variant.zipf));
    rows.push(loadRow(`write, ${variant.name}`, variant.write));
  }
  if (result.read) rows.push(pgRow('pgbench: the read statement', result.read.pgbench));
  if (result.read_floor) rows.push(pgRow('pgbench: floor (segment_id by user_id)', result.read_floor.pgbench));
  if (result.write) rows.push(pgRow('pgbench: the change set', result.write.pgbench));
  for (const kind of ['read', 'write']) {
    const ceiling = result[`${kind}_ceiling`];
    if (ceiling) rows.push(loadRow(`${kind}, bare Fastify (ceiling)`, ceiling.service));
  }
  console.log(
    `\nusers ${result.seed?.users}, ${result.options.connections} connections, ${result.options.seconds} s each, ` +
      `${result.machine.cpus} CPUs, pool ${result.options.pool_size}`,
  );
  console.log(table(rows));
  printCost(result);

  const ratios = [['ratio', 'value', 'target']];
  const read = result.read;
  if (read) {
    const ok = read.ratio >= targets.readRatio && read.service.p99_ms <= targets.readP99Ms;
    ratios.push([
      'read uniform, default (cache off) / pgbench read statement',
      read.ratio,
      `>= ${targets.readRatio}, p99 <= ${targets.readP99Ms} ms: ${verdict(ok)}`,
    ]);
  }
  if (result.cache) {
    const { uniform_on_vs_off: uniform, zipf_on_vs_off: zipf } = result.cache;
    ratios.push([
      'read uniform, cache on / cache off',
      uniform,
      `>= ${targets.cacheUniform}: ${verdict(uniform >= targets.cacheUniform)}`,
    ]);
    ratios.push([
      'read zipf, cache on / cache off',
      zipf,
      `>= ${targets.cacheZipf}: ${verdict(zipf >= targets.cacheZipf)}`,
    ]);
  }
  if (result.read_floor) {
    const value = result.read_floor.statement_ratio;
    ratios.push([
      'pgbench: read statement / floor',
      value,
      `>= ${targets.statementVsFloor}: ${verdict(value >= targets.statementVsFloor)}`,
    ]);
  }
  const write = result.write;
  if (write) {
    const ok = write.ratio >= targets.writeRatio && write.service.non2xx === 0 && write.service.socket_errors === 0;
    ratios.push([
      'write, default (cache off) / pgbench change set',
      write.ratio,
      `>= ${targets.writeRatio}, all 2xx: ${verdict(ok)}`,
    ]);
  }
  for (const [name, value] of Object.entries(result.workers ?? {}))
    ratios.push([`2 workers / 1 (${name.replace(/_2_vs_1$/, '')})`, value, 'for reference']);
  for (const kind of ['read', 'write']) {
    const ceiling = result[`${kind}_ceiling`];
    if (ceiling) ratios.push([`${kind}, bare Fastify / pgbench`, ceiling.ratio, 'for reference']);
  }
  console.log('');
  console.log(table(ratios));
  if (result.peak_rss_mb !== undefined) {
    console.log(
      `largest process's peak RSS under load: ${result.peak_rss_mb} MB (target <= ${targets.rssMb}: ${verdict(result.peak_rss_mb <= targets.rssMb)})`,
    );
  }
  const bulk = result.bulk ?? {};
  if (bulk.skipped) {
    console.log(`bulk figures: ${bulk.skipped}`);
    return;
  }
  const bulkRows = [['bulk figure', 'service s', 'bare SQL s', 'ratio', 'peak RSS MB', 'target', 'note']];
  for (const [name, figure] of Object.entries(bulk)) {
    if (figure.skipped) {
      bulkRows.push([name, '', '', '', '', '', `skipped: ${figure.skipped}`]);
      continue;
    }
    const ok = figure.target_text === undefined ? '' : `${figure.target_text}: ${verdict(figure.meets_target)}`;
    bulkRows.push([
      name,
      figure.service_s,
      figure.bare_s ?? '',
      figure.ratio ?? '',
      figure.peak_rss_mb ?? '',
      ok,
      figure.note ?? '',
    ]);
  }
  console.log('');
  console.log(table(bulkRows));
}

module.exports = { printTable };
