#!/usr/bin/env node
/**
 * Window benchmark (plain Node driving real Chromium; run by `npm run bench`, or alone:
 * `node bench/window.mjs [--requests=N] [--rate=R] [--json=FILE] [--no-build] [--cpu-prof-dir=DIR]`).
 *
 * Starts the app's browser mode (`node out/main/web.cjs`, its own temporary user-data
 * folder), opens the window in /usr/bin/chromium with playwright-core, starts sharing the
 * benchmark fixture on 127.0.0.1 through the window's own API (the same invoke calls the
 * Share button makes), then streams real HTTP traffic at a sustained rate (default 5,000
 * requests/s, 1,000,000 requests) from a paced client pinned to CPU 1. It records:
 *   - requests answered vs rows the window counted (`count-requests`) + rows it reports as
 *     not received (dropped before reaching it): these must add up exactly;
 *   - the longest frame (a requestAnimationFrame loop injected into the page) and long tasks;
 *   - the renderer's JS heap (CDP, after a forced GC at checkpoints) and renderer process RSS.
 * Everything it starts is killed on exit, error or Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installCleanupHandlers, startProcess, stopProcess, trackTempDir, freePort, sleep, onCleanup } from './lib/procs.mjs';
import { ensureFixture } from './lib/fixture.mjs';
import { REPO } from './lib/servers.mjs';
import { summarizeProfile } from './lib/cpuprofile-top.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const hit = argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : dflt;
};
const REQUESTS = Number(opt('requests', 1000000));
const RATE = Number(opt('rate', 5000));
const JSON_OUT = opt('json', null);
const NO_BUILD = argv.includes('--no-build');
/** Where to save a CPU profile of the renderer taken between the 25 % and 50 % checkpoints. */
const PROF_DIR = opt('cpu-prof-dir', null);
const CLIENT_CPU = 1;
const CHECKPOINTS = [0.25, 0.5, 0.75, 1];
const log = (s) => process.stderr.write(`window-bench: ${s}\n`);
const MiB = 1024 * 1024;

const result = {
  ok: false,
  requestsPlanned: REQUESTS,
  ratePlanned: RATE,
  made: 0,
  failed: 0,
  shown: 0,
  dropped: 0,
  rate: 0,
  longestFrameMs: null,
  framesOver100: null,
  frames: null,
  longestTaskMs: null,
  heap: [],
  heapEarlyMiB: null,
  heapEndMiB: null,
  longFrames: [],
  domNodes: null,
  notes: [],
  error: null,
};

function finish(code) {
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(result, null, 2));
  else console.log(JSON.stringify(result, null, 2));
  process.exit(code);
}

