/**
 * Pure Node. A small, bounded cache of the bytes of recently served small files, so that a
 * file asked for again and again (a page's CSS, an icon, a benchmark's 1 KiB file) costs one
 * `stat` instead of stat + open + fstat + read + close.
 *
 * PORT NOTE: CPython opens and reads the file on every request. An entry here is used only
 * when a fresh `stat` of the path still shows the same file in the same state: same device,
 * inode, size, modification time and change time. Any write, truncation, rename over it,
 * `chmod`/`chown` or `touch` changes the change time (which no program can set back), so a
 * changed file is read again. Timestamps on disk are coarse (a second write within the same
 * clock tick can leave them unchanged), so only a file whose timestamps were already
 * `RACY_MS` old when it was read is kept: any later change then gets a newer timestamp (git's
 * "racy git" rule). The answer is byte-for-byte what CPython sends for the same file.
 */
import type fs from 'node:fs';
import { ByteLru } from './byte-lru.js';

/** Largest file kept. Bigger files are bound by bandwidth, not by per-request calls. */
export const FILE_CACHE_MAX_ENTRY = 64 * 1024;

/** Total bytes kept, across files (least recently used dropped first). */
export const FILE_CACHE_MAX_BYTES = 4 * 1024 * 1024;

/** A file whose timestamps are younger than this when read is not kept (see above). */
export const RACY_MS = 2000;

/** The stat fields that identify a file and its state. */
type Stamp = Pick<fs.Stats, 'dev' | 'ino' | 'size' | 'mtimeMs' | 'ctimeMs'>;

interface Entry extends Stamp {
  readonly data: Buffer;
}

function sameFile(a: Stamp, b: Stamp): boolean {
  return a.ino === b.ino && a.dev === b.dev && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

/** Bytes of small regular files, keyed by the path they were served from. */
export class FileCache {
  private readonly entries: ByteLru<Entry>;

  constructor(
    readonly maxBytes = FILE_CACHE_MAX_BYTES,
    readonly maxEntry = FILE_CACHE_MAX_ENTRY,
  ) {
    this.entries = new ByteLru(maxBytes);
  }

  /** Total bytes held. */
  get size(): number {
    return this.entries.bytes;
  }

  /** True when a file of this stat could be kept (a regular file, small enough). */
  wants(st: fs.Stats): boolean {
    return st.size <= this.maxEntry && st.size <= this.maxBytes && st.isFile();
  }

  /** The bytes kept for `key` when `st` (a fresh stat of it) shows the same file unchanged. */
  get(key: string, st: Stamp): Buffer | null {
    const entry = this.entries.get(key);
    if (entry === undefined) return null;
    if (!sameFile(entry, st)) {
      this.entries.delete(key);
      return null;
    }
    return entry.data;
  }

  /**
   * Keep `data`, read from the file `st` described (fstat of the open file before the read),
   * unless its timestamps were younger than `RACY_MS` at `readAt` (ms since the epoch) or it
   * does not fit. The buffer must not be modified afterwards.
   */
  put(key: string, st: Stamp, data: Buffer, readAt: number): void {
    if (data.length !== st.size || data.length > this.maxEntry || data.length > this.maxBytes) return;
    if (readAt - Math.max(st.mtimeMs, st.ctimeMs) < RACY_MS) return;
    this.entries.set(key, { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, data }, data.length);
  }
}
