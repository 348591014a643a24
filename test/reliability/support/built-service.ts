import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_MAIN, ROOT } from '../../support/built-app';
import { freePort } from './free-port';
import { rawRequest } from './raw-http';
import { waitFor } from './wait-for';

export { ensureBuilt } from '../../support/built-app';

export interface BuiltService {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** What the process printed so far (for failure messages). */
  output(): string;
  /** Resolves with the exit code, or rejects when the process has not exited within `withinMs`. */
  exited(withinMs: number): Promise<number | null>;
  /** Kills the process (SIGKILL) if it still runs; for clean-up. */
  kill(): void;
}

/** The node flags of `npm run start:prod` (the heap limit the README's start command runs with). */
function startProdNodeFlags(): string[] {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts['start:prod'];
  return script.split(/\s+/).filter((arg) => arg.startsWith('--'));
}

/**
 * Starts `node dist/apps/api/src/main.js` with start:prod's node flags on a loopback port (`port`, to
 * start again on the same address; a free one by default) and waits until it is ready; `wrapper` runs it
 * under another command (e.g. `unshare --pid --fork`).
 */
export async function startBuiltService(
  env: Record<string, string>,
  options: { wrapper?: string[]; port?: number } = {},
): Promise<BuiltService> {
  const port = options.port ?? (await freePort());
  const [command, ...args] = [...(options.wrapper ?? []), process.execPath, ...startProdNodeFlags(), API_MAIN];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const service: BuiltService = {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => output,
    exited: (withinMs) =>
      Promise.race([
        exit,
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`the service did not exit within ${withinMs} ms\n${output}`)),
            withinMs,
          ).unref(),
        ),
      ]),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  try {
    await waitFor('the built service to be ready', 30_000, async () => {
      if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}:\n${output}`);
      return (
        (
          await rawRequest(service.baseUrl, { method: 'GET', path: '/health/ready', timeoutMs: 2_000 }).catch(
            () => undefined,
          )
        )?.status === 200
      );
    });
  } catch (error) {
    service.kill();
    throw error;
  }
  return service;
}
