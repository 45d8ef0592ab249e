/**
 * Pure Node. The entries of modern listings (PORT NOTE 27), kept per folder so that a
 * 5,000-entry folder listed again and again is not read, stat'ed, sorted and rendered again
 * every time, while the sizes and dates it shows stay right.
 *
 * What makes this harder than the classic listing's cache (listing-cache.ts, PORT NOTE 23):
 * a file's size and date change when it is written, and its folder's own stat does not (a
 * folder changes only when names are added, removed or renamed). Stat'ing every entry on every
 * request is always right but costs what nginx's whole listing costs (one `stat` per entry:
 * ~4 µs each through Node here, 22 ms for 5,000). So a folder's rows are kept with the stat
 * each showed, and on each use:
 *  - the folder is stat'ed (nanosecond times, as note 23): any name added, removed or renamed
 *    changes it, and the folder is read afresh;
 *  - where the system reports changes promptly (`HandlerFs.watchDir`: Linux's inotify on a
 *    local file system), a watch is placed on the folder before it is read, and only the
 *    entries it reported since the last use are stat'ed again, plus every folder and symbolic
 *    link in it (a sub-folder's date changes with its own entries, and a link's target can
 *    change anywhere: neither is reported to this folder's watch). Before a kept folder is
 *    used, the request waits two turns of the event loop (`settle`): a change made before the
 *    request was sent was queued by the kernel before its bytes arrived, so it has been
 *    delivered by then. Every `fullRestatMs` all entries are stat'ed anyway, so what no
 *    notification reports (a hard link written through another folder, a notification queue
 *    that overflowed: libuv drops that event) shows within that time;
 *  - elsewhere (macOS, whose FSEvents reports late, Windows, network and FUSE file systems,
 *    no watch left) every entry is stat'ed on every use, as CPython would have to; the names,
 *    their quoting and the sorting by name are still kept, under the racy-timestamp rule of
 *    note 23.
 * Rows whose stat changed are rendered again; the rendered rows of the last views asked for
 * are kept until anything changes.
 */
import type { DirWatch, HandlerFs } from './handler-fs.js';
import { LISTING_RACY_MS, sameDir, type DirStamp } from './listing-cache.js';
import {
  compareNames, renderRow, renderRows, sortRows, viewKey, type ListingRow, type ListingView, type RenderedRow,
} from './modern-listing.js';
import { statSyncOrNull } from './py-path.js';
import { isUploadTempName } from './upload.js';
import { decodeSurrogateEscape, encodeUtf8, fsEncode } from './py-text.js';

/** Total bytes of folders kept (rows, names, rendered pages), least recently used dropped first. */
export const MODERN_CACHE_MAX_BYTES = 16 * 1024 * 1024;

/** Folders kept at most (each holds one watch: inotify watches are a per-user resource). */
export const MODERN_CACHE_MAX_FOLDERS = 64;

/** With a watch, every entry is stat'ed again at least this often (see above). */
export const FULL_RESTAT_MS = 10_000;

/** Rendered views kept per folder (the last ones asked for). */
const PAGES_PER_FOLDER = 2;

/** Bookkeeping counted against the budget: per folder, per row (objects, arrays, Map slot). */
const FOLDER_OVERHEAD = 512;
const ROW_OVERHEAD = 240;

/** One entry of a folder, with what its page shows. */
interface Row extends ListingRow {
  /** The entry's path on disk. */
  readonly path: Buffer;
  /** Its name's bytes as latin-1 text: how a watch event names it. */
  readonly key: string;
  /** A folder by its directory entry (what `dir` falls back to when the stat fails). */
  readonly entryDir: boolean;
  /** A folder or a link: stat'ed on every use, even with a watch. */
  readonly volatile: boolean;
  rendered: RenderedRow;
}

/** The rows of a listing in one view, rendered, and what the page says about them. */
export interface RenderedListing {
  /** UTF-8 (surrogateescape) bytes of every row's `<li>` line. Never modified once returned. */
  readonly bytes: Buffer;
  readonly folders: number;
  readonly files: number;
}

