/**
 * The browser fallback's control server: serves the built window (out/renderer/) and
 * carries the IPC contract over HTTP + server-sent events, exactly as web-protocol.ts
 * describes.
 *
 * Runs in: the browser-fallback process (`node out/main/web.cjs`). Pure Node.
 *
 * Security: bound to 127.0.0.1 only. Every request must name us in `Host` (defeats DNS
 * rebinding: a page on evil.example resolving to 127.0.0.1 still sends
 * `Host: evil.example`) and, when it has an `Origin`, exactly our origin. API calls also
 * need a session: an HttpOnly, SameSite=Strict cookie that only a single-use, short-lived
 * sign-in address gives out (web-protocol.ts), and a browser must not call them
 * `Sec-Fetch-Site: cross-site` or `same-site` (other ports of 127.0.0.1 are the same site).
 * Keys and sessions are kept as SHA-256 digests. No CORS headers are ever sent, so other
 * sites cannot read responses either.
 */
import * as http from 'node:http';
import * as path from 'node:path';
import { promises as fsp } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import mime from 'mime-types';
import {
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  invokeValidators,
  type EventChannel,
  type InvokeChannel,
  type LogBatch,
} from '../ipc-contract';
import {
  EVENTS_PATH,
  INVOKE_PATH_PREFIX,
  LINK_KEY_PARAM,
  MAX_INVOKE_BODY_BYTES,
  SESSION_COOKIE_PREFIX,
  type InvokeResponse,
} from './web-protocol';
import type { InvokeHandlers } from '../app-service';
import { CONTENT_SECURITY_POLICY } from '../window';

export interface ControlServerOptions {
  readonly handlers: InvokeHandlers;
  /** The built renderer (out/renderer). */
  readonly rendererDir: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** SSE keep-alive comment interval. */
  readonly heartbeatMs?: number;
  /** The last open window disconnected (the service queues logs again until app:ready). */
  readonly onLastClientGone?: () => void;
  /**
   * Someone opened a sign-in address that was already used, expired or never issued (at
   * most one call every {@link STALE_LINK_NOTICE_MS}): web-main prints a fresh one.
   */
  readonly onStaleLink?: () => void;
  /** The clock for link expiry (tests). */
  readonly now?: () => number;
}

export interface ControlServer {
  readonly port: number;
  readonly origin: string;
  /** A new sign-in address (origin + `/?key=…`): it works once, within `ttlMs`. */
  issueLink(ttlMs: number): string;
  /** Sends an event to every connected window. */
  broadcast(channel: EventChannel, payload: unknown): void;
  close(): Promise<void>;
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Sign-in addresses not yet used; beyond this many, the oldest stop working. */
export const MAX_OPEN_LINKS = 16;
/** Sessions kept; beyond this many, the oldest is signed out. */
export const MAX_SESSIONS = 32;
/** At most one `onStaleLink` call per this long, however many stale addresses come in. */
export const STALE_LINK_NOTICE_MS = 5_000;

/**
 * Keys and session ids are looked up by their SHA-256: a lookup's timing can then tell an
 * attacker about a digest, never about a secret.
 */
const digest = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64url');

/** The values of cookie `name` in a Cookie header (a browser may send two of one name). */
export function cookieValue(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) out.push(part.slice(eq + 1).trim());
  }
  return out;
}

function send(res: http.ServerResponse, status: number, body: string, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: InvokeResponse): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

function sendError(res: http.ServerResponse, status: number, error: string): void {
  sendJson(res, status, { ok: false, error });
}

/** Reads at most `limit` bytes; null when the body is larger. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      resolve(null);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        resolve(null);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/**
 * A log batch JSON can carry: the typed-array columns (which JSON.stringify would turn into
 * `{"0":…}` objects) as plain arrays of numbers. The window's reader accepts both forms.
 */
export function logBatchAsJson(batch: LogBatch): LogBatch {
  const c = batch.columns;
  const plain = (a: ArrayLike<number>): readonly number[] => (Array.isArray(a) ? a : Array.from(a));
  return { columns: { count: c.count, numbers: plain(c.numbers), refs: plain(c.refs), strings: c.strings }, dropped: batch.dropped };
}

