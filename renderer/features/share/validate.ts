/**
 * Checks for what the user types in the Share panel and the Settings pane, with the
 * plain-words message shown next to the field.
 *
 * Runs in: the renderer (pure). The shell validates again with the contract's guards;
 * these run first so that a typo is explained before anything is sent.
 */
import { isBindAddress, isCgiDirectories } from '../../../electron/ipc-contract';

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** Parses the port field: a whole number from 1 to 65535. */
export function parsePort(text: string): Checked<number> {
  const t = text.trim();
  if (!/^\d{1,5}$/.test(t)) return { ok: false, message: 'Enter a whole number from 1 to 65535.' };
  const n = Number(t);
  if (n < 1 || n > 65535) return { ok: false, message: 'Enter a whole number from 1 to 65535.' };
  return { ok: true, value: n };
}

/** A gentle warning for ports that usually need administrator rights, or null. */
export function portWarning(port: number): string | null {
  return port < 1024
    ? 'Numbers below 1024 usually need administrator rights. If sharing fails, try 8000.'
    : null;
}

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255 && !/^0\d/.test(p));
}

function isIPv6(s: string): boolean {
  const [addr, zone, extra] = s.split('%');
  if (extra !== undefined || zone === '' || addr === undefined || !addr.includes(':')) return false;
  if (zone !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(zone)) return false;
  try {
    // The URL parser is a complete IPv6 grammar; it rejects what is not an address.
    return new URL(`http://[${addr}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

/** Checks a typed bind address ('' = all interfaces). */
export function checkBindAddress(text: string): Checked<string> {
  const t = text.trim();
  if (t === '') return { ok: true, value: '' };
  if ((isIPv4(t) || isIPv6(t)) && isBindAddress(t)) return { ok: true, value: t };
  return {
    ok: false,
    message: 'That is not a network address of this computer. It looks like 192.168.1.5 or fe80::1.',
  };
}

/**
 * Checks the CGI folder list. Blank lines are ignored, a trailing slash is removed and
 * duplicates are dropped; the result must satisfy the contract's validator.
 * @returns the cleaned list, or a message naming the first bad entry.
 */
export function checkCgiDirectories(items: readonly string[]): Checked<string[]> {
  const out: string[] = [];
  for (const raw of items) {
    let d = raw.trim();
    if (d === '') continue;
    while (d.length > 1 && d.endsWith('/')) d = d.slice(0, -1);
    if (!d.startsWith('/')) return { ok: false, message: `“${d}” must start with a slash, like /cgi-bin.` };
    if (d === '/') return { ok: false, message: 'A script folder cannot be the whole shared folder (/).' };
    if (/[\\?#\0]/.test(d)) return { ok: false, message: `“${d}” cannot contain \\, ? or #.` };
    // The engine compares against the request path after collapsing "." and ".." and
    // double slashes (CPython's _url_collapse_path), so such a folder would never match:
    // scripts there would be served as plain files, silently.
    if (d.split('/').slice(1).some((seg) => seg === '' || seg === '.' || seg === '..')) {
      return { ok: false, message: `Write “${d}” without “.”, “..” or “//”, as it appears in the address, like /cgi-bin.` };
    }
    if (d.length > 256) return { ok: false, message: 'That folder name is too long.' };
    if (!out.includes(d)) out.push(d);
  }
  if (out.length === 0) return { ok: false, message: 'Add at least one folder, for example /cgi-bin.' };
  if (out.length > 16) return { ok: false, message: 'Use at most 16 script folders.' };
  if (!isCgiDirectories(out)) return { ok: false, message: 'One of these folders is not a valid web path.' };
  return { ok: true, value: out };
}
