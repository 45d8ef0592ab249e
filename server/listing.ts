/**
 * Pure Node. Port of the entry loop of CPython v3.13.0 `Lib/http/server.py`
 * `SimpleHTTPRequestHandler.list_directory`: `os.listdir`, `list.sort(key=lambda a: a.lower())`,
 * then one `<li><a href="quote(linkname)">html.escape(displayname)</a></li>` line per name,
 * `/` after a folder (a link to one too, in the href only) and `@` after a symbolic link.
 *
 * The part of the page above the entries names the request path and is built per request by
 * `SimpleHTTPRequestHandler.listDirectory`; what is rendered here depends only on the
 * directory, so `listing-cache.ts` can keep it. Same bytes as CPython, computed with less
 * work: entry types from the directory itself (a stat only for links and DT_UNKNOWN), one sort
 * key per name, the quoting and escaping done by the engine's built-ins when the result is the
 * same (`encodeURIComponent`, one regular-expression test), one string encoded once.
 */
import type { HandlerFs } from './handler-fs.js';
import { isdirSync, statSyncOrNull } from './py-path.js';
import { comparePy, decodeSurrogateEscape, encodeUtf8, fsEncode, quote } from './py-text.js';

/** A symbolic link of a listing and whether it led to a folder when the page was rendered. */
export interface ListingLink {
  /** The link's path on disk (`fsEncode(dirPath + name)`). */
  readonly path: Buffer;
  /** `os.path.isdir(path)` at render time: decides the `/` in its href. */
  readonly isDir: boolean;
}

/** The entries of a directory listing, rendered. */
export interface ListingEntries {
  /**
   * UTF-8 (surrogateescape) bytes of every `<li>` line, each followed by `\n`, then the end of
   * the page (`</ul>\n<hr>\n</body>\n</html>\n`). Never modified once returned.
   */
  readonly bytes: Buffer;
  /** The symbolic links among the entries: their targets can change without the directory changing. */
  readonly links: readonly ListingLink[];
}

/** The end of the page after the last entry (CPython joins its lines with `\n`). */
const PAGE_TAIL = '</ul>\n<hr>\n</body>\n</html>\n';

/** Strings `quote()` with the default `safe='/'` returns unchanged. */
const QUOTE_UNCHANGED = /^[A-Za-z0-9_.~/-]*$/;

/** What `encodeURIComponent` leaves that `quote(safe='/')` escapes, and the `/` it keeps. */
const URI_COMPONENT_DIFFERS = /%2F|[!'()*]/g;

const SURROGATE = /[\ud800-\udfff]/;

function fixUriComponent(m: string): string {
  return m === '%2F' ? '/' : '%' + m.charCodeAt(0).toString(16).toUpperCase();
}

/**
 * `urllib.parse.quote(s, safe='/', errors='surrogatepass')`, the way `list_directory` calls it.
 * `encodeURIComponent` percent-encodes the UTF-8 bytes of everything but letters, digits and
 * `-_.!~*'()`, in upper-case hex as Python does; `quote` also escapes `!~*'()` but `~`, and
 * keeps `/`. A lone surrogate (a name that was not valid UTF-8) makes it throw: `quote` then.
 */
export function quoteName(s: string): string {
  if (QUOTE_UNCHANGED.test(s)) return s;
  let encoded: string;
  try {
    encoded = encodeURIComponent(s);
  } catch {
    return quote(s, 'surrogatepass');
  }
  return encoded.replace(URI_COMPONENT_DIFFERS, fixUriComponent);
}

const HTML_SPECIAL = /[&<>]/;

/** `html.escape(s, quote=False)`, tested once before replacing. */
export function escapeName(s: string): string {
  if (!HTML_SPECIAL.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Order by key as Python's `<` on str does (by code point). */
function byKeyPy(a: { key: string }, b: { key: string }): number {
  return comparePy(a.key, b.key);
}

/** Order by key by UTF-16 code unit: the same as by code point when no key holds a surrogate. */
function byKeyUnits(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Read and render the entries of the folder `dirPath` (a path ending in `/`, as
 * `translate_path` gives for a listing). Rejects when the directory cannot be read (the caller
 * answers 404 "No permission to list directory"); a failing stat of one entry only means "not
 * a folder, not a link", as in CPython. `hideDotfiles` (PORT NOTE 28: the `showHidden`
 * setting off): names starting with `.` are left out.
 */
export async function renderListingEntries(dirPath: string, fsi: HandlerFs, hideDotfiles = false): Promise<ListingEntries> {
  const dirBytes = fsEncode(dirPath);
  let raw = await fsi.readdirEntries(dirBytes);
  if (hideDotfiles) raw = raw.filter((e) => e.name[0] !== 0x2e);
  const sep = dirPath.endsWith('/') ? '' : '/';
  let anySurrogate = false;
  const keyed = raw.map((e) => {
    const name = decodeSurrogateEscape(e.name);
    const key = name.toLowerCase();
    if (!anySurrogate && SURROGATE.test(key)) anySurrogate = true;
    return { name, key, raw: e.name, kind: e.kind };
  });
  // list.sort(key=lambda a: a.lower()): a stable sort on keys computed once. Comparing UTF-16
  // code units orders like code points unless a surrogate is involved (astral characters, or a
  // byte that was not UTF-8): then Python's order is computed code point by code point.
  keyed.sort(anySurrogate ? byKeyPy : byKeyUnits);
  const links: ListingLink[] = [];
  let html = '';
  for (const { name, raw: rawName, kind } of keyed) {
    // Append / for directories or @ for symbolic links. The directory entry's type answers
    // os.path.isdir and os.path.islink for anything but a link (isdir follows it) or an entry
    // of unknown type (one lstat then answers both, unless it is a link).
    let isLink = kind === 'link';
    let isDir = kind === 'dir';
    let fullname: Buffer | null = null;
    if (kind === 'unknown') {
      // The raw name bytes: fsEncode(decode(name)) gives them back (surrogateescape round-trips).
      fullname = Buffer.concat([dirBytes, Buffer.from(sep), rawName]);
      const lst = statSyncOrNull(fullname, false, fsi);
      isLink = lst?.isSymbolicLink() ?? false;
      isDir = !isLink && (lst?.isDirectory() ?? false);
    }
    if (isLink) {
      fullname ??= Buffer.concat([dirBytes, Buffer.from(sep), rawName]);
      isDir = isdirSync(fullname, fsi);
      links.push({ path: fullname, isDir });
    }
    // Note: a link to a directory displays with @ and links with /.
    const linkname = isDir ? name + '/' : name;
    const displayname = isLink ? name + '@' : linkname;
    html += '<li><a href="' + quoteName(linkname) + '">' + escapeName(displayname) + '</a></li>\n';
  }
  html += PAGE_TAIL;
  return { bytes: encodeUtf8(html, 'surrogateescape'), links };
}
