/**
 * Pure Node. Not in CPython (PORT NOTE 29): a shared folder as one ZIP file, written while the
 * folder is read. `GET /some/folder/?download=zip` with the `folderZip` setting (the app; the
 * CLI's `--zip`) answers `application/zip`: every file below the folder, walked one directory
 * at a time and packed as it is read, with no temporary file and at most two chunks of file
 * data in memory (the one being sent and, while whole chunks are granted, the next: PORT NOTE
 * 30's grants decide each chunk's size, and `copyfile` asks for the next one only once the
 * socket has written the last).
 *
 * The format (PKWARE APPNOTE 6.3.10): entries "stored" (method 0: no compression: photos,
 * videos and archives do not shrink, and a LAN is faster than deflate on one core), names in
 * UTF-8 (flag bit 11) when they are valid UTF-8 and the file system's bytes otherwise, each
 * file's CRC-32 computed while streaming and written after its data in a data descriptor (flag
 * bit 3: the size is known from fstat, the CRC is not until the last byte), ZIP64 extra fields
 * and end records where a size, an offset or the entry count does not fit 32 (16) bits.
 *
 * Measured against yazl, archiver (zip-stream) and fflate (bench/RESULTS.md, "A folder as
 * .zip"): this writer was the fastest of the four at flat memory, and keeps the
 * engine free of runtime dependencies for one feature.
 */
import { isUtf8 } from 'node:buffer';
import type fs from 'node:fs';
import { crc32 } from 'node:zlib';
import type { HandlerFs, HandlerSyncFileHandle } from './handler-fs.js';
import { statSyncOrNull, type PathFlavour } from './py-path.js';
import { decodeSurrogateEscape, fsEncode } from './py-text.js';
import { CHUNK_SIZE, type ResponseBody } from './response-body.js';

/** The query that asks for a folder as a ZIP file. */
export const ZIP_QUERY = 'download=zip';

/**
 * The URL of a folder's ZIP file, for links (the modern listing's "Download all"):
 * `folderUrl` is the folder's URL path as a listing links to it, ending in `/`
 * (`/photos/2024/` → `/photos/2024/?download=zip`; a query already there is dropped).
 */
export function zipHref(folderUrl: string): string {
  const base = folderUrl.split('?', 1)[0]!.split('#', 1)[0]!;
  return (base.endsWith('/') ? base : base + '/') + '?' + ZIP_QUERY;
}

/** True when a request's query (after `?`, without `#`) asks for the ZIP file: one of its `&`-separated fields is `download=zip`. */
export function wantsZip(query: string): boolean {
  return query.split('&').includes(ZIP_QUERY);
}

/**
 * `Content-Disposition` for a download called `fileName`: an ASCII fallback (`filename=`,
 * anything else replaced by `_`) for old clients, and the exact name in UTF-8 (`filename*=`,
 * RFC 6266 §4.3, RFC 8187). Latin-1 only, as header values must be.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const exact = [...Buffer.from(fileName, 'utf8')]
    .map((b) => (/[A-Za-z0-9!#$&+\-.^_`|~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0')))
    .join('');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

// ---------------------------------------------------------------------------------------
// Walking the folder

/** What the walk leaves out, and how it reaches the disk: the same rules as GET. */
export interface FolderWalkPolicy {
  readonly fs: HandlerFs;
  readonly flavour: PathFlavour;
  /** False for a path whose real path leaves the shared folder (followSymlinks off: PORT NOTE 7). */
  readonly contained: (path: string) => boolean;
  /** False: names starting with `.` are left out (the `showHidden` setting). */
  readonly showHidden: boolean;
  /** True for a folder (its URL path, decoded, without a trailing `/`) that is not packed: CGI script folders. */
  readonly skipsFolder: (urlPath: string) => boolean;
}

