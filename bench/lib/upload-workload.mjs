/**
 * Benchmark harness (plain Node): workload `upload`, visitors sending files (server/upload.ts,
 * PORT NOTE 33) against nginx's WebDAV PUT on the same machine.
 *
 * Two servers, each pinned to the server CPU, over a fresh folder in the harness's temp folder:
 *  - ours: `node dist/server/cli.js PORT -b 127.0.0.1 -d DIR -p HTTP/1.1 --upload --upload-replace`
 *    (replace: the clients write the same 16 names again and again, as nginx's PUT replaces);
 *  - nginx: Debian's nginx (http_dav_module), 1 worker, `dav_methods PUT`, its body buffer file in
 *    the same file system (so its put is a rename, like ours), access_log off; as root its worker
 *    runs as root too (`user root`: the harness's temporary folders are not writable by nobody).
 * Measures, medians of `runs`:
 *  - put16: wrk (client CPU), 16 connections each PUTting 1 MiB bodies for `duration` seconds
 *    (bench/lib/wrk-put.lua): files per second and MB/s received, p50/p99 latency, errors;
 *  - slow (first, on the fresh server): one client PUTs 64 KiB every 100 ms (~0.64 MB/s) for
 *    `slowSeconds`, the server's RSS sampled every 200 ms, then the connection is cut: RSS at
 *    start and highest, and that no partial or temporary file is left;
 *  - one fast 256 MiB PUT with curl (the fixture's 256m.bin): MB/s and the server's peak RSS
 *    (VmHWM reset before): memory stays flat when the disk is slower than the network;
 * Ours also flushes each file to the disk (fsync) before it gets its name; nginx does not. The
 * figures say so.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, procStatusKb, resetPeakRss, startProcess, stopProcess, trackTempDir, waitForPort } from './procs.mjs';
import { OUR_CLI, REPO, runNginx } from './servers.mjs';
import { fmtNum, median, mdTable } from './stats.mjs';

const MiB = 1024 * 1024;

async function startOurs(root, cpu) {
  const port = await freePort();
  const child = startProcess(process.execPath, [OUR_CLI, String(port), '-b', '127.0.0.1', '-d', root, '-p', 'HTTP/1.1', '--upload', '--upload-replace', '--upload-max', '1G'], {
    cpu,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  await waitForPort(port, child);
  return { port, pid: child.pid, stop: () => stopProcess(child) };
}

async function startNginx(root, cpu, tmp) {
  const port = await freePort();
  const prefix = trackTempDir(mkdtempSync(path.join(tmp, 'nginx-dav-')));
  const conf = `
daemon off;
master_process on;
worker_processes 1;
${process.getuid?.() === 0 ? 'user root;' : ''}
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_timeout 300s;
  keepalive_requests 10000000;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server {
    listen 127.0.0.1:${port} backlog=4096;
    root ${root};
    client_max_body_size 0;
    dav_methods PUT;
    dav_access user:rw group:r all:r;
  }
}
`;
  return runNginx(prefix, conf, port, cpu);
}

function wrkPut(port, seconds, cpu) {
  return new Promise((resolve, reject) => {
    const args = ['-t1', '-c16', `-d${seconds}s`, '--timeout', '30s', '-s', path.join(REPO, 'bench', 'lib', 'wrk-put.lua'), `http://127.0.0.1:${port}/`];
    const child = startProcess('wrk', args, { cpu, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRK_PUT_DIR: '/up/' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
      if (!line) return reject(new Error(`wrk failed (code ${code}): ${err || out}`));
      const r = JSON.parse(line.slice(8));
      const secs = r.duration_us / 1e6;
      resolve({
        filesPerSec: r.requests / secs,
        mbPerSec: (r.requests * MiB) / secs / 1e6,
        errors: r.connect + r.read + r.write + r.timeout + r.status,
        p50ms: r.lat_p50_us / 1000,
        p99ms: r.lat_p99_us / 1000,
      });
    });
  });
}

function curlPut(port, file, cpu) {
  return new Promise((resolve, reject) => {
    const child = startProcess('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_upload} %{time_total}', '-H', 'Expect:', '-T', file, `http://127.0.0.1:${port}/up/big.bin`], {
      cpu,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      const [status, size, secs] = out.trim().split(' ');
      if (code !== 0 || !/^2/.test(status)) return reject(new Error(`curl PUT: exit ${code}, status ${status}`));
      resolve(Number(size) / Number(secs) / 1e6);
    });
  });
}

/** One client sending 64 KiB every 100 ms for `seconds`, then cutting the connection; the server's RSS sampled. */
async function slowPut(port, pid, seconds) {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r, j) => {
    sock.once('connect', r);
    sock.once('error', j);
  });
  sock.on('error', () => {});
  sock.write(`PUT /up/slow.bin HTTP/1.1\r\nHost: x\r\nContent-Length: ${1024 * MiB}\r\n\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x73);
  const samples = [];
  const start = procStatusKb(pid, 'VmRSS');
  const end = Date.now() + seconds * 1000;
  let sent = 0;
  let nextSample = Date.now();
  while (Date.now() < end) {
    sock.write(chunk);
    sent += chunk.length;
    await new Promise((r) => setTimeout(r, 100));
    if (Date.now() >= nextSample) {
      samples.push(procStatusKb(pid, 'VmRSS'));
      nextSample += 200;
    }
  }
  sock.destroy();
  return { startKb: start, maxKb: Math.max(...samples), endKb: samples[samples.length - 1], sentBytes: sent, samples: samples.length };
}

/**
 * Runs workload `upload`. Returns the figures for `uploadSection`.
 * @param {{fixtureDir: string, tmp: string, runs: number, duration: number, serverCpu: number, clientCpu: number, log: (s: string) => void}} o
 */
export async function runUploadBench(o) {
  const servers = [
    { id: 'ours', label: 'ours (CLI --upload --upload-replace, fsync per file)', start: (root) => startOurs(root, o.serverCpu) },
    { id: 'nginx', label: 'nginx WebDAV PUT (1 worker, no fsync)', start: (root) => startNginx(root, o.serverCpu, o.tmp) },
  ];
  const big = path.join(o.fixtureDir, '256m.bin');
  const slowSeconds = Math.max(3, o.duration * 2);
  const out = { duration: o.duration, slowSeconds, rows: [] };
  for (const s of servers) {
    if (s.id === 'nginx' && !existsSync('/usr/sbin/nginx')) {
      out.rows.push({ id: s.id, label: s.label, unavailable: 'nginx not installed' });
      continue;
    }
    const row = { id: s.id, label: s.label, put16: [], big: [], bigPeakKb: [], slow: null, leftAfterCut: null };
    const root = trackTempDir(mkdtempSync(path.join(o.tmp, `upload-${s.id}-`)));
    mkdirSync(path.join(root, 'up'), { mode: 0o755 });
    const server = await s.start(root);
    try {
      // Memory first, on the fresh server (what the many-client runs leave allocated would hide it).
      row.startKb = procStatusKb(server.pid, 'VmRSS');
      o.log(`  upload ${s.id}: one slow client for ${slowSeconds} s`);
      row.slow = await slowPut(server.port, server.pid, slowSeconds);
      await new Promise((r) => setTimeout(r, 500));
      row.leftAfterCut = readdirSync(path.join(root, 'up'));
      for (let run = 0; run < o.runs; run++) {
        o.log(`  upload ${s.id} run ${run + 1}/${o.runs}`);
        if (existsSync(big)) {
          const reset = resetPeakRss(server.pid);
          row.big.push(await curlPut(server.port, big, o.clientCpu));
          if (reset) row.bigPeakKb.push(procStatusKb(server.pid, 'VmHWM'));
        }
        row.put16.push(await wrkPut(server.port, o.duration, o.clientCpu));
      }
      row.afterKb = procStatusKb(server.pid, 'VmRSS');
    } finally {
      await server.stop();
    }
    out.rows.push(row);
  }
  return out;
}

/** The RESULTS.md section of workload `upload`. */
export function uploadSection(up) {
  if (!up) return '_Workload upload not run._';
  const med = (r, k) => median(r.put16.map((x) => x[k]));
  const ours = up.rows.find((r) => r.id === 'ours' && !r.unavailable);
  const ng = up.rows.find((r) => r.id === 'nginx' && !r.unavailable);
  const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '');
  const header = ['server', 'files/s (16 × 1 MiB PUT)', 'MB/s', 'p50 ms', 'p99 ms', 'errors', 'one 256 MiB PUT (MB/s)', 'peak RSS during it (MiB)', 'slow client: RSS start → max (MiB)', 'left after the cut', 'RSS after all (MiB)'];
  const rows = up.rows.map((r) =>
    r.unavailable
      ? [r.label, r.unavailable, '', '', '', '', '', '', '', '', '']
      : [
          r.label,
          fmtNum(med(r, 'filesPerSec')),
          fmtNum(med(r, 'mbPerSec')),
          fmtNum(med(r, 'p50ms')),
          fmtNum(med(r, 'p99ms')),
          String(r.put16.reduce((a, x) => a + x.errors, 0)),
          r.big.length ? fmtNum(median(r.big)) : '?',
          r.bigPeakKb.length ? fmtNum(Math.max(...r.bigPeakKb) / 1024) : '?',
          r.slow ? `${fmtNum(r.slow.startKb / 1024)} → ${fmtNum(r.slow.maxKb / 1024)}` : '?',
          r.leftAfterCut === null ? '?' : r.leftAfterCut.length === 0 ? 'nothing' : r.leftAfterCut.join(', '),
          r.afterKb ? fmtNum(r.afterKb / 1024) : '?',
        ],
  );
  return [
    `Each server pinned to the server CPU; wrk (client CPU) keeps 16 connections PUTting 1 MiB bodies for ${up.duration} s to 16 names`,
    '(`bench/lib/wrk-put.lua`; both replace the file each time). Ours flushes every file to the disk (fsync) before it gets',
    'its name, nginx does not. "One 256 MiB PUT": curl -T of the fixture\'s 256m.bin, the server\'s VmHWM reset before.',
    `"Slow client" (first, on the fresh server): one PUT sending 64 KiB every 100 ms for ${up.slowSeconds} s, RSS sampled every 200 ms,`,
    'then the connection is cut; "left after the cut" lists what the folder then holds (a partial file or a temporary one would show).',
    '',
    mdTable(header, rows),
    '',
    ours && ng ? `Ours ÷ nginx, files/s: ${ratio(med(ours, 'filesPerSec'), med(ng, 'filesPerSec'))}; one big PUT: ${ratio(median(ours.big), median(ng.big))}.` : '',
  ].join('\n');
}
