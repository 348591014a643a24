import { createServer } from 'node:net';

/**
 * Rejects with listen's own error (EADDRINUSE, EACCES, EADDRNOTAVAIL) when HOST:PORT cannot be listened
 * on. Start-up asks before it creates DATA_DIR, so that a port in use leaves nothing behind; the real
 * listen still decides a race. Port 0 (any free port) is always free.
 */
export function assertPortFree(config: { host: string; port: number }): Promise<void> {
  if (config.port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ port: config.port, host: config.host }, () => probe.close(() => resolve()));
  });
}
