import { readdirSync, readFileSync, readlinkSync, rmSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BuiltService, ensureBuilt, startBuiltService } from './reliability/support/built-service';
import { pgliteOnly } from './support/test-database';

/**
 * Embedded PGlite takes any user name and password as its superuser. It listened on a loopback TCP port,
 * so any local user could read, change or block the data (a held transaction stopped every request).
 * It now serves on a Unix socket in a directory only the service's user can enter.
 */
const describeEmbedded = pgliteOnly('embedded-socket: embedded PGlite only');

/** Socket inodes the process holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** Local ports the process listens on over TCP (state 0A in /proc/net/tcp and tcp6). */
function listeningTcpPorts(pid: number): number[] {
  const inodes = socketInodes(pid);
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === '0A' && inodes.has(fields[9]))
      .map((fields) => parseInt(fields[1].split(':')[1], 16)),
  );
}

/** Paths of the Unix sockets the process listens on (state 01 with the listening flag in /proc/net/unix). */
function listeningUnixSockets(pid: number): string[] {
  const inodes = socketInodes(pid);
  return readFileSync('/proc/net/unix', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 8 && inodes.has(fields[6]) && fields[3] === '00010000')
    .map((fields) => fields[7]);
}

describeEmbedded('the embedded database is reachable by the service only', () => {
  let dataDir: string;
  let service: BuiltService | undefined;

  beforeAll(() => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'segments-socket-'));
  });
  afterAll(() => {
    service?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('listens on no TCP port but its HTTP one, and on a Unix socket in a directory of mode 0700', async () => {
    service = await startBuiltService({ DATA_DIR: dataDir });
    expect((await fetch(`${service.baseUrl}/health/ready`)).status).toBe(200);
    const pid = service.child.pid!;
    expect(listeningTcpPorts(pid)).toEqual([service.port]);
    const sockets = listeningUnixSockets(pid);
    expect(sockets).toHaveLength(1);
    expect(statSync(dirname(sockets[0])).mode & 0o777).toBe(0o700);

    const socketDir = dirname(sockets[0]);
    service.child.kill('SIGTERM');
    expect(await service.exited(15_000)).toBe(0);
    expect(() => statSync(socketDir)).toThrow();
  });
});
