/**
 * Benchmark harness (plain Node): how to start each server under test, pinned to the
 * server CPU, and how to stop it.
 *
 * Servers: our CLI (`dist/server/cli.js`, stderr log to /dev/null or to a file), our
 * utility host (`out/main/host.cjs` under child_process.fork, the structured log flowing
 * to this process in batches, as the app runs it), `python3 -m http.server` in both
 * protocol versions, nginx from Debian (the ceiling: one worker, sendfile on, access log
 * off, private prefix and config, never the system service), and sirv-cli installed into
 * bench/.tools.
 */
import { fork, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  startProcess,
  stopProcess,
  freePort,
  waitForPort,
  track,
  trackTempDir,
  pinPid,
  childPids,
} from './procs.mjs';

export const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const TOOLS = path.join(REPO, 'bench', '.tools');
/** Our CLI; SERVEDIR_BENCH_CLI points at another build (e.g. a work-in-progress copy). */
export const OUR_CLI = process.env.SERVEDIR_BENCH_CLI ? path.resolve(process.env.SERVEDIR_BENCH_CLI) : path.join(REPO, 'dist', 'server', 'cli.js');
export const OUR_HOST = path.join(REPO, 'out', 'main', 'host.cjs');
/** Node servers compared against, installed on demand into bench/.tools (never project deps). */
export const TOOL_VERSIONS = { 'sirv-cli': '3.0.1', 'http-server': '14.1.1', serve: '14.2.7' };
export const SIRV_VERSION = TOOL_VERSIONS['sirv-cli'];
const SIRV_BIN = path.join(TOOLS, 'node_modules', 'sirv-cli', 'bin.js');
const HTTP_SERVER_BIN = path.join(TOOLS, 'node_modules', 'http-server', 'bin', 'http-server');
const SERVE_BIN = path.join(TOOLS, 'node_modules', 'serve', 'build', 'main.js');

/** The real python3 executable (pyenv shims are scripts; resolve so the pid is python's). */
export function pythonExe() {
  return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
}

/**
 * @typedef {object} Running
 * @property {number} port
 * @property {number} pid        pid whose memory is the server's (nginx: the worker)
 * @property {() => Promise<void>} stop
 * @property {() => object} [stats]  extra counters (host mode: log entries received)
 */

/**
 * @typedef {object} ServerDef
 * @property {string} id
 * @property {string} label
 * @property {boolean} keepAlive   keeps connections open between requests (HTTP/1.1)
 * @property {boolean} listing     serves directory listings
 * @property {'flag'|'same'|false} [modernListing]  how it serves workload e-modern: 'flag' =
 *   started again with our modern listing (`--listing modern`, or the host's `listing` setting),
 *   'same' = its one listing already shows sizes and dates (nginx's autoindex), false = n/a
 * @property {string} logMode      what happens to its request log during the run
 * @property {() => string|null} unavailable  why it cannot run here, or null
 * @property {(ctx: {root: string, cpu: number, tmp: string, listing?: 'classic'|'modern'}) => Promise<Running>} start
 */

function openOut(file) {
  return file ? openSync(file, 'a') : 'ignore';
}

async function startPlain(cmd, args, port, ctx, stderrFile) {
  const errFd = openOut(stderrFile);
  const child = startProcess(cmd, args, { cpu: ctx.cpu, stdio: ['ignore', 'ignore', errFd] });
  if (typeof errFd === 'number') closeSync(errFd);
  await waitForPort(port, child);
  return { port, pid: child.pid, stop: () => stopProcess(child), child };
}

/** Our CLI, HTTP/1.1 mode, stderr log to /dev/null (or to a file with `logFile`). */
export function oursCli({ logFile = false, protocol = 'HTTP/1.1' } = {}) {
  return /** @type {ServerDef} */ ({
    id: logFile ? 'ours-logfile' : protocol === 'HTTP/1.1' ? 'ours' : 'ours-1.0',
    label: `servedir CLI ${protocol}${logFile ? ', log → file' : ''}`,
    keepAlive: protocol === 'HTTP/1.1',
    listing: true,
    modernListing: 'flag',
    logMode: logFile
      ? 'CLI; CPython-format stderr log written to a file on disk'
      : 'CLI; CPython-format stderr log formatted and written to /dev/null',
    unavailable: () => (existsSync(OUR_CLI) ? null : 'dist/server/cli.js not built (npm run build:server)'),
    async start(ctx) {
      const port = await freePort();
      const args = [...(ctx.nodeFlags ?? []), OUR_CLI, String(port), '-b', '127.0.0.1', '-d', ctx.root, '-p', protocol];
      // The server for the workloads of our settings (e-modern, range): the app's features.
      if (ctx.listing === 'modern') args.push('--listing', 'modern', '--range');
      const file = logFile ? path.join(ctx.tmp, `ours-stderr-${port}.log`) : null;
      const r = await startPlain(process.execPath, args, port, ctx, file);
      if (file) r.stats = () => ({ logBytes: existsSync(file) ? statSync(file).size : 0 });
      return r;
    },
  });
}

