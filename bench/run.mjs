#!/usr/bin/env node
/**
 * `npm run bench`: the server benchmark (plain Node; runs outside the app).
 *
 * Builds the fixture, starts each server pinned to CPU 0 (this process, wrk and curl are
 * pinned to CPU 1), runs workloads a–g twice and quotes medians, and prints one table with
 * ratios to python and to nginx from the same run, then the same workloads with the
 * structured log switched on as the app runs it, then (unless --no-window) the window
 * benchmark (bench/window.mjs). Every server started is killed on exit, error or Ctrl-C.
 *
 * Options:
 *   --quick            1 run of 1 s per workload (development; numbers are noisy)
 *   --runs=N           runs per workload (default 2; medians are quoted)
 *   --duration=S       seconds per wrk run (default 5)
 *   --servers=a,b      subset of: ours,ours-host,ours-host-links,ours-logfile,py10,py11,nginx,sirv,http-server,serve
 *                      (default: all but http-server and serve, which are optional comparisons)
 *   --workloads=a,b    subset of: a1,a16,a64,b,c,d,e,e-modern,range,f,g,slow
 *                      zip (in the default set): a folder as one .zip against a raw read of the same
 *                      files, with its own server (bench/lib/zip-workload.mjs)
 *                      upload (in the default set): 16 clients × 1 MiB PUTs, one 256 MiB PUT and one slow
 *                      uploader against nginx's WebDAV PUT (bench/lib/upload-workload.mjs)
 *   --no-window        skip the window benchmark
 *   --window-requests=N  requests for the window benchmark (default 1,000,000; --quick 50,000)
 *   --cpu-prof         run our CLI under `node --cpu-prof`, print its top self-time functions
 *   --write-results    write bench/RESULTS.md (keeps the hand-written analysis below its marker)
 *   --from=FILE        no measuring: re-render a saved results.json (from a bench/results-DATE folder)
 *   --fresh-fixture    rebuild bench/.fixture
 *   --no-install       never call apt-get / npm to install missing tools
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  installCleanupHandlers,
  trackTempDir,
  fetchOnce,
  procStatusKb,
  resetPeakRss,
  pinPid,
  startProcess,
  sleep,
} from './lib/procs.mjs';
import { ensureFixture, LISTING_DIR } from './lib/fixture.mjs';
import { IdleHolder, slowRead } from './lib/clients.mjs';
import { oursCli, oursHost, python, nginx, sirv, httpServer, serveServer, REPO, TOOLS, TOOL_VERSIONS, pythonExe } from './lib/servers.mjs';
import { median, fmtNum, fmtRatio, mdTable } from './lib/stats.mjs';
import { summarizeProfile } from './lib/cpuprofile-top.mjs';
import { runZipBench, zipSection } from './lib/zip-workload.mjs';
import { runUploadBench, uploadSection } from './lib/upload-workload.mjs';

const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const IDLE_CONNECTIONS = 1000;
const MiB = 1024 * 1024;

// ---------------------------------------------------------------- options
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, dflt) => {
  const hit = argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : dflt;
};
const known = ['from', 'quick', 'runs', 'duration', 'servers', 'workloads', 'no-window', 'window-requests', 'cpu-prof', 'write-results', 'fresh-fixture', 'no-install', 'help'];
for (const a of argv) {
  const name = a.replace(/^--/, '').split('=')[0];
  if (!a.startsWith('--') || !known.includes(name)) {
    console.error(`bench: unknown option ${a}\n(options: ${known.map((k) => '--' + k).join(' ')})`);
    process.exit(2);
  }
}
if (flag('help')) {
  console.log(readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(1, 25).join('\n'));
  process.exit(0);
}
const QUICK = flag('quick');
const RUNS = Number(opt('runs', QUICK ? 1 : 2));
const DURATION = Number(opt('duration', QUICK ? 1 : 5));
const CURL_REPS = QUICK ? 1 : 3;
const SLOW_MS = QUICK ? 3000 : 8000;
const SERVER_IDS = opt('servers', 'py10,py11,nginx,sirv,ours,ours-host,ours-host-links,ours-logfile').split(',');
const WORKLOAD_IDS = opt('workloads', 'a1,a16,a64,b,c,d,e,e-modern,range,f,g,slow').split(',');
const log = (s) => process.stderr.write(`bench: ${s}\n`);

// ---------------------------------------------------------------- workloads
/**
 * @typedef {{id: string, what: string, unit: 'req/s'|'MB/s', kind: 'wrk'|'curl'|'idle'|'slow',
 *   path: string, conns?: number, close?: boolean, expectStatus?: number, keepAliveOnly?: boolean,
 *   listing?: boolean, modern?: boolean}} Workload
 */
