'use strict';
/** Child processes for the benchmark: run to completion, start and stop the service, sample memory. */
const { spawn } = require('node:child_process');
const { openSync, readFileSync, readdirSync, existsSync } = require('node:fs');
const net = require('node:net');

/** Runs a command to completion; resolves { code, stdout, stderr }, rejects on a non-zero exit unless allowed. */
function run(command, args, options = {}) {
  const { allowFailure = false, input, env, cwd, inherit = false, timeoutMs } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: env ?? process.env,
      stdio: [input === undefined ? 'ignore' : 'pipe', inherit ? 'inherit' : 'pipe', inherit ? 'inherit' : 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => (stdout += chunk));
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    if (input !== undefined) child.stdin.end(input);
    const timer = timeoutMs ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const result = { code, signal, stdout, stderr };
      if ((code === 0 || allowFailure) && !signal) resolve(result);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}\n${stderr.slice(-2000)}`));
    });
  });
}

function commandExists(name) {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(`${dir}/${name}`));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every process started below `pid`, `pid` included (worker processes of a cluster count too). */
function processTree(pid) {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    let tasks;
    try {
      tasks = readdirSync(`/proc/${pids[i]}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const children = readFileSync(`/proc/${pids[i]}/task/${task}/children`, 'utf8').trim();
        if (children) pids.push(...children.split(/\s+/).map(Number));
      } catch {
        /* the task ended meanwhile */
      }
    }
  }
  return pids;
}

/** kB of a /proc/<pid>/status field (VmRSS, VmHWM), 0 when the process is gone. */
function statusKb(pid, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples the resident set of `pid` and its children every `everyMs`; `stop()` returns the peak of
 * their sum in MB, `largestMb()` then the peak of the largest single process (a worker, with workers).
 */
function sampleRss(pid, everyMs = 200) {
  let peakKb = 0;
  let largestKb = 0;
  const sample = () => {
    const sizes = processTree(pid).map((p) => statusKb(p, 'VmRSS'));
    peakKb = Math.max(
      peakKb,
      sizes.reduce((sum, kb) => sum + kb, 0),
    );
    largestKb = Math.max(largestKb, ...sizes);
  };
  const mb = (kb) => Math.round((kb / 1024) * 10) / 10;
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return mb(peakKb);
    },
    largestMb: () => mb(largestKb),
  };
}

async function waitForHttp(url, { timeoutMs = 60_000, child, pollMs = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode} during start-up`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await sleep(pollMs);
  }
}

/** The node arguments of `npm run start:prod` (e.g. a heap limit, then dist/apps/api/src/main.js). */
function startProdArgs(root) {
  const script = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')).scripts?.['start:prod'] ?? '';
  const [command, ...args] = script.trim().split(/\s+/);
  if (command !== 'node' || args.length === 0) throw new Error(`start:prod is not "node <args>": ${script}`);
  return args;
}

/**
 * Starts the built service the way `npm run start:prod` does (node itself, not npm, so that the pid is
 * the service's) with `env`, output to `logFile`, and waits until it is ready. `args` runs another
 * node script instead, with the same environment. `pollMs`: how often readiness is asked (start-up timing).
 */
async function startService({ root, env, logFile, args = startProdArgs(root), pollMs }) {
  const port = await freePort();
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', out, out],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const service = {
    pid: child.pid,
    child,
    baseUrl,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      let timer;
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise((resolve) => (timer = setTimeout(resolve, 15_000, true))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
  try {
    await waitForHttp(`${baseUrl}/health/ready`, { child, pollMs });
  } catch (error) {
    await service.stop();
    let tail = '';
    try {
      tail = readFileSync(logFile, 'utf8').slice(-3000);
    } catch {
      /* no output */
    }
    throw new Error(`${error.message}; its output ends with:\n${tail}`, { cause: error });
  }
  return service;
}

module.exports = { run, commandExists, freePort, sleep, processTree, statusKb, sampleRss, startService, waitForHttp };
