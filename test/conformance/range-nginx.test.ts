/**
 * Range requests, differentially against nginx (Debian's, a private prefix and config on
 * 127.0.0.1): our CLI with `--range` and nginx serve the same fixture, get the same table of
 * Range headers (malformed ones included), and their status, Content-Range and body are
 * compared. Where we deliberately differ, the row says why (RFC 9110 section) and what nginx
 * answers; ours is then checked against the RFC's answer. Skipped, with the reason, where
 * nginx is not installed (`.ci/run` installs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/server/cli.js');
const NGINX = '/usr/sbin/nginx';
const SIZE = 10_000;

interface Answer {
  readonly status: number;
  readonly contentRange: string | null;
  readonly body: Buffer;
  readonly contentType: string | null;
}

/** How a row compares: the same answer, or ours by the RFC where nginx answers otherwise. */
type Expect = 'same' | { readonly ours: number; readonly nginx: number; readonly why: string };

const CASES: readonly (readonly [string, Expect])[] = [
  ['bytes=0-99', 'same'],
  ['bytes=100-199', 'same'],
  ['bytes=9000-', 'same'],
  ['bytes=-100', 'same'],
  ['bytes=-20000', 'same'],
  ['bytes=9999-9999', 'same'],
  ['bytes=9990-20000', 'same'],
  ['bytes=10000-', 'same'],
  ['bytes=20000-30000', 'same'],
  ['bytes=-0', 'same'],
  ['BYTES=0-5', 'same'],
  ['bytes= 0-5', 'same'],
  ['items=0-5', 'same'],
  ['bytes 0-5', 'same'],
  ['bytes=0-9,20000-', 'same'],
  ['bytes=5-1', { ours: 200, nginx: 416, why: 'RFC 9110 §14.1.1: last-pos below first-pos makes the range-spec invalid, and an invalid Range is ignored (§14.2)' }],
  ['bytes=x', { ours: 200, nginx: 416, why: 'RFC 9110 §14.2: a Range that does not parse is ignored' }],
  ['bytes=-', { ours: 200, nginx: 416, why: 'RFC 9110 §14.2: a Range that does not parse is ignored' }],
  ['bytes=0-5,', { ours: 206, nginx: 416, why: 'RFC 9110 §5.6.1: empty list elements are allowed' }],
  ['bytes=0-9,5-20', { ours: 206, nginx: 206, why: 'RFC 9110 §14.2 lets a server coalesce overlapping ranges: one part (0-20) instead of nginx’s multipart/byteranges' }],
  ['bytes=0-9,20-29', { ours: 200, nginx: 206, why: 'ranges that stay apart get the whole file (PORT NOTE 26), nginx sends multipart/byteranges; both are allowed by RFC 9110 §14.2' }],
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}) before listening`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what} is not listening on ${port}`);
}

/** One GET over a fresh HTTP/1.1 connection, read to its Content-Length. */
function get(port: number, target: string, headers: Record<string, string>, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = net.connect(port, '127.0.0.1', () => {
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      sock.write(`${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`);
    });
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => {
      const raw = Buffer.concat(chunks);
      const end = raw.indexOf('\r\n\r\n');
      const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
      const h = new Map<string, string>();
      for (const line of lines.slice(1)) h.set(line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim());
      resolve({
        status: Number(lines[0]!.split(' ')[1]),
        contentRange: h.get('content-range') ?? null,
        contentType: h.get('content-type') ?? null,
        body: raw.subarray(end + 4),
      });
    });
  });
}

const haveNginx = fs.existsSync(NGINX);
let dir: string;
let data: Buffer;
let ours: { port: number; child: ChildProcess };
let nginx: { port: number; child: ChildProcess };

describe.skipIf(!haveNginx)('Range: our CLI with --range against nginx on the same fixture', () => {
  beforeAll(async () => {
    expect(fs.existsSync(CLI), 'dist/server/cli.js is missing: run npm run build:server').toBe(true);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servedir-range-nginx-'));
    fs.chmodSync(dir, 0o755);
    const root = path.join(dir, 'root');
    fs.mkdirSync(root, { mode: 0o755 });
    data = randomBytes(SIZE);
    fs.writeFileSync(path.join(root, 'data.bin'), data, { mode: 0o644 });
    const ngxPort = await freePort();
    fs.writeFileSync(
      path.join(dir, 'nginx.conf'),
      `daemon off;\nmaster_process off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\n` +
        `events { worker_connections 64; }\nhttp {\n  default_type application/octet-stream;\n  access_log off;\n` +
        `  client_body_temp_path ${dir}/b; proxy_temp_path ${dir}/p; fastcgi_temp_path ${dir}/f; uwsgi_temp_path ${dir}/u; scgi_temp_path ${dir}/s;\n` +
        `  server { listen 127.0.0.1:${ngxPort}; root ${root}; }\n}\n`,
    );
    const ngx = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: 'ignore' });
    nginx = { port: ngxPort, child: ngx };
    const ourPort = await freePort();
    const cli = spawn(process.execPath, [CLI, String(ourPort), '-b', '127.0.0.1', '-d', root, '-p', 'HTTP/1.1', '--range'], { stdio: 'ignore' });
    ours = { port: ourPort, child: cli };
    await waitForPort(ngxPort, ngx, 'nginx');
    await waitForPort(ourPort, cli, 'the CLI');
  });

  afterAll(() => {
    ours?.child.kill('SIGINT');
    nginx?.child.kill('SIGQUIT');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(CASES)('Range: %s', async (range, expectation) => {
    const a = await get(ours.port, '/data.bin', { Range: range });
    const b = await get(nginx.port, '/data.bin', { Range: range });
    if (expectation === 'same') {
      expect({ status: a.status, contentRange: a.contentRange }).toEqual({ status: b.status, contentRange: b.contentRange });
      if (a.status !== 416) expect(a.body.equals(b.body)).toBe(true);
    } else {
      expect(b.status, `nginx's answer changed: ${expectation.why}`).toBe(expectation.nginx);
      expect(a.status, expectation.why).toBe(expectation.ours);
    }
    // Ours is always internally right: a 206's body is exactly its Content-Range of the file.
    if (a.status === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(a.contentRange ?? '');
      expect(m, a.contentRange ?? 'no Content-Range').not.toBeNull();
      expect(a.body.equals(data.subarray(Number(m![1]), Number(m![2]) + 1))).toBe(true);
      expect(Number(m![3])).toBe(SIZE);
    }
    if (a.status === 200) expect(a.body.equals(data)).toBe(true);
    if (a.status === 416) expect(a.contentRange).toBe(`bytes */${SIZE}`);
  });

  it('HEAD with a Range: the same status and Content-Range as nginx, no body', async () => {
    const a = await get(ours.port, '/data.bin', { Range: 'bytes=10-19' }, 'HEAD');
    const b = await get(nginx.port, '/data.bin', { Range: 'bytes=10-19' }, 'HEAD');
    expect({ status: a.status, contentRange: a.contentRange }).toEqual({ status: b.status, contentRange: b.contentRange });
    expect(a.body.length).toBe(0);
  });
});

describe.runIf(!haveNginx)('Range against nginx', () => {
  it.skip(`skipped: ${NGINX} is not installed (apt-get install nginx)`, () => {});
});
