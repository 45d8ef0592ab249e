/**
 * Pure Node. Small, exact ports of the Python text primitives that `Lib/http/server.py`
 * (CPython v3.13.0) leans on: `str.split()`, `repr()`, `urllib.parse.unquote/quote/urlsplit/
 * urlunsplit`, `posixpath.normpath/splitext`, `html.escape`, `int()`, and the file-system
 * encoding (UTF-8 with `surrogateescape`).
 *
 * Strings here are JavaScript strings holding what Python would hold: a request line decoded
 * as latin-1 (one char per byte), or decoded paths that may carry lone surrogates
 * (U+DC80..U+DCFF) standing for undecodable bytes, exactly like Python's `surrogateescape`.
 * Byte-exact output depends on these, so each function keeps CPython's edge cases.
 */
import net from 'node:net';

/** Characters `str.isspace()` is true for, within latin-1 (all a request line can hold). */
const PY_SPACE = /[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0]+/;

/** `str.split()` with no argument: split on runs of whitespace, dropping empty words. */
export function pySplit(s: string): string[] {
  return s.split(PY_SPACE).filter((w) => w !== '');
}

/** `str.rstrip(chars)`. */
export function pyRstrip(s: string, chars: string): string {
  let end = s.length;
  while (end > 0 && chars.includes(s[end - 1]!)) end--;
  return s.slice(0, end);
}

function isPrintable(cp: number): boolean {
  // str.isprintable(): false for categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs except ' '.
  if (cp === 0x20) return true;
  const ch = String.fromCodePoint(cp);
  return !/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u.test(ch);
}

/** `repr(str)`, as `%r` formats it (quote choice, escapes, `\xhh`/`\uhhhh`/`\Uhhhhhhhh`). */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    const ch = String.fromCodePoint(cp);
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex2(cp);
    else if (cp < 0x7f) out += ch;
    else if (isPrintable(cp)) out += ch;
    else if (cp <= 0xff) out += '\\x' + hex2(cp);
    else if (cp <= 0xffff) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + quote;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** `html.escape(s, quote)`. */
export function htmlEscape(s: string, quote = true): string {
  let r = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (quote) r = r.replace(/"/g, '&quot;').replace(/'/g, '&#x27;');
  return r;
}

/** Python `int(s)` for a str: optional whitespace and sign, digits with single underscores. */
export function pyInt(s: string): number | null {
  const m = /^[ \t\n\x0b\x0c\r\x1c-\x1f\x85\xa0]*([+-]?)(\d+(?:_\d+)*)[ \t\n\x0b\x0c\r\x1c-\x1f\x85\xa0]*$/.exec(s);
  if (!m) return null;
  const v = Number(m[2]!.replace(/_/g, ''));
  return m[1] === '-' ? -v : v;
}

// ---------------------------------------------------------------------------------------------
// Bytes <-> str with UTF-8 and the surrogate error handlers.

/**
 * Decode UTF-8 bytes the way `bytes.decode('utf-8', 'surrogateescape')` does: each byte that
 * is not part of a valid sequence becomes the lone surrogate U+DC00+byte.
 */
export function decodeSurrogateEscape(buf: Uint8Array): string {
  // Fast path: valid UTF-8 decodes the same strictly (WHATWG's decoder rejects overlong forms,
  // surrogates and code points above U+10FFFF as Python's does; ignoreBOM keeps a BOM).
  try {
    return STRICT_UTF8.decode(buf);
  } catch {
    // Some byte is not valid UTF-8: escape it below.
  }
  let out = '';
  let i = 0;
  while (i < buf.length) {
    const n = validSeqLen(buf, i);
    if (n === 0) {
      out += String.fromCharCode(0xdc00 + buf[i]!);
      i++;
    } else {
      out += Buffer.from(buf.subarray(i, i + n)).toString('utf8');
      i += n;
    }
  }
  return out;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Length of the valid UTF-8 sequence starting at i (strict: no surrogates), or 0. */
function validSeqLen(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number): boolean => i + k < b.length && (b[i + k]! & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const c1 = b[i + 1]!;
    if (c === 0xe0 && c1 < 0xa0) return 0;
    if (c === 0xed && c1 >= 0xa0) return 0; // surrogates are not valid UTF-8
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const c1 = b[i + 1]!;
    if (c === 0xf0 && c1 < 0x90) return 0;
    if (c === 0xf4 && c1 >= 0x90) return 0;
    return 4;
  }
  return 0;
}

/**
 * Encode a str to UTF-8 with `surrogatepass` (lone surrogates become their 3-byte form) or
 * `surrogateescape` (U+DC80..U+DCFF become the raw byte; other lone surrogates throw, as
 * Python's encoder raises UnicodeEncodeError).
 */
export function encodeUtf8(s: string, errors: 'surrogatepass' | 'surrogateescape'): Buffer {
  // Fast path: without any surrogate code unit both handlers are plain UTF-8.
  if (!SURROGATE.test(s)) return Buffer.from(s, 'utf8');
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      if (errors === 'surrogateescape') {
        if (cp >= 0xdc80 && cp <= 0xdcff) {
          bytes.push(cp - 0xdc00);
          continue;
        }
        throw new PyUnicodeError(`'utf-8' codec can't encode character '\\u${cp.toString(16)}'`);
      }
    }
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Buffer.from(bytes);
}

