/**
 * Pure Node. The password of a share (not in CPython: PORT NOTE 32; the `password` setting,
 * off in the app until the user sets one, `--password-file FILE` in the CLI).
 *
 * - The password itself is never kept: a verifier is (scrypt of it with a random salt, the
 *   parameters in the record), in the app's settings file and in the engine. A candidate is
 *   hashed with the same parameters and compared with `crypto.timingSafeEqual`.
 * - `AccessGate` is built once per server from the setting (`serve()`, the CLI) and handed to
 *   every handler as `HandlerOptions.access`; the handler calls `admit()` once per parsed
 *   request, before it looks at any file, script or upload, and `redact()` on every log entry
 *   it makes. Without a password there is no gate at all (CPython's behaviour, byte for byte).
 * - A visitor gets in by the login page (a plain form, no JavaScript, POST to `LOGIN_PATH`),
 *   by HTTP Basic (curl, scripts: any user name) or by a one-time login key in the URL
 *   (`?key=...`, minted by the app for its QR code and copied link). The page and a key set a
 *   session cookie (HttpOnly, SameSite=Lax, Path=/, a random 256-bit id in a bounded table of
 *   the server's, ended after 12 hours unused). A new password is a new server: changing or
 *   removing it ends every session.
 * - Wrong passwords (and refused keys) are counted per client address: 10 a minute, then
 *   every try waits, longer each time (429 with Retry-After), and each one is a log message.
 */
import { createHash, createHmac, randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import {
  MSG_LOGIN_KEY_REFUSED,
  MSG_LOGIN_NEEDED,
  MSG_LOGIN_TOO_MANY,
  MSG_LOGIN_WRONG,
  msgPasswordFile,
  msgPasswordTooShort,
  MSG_PASSWORD_BAD_CHARACTERS,
  MSG_PASSWORD_TOO_LONG,
} from './errors.js';
import {
  LOGIN_KEY_TTL_MS,
  LOGIN_TRIES_PER_MINUTE,
  LOGIN_WAIT_MAX_MS,
  MAX_BASIC_CACHE,
  MAX_LOGIN_BODY_BYTES,
  MAX_SESSIONS,
  MAX_THROTTLED_ADDRESSES,
  MAX_USED_LOGIN_KEYS,
  SESSION_IDLE_MS,
} from './limits.js';
import { PASSWORD_WORDS } from './password-words.js';
import { unmapIPv4 } from './log.js';
import { htmlEscape } from './py-text.js';
import { isPasswordSetting, type PasswordSetting, type PasswordVerifier } from './share-settings.js';

export type { PasswordSetting, PasswordVerifier } from './share-settings.js';

/** The reserved path the login form posts to (and shows itself at). */
export const LOGIN_PATH = '/.servedir/login';

/** scrypt's cost: 16 MiB and ~30-60 ms a try here, so a guess is slow and a login is not. */
export const SCRYPT_PARAMS = { N: 16_384, r: 8, p: 1 } as const;
const HASH_BYTES = 32;
const SALT_BYTES = 16;

// ---------------------------------------------------------------------------------------
// The password: its form, its hash, a suggestion

/**
 * The password as compared: Unicode NFC, spaces at the ends dropped and runs of spaces made
 * one (people type the suggested words with one space, or two, or a trailing one).
 */
export function normalizePassword(clear: string): string {
  return clear.normalize('NFC').replace(/\s+/g, ' ').trim();
}

export const MIN_PASSWORD_LENGTH = 6;
export const MAX_PASSWORD_LENGTH = 256;

/** Why `clear` cannot be a password, in plain words, or null when it can. */
export function passwordProblem(clear: string): string | null {
  const p = normalizePassword(clear);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(p)) return MSG_PASSWORD_BAD_CHARACTERS;
  if ([...p].length < MIN_PASSWORD_LENGTH) return msgPasswordTooShort(MIN_PASSWORD_LENGTH);
  if (p.length > MAX_PASSWORD_LENGTH) return MSG_PASSWORD_TOO_LONG;
  return null;
}

