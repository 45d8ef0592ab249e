/**
 * The window's own scheme: `app://servedir/…` serves the built renderer (out/renderer)
 * instead of `file://`, so the page has a real origin (`app://servedir`), CSP `'self'`
 * means exactly that folder, and `file://` keeps no extra privileges (the
 * grantFileProtocolExtraPrivileges fuse is off, build/electron-builder.yml).
 *
 * Runs in: the Electron main process. No Electron import: main.ts registers
 * {@link APP_SCHEME_PRIVILEGES} and hands {@link createAppProtocolHandler}'s function to
 * `protocol.handle`; tests call both in plain Node.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { CONTENT_SECURITY_POLICY } from './window';

export const APP_SCHEME = 'app';
export const APP_HOST = 'servedir';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** What the window loads, and the only page the IPC gateway trusts. */
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * Privileges for `protocol.registerSchemesAsPrivileged` (before `ready`):
 * - standard: relative URLs resolve and the page has an origin of its own;
 * - secure: a secure context, which `navigator.clipboard` (the Copy buttons) requires;
 * - supportFetchAPI: Vite's page is module scripts, which Chromium loads in CORS mode;
 *   this privilege is the usual companion of standard+secure for an app's own page
 *   (unverified here without a real Electron whether modules load without it); CSP
 *   `connect-src 'self'` still keeps fetch() to this origin.
 * Deliberately not: bypassCSP, corsEnabled (nothing cross-origin loads from it),
 * allowServiceWorkers, stream, codeCache.
 */
export const APP_SCHEME_PRIVILEGES = Object.freeze({ standard: true, secure: true, supportFetchAPI: true });

/**
 * Content types of what Vite puts in out/renderer. Anything else is not served (404):
 * the folder holds only the page and its assets, so an unknown type is a mistake.
 */
export const APP_CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
});

export type AppRequestResolution =
  | { readonly ok: true; readonly file: string; readonly contentType: string }
  | { readonly ok: false; readonly status: 400 | 404 | 405 };

/**
 * Maps a request on the app scheme to a file under `rootDir`, or a status. Pure: no file
 * system access. Only GET/HEAD on `app://servedir/`, only plain path segments (no `..`,
 * no dotfiles, no encoded `/` or `\`, no NUL), only known content types; `/` is
 * index.html. The joined path is checked to stay inside `rootDir` as a last guard.
 */
export function resolveAppRequest(method: string, url: string, rootDir: string): AppRequestResolution {
  if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405 };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, status: 400 };
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST || u.username !== '' || u.password !== '') {
    return { ok: false, status: 404 };
  }
  // Node's parser leaves '' for "app://servedir"; Chromium makes a standard scheme's '/'.
  const raw = u.pathname === '/' || u.pathname === '' ? ['index.html'] : u.pathname.slice(1).split('/');
  const segments: string[] = [];
  for (const part of raw) {
    let seg: string;
    try {
      seg = decodeURIComponent(part);
    } catch {
      return { ok: false, status: 400 };
    }
    // The URL parser already removed literal and %2e dot segments; these are what it
    // leaves through: encoded separators, empty segments, dotfiles, NUL.
    if (seg === '' || seg.startsWith('.') || /[/\\\0:]/.test(seg)) return { ok: false, status: 404 };
    segments.push(seg);
  }
  const root = path.resolve(rootDir);
  const file = path.join(root, ...segments);
  const rel = path.relative(root, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return { ok: false, status: 404 };
  const contentType = APP_CONTENT_TYPES[path.extname(file).toLowerCase()];
  if (!contentType) return { ok: false, status: 404 };
  return { ok: true, file, contentType };
}

/** Headers every answer of the scheme carries: the window's CSP, and no sniffing. */
function baseHeaders(): Record<string, string> {
  return { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' };
}

export type ReadFileFn = (file: string) => Promise<Uint8Array>;

/**
 * The handler for `protocol.handle(APP_SCHEME, …)`: files from `rootDir` (out/renderer)
 * with their content type and the same CSP as the page's meta tag and the session's
 * header. A file that cannot be read (missing, a folder) is a 404; nothing else on the
 * disk is reachable. `readFile` is injectable for tests.
 */
export function createAppProtocolHandler(
  rootDir: string,
  readFile: ReadFileFn = (file) => fsp.readFile(file),
): (request: { readonly url: string; readonly method: string }) => Promise<Response> {
  return async (request) => {
    const r = resolveAppRequest(request.method, request.url, rootDir);
    if (!r.ok) return new Response(null, { status: r.status, headers: baseHeaders() });
    let body: Uint8Array;
    try {
      body = await readFile(r.file);
    } catch {
      return new Response(null, { status: 404, headers: baseHeaders() });
    }
    const headers = { ...baseHeaders(), 'Content-Type': r.contentType, 'Content-Length': String(body.byteLength) };
    // A copy backed by a plain ArrayBuffer, the one body type every Response accepts (the
    // renderer's files are a few hundred kB, read once per page load).
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
  };
}