/** One entry of the ZIP file as the walk finds it: a folder, or a file opened and fstat'ed. */
export type ZipItem =
  | { readonly kind: 'dir'; readonly name: Buffer; readonly stat: fs.Stats }
  | { readonly kind: 'file'; readonly name: Buffer; readonly stat: fs.Stats; readonly handle: HandlerSyncFileHandle };

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The entries below `dirPath`, depth first, names sorted, each folder's own entry (`name/`)
 * before its contents; `prefix` (ending in `/`) starts every name and `urlPath` is the folder's
 * URL path. One directory is read at a time (only the names of the folders on the current path
 * are held). Left out: hidden names (policy), links that leave the shared folder (policy),
 * a folder that is its own ancestor (a link loop), dangling links, what cannot be stat'ed,
 * opened or read as a directory, and anything that is neither a regular file nor a folder
 * (a FIFO would wait for a writer forever, a device never ends).
 */
export async function* walkFolder(
  policy: FolderWalkPolicy,
  dirPath: string,
  prefix: string,
  urlPath: string,
  ancestors: Set<string> = new Set(),
): AsyncGenerator<ZipItem, void, undefined> {
  const top = ancestors.size === 0 ? statSyncOrNull(dirPath, true, policy.fs) : null;
  if (top) ancestors.add(`${top.dev}:${top.ino}`);
  let entries;
  try {
    entries = await policy.fs.readdirEntries(fsEncode(dirPath));
  } catch {
    return;
  }
  const names = entries.map((e) => ({ name: decodeSurrogateEscape(e.name), kind: e.kind })).sort((a, b) => byCodeUnits(a.name, b.name));
  for (const { name, kind } of names) {
    if (!policy.showHidden && name.startsWith('.')) continue;
    const path = policy.flavour.join(dirPath, name);
    if ((kind === 'link' || kind === 'unknown') && !policy.contained(path)) continue;
    let st: fs.Stats | undefined | null;
    try {
      st = statSyncOrNull(path, true, policy.fs);
    } catch {
      continue;
    }
    if (!st) continue;
    if (st.isDirectory()) {
      const key = `${st.dev}:${st.ino}`;
      const childUrl = urlPath.replace(/\/$/, '') + '/' + name;
      if (ancestors.has(key) || policy.skipsFolder(childUrl)) continue;
      yield { kind: 'dir', name: fsEncode(prefix + name + '/'), stat: st };
      ancestors.add(key);
      yield* walkFolder(policy, path, prefix + name + '/', childUrl, ancestors);
      ancestors.delete(key);
    } else if (st.isFile()) {
      let handle: HandlerSyncFileHandle;
      try {
        handle = policy.fs.openSync(fsEncode(path), 'r');
      } catch {
        continue;
      }
      let fst: fs.Stats;
      try {
        fst = handle.statSync();
      } catch {
        handle.closeSync();
        continue;
      }
      if (!fst.isFile()) {
        handle.closeSync();
        continue;
      }
      yield { kind: 'file', name: fsEncode(prefix + name), stat: fst, handle };
    }
  }
}

// ---------------------------------------------------------------------------------------
// The ZIP format

const U32 = 0xffffffff;
const U16 = 0xffff;
/** ZIP64 needs "version needed to extract" 4.5; plain stored entries 2.0. */
const V_ZIP64 = 45;
const V_PLAIN = 20;
/** Made by: Unix (3), so readers apply the mode in the external attributes. */
const MADE_BY_UNIX = 3 << 8;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;