export async function startControlServer(opts: ControlServerOptions): Promise<ControlServer> {
  const rendererDir = path.resolve(opts.rendererDir);
  const now = opts.now ?? Date.now;
  const clients = new Set<http.ServerResponse>();
  let port = 0;
  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const cookieName = (): string => `${SESSION_COOKIE_PREFIX}${port}`;
  /** Digest of each unused sign-in key → when it expires. */
  const links = new Map<string, number>();
  /** Digests of the session ids handed out. */
  const sessions = new Set<string>();
  let lastStaleNotice = Number.NEGATIVE_INFINITY;

  /** Uses up `key` when it is a live sign-in key. */
  const takeLink = (key: string): boolean => {
    const d = digest(key);
    const expires = links.get(d);
    if (expires === undefined) return false;
    links.delete(d);
    return now() <= expires;
  };

  const newSession = (): string => {
    const id = randomBytes(32).toString('base64url');
    sessions.add(digest(id));
    if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.values().next().value!);
    return id;
  };

  const signedIn = (req: http.IncomingMessage): boolean =>
    cookieValue(req.headers.cookie, cookieName()).some((id) => id.length > 0 && sessions.has(digest(id)));

  /** `GET /?key=…`: a session cookie when the key is live; either way, 303 to `/` so the key leaves the address bar. */
  const handleSignIn = (res: http.ServerResponse, key: string): void => {
    const extra: Record<string, string> = { Location: '/' };
    if (takeLink(key)) {
      extra['Set-Cookie'] = `${cookieName()}=${newSession()}; Path=/api/; HttpOnly; SameSite=Strict`;
    } else if (now() - lastStaleNotice >= STALE_LINK_NOTICE_MS) {
      lastStaleNotice = now();
      opts.onStaleLink?.();
    }
    send(res, 303, '', 'text/plain; charset=utf-8', extra);
  };

  /** Why an API request is refused, or null when it may go on. */
  const apiRefusal = (req: http.IncomingMessage): string | null => {
    // Sent by browsers only; other ports of 127.0.0.1 count as `same-site`, not as us.
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin') return 'This page is not allowed to control Servedir.';
    if (!signedIn(req)) return 'This page is not signed in to Servedir. Open the address Servedir printed.';
    return null;
  };

  const handleInvoke = async (req: http.IncomingMessage, res: http.ServerResponse, name: string): Promise<void> => {
    if (req.method !== 'POST') {
      send(res, 405, 'Method Not Allowed', 'text/plain; charset=utf-8', { Allow: 'POST' });
      return;
    }
    const refusal = apiRefusal(req);
    if (refusal !== null) {
      sendError(res, 403, refusal);
      return;
    }
    // JSON only: a cross-site form can send text/plain or form data, never this type.
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      sendError(res, 400, 'Requests must be sent as JSON.');
      return;
    }
    const body = await readBody(req, MAX_INVOKE_BODY_BYTES);
    if (body === null) {
      sendError(res, 413, 'The request was too large.');
      return;
    }
    if (!(INVOKE_CHANNELS as readonly string[]).includes(name)) {
      sendError(res, 400, `Unknown request: ${name.slice(0, 64)}.`);
      return;
    }
    const channel = name as InvokeChannel;
    let args: unknown;
    try {
      args = (JSON.parse(body.toString('utf8')) as { args?: unknown } | null)?.args;
    } catch {
      sendError(res, 400, 'The request was not valid JSON.');
      return;
    }
    const validate = invokeValidators[channel] as (a: readonly unknown[]) => boolean;
    if (!Array.isArray(args) || !validate(args)) {
      sendError(res, 400, `Servedir received a request (${channel}) it could not understand, so nothing was changed.`);
      return;
    }
    try {
      const handler = opts.handlers[channel] as (...a: unknown[]) => Promise<unknown>;
      const value = await handler(...args);
      sendJson(res, 200, { ok: true, value });
    } catch (err) {
      console.error(`servedir: ${channel} failed:`, err);
      sendError(res, 500, 'Something went wrong inside Servedir.');
    }
  };

  const handleEvents = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (req.method !== 'GET') {
      send(res, 405, 'Method Not Allowed', 'text/plain; charset=utf-8', { Allow: 'GET' });
      return;
    }
    const refusal = apiRefusal(req);
    if (refusal !== null) {
      sendError(res, 403, refusal);
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    clients.add(res);
    req.on('close', () => {
      if (clients.delete(res) && clients.size === 0) opts.onLastClientGone?.();
    });
  };

  const handleStatic = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'Method Not Allowed', 'text/plain; charset=utf-8', { Allow: 'GET, HEAD' });
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      send(res, 400, 'Bad Request', 'text/plain; charset=utf-8');
      return;
    }
    if (rel.includes('\0')) {
      send(res, 400, 'Bad Request', 'text/plain; charset=utf-8');
      return;
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(rendererDir, '.' + path.posix.normalize(rel));
    if (file !== rendererDir && !file.startsWith(rendererDir + path.sep)) {
      send(res, 404, 'Not Found', 'text/plain; charset=utf-8');
      return;
    }
    let data: Buffer;
    try {
      const st = await fsp.stat(file);
      if (!st.isFile()) throw new Error('not a file');
      data = await fsp.readFile(file);
    } catch {
      send(res, 404, 'Not Found', 'text/plain; charset=utf-8');
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': mime.contentType(path.extname(file)) || 'application/octet-stream',
      'Content-Length': data.length,
      'Cache-Control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : data);
  };

  const server = http.createServer((req, res) => {
    const host = req.headers.host ?? '';
    if (!allowedHosts().includes(host)) {
      send(res, 403, 'Forbidden', 'text/plain; charset=utf-8');
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`) {
      send(res, 403, 'Forbidden', 'text/plain; charset=utf-8');
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${host}`);
    } catch {
      send(res, 400, 'Bad Request', 'text/plain; charset=utf-8');
      return;
    }
    const done = (p: Promise<void> | void): void => {
      void Promise.resolve(p).catch((err: unknown) => {
        console.error('servedir: control request failed:', err);
        if (!res.headersSent) sendError(res, 500, 'Something went wrong inside Servedir.');
        else res.destroy();
      });
    };
    if (url.pathname.startsWith(INVOKE_PATH_PREFIX)) {
      done(handleInvoke(req, res, url.pathname.slice(INVOKE_PATH_PREFIX.length)));
    } else if (url.pathname === EVENTS_PATH) {
      done(handleEvents(req, res));
    } else if (url.pathname.startsWith('/api/')) {
      send(res, 404, 'Not Found', 'text/plain; charset=utf-8');
    } else if (url.pathname === '/' && req.method === 'GET' && url.searchParams.has(LINK_KEY_PARAM)) {
      handleSignIn(res, url.searchParams.get(LINK_KEY_PARAM)!);
    } else {
      done(handleStatic(req, res, url));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: opts.port ?? 0, host: '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
  const origin = `http://127.0.0.1:${port}`;

  const heartbeat = setInterval(() => {
    for (const c of clients) c.write(': keep-alive\n\n');
  }, opts.heartbeatMs ?? 15_000);
  heartbeat.unref();

  return {
    port,
    origin,
    issueLink(ttlMs) {
      const key = randomBytes(32).toString('base64url');
      links.set(digest(key), now() + ttlMs);
      if (links.size > MAX_OPEN_LINKS) links.delete(links.keys().next().value!);
      return `${origin}/?${LINK_KEY_PARAM}=${key}`;
    },
    broadcast(channel, payload) {
      if (!EVENT_CHANNELS.includes(channel)) return;
      const frame = `event: ${channel}\ndata: ${JSON.stringify(channel === 'log:batch' ? logBatchAsJson(payload as LogBatch) : payload)}\n\n`;
      for (const c of clients) c.write(frame);
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        for (const c of clients) c.end();
        clients.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
