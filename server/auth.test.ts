/**
 * Tests for auth.ts (the password of a share, PORT NOTE 32): hashing and its constant-time
 * check, sessions, one-time keys, the wrong-try counter, log redaction (unit); then live
 * servers from `serve()` and the CGI handler over real sockets: the login page with a plain
 * form post, HTTP Basic as curl sends it, 401/429, a key link once, the log, a new password.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AccessGate,
  basicPassword,
  hashPassword,
  LOGIN_PATH,
  LoginKeys,
  LoginThrottle,
  mintLoginKey,
  newKeySecret,
  normalizePassword,
  passwordProblem,
  readPasswordFile,
  redactLoginKeys,
  safeNext,
  SCRYPT_PARAMS,
  SessionTable,
  suggestPassword,
  verifyPassword,
} from './auth.js';
import { CGIHTTPRequestHandler } from './cgi-handler.js';
import { formatNcsaLine, type RequestLogEntry } from './log.js';
import { PASSWORD_WORDS } from './password-words.js';
import { serve, type RunningServer } from './serve.js';
import { appDefaults, isPasswordVerifier, type PasswordSetting, type ServeSettings } from './share-settings.js';
import { makeTempDir, startServer, writeFile } from './test-support/harness.js';

const PASSWORD = 'river candle maple stone';

describe('password hashing', () => {
  it('stores scrypt with a random salt and its parameters, never the password', async () => {
    const a = await hashPassword(PASSWORD);
    const b = await hashPassword(PASSWORD);
    expect(isPasswordVerifier(a)).toBe(true);
    expect(a).toMatchObject({ scheme: 'scrypt', ...SCRYPT_PARAMS });
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    expect(JSON.stringify(a)).not.toContain('river');
  });

  it('accepts the password (spaces tidied) and refuses any other, comparing in constant time', async () => {
    const v = await hashPassword(PASSWORD);
    expect(await verifyPassword(v, PASSWORD)).toBe(true);
    expect(await verifyPassword(v, '  river  candle maple stone ')).toBe(true);
    expect(await verifyPassword(v, 'river candle maple ston')).toBe(false);
    expect(await verifyPassword(v, 'River candle maple stone')).toBe(false);
    expect(await verifyPassword(v, '')).toBe(false);
  });

  it('compares hashes of equal length only: a stored hash of another length is refused, never a crash', async () => {
    const v = await hashPassword(PASSWORD);
    expect(await verifyPassword({ ...v, hash: Buffer.alloc(16).toString('base64') }, PASSWORD)).toBe(false);
    // The same password under another salt is another hash.
    const w = await hashPassword(PASSWORD);
    expect(await verifyPassword({ ...v, salt: w.salt }, PASSWORD)).toBe(false);
  });

  it('a check costs one scrypt: slow for guessing, well under a second for a login', async () => {
    const v = await hashPassword(PASSWORD);
    const t0 = performance.now();
    await verifyPassword(v, 'wrong guess here');
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThan(2); // a real key stretch, not a plain hash
    expect(ms).toBeLessThan(1000); // ~30-60 ms here; generous for busy CI
  });

  it('suggests four words of the built-in list', () => {
    expect(PASSWORD_WORDS.length).toBeGreaterThan(2000);
    expect(new Set(PASSWORD_WORDS).size).toBe(PASSWORD_WORDS.length);
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const s = suggestPassword();
      const words = s.split(' ');
      expect(words).toHaveLength(4);
      for (const w of words) expect(PASSWORD_WORDS).toContain(w);
      expect(passwordProblem(s)).toBeNull();
      seen.add(s);
    }
    expect(seen.size).toBeGreaterThan(15);
  });

  it('refuses passwords that are too short, too long or hold control characters', () => {
    expect(passwordProblem('abc')).toMatch(/at least 6/);
    expect(passwordProblem('x'.repeat(300))).toMatch(/too long/);
    expect(passwordProblem('abc\u0000defg')).toMatch(/control/);
    expect(normalizePassword(' a\t b ')).toBe('a b');
  });

  it('reads the first line of a password file, with a plain sentence when it cannot', () => {
    const dir = makeTempDir();
    const good = writeFile(dir, 'pw.txt', `${PASSWORD}\nsecond line\n`);
    expect(readPasswordFile(good)).toEqual({ ok: true, password: PASSWORD });
    expect(readPasswordFile(path.join(dir, 'nope'))).toEqual({ ok: false, message: `The password file ${path.join(dir, 'nope')} does not exist.` });
    const empty = writeFile(dir, 'empty.txt', '\nsecret after a blank line\n');
    expect(readPasswordFile(empty)).toMatchObject({ ok: false, message: expect.stringMatching(/is empty/) });
    expect(readPasswordFile(dir)).toMatchObject({ ok: false, message: expect.stringMatching(/is not a file/) });
  });
});

describe('sessions, keys, the wrong-try counter', () => {
  it('sessions are random 256-bit ids, end after the idle time, and the table is bounded', () => {
    const t = new SessionTable(1000, 3);
    const a = t.create(0);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(t.touch(a, 500)).toBe(true);
    expect(t.touch(a, 1400)).toBe(true); // idle 900 ms since the last use
    expect(t.touch(a, 2500)).toBe(false); // idle 1100 ms
    const ids = [t.create(3000), t.create(3000), t.create(3000), t.create(3000)];
    expect(t.size).toBe(3);
    expect(t.touch(ids[0]!, 3001)).toBe(false); // the oldest went
    expect(t.touch(ids[3]!, 3001)).toBe(true);
    expect(t.touch('not a session', 3001)).toBe(false);
  });

  it('a key works once, within its time, only with the secret it was minted with', () => {
    const secret = newKeySecret();
    const keys = new LoginKeys(secret);
    const now = 1_000_000;
    const { key, expiresAt } = mintLoginKey(secret, now);
    expect(expiresAt).toBe(now + 10 * 60 * 1000);
    expect(keys.consume(key, now + 1)).toBe(true);
    expect(keys.consume(key, now + 2)).toBe(false); // replay
    const late = mintLoginKey(secret, now).key;
    expect(keys.consume(late, expiresAt)).toBe(false); // expired
    expect(keys.consume(mintLoginKey(newKeySecret(), now).key, now)).toBe(false); // another secret
    const tampered = mintLoginKey(secret, now).key;
    expect(keys.consume(tampered.slice(0, -2) + (tampered.endsWith('AA') ? 'BB' : 'AA'), now)).toBe(false);
    expect(new LoginKeys(undefined).consume(mintLoginKey(secret, now).key, now)).toBe(false); // the CLI mints none
  });

  it('counts 10 wrong tries a minute per address, then a wait that grows', () => {
    const th = new LoginThrottle();
    for (let i = 0; i < 9; i++) th.failed('10.0.0.2', i * 1000);
    expect(th.waitMs('10.0.0.2', 9000)).toBe(0);
    th.failed('10.0.0.2', 9000); // the 10th
    expect(th.waitMs('10.0.0.2', 9000)).toBe(60_000);
    expect(th.waitMs('10.0.0.3', 9000)).toBe(0); // other addresses untouched
    for (let i = 0; i < 10; i++) th.failed('10.0.0.2', 70_000 + i);
    expect(th.waitMs('10.0.0.2', 70_009)).toBe(120_000); // doubled
    th.succeeded('10.0.0.2');
    expect(th.waitMs('10.0.0.2', 70_010)).toBe(0);
    // Tries spread over more than a minute never add up to 10.
    const slow = new LoginThrottle();
    for (let i = 0; i < 30; i++) slow.failed('10.0.0.4', i * 7000);
    expect(slow.waitMs('10.0.0.4', 30 * 7000)).toBe(0);
  });

  it('hides key values in paths, Referer and request lines', () => {
    expect(redactLoginKeys('/a/?key=abcDEF_-123&sort=size')).toBe('/a/?key=[hidden]&sort=size');
    expect(redactLoginKeys('"GET /?sort=name&key=xyz HTTP/1.1" 303 -')).toBe('"GET /?sort=name&key=[hidden] HTTP/1.1" 303 -');
    expect(redactLoginKeys('http://192.168.1.5:8000/?key=xyz')).toBe('http://192.168.1.5:8000/?key=[hidden]');
    expect(redactLoginKeys('/monkey=1')).toBe('/monkey=1');
  });

  it('sends back only to a path of this server', () => {
    expect(safeNext('/photos/?sort=size')).toBe('/photos/?sort=size');
    for (const bad of ['//evil.example/', '/\\evil.example', 'http://evil.example/', 'evil', '', '/a\r\nSet-Cookie: x=1', null, LOGIN_PATH]) {
      expect(safeNext(bad)).toBe('/');
    }
    expect(safeNext('/a/?key=abc&x=1')).toBe('/a/?x=1');
  });

  it('reads the password of a Basic header, whatever the user name', () => {
    expect(basicPassword('Basic ' + Buffer.from('anyone:' + PASSWORD).toString('base64'))).toBe(PASSWORD);
    expect(basicPassword('Basic ' + Buffer.from(':a:b').toString('base64'))).toBe('a:b');
    expect(basicPassword('Bearer abc')).toBeNull();
    expect(basicPassword(undefined)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------
// Live

interface Live {
  readonly running: RunningServer;
  readonly base: string;
  readonly logs: RequestLogEntry[];
  readonly secret: string;
}

const open: RunningServer[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

async function startShare(over: Partial<ServeSettings> = {}, clear = PASSWORD, port = 0): Promise<Live> {
  const dir = makeTempDir();
  writeFile(dir, 'hello.txt', 'hello\n');
  writeFile(dir, 'photos/cat.jpg', 'jpeg');
  const secret = newKeySecret();
  const password: PasswordSetting = { ...(await hashPassword(clear)), keySecret: secret };
  const logs: RequestLogEntry[] = [];
  const running = await serve(
    { ...appDefaults(), directory: dir, port, bind: '127.0.0.1', protocolVersion: 'HTTP/1.1', password, ...over },
    { onLog: (e) => logs.push(e) },
  );
  open.push(running);
  return { running, base: `http://127.0.0.1:${running.port}`, logs, secret };
}

const BROWSER = { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'User-Agent': 'Mozilla/5.0 (iPhone)' };
const basic = (password: string, user = 'me'): string => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
/** A GET as curl sends it (Node's fetch adds `Sec-Fetch-Mode`, which only browsers send). */
function curlGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'User-Agent': 'curl/8.5.0', Accept: '*/*', ...headers }, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