function scryptAsync(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // 128·N·r bytes: 16 MiB at the defaults; maxmem leaves room for parameters a file may carry.
    scrypt(password, salt, HASH_BYTES, { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** The verifier of a password: scrypt with a fresh random salt. The clear text goes no further. */
export async function hashPassword(clear: string): Promise<PasswordVerifier> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(normalizePassword(clear), salt, SCRYPT_PARAMS);
  return { scheme: 'scrypt', ...SCRYPT_PARAMS, salt: salt.toString('base64'), hash: hash.toString('base64') };
}

/**
 * True when `candidate` is the password of `verifier`: always one scrypt at the verifier's
 * cost, then a constant-time comparison of the two hashes.
 */
export async function verifyPassword(verifier: PasswordVerifier, candidate: string): Promise<boolean> {
  const expected = Buffer.from(verifier.hash, 'base64');
  const params = { N: verifier.N, r: verifier.r, p: verifier.p };
  const got = await scryptAsync(normalizePassword(candidate), Buffer.from(verifier.salt, 'base64'), params);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** Four words of the built-in list, drawn with `crypto.randomInt`, separated by spaces. */
export function suggestPassword(words: number = 4): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(PASSWORD_WORDS[randomInt(PASSWORD_WORDS.length)]!);
  return out.join(' ');
}

/**
 * The password of `--password-file FILE`: its first line (without the line break; spaces at
 * the ends dropped). A missing, unreadable or empty file is an error in plain words.
 */
export function readPasswordFile(file: string): { ok: true; password: string } | { ok: false; message: string } {
  let text: string;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      if (!fs.fstatSync(fd).isFile()) return { ok: false, message: msgPasswordFile(file, 'not-a-file') };
      const buf = Buffer.alloc(4096);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      text = buf.subarray(0, n).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, message: msgPasswordFile(file, code === 'ENOENT' ? 'missing' : code === 'EISDIR' ? 'not-a-file' : 'unreadable') };
  }
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  if (normalizePassword(first) === '') return { ok: false, message: msgPasswordFile(file, 'empty') };
  const problem = passwordProblem(first);
  if (problem) return { ok: false, message: `${file}: ${problem}` };
  return { ok: true, password: first };
}

// ---------------------------------------------------------------------------------------
// One-time login keys

const KEY_NONCE_BYTES = 16;
const KEY_TIME_BYTES = 6;
const KEY_MAC_BYTES = 16;
const KEY_BYTES = KEY_NONCE_BYTES + KEY_TIME_BYTES + KEY_MAC_BYTES;
const KEY_RE = /^[A-Za-z0-9_-]{51}$/;

/** A fresh secret for minting keys (the app makes one per run, in memory only). */
export function newKeySecret(): string {
  return randomBytes(32).toString('base64url');
}

const keyMac = (secret: string, body: Buffer): Buffer =>
  createHmac('sha256', Buffer.from(secret, 'base64url')).update(body).digest().subarray(0, KEY_MAC_BYTES);

/**
 * A login key: a random nonce, its expiry, and an HMAC of both under `secret` (the one the
 * server was started with), so the server checks it without any table of minted keys; it
 * keeps the keys used (until they expire) so each works once.
 */
export function mintLoginKey(secret: string, now: number = Date.now()): { key: string; expiresAt: number } {
  const expiresAt = now + LOGIN_KEY_TTL_MS;
  const body = Buffer.alloc(KEY_NONCE_BYTES + KEY_TIME_BYTES);
  randomBytes(KEY_NONCE_BYTES).copy(body, 0);
  body.writeUIntBE(expiresAt, KEY_NONCE_BYTES, KEY_TIME_BYTES);
  return { key: Buffer.concat([body, keyMac(secret, body)]).toString('base64url'), expiresAt };
}