/** MS-DOS date and time of `ms` in local time (what unzip shows); before 1980 → 1980-01-01. */
function dosDateTime(ms: number): { time: number; date: number } {
  const d = new Date(ms);
  const year = d.getFullYear();
  if (!(year >= 1980)) return { time: 0, date: (1 << 5) | 1 };
  if (year > 2107) return { time: (23 << 11) | (59 << 5) | 29, date: (127 << 9) | (12 << 5) | 31 };
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/** An entry written so far: what its central directory record needs. */
interface WrittenEntry {
  readonly name: Buffer;
  readonly flags: number;
  readonly zip64: boolean;
  readonly time: number;
  readonly date: number;
  readonly externalAttrs: number;
  readonly offset: number;
  crc: number;
  size: number;
}

function localHeader(e: WrittenEntry, dir: boolean): Buffer {
  const extra = e.zip64 ? 20 : 0;
  const b = Buffer.alloc(30 + e.name.length + extra);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(e.zip64 ? V_ZIP64 : V_PLAIN, 4);
  b.writeUInt16LE(e.flags, 6);
  b.writeUInt16LE(0, 8); // stored
  b.writeUInt16LE(e.time, 10);
  b.writeUInt16LE(e.date, 12);
  // CRC and sizes: 0 here, in the data descriptor after the data (a folder has none: all 0).
  const sizeField = e.zip64 ? U32 : 0;
  b.writeUInt32LE(dir ? 0 : sizeField, 18);
  b.writeUInt32LE(dir ? 0 : sizeField, 22);
  b.writeUInt16LE(e.name.length, 26);
  b.writeUInt16LE(extra, 28);
  e.name.copy(b, 30);
  if (e.zip64) {
    // ZIP64 extended information: both sizes, 0 until the data descriptor.
    b.writeUInt16LE(0x0001, 30 + e.name.length);
    b.writeUInt16LE(16, 32 + e.name.length);
  }
  return b;
}

function dataDescriptor(e: WrittenEntry): Buffer {
  const b = Buffer.alloc(e.zip64 ? 24 : 16);
  b.writeUInt32LE(0x08074b50, 0);
  b.writeUInt32LE(e.crc, 4);
  if (e.zip64) {
    b.writeBigUInt64LE(BigInt(e.size), 8);
    b.writeBigUInt64LE(BigInt(e.size), 16);
  } else {
    b.writeUInt32LE(e.size, 8);
    b.writeUInt32LE(e.size, 12);
  }
  return b;
}

function centralRecord(e: WrittenEntry): Buffer {
  const bigSize = e.size >= U32;
  const bigOffset = e.offset >= U32;
  const extraData = (bigSize ? 16 : 0) + (bigOffset ? 8 : 0);
  const extra = extraData ? 4 + extraData : 0;
  const needs = e.zip64 || extra ? V_ZIP64 : V_PLAIN;
  const b = Buffer.alloc(46 + e.name.length + extra);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(MADE_BY_UNIX | needs, 4);
  b.writeUInt16LE(needs, 6);
  b.writeUInt16LE(e.flags, 8);
  b.writeUInt16LE(0, 10);
  b.writeUInt16LE(e.time, 12);
  b.writeUInt16LE(e.date, 14);
  b.writeUInt32LE(e.crc, 16);
  b.writeUInt32LE(bigSize ? U32 : e.size, 20);
  b.writeUInt32LE(bigSize ? U32 : e.size, 24);
  b.writeUInt16LE(e.name.length, 28);
  b.writeUInt16LE(extra, 30);
  // comment length, disk number, internal attributes: 0
  b.writeUInt32LE(e.externalAttrs, 38);
  b.writeUInt32LE(bigOffset ? U32 : e.offset, 42);
  e.name.copy(b, 46);
  let at = 46 + e.name.length;
  if (extra) {
    b.writeUInt16LE(0x0001, at);
    b.writeUInt16LE(extraData, at + 2);
    at += 4;
    // Only the fields that are U32 above, in this order (APPNOTE 4.5.3).
    if (bigSize) {
      b.writeBigUInt64LE(BigInt(e.size), at);
      b.writeBigUInt64LE(BigInt(e.size), at + 8);
      at += 16;
    }
    if (bigOffset) b.writeBigUInt64LE(BigInt(e.offset), at);
  }
  return b;
}

function endRecords(count: number, cdOffset: number, cdSize: number): Buffer {
  const zip64 = count >= U16 || cdOffset >= U32 || cdSize >= U32;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(count, U16), 8);
  end.writeUInt16LE(Math.min(count, U16), 10);
  end.writeUInt32LE(Math.min(cdSize, U32), 12);
  end.writeUInt32LE(Math.min(cdOffset, U32), 16);
  if (!zip64) return end;
  const rec = Buffer.alloc(56 + 20);
  rec.writeUInt32LE(0x06064b50, 0);
  rec.writeBigUInt64LE(44n, 4);
  rec.writeUInt16LE(MADE_BY_UNIX | V_ZIP64, 12);
  rec.writeUInt16LE(V_ZIP64, 14);
  rec.writeBigUInt64LE(BigInt(count), 24);
  rec.writeBigUInt64LE(BigInt(count), 32);
  rec.writeBigUInt64LE(BigInt(cdSize), 40);
  rec.writeBigUInt64LE(BigInt(cdOffset), 48);
  // The locator: where the ZIP64 end record starts (right after the central directory).
  rec.writeUInt32LE(0x07064b50, 56);
  rec.writeBigUInt64LE(BigInt(cdOffset + cdSize), 64);
  rec.writeUInt32LE(1, 72);
  return Buffer.concat([rec, end]);
}