const cookieOf = (res: Response): string => (res.headers.get('set-cookie') ?? '').split(';', 1)[0]!;

async function loginByForm(live: Live, password: string, next = '/'): Promise<Response> {
  return fetch(live.base + LOGIN_PATH, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...BROWSER, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ password, next }).toString(),
  });
}

describe('a share with a password (live)', () => {
  it('shows a browser the login page (401, no-store, a plain form); the form logs in and the cookie opens the listing', async () => {
    const live = await startShare();
    const page = await fetch(live.base + '/photos/', { headers: BROWSER, redirect: 'manual' });
    expect(page.status).toBe(401);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('www-authenticate')).toBeNull(); // no browser prompt over the page
    const html = await page.text();
    expect(html).toContain(`<form method="post" action="${LOGIN_PATH}">`);
    expect(html).toContain('<input type="hidden" name="next" value="/photos/">');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('cat.jpg');

    const ok = await loginByForm(live, PASSWORD, '/photos/');
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/photos/');
    const setCookie = ok.headers.get('set-cookie')!;
    expect(setCookie).toMatch(new RegExp(`^servedir_session_${live.running.port}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax$`));
    const listing = await fetch(live.base + '/photos/', { headers: { ...BROWSER, Cookie: cookieOf(ok) } });
    expect(listing.status).toBe(200);
    expect(await listing.text()).toContain('cat.jpg');
    expect(live.logs.some((e) => e.kind === 'message' && e.message === 'Logged in with the password')).toBe(true);
  });

  it('the login page at its own address is a 200 page (nothing refused; the app\'s self-check asks for it), with the form and no share content', async () => {
    const live = await startShare();
    for (const headers of [BROWSER, { 'User-Agent': 'Servedir self-check' }]) {
      const page = await fetch(live.base + LOGIN_PATH, { headers, redirect: 'manual' });
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('www-authenticate')).toBeNull();
      const html = await page.text();
      expect(html).toContain(`<form method="post" action="${LOGIN_PATH}">`);
      expect(html).not.toContain('cat.jpg');
    }
  });

  it('HTTP Basic works for scripts with any user name; without it a script gets a Basic challenge', async () => {
    const live = await startShare();
    const none = await curlGet(live.base + '/hello.txt');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Basic realm="Servedir", charset="UTF-8"');
    expect(none.body).toMatch(/needs a password/);
    for (const user of ['me', '', 'someone else']) {
      const res = await fetch(live.base + '/hello.txt', { headers: { Authorization: basic(PASSWORD, user) } });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('hello\n');
    }
    // A browser's image or favicon request gets no challenge (its own password box would
    // cover the login page).
    const browserish: Record<string, string>[] = [
      { Accept: 'image/avif,image/webp,*/*', 'User-Agent': 'Mozilla/5.0 (iPhone)' },
      { Accept: '*/*', 'Sec-Fetch-Mode': 'no-cors' },
    ];
    for (const headers of browserish) {
      const img = await fetch(live.base + '/favicon.ico', { headers });
      expect(img.status).toBe(401);
      expect(img.headers.get('www-authenticate')).toBeNull();
      await img.text();
    }
    const wrong = await curlGet(live.base + '/hello.txt', { Authorization: basic('nope nope') });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic /);
    const failed = live.logs.filter((e) => e.kind === 'message' && e.message === 'Failed login: wrong password');
    expect(failed).toHaveLength(1);
    expect(formatNcsaLine(failed[0]!)).toMatch(/^127\.0\.0\.1 - - \[.+\] Failed login: wrong password\n$/);
  });

  it('a wrong password on the form gets the page again with the reason, 401', async () => {
    const live = await startShare();
    const res = await loginByForm(live, 'wrong words here');
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).toContain('That password is not right.');
  });

  it('the 11th wrong try within a minute gets 429 with Retry-After, even with the right password', async () => {
    const live = await startShare();
    for (let i = 1; i <= 10; i++) {
      const res = await loginByForm(live, `wrong ${i} guess`);
      expect(res.status, `try ${i}`).toBe(401);
      await res.text();
    }
    const eleventh = await loginByForm(live, PASSWORD);
    expect(eleventh.status).toBe(429);
    expect(Number(eleventh.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(await eleventh.text()).toMatch(/Too many wrong passwords from this device\. Wait \d+ seconds/);
    const script = await fetch(live.base + '/hello.txt', { headers: { Authorization: basic(PASSWORD) } });
    expect(script.status).toBe(429);
    expect(await script.text()).toMatch(/^Too many wrong passwords/);
  });

  it('a key link logs in once and drops the key from the address; used again it is refused; no key reaches the log', async () => {
    const live = await startShare();
    const { key } = mintLoginKey(live.secret);
    const first = await fetch(`${live.base}/photos/?sort=size&key=${key}`, {
      headers: { ...BROWSER, Referer: `${live.base}/?key=${key}` },
      redirect: 'manual',
    });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/photos/?sort=size');
    const cookie = cookieOf(first);
    expect((await fetch(live.base + '/photos/', { headers: { Cookie: cookie } })).status).toBe(200);

    const again = await fetch(`${live.base}/?key=${key}`, { headers: BROWSER, redirect: 'manual' });
    expect(again.status).toBe(401);
    expect(await again.text()).toContain('This link has already been used or has expired.');
    // A logged-in phone opening a spent link just loses the key.
    const spentWithSession = await fetch(`${live.base}/?key=${key}`, { headers: { ...BROWSER, Cookie: cookie }, redirect: 'manual' });
    expect(spentWithSession.status).toBe(303);
    expect(spentWithSession.headers.get('location')).toBe('/');

    // An absolute-form target (never sent by a browser) still only sends back to a path.
    const { key: other } = mintLoginKey(live.secret);
    const absolute = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get({ host: '127.0.0.1', port: live.running.port, path: `http://evil.example/?key=${other}`, agent: false }, resolve).on('error', reject),
    );
    absolute.resume();
    expect(absolute.statusCode).toBe(303);
    expect(absolute.headers.location).toBe('/');

    const all = JSON.stringify(live.logs) + live.logs.map(formatNcsaLine).join('');
    expect(all).not.toContain(key);
    expect(all).not.toContain(key.slice(0, 20));
    expect(all).not.toContain(other);
    expect(all).toContain('key=[hidden]');
    expect(all).not.toContain(PASSWORD);
    const req = live.logs.find((e) => e.kind === 'request' && e.status === 303)!;
    expect(req.path).toBe('/photos/?sort=size&key=[hidden]');
    expect(req.referer).toBe(`${live.base}/?key=[hidden]`);
  });

  it('a new password is a new server: the old session ends', async () => {
    const first = await startShare();
    const res = await loginByForm(first, PASSWORD);
    const cookie = cookieOf(res);
    expect((await fetch(first.base + '/hello.txt', { headers: { Cookie: cookie } })).status).toBe(200);
    const port = first.running.port;
    await open.pop()!.close();
    const second = await startShare({}, 'another four words', port);
    const after = await fetch(second.base + '/hello.txt', { headers: { ...BROWSER, Cookie: cookie }, redirect: 'manual' });
    expect(after.status).toBe(401);
    expect((await fetch(second.base + '/hello.txt', { headers: { Authorization: basic(PASSWORD) } })).status).toBe(401);
    expect((await fetch(second.base + '/hello.txt', { headers: { Authorization: basic('another four words') } })).status).toBe(200);
  });

  it('with uploads on, only a logged-in visitor adds files', async () => {
    const live = await startShare({ upload: true });
    const refused = await curlGet(live.base + '/photos/', {});
    expect(refused.status).toBe(401);
    const put = (headers: Record<string, string>) => fetch(live.base + '/photos/new.txt', { method: 'PUT', body: 'new\n', headers });
    const anon = await put({});
    expect(anon.status).toBe(401);
    await anon.text();
    expect(await (await fetch(live.base + '/photos/', { headers: { Authorization: basic(PASSWORD) } })).text()).not.toContain('new.txt');
    const ok = await put({ Authorization: basic(PASSWORD) });
    expect(ok.status).toBe(201);
    await ok.text();
    const listing = await fetch(live.base + '/photos/', { headers: { Authorization: basic(PASSWORD) } });
    expect(await listing.text()).toContain('new.txt');
  });

  it('an unauthenticated request with a body is refused without reading it, and the connection closes', async () => {
    const live = await startShare();
    const res = await fetch(live.base + '/photos/', { method: 'PUT', body: 'x'.repeat(100_000), headers: { Accept: '*/*' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('connection')).toBe('close');
  });

  it('CGI scripts still see AUTH_TYPE and REMOTE_USER from a Basic login', async () => {
    const dir = makeTempDir();
    const script = writeFile(
      dir,
      'cgi-bin/env.py',
      '#!/usr/bin/python3\nimport os, sys\nsys.stdout.write("Content-Type: text/plain\\r\\n\\r\\n")\nprint(os.environ.get("AUTH_TYPE"), os.environ.get("REMOTE_USER"))\n',
      0o755,
    );
    fs.chmodSync(path.dirname(script), 0o755);
    const gate = new AccessGate(await hashPassword(PASSWORD));
    const live = await startServer(CGIHTTPRequestHandler, { directory: dir, access: gate, protocolVersion: 'HTTP/1.0' });
    try {
      const base = `http://127.0.0.1:${live.port}`;
      expect((await fetch(base + '/cgi-bin/env.py')).status).toBe(401);
      const res = await fetch(base + '/cgi-bin/env.py', { headers: { Authorization: basic(PASSWORD, 'alice') } });
      expect(res.status).toBe(200);
      expect((await res.text()).trim()).toBe('Basic alice');
    } finally {
      await live.close();
    }
  });

  it('without a password nothing changes: no gate, no redaction', async () => {
    const dir = makeTempDir();
    writeFile(dir, 'hello.txt', 'hello\n');
    const logs: RequestLogEntry[] = [];
    const running = await serve({ ...appDefaults(), directory: dir, port: 0, bind: '127.0.0.1' }, { onLog: (e) => logs.push(e) });
    open.push(running);
    const res = await fetch(`http://127.0.0.1:${running.port}/hello.txt?key=abc`);
    expect(res.status).toBe(200);
    await res.text();
    await new Promise((r) => setTimeout(r, 50));
    expect(logs.find((e) => e.kind === 'request')!.path).toBe('/hello.txt?key=abc');
  });
});
