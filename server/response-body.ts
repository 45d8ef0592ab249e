/**
 * Pure Node. The response bodies `SimpleHTTPRequestHandler.sendHead()` hands to `copyfile()`:
 * what CPython's `send_head` returns as a file object (`open(path, 'rb')`) or, for a
 * directory listing, an `io.BytesIO`. Three kinds of files, chosen by `openFile()`: a small
 * regular file read with one synchronous read (`SmallFileBody`), a bigger file or a FIFO
 * streamed in chunks with backpressure (`FileBody`), and bytes already in memory (the
 * small-file cache, a listing: `BufferBody`).
 */
import { BufferPool } from './buffer-pool.js';
import type { HandlerFileHandle, HandlerSyncFileHandle } from './handler-fs.js';

/** A response body `sendHead()` hands to `copyfile()`: an open file or an in-memory page. */
export interface ResponseBody {
  /**
   * The next chunk, or null at the end. `maxBytes`: the most the chunk may hold (`copyfile`
   * asks for `SMALL_WRITE` while the process's large writes are all taken, so that a client
   * that stops reading pins only a small buffer: see `SocketWriter.grant`). A body should honour
   * it; one that does not makes a stalled client hold its whole chunk.
   */
  readChunk(maxBytes?: number): Promise<Buffer | null>;
  /**
   * Called by `copyfile` once the socket has finished writing the last chunk returned (nothing
   * references it any more), so its buffer can be read into again.
   */
  released?(): void;
  /** Release the file; must be called in every case. */
  close(): Promise<void>;
  /**
   * The bytes `start` to `end` (both included) of a body not read yet, for a 206 answer
   * (PORT NOTE 26). The result replaces this body: the caller reads and closes it instead.
   * Absent where a body cannot be cut (a subclass's own): the whole body is sent.
   */
  range?(start: number, end: number): ResponseBody;
}

/**
 * Read size while streaming, and the largest file read in one synchronous read. 512 KiB: with
 * 64 KiB chunks a 1 MiB file went out at ~1,000 MB/s, with 512 KiB at ~1,900 MB/s (bench/
 * RESULTS.md section 4); memory per connection stays one chunk (backpressure between chunks).
 */
export const CHUNK_SIZE = 512 * 1024;

/**
 * Read buffers of streamed files, shared by every server of the process. Up to 16 unused ones
 * (8 MiB) are kept, as many as the concurrent downloads they then serve without allocating,
 * and dropped again once not needed for a few seconds (`BufferPool` trimming): with a new
 * buffer per chunk, 16 clients downloading 1 MiB files left ~40 MiB of buffers waiting for the
 * garbage collector (bench c: peak RSS 106 → 74 MiB with the pool).
 */
export const fileReadBuffers = new BufferPool(CHUNK_SIZE, 16);

/**
 * A read this small goes into the body's own small buffer, never into a pooled one: a small
 * chunk left stuck in a stalled socket then pins 8 KiB, not 512 KiB (`SMALL_WRITE`).
 */
const SMALL_READ = 8 * 1024;

/**
 * An open file streamed in chunks of up to `CHUNK_SIZE` (or the `maxBytes` asked), read into
 * one pooled buffer, or into a small buffer of its own for a read of at most `SMALL_READ`. The
 * caller (`copyfile`) calls `released()` once the socket has finished writing a chunk: only then
 * is its buffer read into again, or the pooled one given back at `close()`. A chunk whose write
 * was not proven finished keeps its buffer (dropped here, collected later); the next chunk gets
 * another one.
 */
export class FileBody implements ResponseBody {
  private closed = false;
  /** The pooled buffer, and this body's small one (each kept between chunks while free). */
  private big: Buffer | null = null;
  private small: Buffer | null = null;
  /** Which buffer the last chunk returned is a view of, until `released()`. */
  private inUse: 'big' | 'small' | null = null;
  /** Where the next read starts (null: the file's own position, from its start). */
  private position: number | null = null;
  /** True for a byte range: exactly `remaining` bytes are read, never to EOF. */
  private exact = false;
  /** `remaining`: the size fstat gave, to size the last read (a file may still grow: read to EOF). */
  constructor(
    readonly handle: HandlerFileHandle,
    private remaining = Infinity,
    private readonly pool: BufferPool = fileReadBuffers,
  ) {}
  /** This body, cut to `start`..`end` (read at those positions, exactly that many bytes). */
  range(start: number, end: number): ResponseBody {
    this.position = start;
    this.remaining = end - start + 1;
    this.exact = true;
    return this;
  }
  /** One read of at most `want` bytes into `buf`, at the range's position when it has one. */
  private async readInto(buf: Buffer, want: number): Promise<number> {
    const { bytesRead } = await this.handle.read(buf, 0, want, this.position);
    if (this.position !== null) this.position += bytesRead;
    this.remaining = Math.max(0, this.remaining - bytesRead);
    return bytesRead;
  }
  async readChunk(maxBytes = CHUNK_SIZE): Promise<Buffer | null> {
    if (this.exact && this.remaining === 0) return null;
    const limit = Math.max(1, Math.min(CHUNK_SIZE, maxBytes));
    // One byte more than expected at the end, so that the EOF read is not a separate call
    // when the file did not change (a range reads exactly its bytes).
    const want = this.exact ? Math.min(limit, this.remaining) : Math.max(1, Math.min(limit, this.remaining + 1));
    // The last chunk not released is still the socket's: its buffer is left to it.
    if (this.inUse === 'big') this.big = null;
    else if (this.inUse === 'small') this.small = null;
    this.inUse = null;
    let buf: Buffer;
    if (want <= SMALL_READ) {
      // A small read (a tail, the EOF check, or a stalled client's share): the body's own small
      // buffer, and the pooled one goes back to the pool at once instead of waiting here.
      if (this.big !== null) this.pool.release(this.big);
      this.big = null;
      buf = this.small ??= Buffer.allocUnsafeSlow(SMALL_READ);
      this.inUse = 'small';
    } else {
      buf = this.big ??= this.pool.acquire();
      this.inUse = 'big';
    }
    let bytesRead: number;
    try {
      bytesRead = await this.readInto(buf, want);
    } catch (err) {
      this.inUse = null;
      throw err;
    }
    if (bytesRead === 0) {
      this.inUse = null; // nothing was handed out
      return null;
    }
    return buf.subarray(0, bytesRead);
  }
  /** The last chunk returned is no longer referenced (the socket wrote it): its buffer is free. */
  released(): void {
    this.inUse = null;
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.big !== null && this.inUse !== 'big') this.pool.release(this.big);
    this.big = null;
    this.small = null;
    await this.handle.close();
  }
}