/** The keys a server accepts: checked by their HMAC and expiry, each used once. */
export class LoginKeys {
  /** Nonces used, with their expiry: kept until then, at most `MAX_USED_LOGIN_KEYS`. */
  private readonly used = new Map<string, number>();
  constructor(private readonly secret: string | undefined) {}

  /** True (and the key is spent) when `key` is genuine, unexpired and unused. */
  consume(key: string, now: number = Date.now()): boolean {
    if (this.secret === undefined || !KEY_RE.test(key)) return false;
    const raw = Buffer.from(key, 'base64url');
    if (raw.length !== KEY_BYTES) return false;
    const body = raw.subarray(0, KEY_NONCE_BYTES + KEY_TIME_BYTES);
    if (!timingSafeEqual(keyMac(this.secret, body), raw.subarray(KEY_NONCE_BYTES + KEY_TIME_BYTES))) return false;
    const expiresAt = body.readUIntBE(KEY_NONCE_BYTES, KEY_TIME_BYTES);
    if (expiresAt <= now || expiresAt > now + LOGIN_KEY_TTL_MS + 60_000) return false;
    const nonce = body.subarray(0, KEY_NONCE_BYTES).toString('hex');
    if (this.used.has(nonce)) return false;
    if (this.used.size >= MAX_USED_LOGIN_KEYS) {
      for (const [n, exp] of this.used) if (exp <= now) this.used.delete(n);
      // Still full of live used keys: refuse rather than forget one (it could be replayed).
      if (this.used.size >= MAX_USED_LOGIN_KEYS) return false;
    }
    this.used.set(nonce, expiresAt);
    return true;
  }
}

// ---------------------------------------------------------------------------------------
// Sessions

const SESSION_RE = /^[A-Za-z0-9_-]{43}$/;
const digestOf = (text: string): string => createHash('sha256').update(text).digest('base64');

/**
 * The server's sessions: a random 256-bit id each (the cookie), kept as its SHA-256 (a
 * lookup never compares the id itself), ended after `SESSION_IDLE_MS` unused; at most
 * `MAX_SESSIONS`, the least recently used ended first.
 */
export class SessionTable {
  private readonly lastUsed = new Map<string, number>();
  constructor(
    private readonly idleMs: number = SESSION_IDLE_MS,
    private readonly max: number = MAX_SESSIONS,
  ) {}

  get size(): number {
    return this.lastUsed.size;
  }

  create(now: number = Date.now()): string {
    const id = randomBytes(32).toString('base64url');
    while (this.lastUsed.size >= this.max) this.lastUsed.delete(this.lastUsed.keys().next().value!);
    this.lastUsed.set(digestOf(id), now);
    return id;
  }

  /** True when `id` is a live session (and it counts as used now). */
  touch(id: string, now: number = Date.now()): boolean {
    if (!SESSION_RE.test(id)) return false;
    const d = digestOf(id);
    const last = this.lastUsed.get(d);
    if (last === undefined) return false;
    this.lastUsed.delete(d);
    if (now - last > this.idleMs) return false;
    this.lastUsed.set(d, now); // most recently used last
    return true;
  }
}

// ---------------------------------------------------------------------------------------
// Wrong passwords, per client address

interface Tries {
  /** Times of the wrong tries of the last minute. */
  recent: number[];
  /** How many times this address was made to wait (each wait doubles). */
  strikes: number;
  /** No try is checked before this time. */
  blockedUntil: number;
}

/**
 * 10 wrong tries a minute per address; the 10th makes the address wait a minute before its
 * next try is even checked, and each later wait doubles (at most `LOGIN_WAIT_MAX_MS`). A
 * right password forgets the address's wrong ones. At most `MAX_THROTTLED_ADDRESSES` kept.
 */
export class LoginThrottle {
  private readonly byAddress = new Map<string, Tries>();
  constructor(private readonly perMinute: number = LOGIN_TRIES_PER_MINUTE) {}

