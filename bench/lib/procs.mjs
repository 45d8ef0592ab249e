/**
 * Benchmark harness (plain Node, runs in the `npm run bench` process): child process
 * bookkeeping, CPU pinning, readiness probes and memory readings.
 *
 * Every process the harness starts goes through {@link startProcess} (or is registered
 * with {@link track}), is made the leader of its own process group, and is killed with
 * its whole group on normal exit, on error and on Ctrl-C. Servers are therefore never
 * left behind holding ports, even when the harness itself fails half way.
 */
import { spawn, execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import { readFileSync } from 'node:fs';

/** @type {Set<import('node:child_process').ChildProcess>} */
const live = new Set();
/** @type {Set<string>} */
const tempDirs = new Set();
/** @type {Array<() => void>} */
const syncCleanups = [];

/** Registers a child started elsewhere (e.g. with fork) so cleanup kills it. */
export function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Registers a temp dir to delete at exit. */
export function trackTempDir(dir) {
  tempDirs.add(dir);
  return dir;
}

/** Registers a synchronous cleanup step run at exit (after children are killed). */
export function onCleanup(fn) {
  syncCleanups.push(fn);
}

/** True while a pid exists and is not a zombie (we cannot reap inside a synchronous exit handler). */
function isRunning(pid) {
  if (pid == null) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function killGroup(child, signal) {
  if (child.pid == null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** Kills every tracked process group and removes temp dirs. Synchronous: safe in 'exit'. */
export function cleanupAll() {
  // SIGTERM first so children with their own cleanup (window.mjs closes Chromium) can run
  // it; a short synchronous wait (this may run inside 'exit'), then SIGKILL what is left.
  if (live.size > 0) {
    for (const child of live) killGroup(child, 'SIGTERM');
    // Up to 5 s for them to finish their own cleanup (window.mjs closes Chromium and removes
    // its temp folder), polled: most servers are gone within milliseconds.
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < 50 && [...live].some((c) => isRunning(c.pid)); i++) Atomics.wait(sleeper, 0, 0, 100);
  }
  for (const child of live) killGroup(child, 'SIGKILL');
  live.clear();
  for (const fn of syncCleanups.splice(0)) {
    try {
      fn();
    } catch {
      /* best effort */
    }
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

let handlersInstalled = false;
/** Installs exit / signal / crash handlers that run {@link cleanupAll}. */
export function installCleanupHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping every server started\n`);
      cleanupAll();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (err) => {
    process.stderr.write(`bench: fatal: ${err?.stack ?? err}\n`);
    cleanupAll();
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    process.stderr.write(`bench: fatal: ${err?.stack ?? err}\n`);
    cleanupAll();
    process.exit(1);
  });
}

/**
 * Starts a process in its own group, optionally pinned to one CPU with taskset
 * (taskset execs the command, so the pid is the real server's pid).
 * @param {string} cmd
 * @param {string[]} args
 * @param {{cpu?: number|null, stdio?: any[], env?: NodeJS.ProcessEnv, cwd?: string}} [opts]
 */
export function startProcess(cmd, args, opts = {}) {
  const pinned = opts.cpu != null;
  const file = pinned ? 'taskset' : cmd;
  const argv = pinned ? ['-c', String(opts.cpu), cmd, ...args] : args;
  const child = spawn(file, argv, {
    detached: true,
    stdio: opts.stdio ?? ['ignore', 'ignore', 'pipe'],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  });
  track(child);
  return child;
}

/** Pins an existing process (all its threads) to one CPU. */
export function pinPid(pid, cpu) {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

/** Stops a child's group: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) {
    live.delete(child);
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  // The group may still hold children (nginx workers): make sure.
  killGroup(child, 'SIGKILL');
  live.delete(child);
}

/** Asks the kernel for a free loopback port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export { sleep };

/** Waits until something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port, child, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`server exited early (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/**
 * One GET on a fresh connection; resolves with status, headers and the full body.
 * @returns {Promise<{status: number, headers: http.IncomingHttpHeaders, body: Buffer}>}
 */
export function fetchOnce(port, path, { timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path, agent: false, headers: { Connection: 'close' } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}

/** Reads a field of /proc/<pid>/status in KiB (VmRSS, VmHWM), or null when gone. */
export function procStatusKb(pid, field) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Resets the kernel's peak-RSS mark (VmHWM) of a process; false when not allowed. */
export function resetPeakRss(pid) {
  try {
    execFileSync('sh', ['-c', `echo 5 > /proc/${pid}/clear_refs`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Direct children of a pid (for nginx: the worker under the master). */
export function childPids(pid) {
  try {
    const out = [];
    for (const tid of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)) {
      if (tid) out.push(Number(tid));
    }
    return out;
  } catch {
    return [];
  }
}
