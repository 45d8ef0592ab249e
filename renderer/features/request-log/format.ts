/**
 * Display formatting for log cells. Runs in: the renderer (pure).
 */
import { escapeControlChars } from './cpython-format';

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `HH:MM:SS` in local time. */
export function formatClock(timeMs: number): string {
  const d = new Date(timeMs);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** A compact size: `512 B`, `12.3 kB`, `4.5 MB` (decimal units, like file managers). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** `0.4 ms`, `12 ms`, `1.25 s`; an en dash when unknown. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f]/g;

/**
 * Client-chosen text made safe to look at: control characters as `\xHH` (as CPython
 * logs them) and bidirectional overrides as `\u202e`, so a path cannot disguise itself.
 * React renders it as text either way; this is about what the eye sees.
 */
export function displayText(s: string | null): string {
  if (s === null) return '';
  return escapeControlChars(s).replace(BIDI, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Characters that would change what a decoded path means: they stay percent-encoded. */
const KEEP_ENCODED = /[/?#%]/g;
/** Invisible characters a decoded path could hide behind (zero-width, BOM, soft hyphen). */
const INVISIBLE = /[\u00ad\u200b-\u200d\u2060\ufeff]/g;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeRun(run: string): string {
  const bytes = new Uint8Array(run.length / 3);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return run; // not UTF-8: show the bytes as sent
  }
  return text.replace(KEEP_ENCODED, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * A request path as people read it: `%20` shown as a space and `%C3%A9` as `é`, so
 * `/2026%20Lisbon/` reads `/2026 Lisbon/`. Only what is valid UTF-8 is decoded; `%2F`,
 * `%3F`, `%23` and `%25` stay encoded (decoded they would read as a different path), and
 * the result goes through {@link displayText}, with invisible characters made visible too.
 * The raw path is kept for details, filters and exports.
 */
export function displayPath(raw: string | null): string {
  if (raw === null) return '';
  if (!raw.includes('%')) return displayText(raw);
  const decoded = raw.replace(/(?:%[0-9A-Fa-f]{2})+/g, decodeRun);
  return displayText(decoded).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const PHRASES: Readonly<Record<number, string>> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 206: 'Partial Content',
  301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  408: 'Request Timeout', 411: 'Length Required', 413: 'Content Too Large', 414: 'URI Too Long',
  416: 'Range Not Satisfiable', 431: 'Request Header Fields Too Large',
  500: 'Internal Server Error', 501: 'Not Implemented', 503: 'Service Unavailable', 505: 'HTTP Version Not Supported',
};

/** `404 Not Found` where the phrase is known. */
export function statusText(status: number | null): string {
  if (status === null) return '–';
  const p = PHRASES[status];
  return p ? `${status} ${p}` : String(status);
}
