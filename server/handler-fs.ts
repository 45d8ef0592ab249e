/**
 * Pure Node. The file-system calls the handlers make, as one injectable interface (the
 * `methods` seam of serve-handler): tests inject failures through it, and an embedder could
 * serve from something other than the disk. Paths are Buffers: Python's file-system encoding
 * (UTF-8 with surrogateescape) applied by `fsEncode`.
 */
import fs from 'node:fs';

/** What `sendHead` needs from an open file. */
export interface HandlerFileHandle {
  read(buffer: Buffer, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>;
  stat(): Promise<fs.Stats>;
  close(): Promise<void>;
}

/** The calls `SimpleHTTPRequestHandler` and `CGIHTTPRequestHandler` make. */
export interface HandlerFs {
  stat(path: Buffer): Promise<fs.Stats>;
  lstat(path: Buffer): Promise<fs.Stats>;
  open(path: Buffer, flags: 'r'): Promise<HandlerFileHandle>;
  readdir(path: Buffer): Promise<Buffer[]>;
  realpath(path: Buffer | string): Promise<Buffer>;
  /** `os.access(path, mode)`: resolves when allowed, rejects otherwise. */
  access(path: Buffer, mode: number): Promise<void>;
}

/** The real disk, through `fs.promises`. */
export const nodeFs: HandlerFs = {
  stat: (p) => fs.promises.stat(p),
  lstat: (p) => fs.promises.lstat(p),
  open: (p, flags) => fs.promises.open(p, flags),
  // `os.listdir` order: the directory's own order. fs.readdir sorts its result (libuv sorts
  // scandir output by strcmp), which would change the listing order of names equal after
  // lower-casing (`sorted(key=str.lower)` keeps their listdir order); opendir does not sort.
  readdir: async (p) => {
    const names: Buffer[] = [];
    const dir = await fs.promises.opendir(p, { encoding: 'buffer' } as unknown as fs.OpenDirOptions);
    for await (const entry of dir) names.push(entry.name as unknown as Buffer);
    return names;
  },
  realpath: (p) => fs.promises.realpath(p, { encoding: 'buffer' }),
  access: (p, mode) => fs.promises.access(p, mode),
};
