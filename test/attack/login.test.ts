/**
 * Attack suite: a share with a password (server/auth.ts, issue 13 part 2), against the BUILT
 * engine in its own process, both ways it runs: the app's (`serve()` through
 * support/serve-child.mjs, hardened, with a key secret) and the CLI's (`--password-file`,
 * CPython's profile otherwise). What must hold:
 *
 *  - brute force: from one address, exactly 10 wrong passwords a minute are checked (401);
 *    every later try, right or wrong, form or Basic, gets 429 with Retry-After; another
 *    address is not held up;
 *  - nothing of the share leaks to a visitor without a session: files, listings, the ZIP of
 *    a folder, CGI, uploads, HEAD, odd methods, forged and foreign cookies;
 *  - the session cookie is HttpOnly, SameSite=Lax, Path=/, a session cookie (no Domain, no
 *    Expires/Max-Age), 256 random bits;
 *  - the login form's `next` never sends a browser to another site (open redirect) nor
 *    injects a header;
 *  - a login key works once (replay, forgery, another run's secret are refused);
 *  - no key and no password in the log (the app's entries, the CLI's stderr, the CPython
 *    text lines the export writes) nor in the settings file.
 *
 * Needs `npm run build:server`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, LOGIN_PATH, mintLoginKey, newKeySecret } from '../../server/auth';
import { formatNcsaLine, type RequestLogEntry } from '../../server/log';
import { appDefaults } from '../../server/share-settings';
import { openSettingsStore } from '../../electron/settings-store';
import { buildFixture, type AttackFixture } from './support/fixture';
import { AGAINST_PYTHON, REPO } from './support/servers';

const PASSWORD = 'orbit velvet canyon lemon';
const CLI = join(REPO, 'dist/server/cli.js');
const SERVE_CHILD = join(REPO, 'test/attack/support/serve-child.mjs');

interface Running {
  readonly kind: 'app' | 'cli';
  readonly port: number;
  readonly secret: string | null;
  stderr(): string;
  stop(): Promise<void>;
}

let fx: AttackFixture;
let secretsDir: string;
const running: Running[] = [];

async function start(kind: 'app' | 'cli'): Promise<Running> {
  let child: ChildProcess;
  let secret: string | null = null;
  if (kind === 'app') {
    secret = newKeySecret();
    const settings = {
      ...appDefaults(),
      directory: fx.root,
      port: 0,
      bind: '127.0.0.1',
      protocolVersion: 'HTTP/1.1',
      cgi: true,
      upload: true,
      password: { ...(await hashPassword(PASSWORD)), keySecret: secret },
    };
    child = spawn(process.execPath, [SERVE_CHILD, JSON.stringify({ settings })], { stdio: ['ignore', 'pipe', 'pipe'] });
  } else {
    const file = join(secretsDir, 'pw.txt');
    writeFileSync(file, PASSWORD + '\n', { mode: 0o600 });
    child = spawn(process.execPath, [CLI, '0', '-b', '127.0.0.1', '-d', fx.root, '-p', 'HTTP/1.1', '--password-file', file], {
      cwd: fx.base,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${kind} did not start: ${out} ${err}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = /LISTENING (\d+)/.exec(out) ?? /port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', () => reject(new Error(`${kind} exited: ${out} ${err}`)));
  });
  const r: Running = {
    kind,
    port,
    secret,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(kind === 'app' ? 'SIGTERM' : 'SIGINT');
      await new Promise((res) => child.once('exit', res));
    },
  };
  running.push(r);
  return r;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request on its own connection, from `from` (a loopback address of our choosing). */