const SURROGATE = /[\ud800-\udfff]/;

/** Raised where Python would raise UnicodeEncodeError/UnicodeDecodeError. */
export class PyUnicodeError extends Error {
  override readonly name = 'PyUnicodeError';
}

/** `str.encode('latin-1', 'strict')`: throws PyUnicodeError for chars above U+00FF. */
export function encodeLatin1Strict(s: string): Buffer {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) {
      throw new PyUnicodeError(`'latin-1' codec can't encode character at position ${i}`);
    }
  }
  return Buffer.from(s, 'latin1');
}

/** The path a Python str names on disk (`os.fsencode`: UTF-8 + surrogateescape). */
export function fsEncode(s: string): Buffer {
  return encodeUtf8(s, 'surrogateescape');
}

// ---------------------------------------------------------------------------------------------
// urllib.parse

const HEXDIG = /^[0-9A-Fa-f]{2}$/;

/** `urllib.parse.unquote_to_bytes` over an ASCII-only str. */
function unquoteToBytes(s: string): Buffer {
  const parts = s.split('%');
  const out: number[] = [];
  for (const ch of Buffer.from(parts[0]!, 'latin1')) out.push(ch);
  for (let k = 1; k < parts.length; k++) {
    const item = parts[k]!;
    if (HEXDIG.test(item.slice(0, 2))) {
      out.push(parseInt(item.slice(0, 2), 16));
      for (const ch of Buffer.from(item.slice(2), 'latin1')) out.push(ch);
    } else {
      out.push(0x25);
      for (const ch of Buffer.from(item, 'latin1')) out.push(ch);
    }
  }
  return Buffer.from(out);
}

/**
 * Decode UTF-8 with an error handler. 'strict' and 'surrogatepass' throw PyUnicodeError on
 * invalid input ('surrogatepass' accepts encoded surrogates); 'replace' puts U+FFFD.
 */
export function decodeUtf8(buf: Uint8Array, errors: 'strict' | 'surrogatepass' | 'replace'): string {
  if (errors === 'replace') return new TextDecoder('utf-8').decode(buf);
  let out = '';
  let i = 0;
  while (i < buf.length) {
    const n = validSeqLen(buf, i);
    if (n > 0) {
      out += Buffer.from(buf.subarray(i, i + n)).toString('utf8');
      i += n;
      continue;
    }
    // An encoded surrogate: ED A0..BF 80..BF.
    if (
      errors === 'surrogatepass' && buf[i] === 0xed && i + 2 < buf.length &&
      buf[i + 1]! >= 0xa0 && buf[i + 1]! <= 0xbf && (buf[i + 2]! & 0xc0) === 0x80
    ) {
      out += String.fromCharCode(0xd000 | ((buf[i + 1]! & 0x3f) << 6) | (buf[i + 2]! & 0x3f));
      i += 3;
      continue;
    }
    throw new PyUnicodeError("'utf-8' codec can't decode byte");
  }
  return out;
}