/** What a row shows from its stat: kind, size and date. */
function statRow(row: Pick<Row, 'path' | 'entryDir'>, fsi: HandlerFs): { dir: boolean; size: number; mtimeMs: number } {
  const st = statSyncOrNull(row.path, true, fsi);
  if (!st) return { dir: row.entryDir, size: -1, mtimeMs: -1 };
  const dir = st.isDirectory();
  return { dir, size: dir ? -1 : st.size, mtimeMs: st.mtimeMs };
}

/** Stat `row` again; true when what it shows changed (it is then rendered again). */
function restat(row: Row, fsi: HandlerFs): boolean {
  const now = statRow(row, fsi);
  if (now.dir === row.dir && now.size === row.size && now.mtimeMs === row.mtimeMs) return false;
  row.dir = now.dir;
  row.size = now.size;
  row.mtimeMs = now.mtimeMs;
  row.rendered = renderRow(row);
  return true;
}

/**
 * Read the folder `dirPath` (a path ending in `/`) and stat each entry. Rejects when the
 * folder cannot be read (the caller answers 404 "No permission to list directory"); an entry
 * whose stat fails is shown without size and date. `hideDotfiles`: names starting with `.`
 * are left out (PORT NOTE 28).
 */
async function readRows(dirBytes: Buffer, fsi: HandlerFs, hideDotfiles: boolean): Promise<Row[]> {
  const raw = await fsi.readdirEntries(dirBytes);
  const sep = dirBytes.length > 0 && dirBytes[dirBytes.length - 1] === 0x2f ? '' : '/';
  const rows: Row[] = [];
  for (const e of raw) {
    if (hideDotfiles && e.name[0] === 0x2e) continue;
    // PORT NOTE 33: an upload's temporary file is never shown (it becomes a file, or vanishes).
    if (e.name[0] === 0x2e && isUploadTempName(e.name.toString('latin1'))) continue;
    const path = Buffer.concat([dirBytes, Buffer.from(sep), e.name]);
    let link = e.kind === 'link';
    let entryDir = e.kind === 'dir';
    if (e.kind === 'unknown') {
      const lst = statSyncOrNull(path, false, fsi);
      link = lst?.isSymbolicLink() ?? false;
      entryDir = !link && (lst?.isDirectory() ?? false);
    }
    const shown = statRow({ path, entryDir }, fsi);
    const row: Row = {
      name: decodeSurrogateEscape(e.name),
      path,
      key: e.name.toString('latin1'),
      link,
      entryDir,
      volatile: link || shown.dir,
      dir: shown.dir,
      size: shown.size,
      mtimeMs: shown.mtimeMs,
      rendered: { head: '', tail: '' },
    };
    row.rendered = renderRow(row);
    rows.push(row);
  }
  return rows;
}

function countOf(rows: readonly Row[]): { folders: number; files: number } {
  let folders = 0;
  for (const r of rows) if (r.dir) folders++;
  return { folders, files: rows.length - folders };
}

/** Render `rows` (in name order: `byName`) in `view`. */
function render(rows: readonly Row[], byName: readonly Row[], view: ListingView): RenderedListing {
  return { bytes: encodeUtf8(renderRows(sortRows(rows, view, byName), view), 'surrogateescape'), ...countOf(rows) };
}

/** The rows of `dirPath` in `view`, read and rendered afresh (no cache: what CPython would do). */
export async function renderModernListing(dirPath: string, view: ListingView, fsi: HandlerFs, hideDotfiles: boolean): Promise<RenderedListing> {
  const rows = await readRows(fsEncode(dirPath), fsi, hideDotfiles);
  return render(rows, [...rows].sort((a, b) => compareNames(a.name, b.name)), view);
}

