/**
 * Pure. Range requests and entity tags (RFC 9110 §8.8.3, §13.1.1, §13.1.5, §14): what the
 * file handler needs to answer `Range`, `If-Range` and `If-None-Match`. CPython's
 * `http.server` has none of this (PORT NOTE 26 in server/README.md): it is the `range` setting
 * of the settings table, on in the app and behind `--range` on the command line.
 */

/** One satisfiable byte range of a representation: `start` to `end`, both included. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** What a `Range` header asks of a representation of `size` bytes. */
export type RangeAnswer =
  /** Not a byte-range request we answer with a part: send the whole representation (200). */
  | { readonly kind: 'whole' }
  /** One range (several that overlap or touch are merged into one): 206. */
  | { readonly kind: 'partial'; readonly range: ByteRange }
  /** Every range starts at or beyond the end: 416 with `Content-Range: bytes *\/size`. */
  | { readonly kind: 'unsatisfiable' };

/**
 * Most range specs read from one header; a longer list is not answered with a part (a client
 * needs one or two; thousands of tiny ranges only cost the server).
 */
export const MAX_RANGES = 64;

/**
 * Parse `Range` (RFC 9110 §14.1.1/§14.2) for a representation of `size` bytes.
 *
 * - A header that is not `bytes=` followed by valid range specs is ignored (the whole file),
 *   as RFC 9110 lets a server ignore a Range it does not understand.
 * - `a-b` (b clamped to the last byte), `a-`, and `-n` (the last n bytes).
 * - None satisfiable (every `a` ≥ size, or `-0`): unsatisfiable (416).
 * - An empty file: the whole (empty) file, 200, as nginx does: RFC 9110 would make a suffix
 *   range "satisfiable" with no byte to send, and a 416 would tell a download manager
 *   resuming at 0 that something is wrong when the file is simply empty.
 * - Several ranges: merged when they overlap or touch (RFC 9110 §14.2 allows coalescing); if
 *   they still form more than one range, the whole representation (200) rather than a
 *   `multipart/byteranges` body: clients that seek or resume ask for one range, browsers never
 *   ask for several, and a 200 is always a correct answer (§14.2: a server MAY ignore Range).
 */
export function parseRange(header: string, size: number): RangeAnswer {
  const m = /^[ \t]*bytes[ \t]*=[ \t]*(.*)$/is.exec(header);
  if (!m || size === 0) return { kind: 'whole' };
  const specs = m[1]!.split(',');
  if (specs.length > MAX_RANGES) return { kind: 'whole' };
  const ranges: ByteRange[] = [];
  let anyValid = false;
  for (const raw of specs) {
    const spec = raw.trim();
    // RFC 9110 §5.6.1: empty list elements are allowed and ignored.
    if (spec === '') continue;
    const r = /^(\d*)-(\d*)$/.exec(spec);
    if (!r || (r[1] === '' && r[2] === '')) return { kind: 'whole' };
    anyValid = true;
    if (r[1] === '') {
      // suffix-range: the last n bytes.
      const n = Number(r[2]);
      if (!Number.isSafeInteger(n)) return { kind: 'whole' };
      if (n === 0) continue;
      ranges.push({ start: Math.max(0, size - n), end: size - 1 });
      continue;
    }
    const first = Number(r[1]);
    const last = r[2] === '' ? Infinity : Number(r[2]);
    if (!Number.isSafeInteger(first) || (last !== Infinity && !Number.isSafeInteger(last))) return { kind: 'whole' };
    // §14.1.1: a last-pos below first-pos makes the whole header invalid.
    if (last < first) return { kind: 'whole' };
    if (first >= size) continue;
    ranges.push({ start: first, end: Math.min(last, size - 1) });
  }
  if (!anyValid) return { kind: 'whole' };
  if (ranges.length === 0) return { kind: 'unsatisfiable' };
  ranges.sort((a, b) => a.start - b.start);
  let merged = ranges[0]!;
  for (let i = 1; i < ranges.length; i++) {
    const r = ranges[i]!;
    if (r.start > merged.end + 1) return { kind: 'whole' };
    if (r.end > merged.end) merged = { start: merged.start, end: r.end };
  }
  return { kind: 'partial', range: merged };
}

/** The facts about a file an entity tag is made of. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * A strong entity tag from the file's identity (device and inode), size and modification
 * time: it changes when the file is replaced, grows, shrinks or is written to.
 */
export function fileETag(st: FileIdentity): string {
  const mtimeUs = Math.round(st.mtimeMs * 1000);
  return `"${st.dev.toString(36)}-${st.ino.toString(36)}-${st.size.toString(36)}-${mtimeUs.toString(36)}"`;
}

/** The entity tags of an `If-None-Match` or `If-Match` list; `*` alone gives ['*']. */
export function parseETagList(header: string): string[] {
  const out: string[] = [];
  const re = /[ \t]*(\*|(?:W\/)?"[^"]*")[ \t]*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < header.length && (m = re.exec(header)) !== null) {
    out.push(m[1]!);
    at = re.lastIndex;
  }
  return out;
}

/** Weak comparison (§8.8.3.2): the opaque tags are equal, whether or not either is weak. */
function weakEqual(a: string, b: string): boolean {
  return a.replace(/^W\//, '') === b.replace(/^W\//, '');
}

/** `If-None-Match` (§13.1.2): true when it names the current tag (weak comparison) or is `*`. */
export function noneMatchHits(header: string, etag: string): boolean {
  return parseETagList(header).some((t) => t === '*' || weakEqual(t, etag));
}

/**
 * `If-Range` (§13.1.5): true when the Range may be answered with a part. An entity tag must
 * match strongly (a weak tag never does); a date must equal the Last-Modified date exactly.
 */
export function ifRangeHolds(header: string, etag: string, lastModified: string): boolean {
  const v = header.trim();
  if (v.startsWith('W/')) return false;
  if (v.startsWith('"')) return v === etag;
  return v === lastModified;
}
