'use strict';
/** The one table the benchmark prints. */

function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column] ?? '').length)));
  const line = (row) => row.map((cell, column) => String(cell ?? '').padEnd(widths[column])).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const verdict = (ok) => (ok ? 'ok' : 'MISSED');

function printTable(result) {
  const { targets } = result;
  const rows = [['figure', 'service req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'pgbench tps', 'pg p50', 'pg p99', 'ratio', 'target']];
  for (const kind of ['read', 'write']) {
    const figure = result[kind];
    if (!figure) continue;
    const s = figure.service;
    const p = figure.pgbench;
    const target =
      kind === 'read'
        ? `>= ${targets.readRatio}, p99 <= ${targets.readP99Ms}: ${verdict(figure.ratio >= targets.readRatio && s.p99_ms <= targets.readP99Ms)}`
        : `>= ${targets.writeRatio}, all 2xx: ${verdict(figure.ratio >= targets.writeRatio && s.non2xx === 0 && s.socket_errors === 0)}`;
    rows.push([kind, s.rate, s.p50_ms, s.p99_ms, s.non2xx + s.socket_errors, p.rate.toFixed(1), p.p50_ms, p.p99_ms, figure.ratio, target]);
  }
  for (const kind of ['read', 'write']) {
    const ceiling = result[`${kind}_ceiling`];
    if (!ceiling) continue;
    const s = ceiling.service;
    const row = [`${kind}, bare Fastify (ceiling)`, s.rate, s.p50_ms, s.p99_ms, s.non2xx + s.socket_errors];
    rows.push([...row, ceiling.pgbench.rate.toFixed(1), '', '', ceiling.ratio, 'for reference']);
  }
  console.log(`\nusers ${result.seed?.users}, ${result.options.connections} connections, ${result.options.seconds} s each, ` +
    `${result.machine.cpus} CPUs, pool ${result.options.pool_size}, WEB_CONCURRENCY ${result.options.web_concurrency}`);
  console.log(table(rows));
  if (result.peak_rss_mb !== undefined) {
    console.log(`service peak RSS under load: ${result.peak_rss_mb} MB (target <= ${targets.rssMb}: ${verdict(result.peak_rss_mb <= targets.rssMb)})`);
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
    bulkRows.push([name, figure.service_s, figure.bare_s ?? '', figure.ratio ?? '', figure.peak_rss_mb ?? '', ok, figure.note ?? '']);
  }
  console.log('');
  console.log(table(bulkRows));
}

module.exports = { printTable };