/**
 * A regular file that fits in one chunk: read with one synchronous read into a buffer of its
 * size when the body is wanted (never for HEAD or 304), closed synchronously.
 * PORT NOTE: CPython copies such a file to EOF; here exactly the fstat size is read, so a
 * file that grows between fstat and the read sends its Content-Length bytes (CPython would
 * send more bytes than it announced). A file that shrank sends what is left, as CPython.
 */
export class SmallFileBody implements ResponseBody {
  private done = false;
  /** Bytes returned so far (reads of less than the whole file, at positions). */
  private sent = 0;
  /** The buffer of the pieces, and whether the socket has written the last one read into it. */
  private piece: Buffer | null = null;
  private pieceFree = false;
  /**
   * `keep`: called with the bytes when the whole file was read (to cache them). `offset`:
   * where `size` bytes are read from (a byte range); 0 reads the file from its start.
   */
  constructor(
    readonly handle: HandlerSyncFileHandle,
    readonly size: number,
    private readonly keep?: (data: Buffer) => void,
    private readonly offset = 0,
  ) {}
  /** The bytes `start`..`end` of the same open file (never cached: they are not the whole file). */
  range(start: number, end: number): ResponseBody {
    return new SmallFileBody(this.handle, end - start + 1, undefined, start);
  }
  async readChunk(maxBytes = Infinity): Promise<Buffer | null> {
    if (this.done) return null;
    if (this.size === 0 || this.sent >= this.size) {
      this.done = true;
      return null;
    }
    const whole = this.sent === 0 && maxBytes >= this.size;
    // A piece at a time when the caller asks for less (a stalled client's share): read at
    // positions, so the file's bytes are never all held for a client that does not read them.
    const length = whole ? this.size : Math.max(1, Math.min(maxBytes, this.size - this.sent));
    let buf: Buffer;
    if (whole) {
      buf = Buffer.allocUnsafe(length);
    } else {
      // One piece buffer, read into again once the socket wrote the last piece (`released`).
      // (Never a big one for a small piece: a stalled client would pin all of it.)
      const kept = this.piece;
      const fits = kept !== null && this.pieceFree && kept.length >= length && (length > SMALL_READ || kept.length <= SMALL_READ);
      buf = fits ? kept : Buffer.allocUnsafeSlow(length);
      this.piece = buf;
      this.pieceFree = false;
    }
    const at = this.offset + this.sent;
    let n = 0;
    while (n < length) {
      const r = this.handle.readSync(buf, n, length - n, whole && this.offset === 0 ? null : at + n);
      if (r === 0) break;
      n += r;
    }
    this.sent += n;
    if (whole || n < length) this.done = true;
    if (n === 0) return null;
    if (n < length) return buf.subarray(0, n);
    if (whole) this.keep?.(buf);
    return whole ? buf : buf.subarray(0, n);
  }
  /** The last piece returned is no longer referenced (the socket wrote it). */
  released(): void {
    this.pieceFree = true;
  }
  async close(): Promise<void> {
    this.done = true;
    this.piece = null;
    this.handle.closeSync();
  }
}

/**
 * An in-memory body (`io.BytesIO` in CPython's `list_directory`), given as one buffer or as
 * consecutive pieces (a listing's head and its kept entries, sent without copying them into
 * one buffer). The buffers are never modified.
 */
export class BufferBody implements ResponseBody {
  private next = 0;
  readonly chunks: readonly Buffer[];
  constructor(data: Buffer | readonly Buffer[]) {
    this.chunks = Buffer.isBuffer(data) ? [data] : data;
  }
  /** The bytes `start`..`end` of these pieces, without copying them. */
  range(start: number, end: number): ResponseBody {
    const out: Buffer[] = [];
    let at = 0;
    for (const chunk of this.chunks) {
      const from = Math.max(start - at, 0);
      const to = Math.min(end + 1 - at, chunk.length);
      if (from < to) out.push(chunk.subarray(from, to));
      at += chunk.length;
    }
    return new BufferBody(out);
  }
  async readChunk(): Promise<Buffer | null> {
    while (this.next < this.chunks.length) {
      const chunk = this.chunks[this.next++]!;
      if (chunk.length > 0) return chunk;
    }
    return null;
  }
  async close(): Promise<void> {
    this.next = this.chunks.length;
  }
}
