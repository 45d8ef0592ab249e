/**
 * Pure Node. The connection's `rfile` and `wfile`: CPython's handler reads and writes
 * blocking file objects over the socket; here a buffered reader gives `readline(limit)` /
 * `read(n)` semantics (answered synchronously from the buffer when the bytes are already
 * there, awaiting only when they are not), and a small coalescing writer sends the buffered
 * header block together with a small body in one write. Both apply backpressure.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';

/** Raised by a read that waited longer than the connection's read timeout. */
export class ReadTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor() {
    super('timed out');
  }
}

/** Pause the socket once this many unread bytes are buffered (CPython reads on demand). */
const DEFAULT_HIGH_WATER = 1 << 20;

/** Buffered reader over a socket: CPython's `rfile` (`socket.makefile('rb')`). */
export class SocketReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private eof = false;
  private wake: (() => void) | null = null;
  /** Rejects the current wait with ReadTimeoutError (set while a timed wait is pending). */
  private expire: (() => void) | null = null;
  /** `performance.now()` at which the current wait times out (0: no timed wait). */
  private waitDeadline = 0;
  /** The one timer of this reader, armed for `timerAt`; re-armed lazily (see `armTimer`). */
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private divertSink: ((chunk: Buffer) => void) | null = null;
  private divertEnd: (() => void) | null = null;
  /** Bytes handed out (by any read, `discard`, `takeBuffered` or `divert`) since `markBodyStart()`. */
  private sinceMark = 0;
  /** Called before the reader waits for the network, so pending output is sent first. */
  onBeforeWait: (() => void) | null = null;
  /** Milliseconds a single wait for data may take; 0 = wait forever (CPython's default). */
  timeoutMs = 0;
  /**
   * `performance.now()` by which the current read must be done (0 = none): the header-read
   * timeout, which a client dripping one byte at a time cannot reset (PORT NOTE: new).
   */
  deadline = 0;
  /** `performance.now()` when the oldest buffered byte arrived (for request durations). */
  firstByteTime = 0;

  constructor(
    private readonly socket: Duplex,
    private readonly highWater = DEFAULT_HIGH_WATER,
  ) {
    socket.on('data', (chunk: Buffer) => {
      if (this.divertSink) {
        this.sinceMark += chunk.length;
        this.divertSink(chunk);
        return;
      }
      if (this.length === 0) this.firstByteTime = performance.now();
      this.chunks.push(chunk);
      this.length += chunk.length;
      if (this.length >= this.highWater) socket.pause();
      this.notify();
    });
    const onEnd = (): void => {
      this.eof = true;
      this.divertEnd?.();
      this.notify();
    };
    socket.on('end', onEnd);
    socket.on('close', () => {
      onEnd();
      // A finished connection keeps no timer (and so no reference to itself) alive.
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
    });
    socket.on('error', onEnd);
  }

  /** True once the peer has finished sending (or the connection broke). */
  get atEof(): boolean {
    return this.eof;
  }

  /** Bytes already received and not yet read. */
  get buffered(): number {
    return this.length;
  }

  /**
   * Start counting the request body: called once the request's headers are read, so
   * `bodyBytesRead` tells how much of the body was consumed, whichever way it was read.
   */
  markBodyStart(): void {
    this.sinceMark = 0;
  }

  /** Bytes consumed since `markBodyStart()` (read, readline, discard, takeBuffered, divert). */
  get bodyBytesRead(): number {
    return this.sinceMark;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    this.expire = null;
    this.waitDeadline = 0;
    w?.();
  }

  /**
   * Make sure the timer fires by `waitDeadline`. A keep-alive connection waits once per
   * request: instead of a setTimeout/clearTimeout pair per wait, the one timer stays armed
   * and, when it fires early for a later deadline, is re-armed for the rest.
   */
  private armTimer(): void {
    if (this.timer !== null && this.timerAt <= this.waitDeadline) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = this.waitDeadline;
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(this.waitDeadline - performance.now())));
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    if (this.waitDeadline === 0 || this.expire === null) return;
    if (performance.now() < this.waitDeadline) {
      // Timers run on the event loop's millisecond clock and may fire a little early.
      this.armTimer();
      return;
    }
    const expire = this.expire;
    this.wake = null;
    this.expire = null;
    this.waitDeadline = 0;
    expire();
  };

  private async waitForData(timeoutMs = this.timeoutMs): Promise<void> {
    this.onBeforeWait?.();
    if (this.socket.isPaused() && !this.divertSink) this.socket.resume();
    let wait = timeoutMs > 0 ? timeoutMs : Infinity;
    if (this.deadline > 0) wait = Math.min(wait, this.deadline - performance.now());
    if (wait <= 0) throw new ReadTimeoutError();
    await new Promise<void>((resolve, reject) => {
      this.wake = resolve;
      if (wait !== Infinity) {
        this.expire = () => reject(new ReadTimeoutError());
        this.waitDeadline = performance.now() + wait;
        this.armTimer();
      }
    });
  }

  /**
   * Wait until at least one byte is buffered or the peer finished, at most `timeoutMs`
   * (0 = forever); throws ReadTimeoutError after that. The idle timeout between requests.
   */
  async waitForInput(timeoutMs: number): Promise<void> {
    while (this.length === 0 && !this.eof) await this.waitForData(timeoutMs);
  }

  /** Read and drop up to `n` bytes (fewer at end of input); returns how many were dropped. */
  async discard(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const got = await this.read(Math.min(left, 64 * 1024));
      if (got.length === 0) break;
      left -= got.length;
    }
    return n - left;
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    let out: Buffer;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks, this.length);
      out = all.subarray(0, n);
      const rest = all.subarray(n);
      this.chunks = rest.length > 0 ? [rest] : [];
    }
    this.length -= n;
    this.sinceMark += n;
    if (this.length < this.highWater && this.socket.isPaused() && !this.divertSink) this.socket.resume();
    return out;
  }

  /** Offset of the first LF within the first `limit` buffered bytes, or -1. */
  private indexOfNewline(limit: number): number {
    let offset = 0;
    for (const c of this.chunks) {
      if (offset >= limit) break;
      const idx = c.indexOf(0x0a);
      if (idx >= 0 && offset + idx < limit) return offset + idx;
      if (idx >= 0) return -1;
      offset += c.length;
    }
    return -1;
  }

  /**
   * `readline(limit)`: up to and including the next LF, or `limit` bytes, or whatever is left
   * at end of input (an empty buffer means the peer closed).
   */
  async readline(limit: number): Promise<Buffer> {
    for (;;) {
      const line = this.tryReadline(limit);
      if (line !== null) return line;
      await this.waitForData();
    }
  }

  /** `readline(limit)` when it needs no wait (the line is buffered), else null. */
  tryReadline(limit: number): Buffer | null {
    if (this.length === 0 && !this.eof) return null;
    const idx = this.indexOfNewline(limit);
    if (idx >= 0) return this.take(idx + 1);
    if (this.length >= limit) return this.take(limit);
    if (this.eof) return this.take(this.length);
    return null;
  }

  /** `read(n)`: exactly n bytes, fewer only at end of input. */
  async read(n: number): Promise<Buffer> {
    for (;;) {
      if (this.length >= n) return this.take(n);
      if (this.eof) return this.take(this.length);
      await this.waitForData();
    }
  }

  /**
   * At most `max` bytes of the oldest chunk received, without copying (`socket.recv(max)`
   * rather than `read(n)`): waits for one byte; empty only at end of input. An upload reads its
   * body this way (PORT NOTE 33), so a fast client's bytes are never concatenated into large
   * buffers on their way to the disk.
   */
  async readSome(max: number): Promise<Buffer> {
    while (this.length === 0 && !this.eof) await this.waitForData();
    if (this.length === 0) return Buffer.alloc(0);
    return this.take(Math.min(max, this.chunks[0]!.length));
  }

  /** Everything already received (CPython's `select`-and-discard after a CGI run). */
  takeBuffered(): Buffer {
    return this.take(this.length);
  }

  /**
   * Hand the buffered bytes and every later byte to `sink` until the returned function is
   * called (a CGI child reading the socket as its stdin). `onEnd` runs when the peer finishes.
   */
  divert(sink: (chunk: Buffer) => void, onEnd: () => void): () => void {
    const pending = this.takeBuffered();
    if (pending.length > 0) sink(pending);
    this.divertSink = sink;
    this.divertEnd = onEnd;
    if (this.eof) onEnd();
    if (this.socket.isPaused()) this.socket.resume();
    return () => {
      this.divertSink = null;
      this.divertEnd = null;
    };
  }

  /** Stop reading from the socket (while a consumer applies backpressure). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }
}

/** Sockets corked during this turn of the event loop; uncorked together when it ends. */
let held: Duplex[] = [];