/**
 * Our utility host under child_process.fork, driven through server/host/protocol.ts
 * exactly as the shell drives it; log batches flow to this (harness) process, which
 * counts them. The harness is pinned to the load generator's CPU, the host to the server's.
 */
export function oursHost({ followSymlinks = false } = {}) {
  return /** @type {ServerDef} */ ({
    id: followSymlinks ? 'ours-host-links' : 'ours-host',
    label: `servedir host HTTP/1.1, structured log → app${followSymlinks ? ', followSymlinks on (CPython behaviour)' : ''}`,
    keepAlive: true,
    listing: true,
    modernListing: 'flag',
    logMode: `utility host (out/main/host.cjs) under fork; structured log batches sent over IPC to the harness, as the app receives them; followSymlinks ${followSymlinks ? 'on (like the CLI: isolates the cost of the log)' : "off (the app's default: every request resolves real paths)"}`,
    unavailable: () => (existsSync(OUR_HOST) ? null : 'out/main/host.cjs not built (npm run build:app)'),
    async start(ctx) {
      const errFile = path.join(ctx.tmp, 'host-stderr.log');
      const errFd = openSync(errFile, 'a');
      const child = fork(OUR_HOST, [], {
        serialization: 'advanced',
        detached: true,
        stdio: ['ignore', 'ignore', errFd, 'ipc'],
        execArgv: ctx.nodeFlags ?? [],
      });
      closeSync(errFd);
      track(child);
      const counters = { entries: 0, dropped: 0, batches: 0, requestEntries: 0 };
      const waiters = [];
      child.on('message', (msg) => {
        if (msg && msg.type === 'log') {
          counters.batches++;
          // Columns (server/host/protocol.ts LogColumns): 8 numbers per entry, kind at 1 (0 = request).
          const c = msg.columns;
          counters.entries += c.count;
          counters.dropped += msg.dropped;
          for (let i = 0; i < c.count; i++) if (c.numbers[i * 8 + 1] === 0) counters.requestEntries++;
          return;
        }
        for (const w of waiters.splice(0)) w(msg);
      });
      const next = (types, timeoutMs = 20000) =>
        new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`host: no ${types.join('/')} after ${timeoutMs} ms (stderr: ${tail(errFile)})`)), timeoutMs);
          const onExit = () => reject(new Error(`host exited (stderr: ${tail(errFile)})`));
          child.once('exit', onExit);
          const w = (msg) => {
            if (types.includes(msg?.type)) {
              clearTimeout(t);
              child.off('exit', onExit);
              resolve(msg);
            } else waiters.push(w);
          };
          waiters.push(w);
        });
      pinPid(child.pid, ctx.cpu);
      await next(['ready']);
      const port = await freePort();
      // Every setting of the table (the host refuses settings with one missing): the app's
      // values, but CPython's listing for workload e (compared byte for byte with python's).
      const { appDefaults } = await import(pathToFileURL(path.join(REPO, 'dist', 'server', 'share-settings.js')).href);
      child.send({
        type: 'start',
        settings: {
          ...appDefaults(),
          directory: ctx.root,
          port,
          bind: '127.0.0.1',
          protocolVersion: 'HTTP/1.1',
          cgi: false,
          cgiDirectories: ['/cgi-bin', '/htbin'],
          followSymlinks,
          listing: ctx.listing ?? 'classic',
        },
      });
      const answer = await next(['listening', 'failed']);
      if (answer.type === 'failed') throw new Error(`host failed to start: ${answer.code} ${answer.message}`);
      await waitForPort(port, child);
      return {
        port,
        pid: child.pid,
        child,
        stats: () => ({ ...counters }),
        async stop() {
          if (child.connected) {
            try {
              child.send({ type: 'shutdown' });
            } catch {
              /* gone */
            }
          }
          await stopProcess(child, 3000);
        },
      };
    },
  });
}

function tail(file) {
  try {
    return readFileSync(file, 'utf8').slice(-400).replace(/\s+/g, ' ');
  } catch {
    return '';
  }
}