/** Pids of Chromium renderer processes descending from this process. */
function rendererPids() {
  const parent = new Map();
  const cmd = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      cmd.set(Number(d), readFileSync(`/proc/${d}/cmdline`, 'utf8'));
    } catch {
      /* exited */
    }
  }
  const mine = (pid) => {
    for (let p = pid, i = 0; p > 1 && i < 50; p = parent.get(p) ?? 0, i++) if (p === process.pid) return true;
    return false;
  };
  return [...cmd.entries()].filter(([pid, c]) => c.includes('--type=renderer') && mine(pid)).map(([pid]) => pid);
}
function rssMiB(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Calls the window's API from inside the signed-in page (the session is an HttpOnly cookie
 * the page's requests carry; electron/web/control-server.ts), as the window itself does.
 */
async function invoke(page, channel, args) {
  const { status, body } = await page.evaluate(async ([ch, a]) => {
    const res = await fetch(`/api/invoke/${ch}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ args: a }) });
    return { status: res.status, body: await res.json() };
  }, [channel, args]);
  if (status !== 200 || !body.ok) throw new Error(`${channel}: HTTP ${status} ${JSON.stringify(body)}`);
  return body.value;
}

const parseCount = (s) => (s ? Number(String(s).replace(/[^\d]/g, '') || 0) : 0);

/** Reads the window's counters from the DOM. */
async function readCounters(page) {
  return page.evaluate(() => {
    const req = document.querySelector('[data-testid="count-requests"]')?.textContent ?? null;
    const nr =
      document.querySelector('[data-testid="count-not-received"]')?.textContent ??
      /([\d,.\s]+)\s+not received/.exec(document.querySelector('.notice-warn')?.textContent ?? '')?.[1] ??
      null;
    return { req, nr, hasReq: req !== null };
  });
}

async function main() {
  installCleanupHandlers();
  if (!NO_BUILD) {
    log('building the app (npm run build:app)');
    try {
      execFileSync('npm', ['run', 'build:app'], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      throw new Error(`npm run build:app failed: ${String(e.stderr ?? e.message).slice(-600)}`);
    }
  }
  const webEntry = path.join(REPO, 'out', 'main', 'web.cjs');
  for (const f of [webEntry, path.join(REPO, 'out', 'main', 'host.cjs'), path.join(REPO, 'out', 'renderer', 'index.html')]) {
    if (!existsSync(f)) throw new Error(`${path.relative(REPO, f)} is missing: the browser mode is not built`);
  }
  if (!existsSync('/usr/bin/chromium')) throw new Error('/usr/bin/chromium is not installed (apt-get install chromium)');
  const { chromium } = await import('playwright-core');

  const fixture = ensureFixture(path.join(REPO, 'bench', '.fixture'), { log });
  const userData = trackTempDir(mkdtempSync(path.join(os.tmpdir(), 'servedir-bench-window-')));

  // 1. The app's browser mode.
  const web = startProcess(process.execPath, [webEntry], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SERVEDIR_USER_DATA: userData },
  });
  let webOut = '';
  web.stderr.on('data', (d) => (webOut += d));
  const url = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`web.cjs printed no URL in 20 s: ${webOut}`)), 20000);
    web.stdout.on('data', (d) => {
      webOut += d;
      // The printed sign-in address (single use): the page below opens it once.
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?key=[\w-]+)\s/.exec(webOut);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
    web.once('exit', (c) => reject(new Error(`web.cjs exited (${c}): ${webOut}`)));
  });
  const origin = new URL(url).origin;
  log(`browser mode at ${origin}`);

  // 2. Real Chromium.
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-precise-memory-info'],
  });
  onCleanup(() => {
    /* the browser's process group is killed with ours; nothing synchronous to do */
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e?.message ?? e)));
  await page.goto(url);
  await page.waitForSelector('[data-testid="count-requests"]', { timeout: 20000 }).catch(() => {
    throw new Error('the window shows no [data-testid="count-requests"] counter');
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');

  // 3. Share the fixture on loopback, HTTP/1.1, through the window's API.
  const port = await freePort();
  await invoke(page, 'settings:update', [{ directory: fixture.dir, port, bind: '127.0.0.1', protocolVersion: 'HTTP/1.1', cgi: false }]);
  const started = await invoke(page, 'server:start', []);
  if (!started.ok || started.value.state !== 'running') throw new Error(`server:start: ${JSON.stringify(started)}`);
  log(`sharing on 127.0.0.1:${started.value.port}`);

  // 4. Frame monitor.
  await page.evaluate(() => {
    const f = { max: 0, over100: 0, count: 0, last: performance.now(), paused: false, longTaskMax: 0, t0: performance.now(), long: [], hist: {}, heap: 0 };
    const heapNow = () => performance.memory?.usedJSHeapSize ?? 0;
    f.heap = heapNow();
    globalThis.__benchFrames = f;
    const tick = (t) => {
      if (!f.paused) {
        const d = t - f.last;
        f.count++;
        if (d > f.max) f.max = d;
        if (d > 100) f.over100++;
        // Histogram of frame gaps (16.7 ms buckets), and when the long ones happened, with
        // how much the JS heap shrank across them (a drop of MiBs = a GC ran in that frame).
        const bucket = Math.min(20, Math.floor(d / 16.7));
        f.hist[bucket] = (f.hist[bucket] ?? 0) + 1;
        const h = heapNow();
        if (d > 100 && f.long.length < 1000) f.long.push({ atS: Math.round((t - f.t0) / 100) / 10, ms: Math.round(d), heapDropMiB: Math.round(((f.heap - h) / 1048576) * 10) / 10 });
        f.heap = h;
      }
      else f.heap = heapNow();
      f.last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    try {
      new PerformanceObserver((list) => {
        if (f.paused) return;
        for (const e of list.getEntries()) f.longTaskMax = Math.max(f.longTaskMax, e.duration);
      }).observe({ type: 'longtask', buffered: false });
    } catch {
      /* no long-task API */
    }
  });

  /** Forces a GC (frames paused so our own GC is not blamed on the app) and samples memory. */
  const sampleMemory = async (label, rows) => {
    await page.evaluate(() => (globalThis.__benchFrames.paused = true));
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    await page.evaluate(() => {
      globalThis.__benchFrames.last = performance.now();
      globalThis.__benchFrames.paused = false;
    });
    const get = (n) => metrics.find((m) => m.name === n)?.value ?? null;
    const pids = rendererPids();
    const rss = pids.reduce((a, p) => a + rssMiB(p), 0);
    const s = { label, rows, rendererProcesses: pids.length, heapUsedMiB: get('JSHeapUsedSize') / MiB, heapTotalMiB: get('JSHeapTotalSize') / MiB, domNodes: get('Nodes'), rendererRssMiB: rss };
    result.heap.push(s);
    log(`memory at ${label}: heap ${s.heapUsedMiB.toFixed(1)} MiB, DOM nodes ${s.domNodes}, renderer RSS ${rss.toFixed(0)} MiB`);
    return s;
  };
  await sampleMemory('before traffic', 0);

  // 5. Sustained traffic from a paced client pinned to the load generator's CPU.
  const client = startProcess(process.execPath, [path.join(REPO, 'bench', 'lib', 'paced-client.mjs'), `--port=${started.value.port}`, '--path=/1k.bin', `--rate=${RATE}`, `--total=${REQUESTS}`, '--conns=32'], {
    cpu: CLIENT_CPU,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let done = null;
  let progress = null;
  let buf = '';
  client.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const m = JSON.parse(line);
        if (m.progress) progress = m.progress;
        if (m.done) done = m.done;
      } catch {
        /* ignore */
      }
    }
  });
  const clientExit = new Promise((resolve) => client.once('exit', resolve));
  let nextCheckpoint = 0;
  let lastLog = 0;
  while (!done) {
    await Promise.race([sleep(500), clientExit]);
    if (done) break;
    if (client.exitCode !== null) throw new Error(`paced client exited with ${client.exitCode}`);
    const answered = progress?.answered ?? 0;
    if (nextCheckpoint < CHECKPOINTS.length - 1 && answered >= CHECKPOINTS[nextCheckpoint] * REQUESTS) {
      await sampleMemory(`${Math.round(CHECKPOINTS[nextCheckpoint] * 100)} %`, answered);
      if (PROF_DIR && nextCheckpoint === 0) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
        await cdp.send('Profiler.start');
      } else if (PROF_DIR && nextCheckpoint === 1) {
        const { profile } = await cdp.send('Profiler.stop');
        mkdirSync(PROF_DIR, { recursive: true });
        const file = path.join(PROF_DIR, 'renderer.cpuprofile');
        writeFileSync(file, JSON.stringify(profile));
        result.rendererProfile = { file, top: summarizeProfile(file, 25) };
        log(`renderer CPU profile saved to ${file}`);
      }
      nextCheckpoint++;
    }
    if (Date.now() - lastLog > 10000) {
      lastLog = Date.now();
      const c = await readCounters(page);
      log(`${answered.toLocaleString('en-US')} answered, window shows ${c.req}, behind schedule ${progress?.behind ?? 0}`);
    }
  }
  result.made = done.answered;
  result.failed = done.failed + done.non200;
  result.rate = done.rate;

  // 6. Let the last batches arrive, then read the counters.
  let last = -1;
  let stableSince = Date.now();
  const until = Date.now() + 60000;
  while (Date.now() < until) {
    const c = await readCounters(page);
    const sum = parseCount(c.req) + parseCount(c.nr);
    if (sum >= result.made) break;
    if (sum !== last) {
      last = sum;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 5000) break;
    await sleep(250);
  }
  const c = await readCounters(page);
  result.shown = parseCount(c.req);
  result.dropped = parseCount(c.nr);
  if (c.nr === null) result.notes.push('the window showed no "not received" count (none dropped, or no [data-testid="count-not-received"]: the notice text is parsed)');
  const frames = await page.evaluate(() => globalThis.__benchFrames);
  result.longestFrameMs = frames.max;
  result.framesOver100 = frames.over100;
  result.frames = frames.count;
  result.longestTaskMs = frames.longTaskMax || null;
  result.longFrames = frames.long;
  result.frameHistogram = frames.hist;
  const end = await sampleMemory('end', result.made);
  const early = result.heap.find((s) => s.label === '25 %') ?? result.heap[0];
  result.heapEarlyMiB = early.heapUsedMiB;
  result.heapEndMiB = end.heapUsedMiB;
  result.domNodes = end.domNodes;
  if (pageErrors.length) result.notes.push(`page errors: ${pageErrors.slice(0, 3).join(' | ')}`);
  result.ok = result.made === result.shown + result.dropped && result.failed === 0;
  if (result.made !== result.shown + result.dropped) {
    result.error = `counts do not add up: ${result.made} made, ${result.shown} shown + ${result.dropped} dropped`;
  }

  await invoke(page, 'server:stop', []).catch(() => {});
  await browser.close();
  await stopProcess(web, 5000);
  log(`made ${result.made}, shown ${result.shown}, dropped ${result.dropped}, longest frame ${result.longestFrameMs?.toFixed(1)} ms, heap ${result.heapEarlyMiB?.toFixed(1)} → ${result.heapEndMiB?.toFixed(1)} MiB`);
}

main().then(
  () => finish(0),
  (e) => {
    result.error = String(e?.message ?? e);
    log(`failed: ${result.error}`);
    finish(1);
  },
);