/** @type {Workload[]} */
const WORKLOADS = [
  { id: 'a1', what: '1 KiB keep-alive, 1 connection', unit: 'req/s', kind: 'wrk', path: '/1k.bin', conns: 1 },
  { id: 'a16', what: '1 KiB keep-alive, 16 connections', unit: 'req/s', kind: 'wrk', path: '/1k.bin', conns: 16 },
  { id: 'a64', what: '1 KiB keep-alive, 64 connections', unit: 'req/s', kind: 'wrk', path: '/1k.bin', conns: 64 },
  { id: 'b', what: '1 KiB, new connection per request, 16 concurrent', unit: 'req/s', kind: 'wrk', path: '/1k.bin', conns: 16, close: true },
  { id: 'c', what: '1 MiB, 16 connections', unit: 'MB/s', kind: 'wrk', path: '/1m.bin', conns: 16 },
  { id: 'd', what: 'one 256 MiB stream (curl)', unit: 'MB/s', kind: 'curl', path: '/256m.bin' },
  { id: 'e', what: '5,000-entry listing, 8 connections', unit: 'req/s', kind: 'wrk', path: `/${LISTING_DIR}/`, conns: 8, listing: true },
  // Our modern listing (sizes, dates, folders first; the CLI started with --listing modern):
  // what nginx's autoindex shows too.
  { id: 'e-modern', what: '5,000-entry listing, modern page, 8 connections', unit: 'req/s', kind: 'wrk', path: `/${LISTING_DIR}/`, conns: 8, listing: true, modern: true },
  // Range requests are a setting of ours too (`--range`, on in the app): this workload runs on
  // the server started with the app's features (`modern`), nginx on its one server. Each request
  // asks for a random 64 KiB of the 256 MiB file (bench/lib/wrk-report.lua, WRK_RANGE_SIZE).
  { id: 'range', what: 'random 64 KiB ranges of 256 MiB, 16 connections', unit: 'MB/s', kind: 'wrk', path: '/256m.bin', conns: 16, modern: true, rangeOf: 256 * 1024 * 1024 },
  { id: 'f', what: '404s, 16 connections', unit: 'req/s', kind: 'wrk', path: '/no-such-file.bin', conns: 16, expectStatus: 404 },
  { id: 'g', what: `1 KiB at 16 conns + ${IDLE_CONNECTIONS.toLocaleString('en-US')} idle keep-alive`, unit: 'req/s', kind: 'idle', path: '/1k.bin', conns: 16, keepAliveOnly: true },
  { id: 'slow', what: '256 MiB read at 1 MiB/s: server RSS growth', unit: 'MiB', kind: 'slow', path: '/256m.bin' },
].filter((w) => WORKLOAD_IDS.includes(w.id));

