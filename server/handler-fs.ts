/**
 * Pure Node. The file-system calls the handlers make, as one injectable interface (the
 * `methods` seam of serve-handler): tests inject failures through it, and an embedder could
 * serve from something other than the disk. Paths are Buffers: Python's file-system encoding
 * (UTF-8 with surrogateescape) applied by `fsEncode`.
 */
import fs from 'node:fs';

/** What `SimpleHTTPRequestHandler.openFile` needs from an open file. */
export interface HandlerFileHandle {
  read(buffer: Buffer, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>;
  stat(): Promise<fs.Stats>;
  close(): Promise<void>;
}

/**
 * An open file with synchronous calls beside the async ones: `openFile` uses the synchronous
 * ones for metadata and for files that fit in one read (a page-cache hit takes microseconds,
 * a hop through libuv's thread pool costs more than the read itself), and the async `read`
 * to stream bigger files with backpressure.
 */
export interface HandlerSyncFileHandle extends HandlerFileHandle {
  statSync(): fs.Stats;
  readSync(buffer: Buffer, offset: number, length: number, position: number | null): number;
  closeSync(): void;
}

/**
 * One directory entry: `dir` and `link` as the directory says (not following a link),
 * `other` for any other known type, `unknown` when the file system does not say (DT_UNKNOWN).
 */
export interface HandlerDirEntry {
  readonly name: Buffer;
  readonly kind: 'dir' | 'link' | 'other' | 'unknown';
}

function direntKind(d: fs.Dirent): HandlerDirEntry['kind'] {
  if (d.isDirectory()) return 'dir';
  if (d.isSymbolicLink()) return 'link';
  if (d.isFile() || d.isFIFO() || d.isSocket() || d.isCharacterDevice() || d.isBlockDevice()) return 'other';
  return 'unknown';
}

/** The calls `SimpleHTTPRequestHandler` and `CGIHTTPRequestHandler` make. */
export interface HandlerFs {
  /**
   * `open(path, 'rb')` through libuv's thread pool: for what is not a regular file (a FIFO
   * or a device, whose reads may wait for a writer), read in chunks.
   */
  open(path: Buffer, flags: 'r'): Promise<HandlerFileHandle>;
  /**
   * `os.listdir` with what each directory entry says it is (`os.scandir`'s d_type), so a
   * listing needs no lstat for plain files and folders. The names in `os.listdir` order.
   */
  readdirEntries(path: Buffer): Promise<HandlerDirEntry[]>;
  /** `os.stat`, synchronously; undefined when the path does not exist, throws otherwise. */
  statSync(path: Buffer): fs.Stats | undefined;
  /** `os.lstat`, synchronously; undefined when the path does not exist, throws otherwise. */
  lstatSync(path: Buffer): fs.Stats | undefined;
  /** `open(path, 'rb')`, synchronously. */
  openSync(path: Buffer, flags: 'r'): HandlerSyncFileHandle;
  /** `os.path.realpath(path, strict=True)`, synchronously. */
  realpathSync(path: Buffer | string): Buffer;
  /**
   * `os.stat` with nanosecond timestamps (`bigint: true`), synchronously; undefined when the
   * path does not exist, throws otherwise. Optional: without it directory listings are not
   * cached (`listing-cache.ts`), since nothing then proves a folder unchanged.
   */
  statBigIntSync?(path: Buffer): fs.BigIntStats | undefined;
  /**
   * Watch the folder `path` for changes to its entries: `onChange(name)` when the entry
   * `name` was written or its attributes changed, `onChange(null)` for anything else (a name
   * added, removed or renamed, the folder itself gone, the watch broken). Returns null where
   * changes are not reported promptly enough for a cache to rely on them (a change made before
   * a request was sent must be delivered before that request is answered). Optional: without
   * it, the modern listing stats every entry on every use (`modern-listing-cache.ts`).
   */
  watchDir?(path: Buffer, onChange: (name: Buffer | null) => void): DirWatch | null;
}

/** A watch on a folder (`HandlerFs.watchDir`). */
export interface DirWatch {
  close(): void;
}

/**
 * File systems whose changes made on this computer Linux reports through inotify as they
 * happen (`statfs` f_type): ext2/3/4, XFS, Btrfs, tmpfs, ramfs, F2FS, ZFS, bcachefs, JFS,
 * ReiserFS, and the kernel's own FAT, exFAT and NTFS drivers (USB sticks). Network file
 * systems (a change on another machine is never reported), FUSE and overlayfs (whose writes
 * may be reported on another inode) are left out.
 */
const PROMPTLY_WATCHED_FS = new Set([
  0xef53, 0x58465342, 0x9123683e, 0x01021994, 0x858458f6, 0xf2f52010, 0x2fc12fc1, 0xca451a4e, 0x3153464a, 0x52654973,
  0x4d44, 0x2011bab0, 0x7366746e,
]);

/**
 * `watchDir` on the real disk: inotify through `fs.watch`, on Linux only (macOS's FSEvents
 * delivers changes after a latency, and Windows reports a file's new size only when its
 * metadata is flushed) and on a file system of `PROMPTLY_WATCHED_FS`. The watch does not keep
 * the process alive.
 */
function nodeWatchDir(p: Buffer, onChange: (name: Buffer | null) => void): DirWatch | null {
  if (process.platform !== 'linux') return null;
  let watcher: fs.FSWatcher;
  try {
    if (!PROMPTLY_WATCHED_FS.has(Number(fs.statfsSync(p).type))) return null;
    watcher = fs.watch(p, { persistent: false, encoding: 'buffer' }, (event, name) => {
      onChange(event === 'change' && name ? (name as unknown as Buffer) : null);
    });
  } catch {
    return null;
  }
  watcher.on('error', () => onChange(null));
  return { close: () => watcher.close() };
}

/** A file descriptor from `fs.openSync`, with the calls `HandlerSyncFileHandle` names. */
class NodeSyncFileHandle implements HandlerSyncFileHandle {
  private closed = false;
  constructor(private readonly fd: number) {}
  statSync(): fs.Stats {
    return fs.fstatSync(this.fd);
  }
  readSync(buffer: Buffer, offset: number, length: number, position: number | null): number {
    return fs.readSync(this.fd, buffer, offset, length, position);
  }
  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
  stat(): Promise<fs.Stats> {
    return new Promise((resolve, reject) => fs.fstat(this.fd, (err, st) => (err ? reject(err) : resolve(st))));
  }
  read(buffer: Buffer, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }> {
    return new Promise((resolve, reject) => {
      fs.read(this.fd, buffer, offset, length, position, (err, bytesRead) => (err ? reject(err) : resolve({ bytesRead })));
    });
  }
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve, reject) => fs.close(this.fd, (err) => (err ? reject(err) : resolve())));
  }
}