  /** 0 when `address` may try now, else the ms it must still wait. */
  waitMs(address: string, now: number = Date.now()): number {
    const t = this.byAddress.get(address);
    return t && t.blockedUntil > now ? t.blockedUntil - now : 0;
  }

  failed(address: string, now: number = Date.now()): void {
    let t = this.byAddress.get(address);
    if (!t) {
      while (this.byAddress.size >= MAX_THROTTLED_ADDRESSES) this.byAddress.delete(this.byAddress.keys().next().value!);
      t = { recent: [], strikes: 0, blockedUntil: 0 };
      this.byAddress.set(address, t);
    }
    t.recent = t.recent.filter((at) => now - at < 60_000);
    t.recent.push(now);
    if (t.recent.length >= this.perMinute) {
      t.blockedUntil = now + Math.min(60_000 * 2 ** t.strikes, LOGIN_WAIT_MAX_MS);
      t.strikes++;
      t.recent = [];
    }
  }

  succeeded(address: string): void {
    this.byAddress.delete(address);
  }
}

// ---------------------------------------------------------------------------------------
// Log redaction

const KEY_IN_URL = /([?&]key=)[^&#\s"'\\]+/g;

/** `text` with the value of every `key=` query field replaced by `[hidden]`. */
export function redactLoginKeys(text: string): string {
  return text.includes('key=') ? text.replace(KEY_IN_URL, '$1[hidden]') : text;
}

// ---------------------------------------------------------------------------------------
// The gate

/** What the gate needs of a handler (BaseHTTPRequestHandler has it all). */
export interface GatedRequest {
  readonly command: string | null;
  readonly path: string;
  readonly headers: { get(name: string): string | undefined };
  readonly clientAddress: readonly [string, number];
  readonly server: { readonly serverPort: number };
  readonly rfile: { read(n: number): Promise<Buffer> };
  readonly wfile: { write(data: Buffer | string): void };
  closeConnection: boolean;
  sendResponse(code: number, message?: string): void;
  sendHeader(keyword: string, value: string): void;
  endHeaders(): void;
  logMessage(format: string, ...args: unknown[]): void;
}

/** A log entry's fields the gate cleans (base-handler.ts `LogEntryDraft`). */
export interface RedactableEntry {
  path: string | null;
  referer: string | null;
  message: string;
}

/** The address a throttle counts: an IPv4 client of a dual-stack server under its IPv4 address. */
const throttleKey = unmapIPv4;

/** The path to go back to after logging in: a path on this server, or `/`. */
export function safeNext(next: string | null | undefined): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 2048) return '/';
  // A path of ours: one slash (not `//host` nor `/\host`, which browsers read as another
  // server), printable ASCII only (what a request line carries; no header injection).
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || !/^[\x21-\x7e]+$/.test(next)) return '/';
  const cleaned = withoutKey(next);
  return cleaned.startsWith(LOGIN_PATH) ? '/' : cleaned;
}

/** `target` without its `key` query field (the rest of the query kept). */
function withoutKey(target: string): string {
  const q = target.indexOf('?');
  if (q < 0) return target;
  const rest = target
    .slice(q + 1)
    .split('&')
    .filter((f) => !f.startsWith('key=') && f !== 'key');
  return target.slice(0, q) + (rest.length > 0 ? '?' + rest.join('&') : '');
}

