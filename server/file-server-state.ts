/**
 * Pure Node. What a server keeps between requests for `SimpleHTTPRequestHandler` and its
 * subclasses: the small-file cache (PORT NOTE 24), the listing caches (PORT NOTEs 23, 27), the real
 * path of the shared folder (PORT NOTE 21) and the memo of `translatePath`/`refusesPath`.
 * CPython has none of these; it keeps per-server things as attributes of `self.server`, and so
 * does this port: one `FileServerState` per server (`HandlerServer.handlerState`).
 */
import { FileCache } from './file-cache.js';
import { ListingCache } from './listing-cache.js';
import { ModernListingCache } from './modern-listing-cache.js';

/** Results of `translatePath`/`refusesPath` by URL path, for one server and directory. */
export class PathMemo {
  /** Entries per map before it starts over (a client sending endless new paths gains nothing). */
  static readonly LIMIT = 1024;
  /** Longer URL paths are not kept (bounds the memo's memory to a few MiB). */
  static readonly MAX_KEY = 1024;
  readonly translated = new Map<string, string>();
  readonly refused = new Map<string, boolean>();
  constructor(readonly directory: string) {}
  /** The value for `key` in `map`, computed (and kept, within the bounds) when missing. */
  lookup<V>(map: Map<string, V>, key: string, compute: () => V): V {
    let value = map.get(key);
    if (value === undefined) {
      value = compute();
      if (key.length <= PathMemo.MAX_KEY) {
        if (map.size >= PathMemo.LIMIT) map.clear();
        map.set(key, value);
      }
    }
    return value;
  }
}

/** One server's state for the file-serving handlers (made by `handlerState(FileServerState)`). */
export class FileServerState {
  readonly fileCache = new FileCache();
  readonly listingCache = new ListingCache();
  /** The modern listings' folders (PORT NOTE 27), each with its watch. */
  readonly modernListingCache = new ModernListingCache();
  /** The real path of the shared folder, resolved once (`SimpleHTTPRequestHandler.realRoot`). */
  realRoot: { readonly directory: string; readonly real: string } | null = null;
  pathMemo: PathMemo | null = null;

  /** The memo of `translatePath`/`refusesPath` for `directory` (a new one when it changed). */
  pathMemoFor(directory: string): PathMemo {
    if (this.pathMemo === null || this.pathMemo.directory !== directory) this.pathMemo = new PathMemo(directory);
    return this.pathMemo;
  }

  /** The server is closing: release what is held outside the heap (the folders' watches). */
  close(): void {
    this.modernListingCache.close();
  }
}
