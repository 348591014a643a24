import { connect, createServer, Server, Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a database server that can freeze: it stops passing bytes either
 * way and leaves new connections unanswered, as a hung server would (SIGSTOP), without stopping the
 * real server, which other tests share.
 */
export interface FreezingProxy {
  port: number;
  /** The connection string `url` with its host and port replaced by the proxy's. */
  through(url: string): string;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

export async function startFreezingProxy(targetHost: string, targetPort: number): Promise<FreezingProxy> {
  let frozen = false;
  const pairs = new Set<[Socket, Socket | undefined]>();
  const waitingForThaw: Array<() => void> = [];

  const pipe = (client: Socket) => {
    const upstream = connect(targetPort, targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    if (frozen) {
      client.pause();
      upstream.pause();
    }
  };

  const server: Server = createServer((client) => {
    if (!frozen) return pipe(client);
    client.pause();
    client.on('error', () => client.destroy());
    waitingForThaw.push(() => {
      if (!client.destroyed) pipe(client);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    port,
    through(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    freeze() {
      frozen = true;
      for (const [client, upstream] of pairs) {
        client.pause();
        upstream?.pause();
      }
    },
    thaw() {
      frozen = false;
      for (const [client, upstream] of pairs) {
        client.resume();
        upstream?.resume();
      }
      waitingForThaw.splice(0).forEach((connectNow) => connectNow());
    },
    async close() {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