/**
 * The entries of a directory in `os.listdir` order. Synchronous, like the other metadata
 * calls: an async iteration costs a promise per entry.
 */
async function nodeReaddirEntries(p: Buffer): Promise<HandlerDirEntry[]> {
  const entries: HandlerDirEntry[] = [];
  const dir = fs.opendirSync(p, { encoding: 'buffer', bufferSize: 256 } as unknown as fs.OpenDirOptions);
  try {
    for (let d = dir.readSync(); d !== null; d = dir.readSync()) entries.push({ name: d.name as unknown as Buffer, kind: direntKind(d) });
  } finally {
    dir.closeSync();
  }
  return entries;
}

/** The real disk: synchronous calls for metadata and small reads, `fs.promises` for streaming. */
export const nodeFs: HandlerFs = {
  open: (p, flags) => fs.promises.open(p, flags),
  // `os.listdir` order: the directory's own order. fs.readdir sorts its result (libuv sorts
  // scandir output by strcmp), which would change the listing order of names equal after
  // lower-casing (`sorted(key=str.lower)` keeps their listdir order); opendir does not sort.
  readdirEntries: (p) => nodeReaddirEntries(p),
  statSync: (p) => fs.statSync(p, { throwIfNoEntry: false }),
  lstatSync: (p) => fs.lstatSync(p, { throwIfNoEntry: false }),
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it would stall every connection);
  // it changes nothing for regular files. The handler reads a FIFO through `open` instead.
  openSync: (p, flags) => {
    if (flags !== 'r') throw new TypeError(`openSync: unsupported flags ${flags}`);
    return new NodeSyncFileHandle(fs.openSync(p, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0)));
  },
  realpathSync: (p) => fs.realpathSync.native(p, { encoding: 'buffer' }),
  statBigIntSync: (p) => fs.statSync(p, { bigint: true, throwIfNoEntry: false }),
  watchDir: nodeWatchDir,
};
