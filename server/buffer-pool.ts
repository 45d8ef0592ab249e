/**
 * Pure Node. A small pool of equal-sized read buffers for streamed files (`FileBody` in
 * response-body.ts), so that a large download reuses one buffer for all its chunks and the
 * next download takes it again, instead of allocating a fresh 512 KiB buffer per chunk: with 16
 * clients fetching 1 MiB files, those short-lived buffers (tens of MiB outside the JavaScript
 * heap, freed only when the garbage collector gets to them) set the server's peak memory.
 *
 * A buffer is given back only when nothing can still read it: `copyfile` proves that the socket
 * finished writing the chunk (its write queue is empty) before it lets the body reuse or
 * release the buffer. A buffer never proven free is simply dropped and collected as before.
 */

/**
 * Buffers of `size` bytes, at most `maxFree` kept while unused. Every `trimMs` (while some are
 * kept) the unused ones beyond what was asked for since the last check are dropped: a burst of
 * downloads does not leave its buffers behind for good (large buffers are given back to the
 * system when collected).
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  private acquiredSinceTrim = 0;
  private trimTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly size: number,
    readonly maxFree: number,
    readonly trimMs = 2000,
  ) {}

  /** Buffers kept, unused. */
  get available(): number {
    return this.free.length;
  }

  /** A buffer of `size` bytes with unspecified content (a kept one, or a new one). */
  acquire(): Buffer {
    this.acquiredSinceTrim++;
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
    if (this.trimTimer === null && this.trimMs > 0) {
      this.trimTimer = setInterval(() => this.trim(), this.trimMs);
      this.trimTimer.unref();
    }
  }

  /** Drop the unused buffers beyond the number acquired since the last trim. */
  trim(): void {
    const keep = Math.min(this.free.length, this.acquiredSinceTrim);
    this.free.splice(0, this.free.length - keep);
    this.acquiredSinceTrim = 0;
    if (this.free.length === 0 && this.trimTimer !== null) {
      clearInterval(this.trimTimer);
      this.trimTimer = null;
    }
  }
}