function releaseHeld(): void {
  const sockets = held;
  held = [];
  for (const socket of sockets) if (!socket.destroyed) socket.uncork();
}

/**
 * Hold a socket's writes until the end of this turn of the event loop, then send every held
 * socket's output in one burst. Answers produced while serving the requests of one turn then
 * reach the clients together instead of one by one: on loopback each write that finds its
 * reader asleep costs a cross-CPU wake-up, and a burst wakes a waiting client once.
 */
function holdUntilTurnEnds(socket: Duplex): void {
  // Only a TCP socket (in-memory streams in tests and tools are read as soon as written).
  if (!(socket instanceof net.Socket) || socket.writableCorked > 0) return;
  socket.cork();
  if (held.length === 0) setImmediate(releaseHeld);
  held.push(socket);
}

/** Coalesce up to this many bytes before writing (headers + a small body go out together). */
const COALESCE_LIMIT = 16 * 1024;

/** Above this many pending bytes, flush() hands the pieces to one writev instead of copying. */
const COPY_LIMIT = 64 * 1024;

/**
 * The most a stream hands the socket in one chunk while every large-write slot is taken, and
 * so what a client that stops reading pins then (a chunk stuck in a socket keeps its buffer).
 */
export const SMALL_WRITE = 8 * 1024;