/** `python3 -m http.server`, stderr log to /dev/null. */
export function python(protocol) {
  return /** @type {ServerDef} */ ({
    id: protocol === 'HTTP/1.1' ? 'py11' : 'py10',
    label: `python3 -m http.server -p ${protocol}`,
    keepAlive: protocol === 'HTTP/1.1',
    listing: true,
    logMode: 'stderr log written to /dev/null',
    unavailable: () => null,
    async start(ctx) {
      const port = await freePort();
      const args = ['-m', 'http.server', String(port), '-b', '127.0.0.1', '-d', ctx.root, '-p', protocol];
      return startPlain(pythonExe(), args, port, ctx, null);
    },
  });
}

/** nginx with a private prefix and config; the worker is the measured process. */
export function nginx() {
  return /** @type {ServerDef} */ ({
    id: 'nginx',
    label: 'nginx (1 worker, sendfile, autoindex)',
    keepAlive: true,
    listing: true,
    modernListing: 'same',
    logMode: 'access_log off',
    unavailable: () => (existsSync('/usr/sbin/nginx') ? null : 'nginx not installed'),
    async start(ctx) {
      const port = await freePort();
      const prefix = trackTempDir(mkdtempSync(path.join(os.tmpdir(), 'servedir-bench-nginx-')));
      const conf = `
daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile 8192;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; multi_accept on; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 300s;
  keepalive_requests 10000000;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server {
    listen 127.0.0.1:${port} backlog=4096;
    server_name localhost;
    root ${ctx.root};
    autoindex on;
  }
}
`;
      return runNginx(prefix, conf, port, ctx.cpu);
    },
  });
}

/**
 * Writes `conf` as PREFIX/nginx.conf and starts Debian's nginx on it, pinned to `cpu`; resolves
 * once `port` answers and the worker (the measured process) is forked. Its error output goes
 * into the error thrown when it does not start.
 */
export async function runNginx(prefix, conf, port, cpu) {
  writeFileSync(path.join(prefix, 'nginx.conf'), conf);
  const child = startProcess('/usr/sbin/nginx', ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-e', path.join(prefix, 'error.log')], {
    cpu,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  try {
    await waitForPort(port, child);
  } catch (e) {
    throw new Error(`${e.message}: ${err.trim()}`);
  }
  // The worker is forked right after the master binds; wait for it.
  let worker = null;
  for (let i = 0; i < 100 && !worker; i++) {
    worker = childPids(child.pid)[0] ?? null;
    if (!worker) await new Promise((r) => setTimeout(r, 20));
  }
  return { port, pid: worker ?? child.pid, child, stop: () => stopProcess(child) };
}

/** sirv-cli from bench/.tools, quiet (its fastest configuration). No directory listings. */
export function sirv() {
  return /** @type {ServerDef} */ ({
    id: 'sirv',
    label: `sirv-cli ${SIRV_VERSION} --quiet`,
    keepAlive: true,
    listing: false,
    logMode: '--quiet (no log)',
    unavailable: () => (existsSync(SIRV_BIN) ? null : 'sirv-cli not installed in bench/.tools'),
    async start(ctx) {
      const port = await freePort();
      const args = [SIRV_BIN, ctx.root, '--port', String(port), '--host', '127.0.0.1', '--quiet'];
      return startPlain(process.execPath, args, port, ctx, null);
    },
  });
}

/** http-server (optional comparison), silent. */
export function httpServer() {
  return /** @type {ServerDef} */ ({
    id: 'http-server',
    label: `http-server ${TOOL_VERSIONS['http-server']} -s`,
    keepAlive: true,
    listing: true,
    logMode: '-s (silent, no log)',
    unavailable: () => (existsSync(HTTP_SERVER_BIN) ? null : 'http-server not installed in bench/.tools'),
    async start(ctx) {
      const port = await freePort();
      const args = [HTTP_SERVER_BIN, ctx.root, '-p', String(port), '-a', '127.0.0.1', '-s'];
      return startPlain(process.execPath, args, port, ctx, null);
    },
  });
}

/** vercel's serve (optional comparison), request logging and compression off. */
export function serveServer() {
  return /** @type {ServerDef} */ ({
    id: 'serve',
    label: `serve ${TOOL_VERSIONS.serve} -L -u`,
    keepAlive: true,
    listing: true,
    logMode: '-L (no request log), -u (no compression)',
    unavailable: () => (existsSync(SERVE_BIN) ? null : 'serve not installed in bench/.tools'),
    async start(ctx) {
      const port = await freePort();
      const args = [SERVE_BIN, ctx.root, '-l', `tcp://127.0.0.1:${port}`, '-L', '-n', '-u', '--no-port-switching'];
      return startPlain(process.execPath, args, port, ctx, null);
    },
  });
}
