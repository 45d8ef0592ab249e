/**
 * Pure Node. A small, bounded cache of rendered directory listings (the entry lines of
 * `listing.ts`), so that a folder listed again and again costs one `stat` of the folder (and
 * one of each symbolic link in it) instead of reading, sorting, quoting and escaping every
 * name again: a 5,000-entry listing took ~13 ms of CPU per request.
 *
 * PORT NOTE: CPython lists the directory on every request. An entry here is used only when a
 * fresh `stat` of the folder (nanosecond timestamps, `bigint: true`) shows the same folder in
 * the same state: same device and inode, modification time, change time, size and link
 * count. Creating, deleting or renaming an entry changes the folder's modification and change
 * times; `touch -d` or a restore that puts an old modification time back still changes the
 * change time, which no program can set. Two things can change a listing without changing
 * its folder, and both are checked on every use: what a symbolic link leads to (the `/` in a
 * link's href follows its target: every link of the page is stat'ed again, and any difference
 * renders the page again) and the request path (the title is built per request, not kept).
 *
 * Timestamps on disk are coarse: a change within the same clock tick as the previous one can
 * leave them unchanged. So a listing is kept only when the folder's timestamps were at least
 * `LISTING_RACY_MS` old before the stat that identifies it (git's "racy git" rule): any later
 * change then gets a newer timestamp. A folder changed more recently is rendered every time,
 * as CPython does. The bytes served from here are those a fresh render gives.
 */
import type fs from 'node:fs';
import { ByteLru } from './byte-lru.js';
import type { ListingEntries, ListingLink } from './listing.js';

/** Total bytes of rendered entries kept (least recently used dropped first). */
export const LISTING_CACHE_MAX_BYTES = 4 * 1024 * 1024;

/** A folder whose timestamps are younger than this before the stat is not kept (see above). */
export const LISTING_RACY_MS = 2000;

/** Bookkeeping counted against the budget for each entry and each link (objects, Map slot). */
const ENTRY_OVERHEAD = 256;
const LINK_OVERHEAD = 96;

/** The stat fields that identify a folder and its state (a `bigint: true` stat). */
export type DirStamp = Pick<fs.BigIntStats, 'dev' | 'ino' | 'mtimeNs' | 'ctimeNs' | 'size' | 'nlink'>;

interface Entry {
  readonly stamp: DirStamp;
  readonly bytes: Buffer;
  readonly links: readonly ListingLink[];
}

/** True when two stamps show the same folder in the same state. */
export function sameDir(a: DirStamp, b: DirStamp): boolean {
  return a.ino === b.ino && a.dev === b.dev && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.size === b.size && a.nlink === b.nlink;
}

function costOf(entries: ListingEntries): number {
  let cost = ENTRY_OVERHEAD + entries.bytes.length;
  for (const link of entries.links) cost += LINK_OVERHEAD + link.path.length;
  return cost;
}

/** Rendered listings keyed by the folder path they were rendered from. */
export class ListingCache {
  private readonly entries: ByteLru<Entry>;

  /**
   * `maxBytes`: the budget; `racyMs`: how old a folder's timestamps must be to be kept;
   * `now`: the wall clock in ms (the clock file timestamps come from; tests pass a fake one).
   */
  constructor(
    readonly maxBytes = LISTING_CACHE_MAX_BYTES,
    readonly racyMs = LISTING_RACY_MS,
    readonly now: () => number = Date.now,
  ) {
    this.entries = new ByteLru(maxBytes);
  }

  /** Bytes counted against the budget. */
  get size(): number {
    return this.entries.bytes;
  }

  /** Number of listings kept. */
  get count(): number {
    return this.entries.count;
  }

  /**
   * The entries kept for `key` when `stamp` (a stat of the folder taken now) shows it
   * unchanged and every link still leads where it did (`isDir`: `os.path.isdir` of a link's
   * path now); null otherwise, and a stale entry is dropped.
   */
  get(key: string, stamp: DirStamp, isDir: (path: Buffer) => boolean): ListingEntries | null {
    const entry = this.entries.get(key);
    if (entry === undefined) return null;
    if (!sameDir(entry.stamp, stamp) || entry.links.some((link) => isDir(link.path) !== link.isDir)) {
      this.entries.delete(key);
      return null;
    }
    return { bytes: entry.bytes, links: entry.links };
  }

  /**
   * Keep `entries`, rendered after `stamp` was taken, unless the folder's timestamps were
   * younger than `racyMs` at `statAt` (the clock read just before that stat) or they do not
   * fit in the budget.
   */
  put(key: string, stamp: DirStamp, statAt: number, entries: ListingEntries): void {
    this.entries.delete(key);
    const newest = stamp.mtimeNs > stamp.ctimeNs ? stamp.mtimeNs : stamp.ctimeNs;
    // Compared in whole ms, rounding the timestamp up: never younger than it really is.
    const newestMs = Number((newest + 999_999n) / 1_000_000n);
    if (statAt - newestMs < this.racyMs) return;
    const cost = costOf(entries);
    const stampCopy: DirStamp = { dev: stamp.dev, ino: stamp.ino, mtimeNs: stamp.mtimeNs, ctimeNs: stamp.ctimeNs, size: stamp.size, nlink: stamp.nlink };
    this.entries.set(key, { stamp: stampCopy, bytes: entries.bytes, links: entries.links }, cost);
  }

  /** Drop everything. */
  clear(): void {
    this.entries.clear();
  }
}