/**
 * Large chunks (more than `SMALL_WRITE`, up to `CHUNK_SIZE`) being written at once by the
 * whole process. PORT NOTE 30: a chunk handed to a socket whose client does not read stays
 * referenced (with its 512 KiB buffer) until the client reads it, maybe never: 1,000 such
 * clients held 512 MiB. Slots bound that to 16 × 512 KiB (as many as `fileReadBuffers` keeps);
 * past them, streams go on in 8 KiB chunks until a slot is free again, so each further stalled
 * client pins at most 8 KiB (2,000 of them: +55 MiB in all, test/attack/slow-readers.test.ts).
 * 8 KiB chunks still stream at ~120 MB/s on loopback, a gigabit LAN's rate.
 */
export const MAX_LARGE_WRITES = 16;

let largeWrites = 0;

/** Large-write slots taken now (for tests). */
export function largeWritesInUse(): number {
  return largeWrites;
}

/**
 * CPython's `wfile`, with small writes coalesced and backpressure.
 * PORT NOTE: CPython writes the header block and the body in separate small writes, which
 * meets delayed ACK on keep-alive connections (~40 ms per request); here they go out in one
 * write, and every socket has TCP_NODELAY.
 */
export class SocketWriter {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /**
   * Total bytes handed to the socket (and the pending ones once flushed); bytes a flush found
   * no connection for are taken back out, so the log never counts what could not be sent.
   */
  bytesWritten = 0;
  /** True while this connection holds one of the process's large-write slots. */
  private holdsLarge = false;
  /** Waiting in `allWritten()`. */
  private writtenWaiters: (() => void)[] = [];

  constructor(private readonly socket: Duplex) {}

  /**
   * How big the next chunk of a stream may be: `want` when it is small, or when a large-write
   * slot is free (this connection then holds it until `settled()`), else `SMALL_WRITE`.
   */
  grant(want: number): number {
    if (want <= SMALL_WRITE || this.holdsLarge) return want;
    if (largeWrites >= MAX_LARGE_WRITES) return SMALL_WRITE;
    largeWrites++;
    this.holdsLarge = true;
    return want;
  }

  /** The chunk `grant()` allowed is written (or will never be): its slot is free again. */
  settled(): void {
    if (!this.holdsLarge) return;
    this.holdsLarge = false;
    largeWrites--;
  }

  private readonly onWritten = (): void => {
    if (this.writtenWaiters.length === 0) return;
    if (this.socket.writableLength > 0 && !this.socket.destroyed) return;
    const waiters = this.writtenWaiters;
    this.writtenWaiters = [];
    for (const wake of waiters) wake();
  };

  /**
   * Flush, then wait until the socket has finished every write handed to it (or is gone), so
   * the buffers written from are no longer referenced. Stricter than `drain()`, which returns
   * while less than the socket's high-water mark is still pending.
   */
  async allWritten(): Promise<void> {
    this.flush();
    if (this.socket.destroyed || this.socket.writableLength === 0) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.socket.off('close', done);
        resolve();
      };
      this.writtenWaiters.push(done);
      this.socket.on('close', done);
    });
  }

  /** Bytes written here that have not left this process yet (queued, or in the socket's buffer). */
  get unsent(): number {
    return this.pendingLength + (this.socket.destroyed ? 0 : this.socket.writableLength);
  }

  /** False once the connection can no longer carry output. */
  get writable(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  /** Queue bytes; they go out at the next flush, or at once when enough have piled up. */
  write(data: Buffer | string): void {
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    if (buf.length === 0) return;
    this.pending.push(buf);
    this.pendingLength += buf.length;
    this.bytesWritten += buf.length;
    if (this.pendingLength >= COALESCE_LIMIT) this.flush();
  }

  /** Hand the queued bytes to the socket in one write. Returns false when the socket is full. */
  flush(): boolean {
    if (this.pendingLength === 0) return !this.socket.writableNeedDrain;
    const pending = this.pending;
    const length = this.pendingLength;
    this.pending = [];
    this.pendingLength = 0;
    if (!this.writable) {
      this.bytesWritten -= length;
      return true;
    }
    holdUntilTurnEnds(this.socket);
    if (pending.length === 1) return this.socket.write(pending[0]!, this.onWritten);
    if (length <= COPY_LIMIT) return this.socket.write(Buffer.concat(pending, length), this.onWritten);
    // Headers + a big chunk: one writev instead of copying the chunk.
    this.socket.cork();
    let ok = true;
    for (let i = 0; i < pending.length; i++) ok = this.socket.write(pending[i]!, i === pending.length - 1 ? this.onWritten : undefined);
    this.socket.uncork();
    return ok;
  }

  /** Flush, then wait until the socket wants more (or is gone). */
  async drain(): Promise<void> {
    if (this.flush()) return;
    if (!this.writable) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }
}