/** Two turns of the event loop: the change notifications queued before now have been delivered. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

/** One folder's kept rows, its watch, and what changed since they were last checked. */
class Folder {
  /** Entries a watch event named since the last check. */
  private readonly dirty = new Set<string>();
  /** An event that may have changed the names (or the watch broke): read the folder again. */
  stale = false;
  watch: DirWatch | null = null;
  /** The clock when every row was last stat'ed. */
  private fullAt: number;
  private byKey: Map<string, Row> | null = null;
  private readonly volatile: Row[];
  private readonly pages = new Map<string, RenderedListing>();
  private readonly baseCost: number;
  /** The rows in name order (names do not change while a folder is kept). */
  readonly byName: readonly Row[];
  cost: number;

  constructor(
    readonly stamp: DirStamp,
    readonly rows: Row[],
    readAt: number,
  ) {
    this.fullAt = readAt;
    this.volatile = rows.filter((r) => r.volatile);
    this.byName = [...rows].sort((a, b) => compareNames(a.name, b.name));
    let cost = FOLDER_OVERHEAD;
    for (const r of rows) cost += ROW_OVERHEAD + r.path.length + 2 * (r.name.length + r.key.length + r.rendered.head.length + r.rendered.tail.length);
    this.baseCost = cost;
    this.cost = cost;
  }

  /** A watch event: `name` changed (content or attributes), or null for anything else. */
  onChange = (name: Buffer | null): void => {
    if (name === null) this.stale = true;
    else this.dirty.add(name.toString('latin1'));
  };

  /**
   * Stat again what may have changed: the entries the watch named, every folder and link,
   * or every entry (without a watch, or every `fullRestatMs`). Rendered views are dropped
   * when anything shown changed.
   */
  refresh(fsi: HandlerFs, now: number, fullRestatMs: number): void {
    let changed = false;
    if (this.watch === null || now - this.fullAt >= fullRestatMs) {
      this.dirty.clear();
      this.fullAt = now;
      for (const row of this.rows) if (restat(row, fsi)) changed = true;
    } else {
      for (const row of this.volatile) if (restat(row, fsi)) changed = true;
      if (this.dirty.size > 0) {
        this.byKey ??= new Map(this.rows.map((r) => [r.key, r]));
        for (const key of this.dirty) {
          const row = this.byKey.get(key);
          if (row !== undefined && !row.volatile && restat(row, fsi)) changed = true;
        }
        this.dirty.clear();
      }
    }
    if (changed) {
      this.pages.clear();
      this.cost = this.baseCost;
    }
  }

  /** The rows in `view`, rendered (kept for the last `PAGES_PER_FOLDER` views). */
  page(view: ListingView): RenderedListing {
    const key = viewKey(view);
    const kept = this.pages.get(key);
    if (kept !== undefined) return kept;
    const made = render(this.rows, this.byName, view);
    if (this.pages.size >= PAGES_PER_FOLDER) {
      const oldest = this.pages.keys().next().value as string;
      this.cost -= this.pages.get(oldest)!.bytes.length;
      this.pages.delete(oldest);
    }
    this.pages.set(key, made);
    this.cost += made.bytes.length;
    return made;
  }

  close(): void {
    this.watch?.close();
    this.watch = null;
  }
}

/**
 * Modern listings' rows by folder, for one server (`FileServerState`). Bounded by bytes and
 * by folders; a folder dropped has its watch closed, and `close()` closes them all.
 */
export class ModernListingCache {
  private readonly folders = new Map<string, Folder>();
  private held = 0;
  /** Closed: nothing more is kept (a late request of a closing server keeps no watch). */
  private closed = false;

  /**
   * `maxBytes`, `maxFolders`: the bounds; `racyMs`: how old a folder's timestamps must be to
   * be kept without a watch (note 23); `fullRestatMs`: see above; `now`: the wall clock in ms.
   */
  constructor(
    readonly maxBytes = MODERN_CACHE_MAX_BYTES,
    readonly maxFolders = MODERN_CACHE_MAX_FOLDERS,
    readonly racyMs = LISTING_RACY_MS,
    readonly fullRestatMs = FULL_RESTAT_MS,
    readonly now: () => number = Date.now,
  ) {}

  /** Bytes counted against the budget. */
  get size(): number {
    return this.held;
  }

  /** Folders kept. */
  get count(): number {
    return this.folders.size;
  }