// ---------------------------------------------------------------- tools
function have(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function ensureTools() {
  const missing = [];
  if (!have('wrk')) missing.push('wrk');
  if (!existsSync('/usr/sbin/nginx')) missing.push('nginx');
  if (!have('curl')) missing.push('curl');
  if (!have('taskset')) missing.push('util-linux');
  if (missing.length) {
    if (flag('no-install') || process.getuid?.() !== 0) {
      throw new Error(`missing tools: ${missing.join(' ')} (install: apt-get install ${missing.join(' ')})`);
    }
    log(`installing ${missing.join(' ')} with apt-get`);
    execFileSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  // Node servers we compare against live in bench/.tools (gitignored), never in package.json.
  const wanted = Object.entries(TOOL_VERSIONS).filter(([name]) => SERVER_IDS.includes(name === 'sirv-cli' ? 'sirv' : name));
  const stale = wanted.filter(([name, version]) => {
    const pkg = path.join(TOOLS, 'node_modules', name, 'package.json');
    return !existsSync(pkg) || JSON.parse(readFileSync(pkg, 'utf8')).version !== version;
  });
  if (stale.length && !flag('no-install')) {
    const specs = wanted.map(([name, version]) => `${name}@${version}`);
    log(`installing ${specs.join(' ')} into bench/.tools`);
    mkdirSync(TOOLS, { recursive: true });
    execFileSync('npm', ['install', '--prefix', TOOLS, '--no-audit', '--no-fund', '--no-save', ...specs], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
}

function versionOf(cmd, args, pick = (s) => s.split('\n')[0]) {
  // Some tools (nginx -v) print their version on stderr: read both.
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const s = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  return s ? pick(s).trim() : 'unknown';
}

function machineInfo() {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  return {
    cpu,
    cores: os.cpus().length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    hostname: os.hostname(),
    versions: {
      node: process.version,
      python: versionOf(pythonExe(), ['--version']),
      nginx: versionOf('/usr/sbin/nginx', ['-v']),
      wrk: versionOf('wrk', ['-v']),
      curl: versionOf('curl', ['--version'], (t) => t.split(' ').slice(0, 2).join(' ')),
      ...TOOL_VERSIONS,
      chromium: existsSync('/usr/bin/chromium') ? versionOf('/usr/bin/chromium', ['--version']) : 'not installed',
    },
  };
}

const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(', ');

// ---------------------------------------------------------------- load generators
/** Runs wrk pinned to the client CPU; returns {rps, mbps, errors, statusErrors, ...}. */
function runWrk(port, w, seconds) {
  return new Promise((resolve, reject) => {
    const args = ['-t1', `-c${w.conns}`, `-d${seconds}s`, '--timeout', '10s', '-s', path.join(REPO, 'bench', 'lib', 'wrk-report.lua'), `http://127.0.0.1:${port}${w.path}`];
    const child = startProcess('wrk', args, {
      cpu: CLIENT_CPU,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRK_CLOSE: w.close ? '1' : '0', WRK_RANGE_SIZE: w.rangeOf ? String(w.rangeOf) : '' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
      if (!line) return reject(new Error(`wrk failed (code ${code}): ${err || out}`));
      const r = JSON.parse(line.slice(8));
      const secs = r.duration_us / 1e6;
      const sockErrors = r.connect + r.read + r.write + r.timeout;
      const expected = w.expectStatus && w.expectStatus >= 300;
      resolve({
        value: w.unit === 'MB/s' ? r.bytes / secs / 1e6 : r.requests / secs,
        requests: r.requests,
        bytes: r.bytes,
        sockErrors,
        // wrk counts every status >= 400 as a "status error": expected for the 404 workload.
        badStatus: expected ? r.requests - r.status : r.status,
        p50ms: r.lat_p50_us / 1000,
        p99ms: r.lat_p99_us / 1000,
        raw: r,
      });
    });
  });
}

/** Downloads the 256 MiB file `reps` times with curl pinned to the client CPU. */
async function runCurl(port, w, reps) {
  let bytes = 0;
  let secs = 0;
  for (let i = 0; i < reps; i++) {
    const out = await new Promise((resolve, reject) => {
      const child = startProcess('curl', ['-s', '-o', '/dev/null', '--max-time', '300', '-w', '%{http_code} %{size_download} %{time_total}', `http://127.0.0.1:${port}${w.path}`], {
        cpu: CLIENT_CPU,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let s = '';
      child.stdout.on('data', (d) => (s += d));
      child.on('exit', (code) => (code === 0 ? resolve(s) : reject(new Error(`curl exit ${code}`))));
    });
    const [code, size, t] = out.trim().split(' ');
    if (code !== '200' || Number(size) !== 256 * MiB) throw new Error(`curl got ${code}, ${size} bytes`);
    bytes += Number(size);
    secs += Number(t);
  }
  return { value: bytes / secs / 1e6, requests: reps, bytes, sockErrors: 0, badStatus: 0 };
}

// ---------------------------------------------------------------- server CPU time
const CLK_TCK = 100; // Linux USER_HZ for /proc/PID/stat on every mainstream kernel

/** utime + stime of a process (all its threads, living and reaped), in seconds. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/**
 * Measures the server's own CPU time over one workload. Throughput depends on how busy the
 * (shared) machine is; CPU time per request much less so, which makes it the fairer figure
 * when the machine is not idle. For MB/s workloads the unit is CPU ms per 100 MB.
 */
function cpuMeter(pid) {
  const c0 = cpuSeconds(pid);
  const t0 = process.hrtime.bigint();
  return {
    stop(requests, bytes) {
      const c1 = cpuSeconds(pid);
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (c0 == null || c1 == null) return { usPerUnit: null, busy: null };
      const cpu = c1 - c0;
      return { usPerUnit: requests ? (cpu * 1e6) / requests : null, cpuMsPer100MB: bytes ? (cpu * 1e3 * 1e8) / bytes : null, busy: cpu / wall };
    },
  };
}

// ---------------------------------------------------------------- one server
const fixtureDir = path.join(REPO, 'bench', '.fixture');
let pythonListing = null;

/** Checks that a server answers right before we measure it (`listing`: the style it was started with). */
async function verify(def, running, fixture, listing = 'classic') {
  const notes = [];
  const one = await fetchOnce(running.port, '/1k.bin');
  const sha = createHash('sha256').update(one.body).digest('hex');
  if (one.status !== 200 || sha !== fixture.files['1k.bin'].sha256) throw new Error(`${def.id}: /1k.bin is wrong (status ${one.status})`);
  const miss = await fetchOnce(running.port, '/no-such-file.bin');
  if (miss.status !== 404) notes.push(`404 workload answered ${miss.status}`);
  let listingIdentical = null;
  if (def.listing) {
    const list = await fetchOnce(running.port, `/${LISTING_DIR}/`);
    if (list.status !== 200) throw new Error(`${def.id}: listing answered ${list.status}`);
    if (listing === 'modern') {
      if (!list.body.includes('<meta name="viewport"')) throw new Error(`${def.id}: --listing modern did not give the modern page`);
      return { notes, listingIdentical: null };
    }
    if (def.id.startsWith('py')) pythonListing ??= list.body;
    else if (def.id.startsWith('ours') && pythonListing) listingIdentical = list.body.equals(pythonListing);
  }
  return { notes, listingIdentical };
}

/**
 * Starts one server, runs every workload once (run number `run`), stops it. Results of
 * earlier runs are passed in and extended: runs are interleaved across servers so a burst
 * of load from elsewhere on the machine does not land on one server only.
 */
async function benchServer(def, fixture, tmp, profDir, run, previous) {
  const result = previous ?? { id: def.id, label: def.label, logMode: def.logMode, workloads: {}, notes: [], peakRssKb: 0, listingIdentical: null };
  // The modern listing is a setting of ours: its workload gets a server started with it.
  const modern = def.modernListing === 'flag' ? WORKLOADS.filter((w) => w.modern) : [];
  const rest = WORKLOADS.filter((w) => !modern.includes(w));
  if (rest.length) await benchWorkloads(def, fixture, tmp, profDir, run, result, rest, 'classic');
  if (modern.length) await benchWorkloads(def, fixture, tmp, profDir, run, result, modern, 'modern');
  return result;
}

/** Starts the server (with the `listing` style, for ours), runs `workloads` once, stops it. */
async function benchWorkloads(def, fixture, tmp, profDir, run, result, workloads, listing) {
  const ctx = { root: fixture.dir, cpu: SERVER_CPU, tmp, nodeFlags: undefined, listing };
  if (profDir && (def.id === 'ours' || def.id === 'ours-host')) {
    ctx.nodeFlags = ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--import', path.join(REPO, 'bench', 'lib', 'exit-on-sigterm.mjs')];
  }
  const running = await def.start(ctx);
  const peak = () => {
    const kb = procStatusKb(running.pid, 'VmHWM');
    if (kb != null) result.peakRssKb = Math.max(result.peakRssKb, kb);
  };
  try {
    const v = await verify(def, running, fixture, listing);
    if (listing === 'modern') {
      if (run === 0) result.notes.push(...v.notes.map((n) => `(--listing modern) ${n}`));
    } else if (run === 0) {
      result.notes.push(...v.notes);
      result.listingIdentical = v.listingIdentical;
      result.startRssKb = procStatusKb(running.pid, 'VmRSS');
    } else if (v.listingIdentical === false) result.listingIdentical = false;
    {
      for (const w of workloads) {
        if ((def.id === 'ours-logfile' || def.id === 'ours-host-links') && !['a64', 'f'].includes(w.id)) continue;
        const slot = (result.workloads[w.id] ??= { values: [], runs: [] });
        if (w.listing && !def.listing) {
          slot.na = 'no directory listings';
          continue;
        }
        if (w.modern && !def.modernListing) {
          slot.na = 'no listing with sizes and dates';
          continue;
        }
        if (w.keepAliveOnly && !def.keepAlive) {
          slot.na = 'closes every connection (HTTP/1.0)';
          continue;
        }
        log(`  ${def.id} ${w.id}`);
        const rssBefore = procStatusKb(running.pid, 'VmRSS');
        const hwmBefore = procStatusKb(running.pid, 'VmHWM');
        if (w.kind === 'wrk') {
          const cpu = cpuMeter(running.pid);
          // A listing takes ~0.25 s today: give e at least 3 s even in --quick mode.
          const r = await runWrk(running.port, w, w.listing ? Math.max(DURATION, 3) : DURATION);
          const c = cpu.stop(r.requests, r.bytes);
          slot.values.push(r.value);
          (slot.cpuUs ??= []).push(w.unit === 'MB/s' ? c.cpuMsPer100MB : c.usPerUnit);
          (slot.busy ??= []).push(c.busy);
          slot.runs.push({ value: r.value, requests: r.requests, sockErrors: r.sockErrors, badStatus: r.badStatus, p50ms: r.p50ms, p99ms: r.p99ms, ...c });
        } else if (w.kind === 'curl') {
          const cpu = cpuMeter(running.pid);
          const r = await runCurl(running.port, w, CURL_REPS);
          const c = cpu.stop(r.requests, r.bytes);
          (slot.cpuUs ??= []).push(c.cpuMsPer100MB);
          (slot.busy ??= []).push(c.busy);
          slot.values.push(r.value);
          slot.runs.push({ value: r.value, downloads: r.requests });
        } else if (w.kind === 'idle') {
          peak();
          const rssBeforeKb = procStatusKb(running.pid, 'VmRSS');
          const resetOk = resetPeakRss(running.pid);
          const holder = new IdleHolder(running.port, w.path);
          try {
            await holder.open(IDLE_CONNECTIONS);
            const opened = holder.sockets.length;
            const r = await runWrk(running.port, w, DURATION);
            const stillOpen = holder.openCount();
            const answered = await holder.check();
            const gPeak = procStatusKb(running.pid, 'VmHWM');
            slot.values.push(r.value);
            slot.runs.push({
              value: r.value,
              requests: r.requests,
              sockErrors: r.sockErrors,
              badStatus: r.badStatus,
              idleOpened: opened,
              idleFailed: holder.failedToOpen,
              idleClosedByServer: holder.closedWhileIdle,
              idleStillOpen: stillOpen,
              idleAnsweredAfter: answered,
              peakRssKb: resetOk ? gPeak : null,
              rssBeforeKb,
            });
          } finally {
            holder.closeAll();
          }
          peak();
        } else if (w.kind === 'slow') {
          await sleep(300);
          const before = procStatusKb(running.pid, 'VmRSS') ?? 0;
          let max = before;
          const r = await slowRead(running.port, w.path, {
            bytesPerSec: MiB,
            durationMs: SLOW_MS,
            onTick: () => {
              const kb = procStatusKb(running.pid, 'VmRSS');
              if (kb != null) max = Math.max(max, kb);
            },
          });
          const growthMiB = (max - before) / 1024;
          slot.values.push(growthMiB);
          slot.runs.push({ value: growthMiB, rssBeforeKb: before, rssMaxKb: max, clientReceivedMiB: r.received / MiB, seconds: SLOW_MS / 1000 });
          await sleep(300);
        }
        // Which workload makes the server grow: RSS and peak before/after each one.
        (slot.rss ??= []).push({ beforeKb: rssBefore, afterKb: procStatusKb(running.pid, 'VmRSS'), peakBeforeKb: hwmBefore, peakAfterKb: procStatusKb(running.pid, 'VmHWM') });
      }
    }
    peak();
    const stats = running.stats?.();
    if (stats && listing === 'classic') (result.stats ??= []).push(stats);
  } finally {
    await running.stop();
  }
}

// ---------------------------------------------------------------- tables
const BASE_COLS = [
  ['ours', 'ours'],
  ['py10', 'py 1.0'],
  ['py11', 'py 1.1'],
  ['nginx', 'nginx'],
  ['sirv', 'sirv'],
];
/** Optional comparisons get a column only when they were run. */
const OPTIONAL_COLS = [
  ['http-server', 'http-server'],
  ['serve', 'serve'],
];
let COLS = BASE_COLS;

function med(results, sid, wid) {
  return results[sid]?.workloads[wid]?.median ?? null;
}
function cell(results, sid, wid) {
  const slot = results[sid]?.workloads[wid];
  if (!results[sid]) return '·';
  if (!slot) return '·';
  if (slot.na) return 'n/a';
  return fmtNum(slot.median);
}
function bestPython(results, wid) {
  const a = med(results, 'py10', wid);
  const b = med(results, 'py11', wid);
  if (a == null) return b;
  if (b == null) return a;
  return Math.max(a, b);
}

/** Target checks for one of our rows; returns [text, pass|null]. */
function target(results, sid, wid) {
  const v = med(results, sid, wid);
  const ng = med(results, 'nginx', wid);
  const py = bestPython(results, wid);
  const sv = med(results, 'sirv', wid);
  const ge = (a, b, k) => (a == null || b == null ? null : a >= k * b);
  const all = (...xs) => (xs.some((x) => x === false) ? false : xs.some((x) => x == null) ? null : true);
  switch (wid) {
    case 'a1':
      return ['≥0.5× nginx', ge(v, ng, 0.5)];
    case 'a64':
      return ['≥0.5× nginx, ≥2× sirv', all(ge(v, ng, 0.5), ge(v, sv, 2))];
    case 'b':
      return ['≥2× python', ge(v, py, 2)];
    case 'c':
      return ['≥0.8× nginx', ge(v, ng, 0.8)];
    case 'd':
      return ['≥0.9× nginx', ge(v, ng, 0.9)];
    case 'e': {
      const same = results[sid]?.listingIdentical;
      return ['≥1× nginx, ≥3× python, identical', all(ge(v, ng, 1), ge(v, py, 3), same)];
    }
    case 'e-modern':
      return ['≥1× nginx (its autoindex)', ge(v, ng, 1)];
    case 'range':
      return ['', null];
    case 'f':
      return ['≥0.5× nginx', ge(v, ng, 0.5)];
    case 'g': {
      const runs = results[sid]?.workloads.g?.runs ?? [];
      const open = runs.length ? runs.every((r) => r.idleAnsweredAfter === IDLE_CONNECTIONS) : null;
      const a16 = med(results, sid, 'a16');
      const rss = runs.length ? Math.max(...runs.map((r) => r.peakRssKb ?? Infinity)) < 100 * 1024 : null;
      return ['all idle open, ≥0.9× own a16, <100 MiB', all(open, ge(v, a16, 0.9), rss)];
    }
    case 'slow': {
      if (v == null) return ['flat (<16 MiB growth)', null];
      return ['flat (<16 MiB growth)', v < 16];
    }
    default:
      return ['', null];
  }
}
const mark = (p) => (p === true ? 'yes' : p === false ? '**NO**' : '?');

/**
 * A ratio to nginx only means something when nginx was the bottleneck: if its worker used
 * well under a core while ours used nearly all of one, nginx was starved (by the client or
 * by other work on the machine) and the throughput ratio flatters us. Say so next to it.
 */
function referenceCaveat(results, sid, wid) {
  const ng = results.nginx?.workloads[wid]?.busyMedian;
  const us = results[sid]?.workloads[wid]?.busyMedian;
  if (ng == null || us == null) return '';
  return ng < 0.8 && us > ng + 0.15 ? ` (but nginx was only ${Math.round(ng * 100)} % busy: client or machine was the limit, see CPU table)` : '';
}

function mainTable(results, sid = 'ours') {
  COLS = [...BASE_COLS, ...OPTIONAL_COLS.filter(([id]) => results[id])];
  const header = ['workload', 'unit', ...COLS.map(([id, name]) => (id === 'ours' ? sidName(sid) : name)), '÷ python', '÷ nginx', '÷ sirv', 'target', 'met'];
  const rows = WORKLOADS.map((w) => {
    const v = med(results, sid, w.id);
    const [t, p] = target(results, sid, w.id);
    const isSize = w.unit === 'MiB';
    return [
      `${w.id}: ${w.what}`,
      w.unit,
      ...COLS.map(([id]) => cell(results, id === 'ours' ? sid : id, w.id)),
      isSize ? '' : fmtRatio(v, bestPython(results, w.id)),
      isSize ? '' : fmtRatio(v, med(results, 'nginx', w.id)),
      isSize ? '' : fmtRatio(v, med(results, 'sirv', w.id)),
      t,
      mark(p) + (p === true && ['a64', 'c', 'd', 'e', 'e-modern', 'f'].includes(w.id) ? referenceCaveat(results, sid, w.id) : ''),
    ];
  });
  rows.push([
    'peak RSS of the server, whole run',
    'MiB',
    ...COLS.map(([id]) => {
      const r = results[id === 'ours' ? sid : id];
      return r ? fmtNum(r.peakRssKb / 1024) : '·';
    }),
    '',
    '',
    '',
    '',
    '',
  ]);
  rows.push([
    'g: idle connections still answering after wrk',
    `of ${IDLE_CONNECTIONS}`,
    ...COLS.map(([id]) => {
      const slot = results[id === 'ours' ? sid : id]?.workloads.g;
      if (!slot) return '·';
      if (slot.na) return 'n/a';
      return slot.runs.map((r) => r.idleAnsweredAfter).join(' / ');
    }),
    '',
    '',
    '',
    '',
    '',
  ]);
  rows.push([
    'g: peak RSS during g (RSS when g began)',
    'MiB',
    ...COLS.map(([id]) => {
      const slot = results[id === 'ours' ? sid : id]?.workloads.g;
      if (!slot) return '·';
      if (slot.na) return 'n/a';
      return slot.runs.map((r) => (r.peakRssKb == null ? '?' : `${fmtNum(r.peakRssKb / 1024)} (from ${fmtNum((r.rssBeforeKb ?? 0) / 1024)})`)).join(' / ');
    }),
    '',
    '',
    '',
    '',
    '',
  ]);
  return mdTable(header, rows);
}

/** Server CPU cost per unit of work: robust to a busy machine, unlike throughput. */
function cpuTable(results) {
  const cols = [['ours', 'ours'], ['ours-logfile', 'ours log→file'], ['ours-host-links', 'host log→app, links followed'], ['ours-host', 'ours+log→app'], ...COLS.slice(1)].filter(([id]) => results[id]);
  const header = ['workload', 'unit', ...cols.map(([, n]) => n), 'nginx ÷ ours', 'python ÷ ours'];
  const cpu = (sid, wid) => results[sid]?.workloads[wid]?.cpuMedian ?? null;
  const rows = WORKLOADS.filter((w) => w.kind === 'wrk' || w.kind === 'curl').map((w) => {
    const pyBest = [cpu('py10', w.id), cpu('py11', w.id)].filter((x) => x != null);
    return [
      w.id,
      w.unit === 'MB/s' ? 'CPU ms / 100 MB' : 'CPU µs / request',
      ...cols.map(([id]) => {
        const slot = results[id]?.workloads[w.id];
        if (!slot) return '·';
        if (slot.na) return 'n/a';
        const busy = slot.busyMedian == null ? '' : ` (${Math.round(slot.busyMedian * 100)} %)`;
        return `${fmtNum(slot.cpuMedian)}${busy}`;
      }),
      fmtRatio(cpu('nginx', w.id), cpu('ours', w.id)),
      pyBest.length ? fmtRatio(Math.min(...pyBest), cpu('ours', w.id)) : '–',
    ];
  });
  return mdTable(header, rows);
}

/** RSS of each server after each workload (first run), to see which workload makes it grow. */
function rssTable(results) {
  const cols = [['ours', 'ours'], ['ours-host', 'ours+log→app'], ...COLS.slice(1)].filter(([id]) => results[id]);
  const rows = WORKLOADS.map((w) => [
    w.id,
    ...cols.map(([id]) => {
      const r = results[id]?.workloads[w.id]?.rss?.[0];
      return r?.afterKb == null ? '·' : `${fmtNum(r.afterKb / 1024)} (peak ${fmtNum((r.peakAfterKb ?? 0) / 1024)})`;
    }),
  ]);
  rows.unshift(['after start + checks', ...cols.map(([id]) => (results[id]?.startRssKb ? fmtNum(results[id].startRssKb / 1024) : '·'))]);
  return mdTable(['RSS MiB after', ...cols.map(([, n]) => n)], rows);
}

function sidName(sid) {
  return { ours: 'ours', 'ours-host': 'ours+log→app', 'ours-logfile': 'ours+log→file' }[sid] ?? sid;
}

function logTable(results) {
  const header = ['workload', 'unit', 'ours (stderr→/dev/null)', 'ours (stderr→file)', 'host, log→app, links followed', 'host, log→app (app default)', 'cost: file', 'cost: app log', 'cost: app log + link check', 'target'];
  const cost = (on, off) => (on == null || off == null || off === 0 ? '–' : `${(((off - on) / off) * 100).toFixed(1)} %`);
  const rows = WORKLOADS.filter((w) => w.unit !== 'MiB').map((w) => {
    const off = med(results, 'ours', w.id);
    const cpu = (sid) => results[sid]?.workloads[w.id]?.cpuMedian ?? null;
    void cpu;
    const file = med(results, 'ours-logfile', w.id);
    const host = med(results, 'ours-host', w.id);
    const links = med(results, 'ours-host-links', w.id);
    return [
      `${w.id}`,
      w.unit,
      cell(results, 'ours', w.id),
      cell(results, 'ours-logfile', w.id),
      cell(results, 'ours-host-links', w.id),
      cell(results, 'ours-host', w.id),
      cost(file, off),
      cost(links, off),
      cost(host, off),
      ['a64', 'f'].includes(w.id) ? '≤10 %' : '',
    ];
  });
  return mdTable(header, rows);
}

function errorNotes(results) {
  const out = [];
  for (const r of Object.values(results)) {
    for (const [wid, slot] of Object.entries(r.workloads)) {
      for (const run of slot.runs ?? []) {
        if (!run.sockErrors && !run.badStatus) continue;
        const expected = wid === 'b' && run.badStatus === 0 && run.sockErrors <= run.requests;
        out.push(
          `${r.id} ${wid}: ${run.sockErrors} socket errors, ${run.badStatus} unexpected statuses in ${run.requests} requests` +
            (expected
              ? ' (expected: the server closes after each answer as asked but does not send `Connection: close`, as CPython does on HTTP/1.1, so wrk counts a read error before reconnecting; every request was answered)'
              : ''),
        );
      }
    }
    for (const n of r.notes) out.push(`${r.id}: ${n}`);
  }
  return out;
}

// ---------------------------------------------------------------- window benchmark
async function runWindowBench(resultsDir) {
  const requests = Number(opt('window-requests', QUICK ? 50000 : 1000000));
  const outFile = path.join(resultsDir, 'window.json');
  log(`window benchmark: ${requests.toLocaleString('en-US')} requests at 5,000/s`);
  const extra = flag('cpu-prof') ? [`--cpu-prof-dir=${path.join(resultsDir, 'prof')}`] : [];
  const child = startProcess(process.execPath, [path.join(REPO, 'bench', 'window.mjs'), `--requests=${requests}`, `--json=${outFile}`, ...extra], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
  if (existsSync(outFile)) return JSON.parse(readFileSync(outFile, 'utf8'));
  return { ok: false, error: `bench/window.mjs exited with code ${code} and wrote no result` };
}

function windowSection(win) {
  if (!win) return '_Window benchmark not run (--no-window)._';
  if (!win.made) return `Window benchmark did not complete: ${win.error}`;
  const sum = win.made - win.shown - win.dropped;
  const flat = win.heapEarlyMiB != null && win.heapEndMiB != null ? win.heapEndMiB - win.heapEarlyMiB : null;
  const rows = [
    ['requests made (answered by the server)', fmtNum(win.made), ''],
    ['rows counted by the window (`count-requests`)', fmtNum(win.shown), ''],
    ['counted as not received (dropped before the window)', fmtNum(win.dropped), ''],
    ['made − (counted + dropped)', String(sum), sum === 0 ? 'yes' : '**NO**'],
    ['failed requests', String(win.failed), win.failed === 0 ? 'yes' : '**NO**'],
    ['achieved request rate (target 5,000/s)', `${fmtNum(win.rate)} req/s`, win.rate >= 4900 ? 'yes' : '**NO**'],
    ['longest frame (rAF gap)', `${fmtNum(win.longestFrameMs)} ms`, win.longestFrameMs != null && win.longestFrameMs <= 100 ? 'yes' : '**NO**'],
    ['frames over 100 ms / frames', `${win.framesOver100} / ${win.frames}`, ''],
    ['longest long task', win.longestTaskMs == null ? '–' : `${fmtNum(win.longestTaskMs)} ms`, ''],
    ['JS heap after GC: at 25 % → at end', `${fmtNum(win.heapEarlyMiB)} → ${fmtNum(win.heapEndMiB)} MiB`, flat == null ? '?' : flat < 5 ? 'yes' : '**NO**'],
  ];
  const lines = [mdTable(['measure', 'value', 'target met'], rows), ''];
  lines.push(
    mdTable(
      ['checkpoint', 'rows', 'JS heap used (after GC)', 'DOM nodes', 'renderer RSS (processes)'],
      (win.heap ?? []).map((h) => [h.label, fmtNum(h.rows), `${fmtNum(h.heapUsedMiB)} MiB`, fmtNum(h.domNodes), `${fmtNum(h.rendererRssMiB)} MiB (${h.rendererProcesses ?? '?'})`]),
    ),
  );
  if (win.frameHistogram) {
    const h = win.frameHistogram;
    const n = (lo, hi) => Object.entries(h).filter(([b]) => Number(b) >= lo && Number(b) < hi).reduce((a, [, c]) => a + c, 0);
    lines.push('', `Frame gaps: ≤33 ms ${n(0, 2)}, 33–67 ms ${n(2, 4)}, 67–100 ms ${n(4, 6)}, >100 ms ${n(6, 99)}.`);
  }
  if (win.longFrames?.length) {
    const gc = win.longFrames.filter((f) => (f.heapDropMiB ?? 0) >= 1).length;
    lines.push(
      '',
      `Frames over 100 ms (seconds after the monitor started: ms [JS heap drop across the frame]): ${win.longFrames.slice(0, 40).map((f) => `${f.atS}s: ${f.ms}${f.heapDropMiB != null ? ` [${f.heapDropMiB}]` : ''}`).join(', ')}${win.longFrames.length > 40 ? ', …' : ''}`,
      '',
      `${gc} of ${win.longFrames.length} long frames saw the JS heap shrink by ≥ 1 MiB (a garbage collection ran in them).`,
    );
  }
  if (win.rendererProfile) lines.push('', `Renderer CPU profile (25 % → 50 % of the run), top self time:`, '', win.rendererProfile.top);
  if (win.error) lines.push('', `Error: ${win.error}`);
  if (win.notes?.length) lines.push('', ...win.notes.map((n) => `- ${n}`));
  return lines.join('\n');
}

// ---------------------------------------------------------------- RESULTS.md
const ANALYSIS_MARKER = '<!-- hand-written analysis below: kept when --write-results rewrites the file -->';

function writeResultsMd(report) {
  const file = path.join(REPO, 'bench', 'RESULTS.md');
  let analysis = `${ANALYSIS_MARKER}\n\n## Analysis\n\n_(none yet)_\n`;
  if (existsSync(file)) {
    const old = readFileSync(file, 'utf8');
    const i = old.indexOf(ANALYSIS_MARKER);
    if (i >= 0) analysis = old.slice(i);
  }
  writeFileSync(file, `${renderReport(report, true)}\n\n${analysis}`);
  log(`wrote ${path.relative(REPO, file)}`);
}

function renderReport(report, forFile) {
  const m = report.machine;
  const head = [
    '# Servedir benchmark results',
    '',
    forFile ? '_Written by `npm run bench -- --write-results` (bench/run.mjs). Everything above the analysis marker is regenerated._' : '',
    '',
    `- Date: ${report.date}`,
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, Linux ${m.kernel}`,
    `- Load average before / after: ${report.loadBefore} / ${report.loadAfter} (the machine is shared; see notes)`,
    `- Mode: ${report.quick ? '**--quick (1 short run: indicative only)**' : `${report.runs} runs × ${report.duration} s per workload, medians quoted`}`,
    `- Pinning: each server on CPU ${SERVER_CPU} (taskset), wrk / curl / this harness on CPU ${CLIENT_CPU}; loopback 127.0.0.1`,
    `- Versions: ${Object.entries(m.versions).map(([k, v]) => `${k} \`${v}\``).join(', ')}`,
    '',
    'Servers and their log mode:',
    '',
    ...report.servers.map((s) => `- \`${s.id}\`: ${s.label}: ${s.skipped ? `**skipped: ${s.skipped}**` : s.logMode}`),
    '',
    '## Servers (log discarded: stderr → /dev/null for ours and python, access_log off for nginx, sirv --quiet)',
    '',
    '"÷ python" compares with the faster of python\'s two protocol modes for that workload. MB/s = 10^6 bytes/s',
    'of response bytes (headers + body) received by the client. `·` = not run; `n/a` = not applicable.',
    '',
    mainTable(report.results, 'ours'),
    '',
    '## Server CPU time per unit of work (lower is better)',
    '',
    'Measured from /proc/PID/stat (utime + stime, all threads) around each run; in brackets the share of one core the',
    'server used (below ~95 % means it was waiting: on the client, on the disk, or on a machine busy with other work).',
    'On a shared machine these ratios are steadier than the throughput ratios above. "nginx ÷ ours" = how many times',
    'more CPU we spend than nginx for the same work, inverted so that higher is better, like the throughput ratios.',
    '',
    cpuTable(report.results),
    '',
    '## Server memory after each workload (first run; MiB, VmRSS and VmHWM so far)',
    '',
    'Workloads run in the order shown, on one server process per run; the g row includes the idle connections.',
    '',
    rssTable(report.results),
    '',
    '## With the structured request log switched on, as the app runs it',
    '',
    'Rows `ours+log→app`: the utility host (`out/main/host.cjs`) forked with child_process.fork, started with the',
    'host protocol; its batched `log` messages are received and counted by the harness (pinned to the client CPU),',
    'as the shell receives them. The app shares with followSymlinks off, so every request also resolves real paths',
    '(two realpath calls): `host, log→app, links followed` runs the same host with followSymlinks on, like the CLI, to',
    'separate the cost of the log from the cost of that check. `ours (stderr→file)`: the CLI writing its',
    'CPython-format log to a file on disk.',
    '',
    report.results['ours-host'] ? mainTable(report.results, 'ours-host') : '_ours-host not run._',
    '',
    logTable(report.results),
    '',
    report.results['ours-host']?.stats
      ? `Log messages received from the host, per run: ${report.results['ours-host'].stats.map((st) => `${st.entries} entries (${st.requestEntries} requests) in ${st.batches} batches, ${st.dropped} dropped`).join('; ')}`
      : '',
    '',
    '## Listing identical to CPython',
    '',
    ...['ours', 'ours-host'].filter((s) => report.results[s]).map((s) => `- \`${s}\`: /${LISTING_DIR}/ byte-identical to python's in this run: ${report.results[s].listingIdentical}`),
    '',
    '## A folder as .zip (workload zip)',
    '',
    zipSection(report.zip),
    '',
    '## Visitors sending files (workload upload)',
    '',
    uploadSection(report.upload),
    '',
    '## Window benchmark (browser mode, real Chromium)',
    '',
    windowSection(report.window),
    '',
    '## Errors and notes from this run',
    '',
    ...(report.errors.length ? report.errors.map((e) => `- ${e}`) : ['- none']),
  ];
  return head.join('\n');
}

// ---------------------------------------------------------------- main
async function main() {
  installCleanupHandlers();
  const from = opt('from', null);
  if (from) {
    // Re-render the tables (and RESULTS.md with --write-results) from a saved run.
    const report = JSON.parse(readFileSync(path.resolve(from), 'utf8'));
    console.log(renderReport(report, false));
    if (flag('write-results')) writeResultsMd(report);
    return;
  }
  ensureTools();
  try {
    pinPid(process.pid, CLIENT_CPU);
  } catch {
    log('could not pin the harness to the client CPU');
  }
  const loadBefore = loadavg();
  log(`load average ${loadBefore}`);
  const fixture = ensureFixture(fixtureDir, { fresh: flag('fresh-fixture'), log });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const resultsDir = path.join(REPO, 'bench', `results-${stamp}`);
  mkdirSync(resultsDir, { recursive: true });
  const tmp = trackTempDir(mkdtempSync(path.join(os.tmpdir(), 'servedir-bench-')));
  const profDir = flag('cpu-prof') ? path.join(resultsDir, 'prof') : null;

  const defs = {
    py10: python('HTTP/1.0'),
    py11: python('HTTP/1.1'),
    nginx: nginx(),
    sirv: sirv(),
    ours: oursCli(),
    'ours-host': oursHost(),
    'ours-logfile': oursCli({ logFile: true }),
    'ours-host-links': oursHost({ followSymlinks: true }),
    'http-server': httpServer(),
    serve: serveServer(),
  };
  const results = {};
  const servers = [];
  for (const id of SERVER_IDS) {
    const def = defs[id];
    if (!def) throw new Error(`unknown server ${id}`);
    const why = def.unavailable();
    servers.push({ id, label: def.label, logMode: def.logMode, skipped: why });
    if (why) log(`skipping ${id}: ${why}`);
  }
  for (let run = 0; run < RUNS; run++) {
    for (const s of servers) {
      if (s.skipped) continue;
      log(`run ${run + 1}/${RUNS}: ${s.id}`);
      try {
        results[s.id] = await benchServer(defs[s.id], fixture, tmp, profDir, run, results[s.id]);
      } catch (e) {
        log(`${s.id} failed: ${e.message}`);
        s.skipped = `failed in run ${run + 1}: ${e.message}`;
      }
    }
  }
  for (const r of Object.values(results)) {
    for (const slot of Object.values(r.workloads)) {
      slot.median = median(slot.values);
      slot.cpuMedian = median(slot.cpuUs ?? []);
      slot.busyMedian = median(slot.busy ?? []);
    }
  }

  // Workload zip starts its own server (our CLI with --zip): bench/lib/zip-workload.mjs.
  let zip = null;
  if (opt('workloads', null) === null || WORKLOAD_IDS.includes('zip')) {
    log('zip: a folder as one .zip against a raw read');
    zip = await runZipBench({ fixtureDir: fixture.dir, tmp, runs: RUNS, serverCpu: SERVER_CPU, clientCpu: CLIENT_CPU, log });
  }

  // Workload upload starts its own servers (our CLI with --upload, nginx with WebDAV PUT).
  let upload = null;
  if (opt('workloads', null) === null || WORKLOAD_IDS.includes('upload')) {
    log('upload: 16 × 1 MiB PUTs, one 256 MiB PUT and one slow uploader, against nginx WebDAV');
    upload = await runUploadBench({ fixtureDir: fixture.dir, tmp, runs: RUNS, duration: DURATION, serverCpu: SERVER_CPU, clientCpu: CLIENT_CPU, log });
  }

  let window = null;
  if (!flag('no-window')) window = await runWindowBench(resultsDir);

  const report = {
    date: new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
    machine: machineInfo(),
    loadBefore,
    loadAfter: loadavg(),
    quick: QUICK,
    runs: RUNS,
    duration: DURATION,
    servers,
    results,
    window,
    zip,
    upload,
    errors: errorNotes(results),
  };
  writeFileSync(path.join(resultsDir, 'results.json'), JSON.stringify(report, null, 2));
  const text = renderReport(report, false);
  console.log(text);
  if (profDir && existsSync(profDir)) {
    for (const f of readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'))) {
      console.log(`\n## CPU profile of ours (${f}): top self time\n`);
      console.log(summarizeProfile(path.join(profDir, f), 25));
    }
  }
  if (flag('write-results')) writeResultsMd(report);
  log(`raw results in ${path.relative(REPO, resultsDir)}/results.json`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench: ${e?.stack ?? e}\n`);
    process.exit(1);
  },
);
