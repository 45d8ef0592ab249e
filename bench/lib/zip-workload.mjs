/**
 * Benchmark harness (plain Node): workload `zip`, a folder as one .zip (server/folder-zip.ts,
 * PORT NOTE 29) against reading the same files raw.
 *
 * Two folders:
 *  - `fixture`: the benchmark fixture itself (bench/.fixture: 256 MiB, 1 MiB, 64 KiB and 1 KiB of
 *    random bytes, the 5,000-entry folder of tiny files, the small site): one big file and many
 *    tiny ones;
 *  - `2 GiB`: bench/.fixture-zip (built here): the fixture's 256 MiB file hard-linked (real
 *    content) and seven sparse files of 256 MiB.
 * For each, three ways to move the same file bytes, medians of `runs`:
 *  - zip: our CLI with `--zip` (pinned to the server CPU), curl on the client CPU fetches
 *    `/?download=zip` to /dev/null; the server's peak RSS (VmHWM, reset before each download);
 *  - files: the same server, curl fetches every file of the folder one by one over keep-alive
 *    connections (`curl -K`, what a visitor without the zip would do);
 *  - raw read: this process reads the same files from disk, 512 KiB at a time (the ceiling).
 * MB/s = 10^6 bytes of file content per second (not ZIP bytes, which add ~100 bytes per entry).
 */
import { existsSync, linkSync, mkdirSync, openSync, closeSync, readSync, readdirSync, lstatSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startProcess, stopProcess, freePort, waitForPort, procStatusKb, resetPeakRss } from './procs.mjs';
import { OUR_CLI, REPO } from './servers.mjs';
import { median, fmtNum, mdTable } from './stats.mjs';

const MiB = 1024 * 1024;

/** bench/.fixture-zip: 2 GiB, one real 256 MiB file (a hard link to the fixture's) and 7 sparse ones. */
function ensureZipFixture(fixtureDir) {
  const dir = path.join(REPO, 'bench', '.fixture-zip');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const real = path.join(dir, 'real-256m.bin');
  if (!existsSync(real)) linkSync(path.join(fixtureDir, '256m.bin'), real);
  for (let i = 1; i <= 7; i++) {
    const p = path.join(dir, `sparse-${i}.bin`);
    if (!existsSync(p) || statSync(p).size !== 256 * MiB) {
      writeFileSync(p, '');
      truncateSync(p, 256 * MiB);
    }
  }
  return dir;
}

/** Every regular file below `dir` (links followed, as the CLI does by default): URL paths and sizes. */
function filesOf(dir, url = '/') {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    const st = lstatSync(p).isSymbolicLink() ? statSync(p) : lstatSync(p);
    if (st.isDirectory()) out.push(...filesOf(p, `${url}${encodeURIComponent(name)}/`));
    else if (st.isFile()) out.push({ path: p, url: url + encodeURIComponent(name), size: st.size });
  }
  return out;
}

function curl(args, cpu) {
  return new Promise((resolve, reject) => {
    const child = startProcess('curl', ['-s', '--max-time', '600', ...args], { cpu, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`curl exit ${code}: ${err}`))));
  });
}

/** Reads every file from disk in 512 KiB reads; seconds taken. */
function rawRead(files) {
  const buf = Buffer.allocUnsafe(512 * 1024);
  const t0 = process.hrtime.bigint();
  for (const f of files) {
    const fd = openSync(f.path, 'r');
    while (readSync(fd, buf, 0, buf.length, null) > 0);
    closeSync(fd);
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * Runs workload `zip`. Returns the figures for `zipSection`.
 * @param {{fixtureDir: string, tmp: string, runs: number, serverCpu: number, clientCpu: number, log: (s: string) => void}} o
 */
export async function runZipBench(o) {
  const folders = [
    { id: 'fixture', what: 'the benchmark fixture (1 × 256 MiB, 3 small files, a folder of 4,900 tiny files and 100 empty folders)', dir: o.fixtureDir },
    { id: '2gib', what: '2 GiB folder (1 × 256 MiB real, 7 × 256 MiB sparse)', dir: ensureZipFixture(o.fixtureDir) },
  ];
  const rows = [];
  for (const folder of folders) {
    const files = filesOf(folder.dir);
    const bytes = files.reduce((a, f) => a + f.size, 0);
    const config = path.join(o.tmp, `zip-files-${folder.id}.curl`);
    const port = await freePort();
    writeFileSync(config, files.map((f) => `url = "http://127.0.0.1:${port}${f.url}"\noutput = "/dev/null"\n`).join(''));
    const child = startProcess(process.execPath, [OUR_CLI, String(port), '-b', '127.0.0.1', '-d', folder.dir, '-p', 'HTTP/1.1', '--zip'], {
      cpu: o.serverCpu,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const row = { id: folder.id, what: folder.what, files: files.length, bytes, zip: [], files1by1: [], raw: [], peakRssKb: [], startRssKb: null, zipBytes: null };
    try {
      await waitForPort(port, child);
      row.startRssKb = procStatusKb(child.pid, 'VmRSS');
      for (let run = 0; run < o.runs; run++) {
        o.log(`  zip ${folder.id} run ${run + 1}/${o.runs}`);
        rawRead(files); // warm the page cache for all three
        row.raw.push(bytes / rawRead(files) / 1e6);
        const reset = resetPeakRss(child.pid);
        const out = await curl(['-o', '/dev/null', '-w', '%{http_code} %{size_download} %{time_total}', `http://127.0.0.1:${port}/?download=zip`], o.clientCpu);
        const [code, size, secs] = out.trim().split(' ');
        if (code !== '200' || Number(size) <= bytes) throw new Error(`zip of ${folder.id}: status ${code}, ${size} bytes for ${bytes} bytes of files`);
        row.zipBytes = Number(size);
        row.zip.push(bytes / Number(secs) / 1e6);
        if (reset) row.peakRssKb.push(procStatusKb(child.pid, 'VmHWM'));
        const t0 = process.hrtime.bigint();
        await curl(['-K', config], o.clientCpu);
        row.files1by1.push(bytes / (Number(process.hrtime.bigint() - t0) / 1e9) / 1e6);
      }
    } finally {
      await stopProcess(child);
    }
    rows.push(row);
  }
  return { rows };
}

/** The RESULTS.md section of workload `zip`. */
export function zipSection(zip) {
  if (!zip) return '_Workload zip not run._';
  const header = ['folder', 'files', 'MB of files', 'zip (MB/s)', 'files one by one (MB/s)', 'raw read from disk (MB/s)', 'zip ÷ raw read', 'server peak RSS during zip (MiB)', 'server RSS at start (MiB)'];
  const rows = zip.rows.map((r) => [
    r.what,
    fmtNum(r.files),
    fmtNum(r.bytes / 1e6),
    fmtNum(median(r.zip)),
    fmtNum(median(r.files1by1)),
    fmtNum(median(r.raw)),
    `${(median(r.zip) / median(r.raw)).toFixed(2)}×`,
    r.peakRssKb.length ? fmtNum(Math.max(...r.peakRssKb) / 1024) : '?',
    r.startRssKb ? fmtNum(r.startRssKb / 1024) : '?',
  ]);
  return [
    'Our CLI with `--zip` (pinned to the server CPU) sends `/?download=zip` to curl (client CPU, output to /dev/null);',
    '"files one by one": the same files fetched by curl from the same server over keep-alive; "raw read": this',
    'harness reading the same files from the page cache in 512 KiB reads. MB/s of file content (the ZIP adds ~100',
    'bytes per entry). Peak RSS: VmHWM reset before each download.',
    '',
    mdTable(header, rows),
  ].join('\n');
}