/** A file being packed: its entry, its open handle, and where its reading stands. */
interface OpenEntry {
  readonly entry: WrittenEntry;
  readonly handle: HandlerSyncFileHandle;
  /** Read synchronously: the whole file fits in one chunk (PORT NOTE 20's reasoning). */
  readonly small: boolean;
  /** Bytes to pack: the size fstat gave (a file that shrinks meanwhile ends where it ends). */
  end: number;
  /** The position of the next byte to pack. */
  pos: number;
  /** The read of the next chunk at `pos`, started while the previous one was being sent (big files only). */
  ahead: Promise<Buffer> | null;
}

/** Up to `want` bytes of `cur`'s file at `pos`, in `into` or a new buffer (shorter at the file's end). */
async function readAt(cur: OpenEntry, pos: number, want: number, into: Buffer | null = null): Promise<Buffer> {
  const buf = into !== null && into.length >= want ? into : Buffer.allocUnsafeSlow(want);
  const n = cur.small ? cur.handle.readSync(buf, 0, want, pos) : (await cur.handle.read(buf, 0, want, pos)).bytesRead;
  return n === buf.length ? buf : buf.subarray(0, n);
}

/**
 * The ZIP file of a walk (`walkFolder`), as a response body: each `readChunk(maxBytes)` packs
 * up to `maxBytes` (`CHUNK_SIZE`, or `SMALL_WRITE` while the process's large writes are all
 * taken: PORT NOTE 30), headers and small files gathered into one chunk, a big file's data in
 * chunks of its own, without a copy. While whole chunks are granted, the next chunk of a big
 * file is read while the last one is being sent (disk and socket overlap); when a smaller one
 * is granted instead, only that much of it is kept (copied) and the rest read again later,
 * so a client that stops reading pins no big buffer. A file is read up to the size its fstat
 * gave. A read error rejects: the caller then closes the connection, leaving a ZIP file
 * without its central directory, which every reader refuses (never a quietly damaged file).
 */
export class FolderZipBody implements ResponseBody {
  private offset = 0;
  private readonly central: Buffer[] = [];
  private centralSize = 0;
  private count = 0;
  private current: OpenEntry | null = null;
  private walked = false;
  private ended = false;
  /**
   * A big file's chunks alternate between two buffers: the one last returned (`sent`), given
   * back by `released()` once the socket has written all of it (`copyfile`), becomes `spare`,
   * the next read-ahead's buffer. Without this every 512 KiB chunk was a new buffer, and the
   * garbage collector let ~40-60 MiB of them pile up during a big download.
   */
  private sent: Buffer | null = null;
  private spare: Buffer | null = null;

  constructor(private readonly items: AsyncGenerator<ZipItem, void, undefined>) {}