function request(port: number, o: { method?: string; path: string; headers?: Record<string, string>; body?: string; from?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, headers: o.headers, localAddress: o.from ?? '127.0.0.1', agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

const BROWSER = { Accept: 'text/html', 'User-Agent': 'Mozilla/5.0' };
const basic = (p: string): string => 'Basic ' + Buffer.from(`u:${p}`).toString('base64');
const form = (password: string, next = '/'): { method: string; path: string; headers: Record<string, string>; body: string } => {
  const body = new URLSearchParams({ password, next }).toString();
  return {
    method: 'POST',
    path: LOGIN_PATH,
    headers: { ...BROWSER, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(Buffer.byteLength(body)) },
    body,
  };
};

async function login(port: number, from = '127.0.0.9'): Promise<string> {
  const r = await request(port, { ...form(PASSWORD), from });
  expect(r.status).toBe(303);
  return String(r.headers['set-cookie']![0]).split(';', 1)[0]!;
}

function noLeak(r: Reply, what: string): void {
  // Contents and names of the share (the login page repeats only the path asked for, in its form).
  for (const marker of [fx.secretMarker, fx.nameMarker, fx.smuggledMarker, fx.plainText.trim(), 'inner file', 'evil.com', 'chunk-32k']) {
    expect(r.body, `${what} leaked ${marker}`).not.toContain(marker);
  }
}

const describeIf = AGAINST_PYTHON ? describe.skip : describe;

beforeAll(() => {
  if (AGAINST_PYTHON) return;
  for (const f of [CLI, join(REPO, 'dist/server/serve.js')]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build:server\` first`);
  }
  fx = buildFixture();
  secretsDir = mkdtempSync(join(tmpdir(), 'servedir-attack-pw-'));
});

afterAll(async () => {
  for (const r of running) await r.stop();
  fx?.cleanup?.();
  if (secretsDir) rmSync(secretsDir, { recursive: true, force: true });
});

describeIf.each(['app', 'cli'] as const)('a share with a password (%s)', (kind) => {
  let srv: Running;
  beforeAll(async () => {
    srv = await start(kind);
  }, 30_000);

  it('nothing of the share reaches a visitor without a session, whatever the request', async () => {
    const attempts: { method?: string; path: string; headers?: Record<string, string>; body?: string }[] = [
      { path: '/' },
      { path: '/plain.txt' },
      { path: '/sub/' },
      { path: '/sub/inner.txt', headers: BROWSER },
      { path: '/?download=zip' },
      { path: '/sub?download=zip', headers: BROWSER },
      { path: '/cgi-bin/' },
      { method: 'HEAD', path: '/plain.txt' },
      { method: 'OPTIONS', path: '*' },
      { method: 'PUT', path: '/pwned.txt', body: 'x', headers: { 'Content-Length': '1' } },
      { method: 'POST', path: '/', body: 'x', headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': '1' } },
      { path: '/plain.txt', headers: { Cookie: `servedir_session_${srv.port}=${'A'.repeat(43)}` } },
      { path: '/plain.txt', headers: { Cookie: `servedir_session_${srv.port}=../../etc/passwd` } },
      { path: '/plain.txt', headers: { Authorization: 'Basic !!!notbase64' } },
      { path: '/plain.txt', headers: { Authorization: 'Bearer ' + PASSWORD } },
      { path: `/plain.txt?key=${'B'.repeat(51)}` },
      { path: LOGIN_PATH + '/../plain.txt' },
      { path: '/%2e%2e/plain.txt' },
      { path: '//plain.txt' },
    ];
    for (const a of attempts) {
      const r = await request(srv.port, { ...a, from: '127.0.0.2' });
      expect([401, 429], `${a.method ?? 'GET'} ${a.path}`).toContain(r.status);
      noLeak(r, `${a.method ?? 'GET'} ${a.path}`);
    }
    expect(existsSync(join(fx.root, 'pwned.txt'))).toBe(false);
  });

  it('brute force: 10 wrong passwords a minute are checked, then every try gets 429 with Retry-After; other addresses go on', async () => {
    const from = '127.0.0.3';
    const outcomes: number[] = [];
    for (let i = 0; i < 25; i++) {
      const r = i % 2 === 0 ? await request(srv.port, { ...form(`guess number ${i}`), from }) : await request(srv.port, { path: '/plain.txt', headers: { Authorization: basic(`guess ${i}`) }, from });
      outcomes.push(r.status);
      if (r.status === 429) {
        expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(55);
        expect(r.body).toMatch(/Too many wrong passwords from this device/);
      }
    }
    expect(outcomes.filter((s) => s === 401)).toHaveLength(10);
    expect(outcomes.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(outcomes.slice(10).every((s) => s === 429)).toBe(true);
    // The right password is not even checked while the address waits.
    expect((await request(srv.port, { ...form(PASSWORD), from })).status).toBe(429);
    expect((await request(srv.port, { path: '/plain.txt', headers: { Authorization: basic(PASSWORD) }, from })).status).toBe(429);
    // Another address is not held up.
    const other = await request(srv.port, { path: '/plain.txt', headers: { Authorization: basic(PASSWORD) }, from: '127.0.0.4' });
    expect(other.status).toBe(200);
    expect(other.body).toBe(fx.plainText);
  });

  it('the session cookie: HttpOnly, SameSite=Lax, Path=/, no Domain, ends with the browser, 256 random bits', async () => {
    const r = await request(srv.port, { ...form(PASSWORD), from: '127.0.0.5' });
    expect(r.status).toBe(303);
    const cookies = r.headers['set-cookie']!;
    expect(cookies).toHaveLength(1);
    const parts = cookies[0]!.split('; ');
    expect(parts[0]).toMatch(new RegExp(`^servedir_session_${srv.port}=[A-Za-z0-9_-]{43}$`));
    expect(parts.slice(1).sort()).toEqual(['HttpOnly', 'Path=/', 'SameSite=Lax']);
    expect(r.headers['cache-control']).toBe('no-store');
    const again = await request(srv.port, { ...form(PASSWORD), from: '127.0.0.5' });
    expect(String(again.headers['set-cookie']![0]).split(';')[0]).not.toBe(parts[0]);
    const ok = await request(srv.port, { path: '/plain.txt', headers: { Cookie: parts[0]! } });
    expect(ok.body).toBe(fx.plainText);
  });

  it('the login form never sends a browser to another site, nor injects a header', async () => {
    const attempts = [
      '//evil.example/',
      '///evil.example/',
      '/\\evil.example/',
      '\\\\evil.example',
      'https://evil.example/',
      'http:evil.example',
      'javascript:alert(1)',
      '/%0d%0aSet-Cookie:%20pwned=1',
      '/\r\nSet-Cookie: pwned=1',
      '/\u2028x',
      ' /x',
      '',
      LOGIN_PATH,
    ];
    for (const next of attempts) {
      const r = await request(srv.port, { ...form(PASSWORD, next), from: '127.0.0.6' });
      expect(r.status, JSON.stringify(next)).toBe(303);
      const location = String(r.headers.location);
      expect(location.startsWith('/') && !location.startsWith('//') && !location.startsWith('/\\'), `${JSON.stringify(next)} → ${location}`).toBe(true);
      expect(r.headers['set-cookie']!.join('\n')).not.toContain('pwned');
    }
    expect((await request(srv.port, { ...form(PASSWORD, '/sub/?sort=size'), from: '127.0.0.6' })).headers.location).toBe('/sub/?sort=size');
  });

  it('a login key works once: replay, forgery and keys of another run are refused', async () => {
    if (srv.secret === null) {
      // The CLI mints no keys: any key is refused.
      const r = await request(srv.port, { path: `/?key=${mintLoginKey(newKeySecret()).key}`, headers: BROWSER, from: '127.0.0.7' });
      expect(r.status).toBe(401);
      return;
    }
    const { key } = mintLoginKey(srv.secret);
    const first = await request(srv.port, { path: `/sub/?key=${key}`, headers: BROWSER, from: '127.0.0.7' });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/sub/');
    const replay = await request(srv.port, { path: `/sub/?key=${key}`, headers: BROWSER, from: '127.0.0.8' });
    expect(replay.status).toBe(401);
    expect(replay.headers['set-cookie']).toBeUndefined();
    noLeak(replay, 'replayed key');
    const forged = key.slice(0, 30) + (key[30] === 'A' ? 'B' : 'A') + key.slice(31);
    expect((await request(srv.port, { path: `/?key=${forged}`, headers: BROWSER, from: '127.0.0.8' })).status).toBe(401);
    expect((await request(srv.port, { path: `/?key=${mintLoginKey(newKeySecret()).key}`, headers: BROWSER, from: '127.0.0.8' })).status).toBe(401);
  });

  it('the log never holds a key or the password (entries, CPython lines, the export made from them)', async () => {
    if (srv.secret !== null) {
      const { key } = mintLoginKey(srv.secret);
      await request(srv.port, { path: `/?key=${key}`, headers: { ...BROWSER, Referer: `http://127.0.0.1:${srv.port}/?key=${key}` } });
    }
    await request(srv.port, { path: `/plain.txt?key=${'C'.repeat(51)}&x=1`, headers: { Referer: `http://x/?key=${'D'.repeat(51)}` } });
    await request(srv.port, { ...form(PASSWORD), from: '127.0.0.10' });
    await new Promise((r) => setTimeout(r, 300));
    const err = srv.stderr();
    const lines =
      srv.kind === 'app'
        ? err
            .split('\n')
            .filter((l) => l.startsWith('LOG '))
            .map((l) => JSON.parse(l.slice(4)) as RequestLogEntry)
            .map((e) => JSON.stringify(e) + '\n' + formatNcsaLine(e))
            .join('\n')
        : err;
    expect(lines).toContain('key=[hidden]');
    expect(lines).toContain('Failed login: wrong password');
    expect(lines).not.toContain(PASSWORD);
    expect(lines).not.toMatch(/key=(?!\[hidden\])[A-Za-z0-9_-]{20,}/);
    expect(lines).not.toContain('C'.repeat(51));
    expect(lines).not.toContain('D'.repeat(51));
  });
});

describeIf('the settings file', () => {
  it('holds the scrypt verifier only: never the password nor a key secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'servedir-attack-settings-'));
    try {
      const store = await openSettingsStore({ dir });
      await store.update({ password: await hashPassword(PASSWORD) });
      const text = readFileSync(join(dir, 'settings.json'), 'utf8');
      expect(text).not.toContain(PASSWORD);
      for (const word of PASSWORD.split(' ')) expect(text).not.toContain(word);
      expect(text).not.toContain('keySecret');
      expect(JSON.parse(text).password).toMatchObject({ scheme: 'scrypt', N: 16384 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
