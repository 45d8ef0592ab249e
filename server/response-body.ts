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
  /** The next chunk, or null at the end. */
  readChunk(): Promise<Buffer | null>;
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

/** A read this small does not take a pooled buffer while the body's own one is busy. */
const SMALL_READ = 16 * 1024;

/**
 * An open file streamed in chunks of `CHUNK_SIZE`, read into one pooled buffer. The caller
 * (`copyfile`) calls `released()` once the socket has finished writing a chunk: only then is
 * the buffer read into again, or given back to the pool at `close()`. A chunk whose write was
 * not proven finished keeps its buffer; the next chunk gets another one.
 */
export class FileBody implements ResponseBody {
  private closed = false;
  /** The buffer of the last chunk, and whether nothing references that chunk any more. */
  private buf: Buffer | null = null;
  private bufFree = false;
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
  async readChunk(): Promise<Buffer | null> {
    if (this.exact && this.remaining === 0) return null;
    // One byte more than expected at the end, so that the EOF read is not a separate call
    // when the file did not change (a range reads exactly its bytes).
    const want = this.exact ? Math.min(CHUNK_SIZE, this.remaining) : Math.max(1, Math.min(CHUNK_SIZE, this.remaining + 1));
    if (this.buf !== null && !this.bufFree && want <= SMALL_READ) {
      // The pooled buffer still holds a chunk being written, and this read is small (the EOF
      // check, or a short tail): a small buffer of its own, so the pooled one can still be
      // released once that write is done.
      const small = Buffer.allocUnsafe(want);
      const bytesRead = await this.readInto(small, want);
      return bytesRead === 0 ? null : small.subarray(0, bytesRead);
    }
    if (this.buf === null || !this.bufFree) this.buf = this.pool.acquire();
    const buf = this.buf;
    this.bufFree = false; // being read into
    let bytesRead: number;
    try {
      bytesRead = await this.readInto(buf, want);
    } catch (err) {
      this.bufFree = true;
      throw err;
    }
    if (bytesRead === 0) {
      this.bufFree = true; // nothing was handed out
      return null;
    }
    return buf.subarray(0, bytesRead);
  }
  /** The last chunk returned is no longer referenced (the socket wrote it): its buffer is free. */
  released(): void {
    this.bufFree = true;
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.buf !== null && this.bufFree) this.pool.release(this.buf);
    this.buf = null;
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
  async readChunk(): Promise<Buffer | null> {
    if (this.done) return null;
    this.done = true;
    if (this.size === 0) return null;
    const buf = Buffer.allocUnsafe(this.size);
    let n = 0;
    while (n < this.size) {
      const r = this.handle.readSync(buf, n, this.size - n, this.offset === 0 ? null : this.offset + n);
      if (r === 0) break;
      n += r;
    }
    if (n === 0) return null;
    if (n < this.size) return buf.subarray(0, n);
    this.keep?.(buf);
    return buf;
  }
  async close(): Promise<void> {
    this.done = true;
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