/** The raw value of the first `key=` field of a query, or null. */
function keyOf(target: string): string | null {
  const q = target.indexOf('?');
  if (q < 0) return null;
  const h = target.indexOf('#', q);
  for (const f of target.slice(q + 1, h < 0 ? undefined : h).split('&')) if (f.startsWith('key=')) return f.slice(4);
  return null;
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** The password of an `Authorization: Basic` header (any user name), or null. */
export function basicPassword(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? null : text.slice(colon + 1);
}

/**
 * The gate of one server: its verifier, sessions, keys and the wrong tries per address.
 * `admit()` answers whatever it does not let through (login page, redirect, 401, 429).
 */
export class AccessGate {
  readonly sessions = new SessionTable();
  readonly keys: LoginKeys;
  readonly throttle = new LoginThrottle();
  /** Digests of Authorization headers already checked (curl sends one per request: one scrypt, not one each). */
  private readonly basicOk = new Map<string, number>();
  private readonly verifier: PasswordVerifier;
  /** Tests move time. */
  now: () => number = Date.now;

  constructor(setting: PasswordSetting) {
    if (!isPasswordSetting(setting)) throw new TypeError('not a password setting');
    const { keySecret, ...verifier } = setting;
    this.verifier = verifier;
    this.keys = new LoginKeys(keySecret);
  }

  /** Clean a log entry of the request's login key (path, Referer, the request line in the message). */
  redact(entry: RedactableEntry): void {
    if (entry.path !== null) entry.path = redactLoginKeys(entry.path);
    if (entry.referer !== null) entry.referer = redactLoginKeys(entry.referer);
    entry.message = redactLoginKeys(entry.message);
  }

  /**
   * True when the request may go on to the handler; otherwise it has been answered. Called
   * once per parsed request, before anything else looks at it.
   */
  async admit(req: GatedRequest): Promise<boolean> {
    const now = this.now();
    const address = throttleKey(req.clientAddress[0]);
    const cookieName = `servedir_session_${req.server.serverPort}`;
    const target = req.path;
    const pathname = target.split('?', 1)[0]!;
    const session = cookieValue(req.headers.get('Cookie'), cookieName);
    const loggedIn = session !== null && this.sessions.touch(session, now);
    const browser = (req.headers.get('Accept') ?? '').includes('text/html');
    // A browser's other requests (an image, the favicon of the login page): no Basic
    // challenge, which would open the browser's own password box over the login page.
    const inBrowser = browser || req.headers.get('Sec-Fetch-Mode') !== undefined || (req.headers.get('User-Agent') ?? '').startsWith('Mozilla/');

    if (pathname === LOGIN_PATH) {
      if (req.command === 'POST') return this.loginForm(req, address, cookieName, now);
      if (loggedIn) return this.redirect(req, '/');
      // The login page at its own address is a page like any other (200): nothing was
      // refused. (The app's reach self-check asks for it when a password is set, so that
      // its visit does not show as an error in the window's log.)
      return this.page(req, 200, loginPage('/', MSG_LOGIN_NEEDED, false), []);
    }

    const key = keyOf(target);
    if (key !== null) {
      const wait = this.throttle.waitMs(address, now);
      if (wait > 0) return this.tooMany(req, wait, browser, withoutKey(target));
      if (this.keys.consume(key, now)) {
        this.throttle.succeeded(address);
        req.logMessage('Logged in with a login link');
        return this.redirect(req, safeNext(withoutKey(target)), this.sessions.create(now), cookieName);
      }
      this.throttle.failed(address, now);
      req.logMessage('Failed login: the login link has expired or was already used');
      if (loggedIn) return this.redirect(req, safeNext(withoutKey(target)));
      return this.refuse(req, { browser, challenge: !inBrowser, next: withoutKey(target), problem: MSG_LOGIN_KEY_REFUSED });
    }

    if (loggedIn) return true;

    const authorization = req.headers.get('Authorization');
    const basic = basicPassword(authorization);
    if (basic !== null && authorization !== undefined) {
      const digest = digestOf(authorization);
      const seen = this.basicOk.get(digest);
      if (seen !== undefined && now - seen <= SESSION_IDLE_MS) {
        this.basicOk.delete(digest);
        this.basicOk.set(digest, now);
        return true;
      }
      const wait = this.throttle.waitMs(address, now);
      if (wait > 0) return this.tooMany(req, wait, browser, target);
      if (await verifyPassword(this.verifier, basic)) {
        this.throttle.succeeded(address);
        while (this.basicOk.size >= MAX_BASIC_CACHE) this.basicOk.delete(this.basicOk.keys().next().value!);
        this.basicOk.set(digest, now);
        return true;
      }
      this.throttle.failed(address, this.now());
      req.logMessage('Failed login: wrong password');
      return this.refuse(req, { browser: false, challenge: true, next: target, problem: MSG_LOGIN_WRONG });
    }
    return this.refuse(req, { browser, challenge: !inBrowser, next: target, problem: null });
  }

  private async loginForm(req: GatedRequest, address: string, cookieName: string, now: number): Promise<boolean> {
    const wait = this.throttle.waitMs(address, now);
    if (wait > 0) return this.tooMany(req, wait, true, '/');
    const length = Number((req.headers.get('Content-Length') ?? '').trim());
    if (!Number.isSafeInteger(length) || length < 0 || length > MAX_LOGIN_BODY_BYTES) {
      req.closeConnection = true;
      return this.refuse(req, { browser: true, challenge: false, next: '/', problem: MSG_LOGIN_WRONG });
    }
    const body = (await req.rfile.read(length)).toString('utf8');
    const form = new URLSearchParams(body);
    const next = safeNext(form.get('next'));
    const password = form.get('password') ?? '';
    if (await verifyPassword(this.verifier, password)) {
      this.throttle.succeeded(address);
      req.logMessage('Logged in with the password');
      return this.redirect(req, next, this.sessions.create(this.now()), cookieName);
    }
    this.throttle.failed(address, this.now());
    req.logMessage('Failed login: wrong password');
    return this.refuse(req, { browser: true, challenge: false, next, problem: MSG_LOGIN_WRONG });
  }

  /** 303 to `location`, setting the session cookie when `session` is given. */
  private redirect(req: GatedRequest, location: string, session?: string, cookieName?: string): false {
    req.sendResponse(303);
    req.sendHeader('Location', location);
    if (session !== undefined) req.sendHeader('Set-Cookie', `${cookieName}=${session}; Path=/; HttpOnly; SameSite=Lax`);
    req.sendHeader('Cache-Control', 'no-store');
    req.sendHeader('Referrer-Policy', 'no-referrer');
    req.sendHeader('Content-Length', '0');
    this.endRefused(req);
    return false;
  }

  /**
   * 401: the login page for a page a browser asks for; otherwise a sentence, with a Basic
   * challenge (`challenge`) for scripts, never for a browser's images and the like.
   */
  private refuse(req: GatedRequest, o: { browser: boolean; challenge: boolean; next: string; problem: string | null }): false {
    if (o.browser) return this.page(req, 401, loginPage(safeNext(o.next), o.problem ?? MSG_LOGIN_NEEDED, o.problem !== null), []);
    const challenge: [string, string][] = o.challenge ? [['WWW-Authenticate', 'Basic realm="Servedir", charset="UTF-8"']] : [];
    return this.text(req, 401, (o.problem ?? MSG_LOGIN_NEEDED) + '\n', challenge);
  }

  private tooMany(req: GatedRequest, waitMs: number, browser: boolean, next: string): false {
    const seconds = Math.ceil(waitMs / 1000);
    const retry: [string, string] = ['Retry-After', String(seconds)];
    if (browser) return this.page(req, 429, loginPage(safeNext(next), MSG_LOGIN_TOO_MANY(seconds), true), [retry]);
    return this.text(req, 429, MSG_LOGIN_TOO_MANY(seconds) + '\n', [retry]);
  }

  private page(req: GatedRequest, code: number, html: string, extra: readonly [string, string][]): false {
    const body = Buffer.from(html, 'utf8');
    req.sendResponse(code);
    for (const [k, v] of extra) req.sendHeader(k, v);
    req.sendHeader('Content-Type', 'text/html; charset=utf-8');
    req.sendHeader('Content-Length', String(body.length));
    req.sendHeader('Cache-Control', 'no-store');
    req.sendHeader('Content-Security-Policy', LOGIN_CSP);
    req.sendHeader('Referrer-Policy', 'no-referrer');
    req.sendHeader('X-Content-Type-Options', 'nosniff');
    this.endRefused(req, body);
    return false;
  }

  private text(req: GatedRequest, code: number, text: string, extra: readonly [string, string][]): false {
    const body = Buffer.from(text, 'utf8');
    req.sendResponse(code);
    for (const [k, v] of extra) req.sendHeader(k, v);
    req.sendHeader('Content-Type', 'text/plain; charset=utf-8');
    req.sendHeader('Content-Length', String(body.length));
    req.sendHeader('Cache-Control', 'no-store');
    this.endRefused(req, body);
    return false;
  }

  /**
   * Ends an answer of the gate. A request body nobody read (an upload refused) would be
   * read as the next request: the connection closes instead.
   */
  private endRefused(req: GatedRequest, body?: Buffer): void {
    const hasBody =
      req.headers.get('Transfer-Encoding') !== undefined ||
      (req.headers.get('Content-Length') !== undefined && req.headers.get('Content-Length')!.trim() !== '0');
    const readIt = req.command === 'POST' && req.path.split('?', 1)[0] === LOGIN_PATH && !req.closeConnection;
    if (hasBody && !readIt) req.sendHeader('Connection', 'close');
    req.endHeaders();
    if (body && req.command !== 'HEAD') req.wfile.write(body);
  }
}

// ---------------------------------------------------------------------------------------
// The login page

/** The page's stylesheet: the modern listing's colours and type, a form for a phone. */
export const LOGIN_CSS = `:root{color-scheme:light dark;--bg:#fff;--fg:#1b1d21;--muted:#5f6672;--line:#e3e6ea;--link:#0b57d0;--chip:#eef2f8;--bad:#b3261e;--on-link:#fff}
@media (prefers-color-scheme:dark){:root{--bg:#16181b;--fg:#e8eaed;--muted:#a2a9b4;--line:#2c3036;--link:#8ab4f8;--chip:#252a31;--bad:#f2b8b5;--on-link:#0b1d3a}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0 auto;max-width:28rem;padding:32px 20px;background:var(--bg);color:var(--fg);font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
h1{margin:0 0 8px;font-size:24px;line-height:1.25;font-weight:650}
p{margin:0 0 16px;color:var(--muted)}
.problem{color:var(--bad);font-weight:600}
label{display:block;margin:0 0 6px;font-weight:600}
input{display:block;width:100%;min-height:48px;padding:10px 14px;border:1px solid var(--line);border-radius:12px;background:var(--bg);color:var(--fg);font:inherit;font-size:18px}
input:focus{outline:2px solid var(--link);outline-offset:1px}
button{display:block;width:100%;min-height:48px;margin-top:16px;border:0;border-radius:24px;background:var(--link);color:var(--on-link);font:inherit;font-weight:650;cursor:pointer}
`;

export const LOGIN_CSP =
  "default-src 'none'; style-src 'sha256-" +
  createHash('sha256').update(LOGIN_CSS, 'utf8').digest('base64') +
  "'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The login page: a plain form that works without JavaScript. */
export function loginPage(next: string, message: string, isProblem: boolean): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Password needed</title>
<style>${LOGIN_CSS}</style>
</head>
<body>
<main>
<h1>Password needed</h1>
<p${isProblem ? ' class="problem" role="alert"' : ''}>${htmlEscape(message, true)}</p>
<form method="post" action="${LOGIN_PATH}">
<input type="hidden" name="next" value="${htmlEscape(next, true)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" autocapitalize="none" autocorrect="off" spellcheck="false" required autofocus>
<button type="submit">Open the folder</button>
</form>
</main>
</body>
</html>
`;
}
