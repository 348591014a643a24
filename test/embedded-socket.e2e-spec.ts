import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, mkdtempSync, statSync } from 'node:fs';
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

describeEmbedded('a socket directory left by a killed service', () => {
  const dataDirs: string[] = [];
  const services: BuiltService[] = [];

  beforeAll(() => ensureBuilt());
  afterAll(async () => {
    // SIGTERM: a service killed here would leave its socket directory for the next start to remove.
    for (const service of services) service.child.kill('SIGTERM');
    await Promise.all(services.map((service) => service.exited(15_000).catch(() => service.kill())));
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'segments-socket-'));
    dataDirs.push(dataDir);
    const service = await startBuiltService({ DATA_DIR: dataDir });
    services.push(service);
    const [socket] = listeningUnixSockets(service.child.pid!);
    return { service, socketDir: dirname(socket) };
  };

  it('is removed at the next start, and a live service keeps its own', async () => {
    const killed = await start();
    const live = await start();
    killed.service.child.kill('SIGKILL');
    await killed.service.exited(10_000);
    expect(existsSync(killed.socketDir)).toBe(true);

    await start();
    expect(existsSync(killed.socketDir)).toBe(false);
    expect(existsSync(live.socketDir)).toBe(true);
    expect(listeningUnixSockets(live.service.child.pid!)).toEqual([join(live.socketDir, '.s.PGSQL.5432')]);
    expect((await fetch(`${live.service.baseUrl}/api/v1/segments`)).status).toBe(200);
  });
});