/**
 * `urllib.parse.unquote(string, errors=...)`: percent-escapes inside ASCII runs are decoded as
 * UTF-8 with the given handler; non-ASCII characters pass through untouched.
 */
export function unquote(s: string, errors: 'strict' | 'surrogatepass' | 'replace' = 'replace'): string {
  if (!s.includes('%')) return s;
  const bits = s.split(/([\x00-\x7f]+)/);
  let out = '';
  for (const bit of bits) {
    if (bit === '') continue;
    if (/^[\x00-\x7f]+$/.test(bit)) out += decodeUtf8(unquoteToBytes(bit), errors);
    else out += bit;
  }
  return out;
}

/** `unquote(s, errors='surrogatepass')`, falling back to `unquote(s)` on a decode error. */
export function unquoteSurrogatePassOrReplace(s: string): string {
  try {
    return unquote(s, 'surrogatepass');
  } catch (err) {
    if (err instanceof PyUnicodeError) return unquote(s);
    throw err;
  }
}

const ALWAYS_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~';

/**
 * For each `safe` string seen, what each byte becomes: itself or `%XX` (CPython caches its
 * `_Quoter` per safe string the same way). Callers pass a handful of constant strings.
 */
const QUOTE_TABLES = new Map<string, readonly string[]>();

function quoteTable(safe: string): readonly string[] {
  let table = QUOTE_TABLES.get(safe);
  if (!table) {
    const safeBytes = new Set([...Buffer.from(ALWAYS_SAFE, 'latin1'), ...Buffer.from(safe, 'latin1')]);
    table = Array.from({ length: 256 }, (_, b) => (safeBytes.has(b) ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0')));
    if (QUOTE_TABLES.size < 64) QUOTE_TABLES.set(safe, table);
  }
  return table;
}

/** Strings `quote(s)` with the default `safe='/'` returns unchanged. */
const QUOTE_DEFAULT_UNCHANGED = /^[A-Za-z0-9_.~/-]*$/;

/** `urllib.parse.quote(s, safe='/', errors=...)`. */
export function quote(s: string, errors: 'surrogatepass' | 'surrogateescape' = 'surrogatepass', safe = '/'): string {
  if (safe === '/' && QUOTE_DEFAULT_UNCHANGED.test(s)) return s;
  const table = quoteTable(safe);
  const bytes = encodeUtf8(s, errors);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += table[bytes[i]!]!;
  return out;
}

/** The five parts of `urllib.parse.urlsplit`. */
export interface SplitResult {
  readonly scheme: string;
  readonly netloc: string;
  readonly path: string;
  readonly query: string;
  readonly fragment: string;
}

/** Raised where `urlsplit` raises ValueError (e.g. "Invalid IPv6 URL"). */
export class PyValueError extends Error {
  override readonly name = 'PyValueError';
}

const SCHEME_CHARS = /^[A-Za-z0-9+\-.]*$/;

/**
 * `urllib.parse._check_bracketed_host` (gh-103848): what `[...]` holds in a netloc must be an
 * IPvFuture literal (`v1.x`) or an IPv6 address (`ipaddress.ip_address`); otherwise, or for
 * an IPv4 address, ValueError.
 */
function checkBracketedHost(hostname: string): void {
  if (hostname.startsWith('v')) {
    if (!/^v[a-fA-F0-9]+\..+$/s.test(hostname)) throw new PyValueError('IPvFuture address is invalid');
    return;
  }
  if (net.isIPv4(hostname)) throw new PyValueError('An IPv4 address cannot be in brackets');
  if (!net.isIPv6(hostname)) throw new PyValueError(`${pyRepr(hostname)} does not appear to be an IPv4 or IPv6 address`);
}

/** `urllib.parse.urlsplit(url)` (CPython 3.13, WHATWG leading-control stripping included). */
export function urlsplit(input: string): SplitResult {
  let url = input.replace(/^[\x00-\x20]+/, '').replace(/[\t\r\n]/g, '');
  let scheme = '';
  let netloc = '';
  let query = '';
  let fragment = '';
  const i = url.indexOf(':');
  if (i > 0 && /^[A-Za-z]/.test(url) && SCHEME_CHARS.test(url.slice(0, i))) {
    scheme = url.slice(0, i).toLowerCase();
    url = url.slice(i + 1);
  }
  if (url.slice(0, 2) === '//') {
    let delim = url.length;
    for (const c of '/?#') {
      const w = url.indexOf(c, 2);
      if (w >= 0) delim = Math.min(delim, w);
    }
    netloc = url.slice(2, delim);
    url = url.slice(delim);
    if ((netloc.includes('[') && !netloc.includes(']')) || (netloc.includes(']') && !netloc.includes('['))) {
      throw new PyValueError('Invalid IPv6 URL');
    }
    if (netloc.includes('[') && netloc.includes(']')) {
      const afterOpen = netloc.slice(netloc.indexOf('[') + 1);
      checkBracketedHost(afterOpen.includes(']') ? afterOpen.slice(0, afterOpen.indexOf(']')) : afterOpen);
    }
  }
  const h = url.indexOf('#');
  if (h >= 0) {
    fragment = url.slice(h + 1);
    url = url.slice(0, h);
  }
  const q = url.indexOf('?');
  if (q >= 0) {
    query = url.slice(q + 1);
    url = url.slice(0, q);
  }
  return { scheme, netloc, path: url, query, fragment };
}

const USES_NETLOC = new Set([
  '', 'ftp', 'http', 'gopher', 'nntp', 'telnet', 'imap', 'wais', 'file', 'mms', 'https', 'shttp',
  'snews', 'prospero', 'rtsp', 'rtsps', 'rtspu', 'rsync', 'svn', 'svn+ssh', 'sftp', 'nfs', 'git',
  'git+ssh', 'ws', 'wss', 'itms-services',
]);

/** `urllib.parse.urlunsplit` (CPython 3.13.0). */
export function urlunsplit(p: SplitResult): string {
  let url = p.path;
  // gh-67693 (in 3.13.0, after the 3.11.7 oracle): a path starting with '//' keeps an explicit
  // empty authority, and a scheme without one gets '//' only before an absolute path, so
  // ('http', '', '//x/d/') is 'http:////x/d/' (3.11: 'http://x/d/', another host) and
  // ('http', '', 'x/d/') is 'http:x/d/' (3.11: 'http:///x/d/').
  if (p.netloc) {
    if (url && url[0] !== '/') url = '/' + url;
    url = '//' + p.netloc + url;
  } else if (url.slice(0, 2) === '//') {
    url = '//' + url;
  } else if (p.scheme && USES_NETLOC.has(p.scheme) && (!url || url[0] === '/')) {
    url = '//' + url;
  }
  if (p.scheme) url = p.scheme + ':' + url;
  if (p.query) url = url + '?' + p.query;
  if (p.fragment) url = url + '#' + p.fragment;
  return url;
}

// ---------------------------------------------------------------------------------------------
// posixpath

/** `posixpath.normpath`. */
export function normpath(path: string): string {
  if (path === '') return '.';
  let initial = path.startsWith('/') ? 1 : 0;
  // POSIX allows one or two initial slashes, but treats three or more as a single slash.
  if (initial && path.startsWith('//') && !path.startsWith('///')) initial = 2;
  const comps = path.split('/');
  const out: string[] = [];
  for (const comp of comps) {
    if (comp === '' || comp === '.') continue;
    if (comp !== '..' || (!initial && out.length === 0) || (out.length > 0 && out[out.length - 1] === '..')) {
      out.push(comp);
    } else if (out.length > 0) {
      out.pop();
    }
  }
  const joined = out.join('/');
  const result = '/'.repeat(initial) + joined;
  return result || '.';
}

/** `posixpath.splitext`: [root, ext]; leading dots of the last component do not start an ext. */
export function splitext(p: string): [string, string] {
  const sep = p.lastIndexOf('/');
  const dot = p.lastIndexOf('.');
  if (dot > sep) {
    let f = sep + 1;
    while (f < dot) {
      if (p[f] !== '.') return [p.slice(0, dot), p.slice(dot)];
      f++;
    }
  }
  return [p, ''];
}

/** Compare two strs by code point, as Python's `<` on str does. */
export function comparePy(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