  async readChunk(maxBytes = CHUNK_SIZE): Promise<Buffer | null> {
    const limit = Math.max(1, Math.min(maxBytes, CHUNK_SIZE));
    const pieces: Buffer[] = [];
    let total = 0;
    const push = (b: Buffer): void => {
      pieces.push(b);
      total += b.length;
      this.offset += b.length;
    };
    while (total < limit && !this.ended) {
      const cur = this.current;
      if (cur !== null) {
        // A big file's data goes in chunks of its own (no copy into a gathered chunk).
        if (total > 0 && !cur.small && cur.pos < cur.end) break;
        const data = await this.fileData(cur, limit - total);
        if (data !== null) {
          cur.entry.crc = crc32(data, cur.entry.crc);
          cur.entry.size += data.length;
          push(data);
          if (limit === CHUNK_SIZE && !cur.small && cur.pos < cur.end) {
            const spare = this.spare;
            this.spare = null;
            const ahead = readAt(cur, cur.pos, Math.min(cur.end - cur.pos, CHUNK_SIZE), spare);
            ahead.catch(() => {}); // awaited (and its error thrown) by the next readChunk or close
            cur.ahead = ahead;
          }
          continue;
        }
        this.current = null;
        await cur.handle.close();
        push(dataDescriptor(cur.entry));
        this.addCentral(cur.entry);
        continue;
      }
      if (!this.walked) {
        const next = await this.items.next();
        if (next.done) {
          this.walked = true;
          continue;
        }
        this.start(next.value, push);
        continue;
      }
      const cdOffset = this.offset;
      const cdSize = this.centralSize;
      for (const rec of this.central.splice(0)) push(rec);
      push(endRecords(this.count, cdOffset, cdSize));
      this.ended = true;
    }
    if (pieces.length === 0) return null;
    const chunk = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, total);
    // Only a whole-chunk buffer of our own read is worth reusing (not a copy, not a gathered chunk).
    this.sent = chunk.buffer.byteLength === CHUNK_SIZE && chunk.byteOffset === 0 ? chunk : null;
    return chunk;
  }

  /** `copyfile`: the socket has written all of the last chunk; its buffer may be read into again. */
  released(): void {
    if (this.sent !== null) this.spare = Buffer.from(this.sent.buffer, 0, CHUNK_SIZE);
    this.sent = null;
  }

  /** The next at most `max` bytes of `cur`'s file, or null when it has all been packed. */
  private async fileData(cur: OpenEntry, max: number): Promise<Buffer | null> {
    if (cur.pos >= cur.end) return null;
    const ahead = cur.ahead;
    cur.ahead = null;
    let data = ahead !== null ? await ahead : await readAt(cur, cur.pos, Math.min(cur.end - cur.pos, max));
    // Read ahead as a whole chunk, but now a smaller one may go: keep a copy of that much.
    if (data.length > max) data = Buffer.from(data.subarray(0, max));
    if (data.length === 0) {
      cur.end = cur.pos; // the file ended early
      return null;
    }
    cur.pos += data.length;
    return data;
  }

  /** Write an item's local header; a file becomes `current`, a folder is complete at once. */
  private start(item: ZipItem, push: (b: Buffer) => void): void {
    const { time, date } = dosDateTime(item.stat.mtimeMs);
    const utf8 = isUtf8(item.name) ? FLAG_UTF8 : 0;
    const dir = item.kind === 'dir';
    const entry: WrittenEntry = {
      name: item.name,
      flags: dir ? utf8 : utf8 | FLAG_DATA_DESCRIPTOR,
      zip64: !dir && item.stat.size >= U32,
      time,
      date,
      // The Unix mode in the high half; MS-DOS's directory bit in the low one.
      externalAttrs: ((item.stat.mode & 0xffff) * 0x10000 + (dir ? 0x10 : 0)) >>> 0,
      offset: this.offset,
      crc: 0,
      size: 0,
    };
    push(localHeader(entry, dir));
    if (dir) this.addCentral(entry);
    else this.current = { entry, handle: item.handle, small: item.stat.size <= CHUNK_SIZE, end: item.stat.size, pos: 0, ahead: null };
  }

  private addCentral(e: WrittenEntry): void {
    const rec = centralRecord(e);
    this.central.push(rec);
    this.centralSize += rec.length;
    this.count++;
  }

  async close(): Promise<void> {
    const cur = this.current;
    this.current = null;
    this.ended = true;
    if (cur) {
      await cur.ahead?.catch(() => {});
      await cur.handle.close().catch(() => {});
    }
    // Ends the walk; a file it had opened and not handed over yet has been handed over (the
    // generator only opens a file right before yielding it).
    await this.items.return(undefined);
  }
}