  /** Folders kept with a watch. */
  get watched(): number {
    let n = 0;
    for (const f of this.folders.values()) if (f.watch !== null) n++;
    return n;
  }

  /**
   * The rows of the folder `dirPath` (a path ending in `/`) in `view`: kept ones, brought up
   * to date, or the folder read afresh. Rejects when it cannot be read.
   */
  async listing(dirPath: string, view: ListingView, fsi: HandlerFs, hideDotfiles: boolean): Promise<RenderedListing> {
    const statStamp = fsi.statBigIntSync;
    if (statStamp === undefined) return renderModernListing(dirPath, view, fsi, hideDotfiles);
    const key = (hideDotfiles ? 'h' : 's') + dirPath;
    if (this.folders.get(key)?.watch) await settle();
    const dirBytes = fsEncode(dirPath);
    const statAt = this.now();
    const stamp = statStamp.call(fsi, dirBytes);
    if (stamp === undefined || !stamp.isDirectory()) return renderModernListing(dirPath, view, fsi, hideDotfiles);
    let folder = this.folders.get(key);
    if (folder !== undefined && (folder.stale || !sameDir(folder.stamp, stamp))) {
      this.drop(key);
      folder = undefined;
    }
    if (folder !== undefined) {
      this.touch(key, folder);
      const before = folder.cost;
      folder.refresh(fsi, statAt, this.fullRestatMs);
      const page = folder.page(view);
      this.held += folder.cost - before;
      this.evict(key);
      return page;
    }
    return this.read(key, dirBytes, stamp, statAt, view, fsi, hideDotfiles);
  }

  /** Read the folder afresh, under a new watch, and keep it when it may be kept. */
  private async read(
    key: string, dirBytes: Buffer, stamp: DirStamp, statAt: number, view: ListingView, fsi: HandlerFs, hideDotfiles: boolean,
  ): Promise<RenderedListing> {
    let made: Folder | null = null;
    // An event before the folder is made (a file system read asynchronously): read it again next time.
    let early = false;
    // The watch comes first: any change after the rows are read is then reported.
    const watch = fsi.watchDir?.(dirBytes, (name) => (made === null ? (early = true) : made.onChange(name))) ?? null;
    let rows: Row[];
    try {
      rows = await readRows(dirBytes, fsi, hideDotfiles);
    } catch (err) {
      watch?.close();
      throw err;
    }
    const stampCopy: DirStamp = { dev: stamp.dev, ino: stamp.ino, mtimeNs: stamp.mtimeNs, ctimeNs: stamp.ctimeNs, size: stamp.size, nlink: stamp.nlink };
    made = new Folder(stampCopy, rows, statAt);
    made.watch = watch;
    if (early) made.stale = true;
    const page = made.page(view);
    // Without a watch, a folder changed within the racy window is not kept (note 23): a
    // second change in the same clock tick could leave its stat the same.
    const newest = stamp.mtimeNs > stamp.ctimeNs ? stamp.mtimeNs : stamp.ctimeNs;
    const young = statAt - Number((newest + 999_999n) / 1_000_000n) < this.racyMs;
    if ((watch === null && young) || made.cost > this.maxBytes || this.closed) {
      made.close();
      return page;
    }
    this.drop(key);
    this.folders.set(key, made);
    this.held += made.cost;
    this.evict(key);
    return page;
  }

  private touch(key: string, folder: Folder): void {
    this.folders.delete(key);
    this.folders.set(key, folder);
  }

  /** Drop least recently used folders (not `keep`) until within the bounds. */
  private evict(keep: string): void {
    for (const [key] of this.folders) {
      if (this.held <= this.maxBytes && this.folders.size <= this.maxFolders) return;
      if (key !== keep) this.drop(key);
    }
  }

  private drop(key: string): void {
    const folder = this.folders.get(key);
    if (folder === undefined) return;
    this.folders.delete(key);
    this.held -= folder.cost;
    folder.close();
  }

  /** Drop everything and close every watch (the server is closing). */
  close(): void {
    this.closed = true;
    for (const key of [...this.folders.keys()]) this.drop(key);
  }
}
