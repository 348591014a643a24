'use strict';
/**
 * A private PostgreSQL primary and its streaming replica (initdb, pg_basebackup -R) on free loopback ports,
 * for `npm run bench:replicas`; the same recipe as the tests' own cluster (test/reliability/support/
 * own-postgres-cluster.ts), in plain JS because the benchmark runs without a TypeScript build.
 * Runs the server tools as `postgres` when we are root (initdb refuses root). `stop()` stops both by
 * their postmaster pid (pg_ctl -m fast) and removes their directories.
 */
const { spawnSync } = require('node:child_process');
const { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { freePort } = require('./processes');

function binDir() {
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))
    : [];
  const found = versions
    .map((v) => `/usr/lib/postgresql/${v}/bin`)
    .find((dir) => existsSync(join(dir, 'pg_basebackup')));
  if (!found) throw new Error('initdb and pg_basebackup not found under /usr/lib/postgresql/*/bin');
  return found;
}

async function startReplicaPair({ primaryOptions = '', replicaOptions = '' } = {}) {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync('/tmp/segments-bench-pair-');
  if (asRoot) {
    const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, id('-u'), id('-g'));
  }
  const tool = (name, args) => {
    const [command, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, name), ...args]]
      : [join(bin, name), args];
    const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) throw new Error(`${name} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
  };
  const servers = [];
  const start = (data, port, extra) => {
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 ${extra}`;
    tool('pg_ctl', ['-D', data, '-l', `${data}.log`, '-o', options, '-w', '-t', '60', 'start']);
    servers.push(data);
  };
  const stop = () => {
    for (const data of servers.splice(0).reverse()) {
      if (existsSync(join(data, 'postmaster.pid'))) {
        try {
          tool('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
        } catch {
          /* already gone */
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  try {
    const primaryPort = await freePort();
    const replicaPort = await freePort();
    tool('initdb', ['-D', join(dir, 'primary'), '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    start(join(dir, 'primary'), primaryPort, primaryOptions);
    tool('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      join(dir, 'replica'),
      '-R',
      '-X',
      'stream',
    ]);
    start(join(dir, 'replica'), replicaPort, `-c hot_standby_feedback=on ${replicaOptions}`);
    return {
      primaryUrl: `postgresql://postgres@127.0.0.1:${primaryPort}/postgres`,
      replicaUrl: `postgresql://postgres@127.0.0.1:${replicaPort}/postgres`,
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}

module.exports = { startReplicaPair };
