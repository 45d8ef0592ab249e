/**
 * Pure Node. A small pool of equal-sized read buffers for streamed files (`FileBody` in
 * simple-handler.ts), so that a large download reuses one buffer for all its chunks and the
 * next download takes it again, instead of allocating a fresh 512 KiB buffer per chunk: with 16
 * clients fetching 1 MiB files, those short-lived buffers (tens of MiB outside the JavaScript
 * heap, freed only when the garbage collector gets to them) set the server's peak memory.
 *
 * A buffer is given back only when nothing can still read it: `copyfile` proves that the socket
 * finished writing the chunk (its write queue is empty) before it lets the body reuse or
 * release the buffer. A buffer never proven free is simply dropped and collected as before.
 */

/** Buffers of `size` bytes, at most `maxFree` kept while unused. */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly size: number,
    readonly maxFree: number,
  ) {}

  /** Buffers kept, unused. */
  get available(): number {
    return this.free.length;
  }

  /** A buffer of `size` bytes with unspecified content (a kept one, or a new one). */
  acquire(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /**
   * Give back a buffer from `acquire()` that nothing references any more (no pending write,
   * no view handed out still in use). Kept if fewer than `maxFree` are, otherwise dropped.
   */
  release(buf: Buffer): void {
    if (buf.length !== this.size || buf.byteOffset !== 0 || this.free.length >= this.maxFree) return;
    if (this.free.includes(buf)) throw new Error('BufferPool: buffer released twice');
    this.free.push(buf);
  }
}
