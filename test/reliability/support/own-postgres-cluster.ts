import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port';

/**
 * A throw-away PostgreSQL cluster of our own (initdb into a temp dir, its own loopback port), so a
 * test may stop and start it. Commands run as the `postgres` user when we are root (initdb refuses
 * root). `destroy()` also runs at process exit, so a failed or aborted test leaves no server behind.
 * With `replicaOf`, the cluster is a streaming replica of that one (`pg_basebackup -R`) instead.
 */
export interface OwnCluster {
  port: number;
  url(database: string): string;
  /** `pg_ctl stop -m fast`: ends sessions, refuses connections. Asynchronous: the app keeps serving meanwhile. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Synchronous, so that it can run at process exit. */
  destroy(): void;
}

const COMMAND_TIMEOUT_MS = 60_000;

/** Why no cluster can be made here (the server binaries are missing); undefined when one can. */
export function ownClusterUnavailable(): string | undefined {
  try {
    const bin = binDir();
    return existsSync(join(bin, 'pg_basebackup')) ? undefined : `pg_basebackup not found in ${bin}`;
  } catch (error) {
    return (error as Error).message;
  }
}

function binDir(): string {
  const fromPgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' }).stdout?.trim();
  if (fromPgConfig && existsSync(join(fromPgConfig, 'initdb'))) return fromPgConfig;
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))
    : [];
  const found = versions
    .map((version) => `/usr/lib/postgresql/${version}/bin`)
    .find((dir) => existsSync(join(dir, 'initdb')));
  if (!found) throw new Error('initdb not found (install PostgreSQL server binaries)');
  return found;
}

function ids(user: string): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`no user ${user} to run PostgreSQL as`);
  return { uid, gid };
}

export async function startOwnCluster(options: { replicaOf?: OwnCluster } = {}): Promise<OwnCluster> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync('/tmp/segments-pgfault-');
  const data = join(dir, 'data');
  if (asRoot) {
    const { uid, gid } = ids('postgres');
    chownSync(dir, uid, gid);
  }
  const command = (tool: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
  const run = (tool: string, args: string[], allowFailure = false) => {
    const result = spawnSync(...command(tool, args), { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS });
    if (!allowFailure && result.status !== 0) {
      throw new Error(`${tool} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
    }
  };
  const runAsync = (tool: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(...command(tool, args), { stdio: ['ignore', 'pipe', 'pipe'], timeout: COMMAND_TIMEOUT_MS });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`${tool} ${args.join(' ')} failed (${code}): ${output}`)),
      );
    });
  const port = await freePort();
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    process.removeListener('exit', destroy);
    if (existsSync(join(data, 'postmaster.pid')))
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop'], true);
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', destroy);
  // A replica's long report must not be cancelled by the primary's vacuum (a recovery conflict).
  const replicaOptions = options.replicaOf ? ' -c hot_standby_feedback=on' : '';
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50${replicaOptions}`;
  try {
    if (options.replicaOf) {
      run('pg_basebackup', [
        '-h',
        '127.0.0.1',
        '-p',
        String(options.replicaOf.port),
        '-U',
        'postgres',
        '-D',
        data,
        '-R',
        '-X',
        'stream',
        '--no-sync',
      ]);
    } else run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    const cluster: OwnCluster = {
      port,
      url: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
      start: () =>
        runAsync('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', serverOptions, '-w', '-t', '30', 'start']),
      stop: () => runAsync('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']),
      destroy,
    };
    await cluster.start();
    return cluster;
  } catch (error) {
    destroy();
    throw error;
  }
}
