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
};
