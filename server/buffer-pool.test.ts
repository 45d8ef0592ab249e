/**
 * Tests for buffer-pool.ts and its use by `FileBody` (response-body.ts) and `copyfile`
 * (simple-handler.ts): a streamed file reuses one pooled read buffer, and a buffer is read
 * into again (or given back to the pool) only after the socket has finished writing the chunk
 * it held.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BufferPool } from './buffer-pool.js';
import { CHUNK_SIZE, fileReadBuffers } from './response-body.js';
import { SimpleHTTPRequestHandler } from './simple-handler.js';
import { FakeServer, makeTempDir, parseResponse, rawRequest, startServer, writeFile, type LiveServer } from './test-support/harness.js';

describe('BufferPool', () => {
  it('hands back released buffers, keeps at most maxFree, refuses a double release', () => {
    const pool = new BufferPool(1024, 2);
    const a = pool.acquire();
    const b = pool.acquire();
    const c = pool.acquire();
    expect(a.length).toBe(1024);
    expect(new Set([a, b, c]).size).toBe(3);
    pool.release(a);
    pool.release(b);
    pool.release(c); // over maxFree: dropped
    expect(pool.available).toBe(2);
    const again = [pool.acquire(), pool.acquire()];
    expect(new Set(again)).toEqual(new Set([a, b]));
    pool.release(a);
    expect(() => pool.release(a)).toThrow(/twice/);
    pool.release(Buffer.alloc(10)); // not one of ours: ignored
    pool.release(c.subarray(1)); // a view: ignored
    expect(pool.available).toBe(1);
  });
});

describe('BufferPool trimming', () => {
  it('drops the unused buffers beyond what was asked for since the last trim, on a timer', () => {
    vi.useFakeTimers();
    try {
      const pool = new BufferPool(1024, 8, 1000);
      const burst = Array.from({ length: 6 }, () => pool.acquire());
      for (const b of burst) pool.release(b);
      expect(pool.available).toBe(6);
      vi.advanceTimersByTime(1000); // 6 were asked for in this period: all kept
      expect(pool.available).toBe(6);
      pool.release(pool.acquire()); // a quieter period: one download at a time
      vi.advanceTimersByTime(1000);
      expect(pool.available).toBe(1);
      vi.advanceTimersByTime(1000); // idle: nothing kept, and the timer stops
      expect(pool.available).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
      const again = pool.acquire();
      expect(burst).not.toContain(again); // the dropped ones are gone for good
    } finally {
      vi.useRealTimers();
    }
  });
});

/**
 * A `net.Socket` stand-in that completes each write `delayMs` later and only then takes a copy
 * of the bytes, as the kernel does when a write it could not take at once completes: a buffer
 * reused before its write completed shows up as wrong bytes in `received`.
 */
class SlowKernelSocket extends net.Socket {
  readonly received: Buffer[] = [];
  constructor(input: Buffer | string, private readonly delayMs: number) {
    super({ allowHalfOpen: true });
    this.push(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
    this.push(null);
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    setTimeout(() => {
      this.received.push(Buffer.from(chunk));
      cb();
    }, this.delayMs);
  }
  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    setTimeout(() => {
      for (const { chunk } of chunks) this.received.push(Buffer.from(chunk));
      cb();
    }, this.delayMs);
  }
}

/** Split keep-alive responses by Content-Length. */
function splitResponses(all: Buffer): { status: string; body: Buffer }[] {
  const out: { status: string; body: Buffer }[] = [];
  let at = 0;
  while (at < all.length) {
    const end = all.indexOf('\r\n\r\n', at);
    const head = all.subarray(at, end).toString('latin1');
    const length = Number(/Content-Length: (\d+)/i.exec(head)![1]);
    out.push({ status: head.split('\r\n')[0]!, body: all.subarray(end + 4, end + 4 + length) });
    at = end + 4 + length;
  }
  return out;
}

async function serveOn(socket: net.Socket, directory: string): Promise<void> {
  const handler = new SimpleHTTPRequestHandler({ socket, clientAddress: ['127.0.0.1', 1], server: new FakeServer(), connectionId: 1, options: { directory, protocolVersion: 'HTTP/1.1' } });
  handler.setup();
  await handler.handle();
  handler.finish();
  await new Promise((r) => setTimeout(r, 100)); // let the last delayed writes complete
}

describe('FileBody with the pool (response-body.ts)', () => {
  let dir: string;
  const files: Record<string, Buffer> = {};
  let live: LiveServer;

  beforeAll(async () => {
    dir = makeTempDir();
    // Sizes just over chunk boundaries: the last chunk is small, so its write is under the
    // socket's high-water mark and `drain()` returns before the write completed.
    files['a.bin'] = randomBytes(CHUNK_SIZE + 100);
    files['b.bin'] = randomBytes(2 * CHUNK_SIZE + 3);
    files['c.bin'] = randomBytes(5 * CHUNK_SIZE - 7);
    for (const [name, data] of Object.entries(files)) writeFile(dir, name, data);
    live = await startServer(SimpleHTTPRequestHandler, { directory: dir, protocolVersion: 'HTTP/1.1' });
  });
  afterAll(async () => {
    await live.close();
  });

  it('a buffer is reused only after its write completed (pipelined downloads, delayed writes)', async () => {
    const req = (name: string): string => `GET /${name} HTTP/1.1\r\nHost: x\r\n\r\n`;
    const order = ['a.bin', 'b.bin', 'a.bin', 'c.bin', 'a.bin'];
    const socket = new SlowKernelSocket(order.map(req).join(''), 20);
    await serveOn(socket, dir);
    const responses = splitResponses(Buffer.concat(socket.received));
    expect(responses.map((r) => r.status)).toEqual(order.map(() => 'HTTP/1.1 200 OK'));
    responses.forEach((r, i) => expect(r.body.equals(files[order[i]!]!), order[i]).toBe(true));
  });

  it('one pooled buffer serves every chunk of a download, and the next download', async () => {
    const acquire = vi.spyOn(fileReadBuffers, 'acquire');
    try {
      // c.bin's last chunk is big, so its write is waited for (a small tail's write may still
      // be pending when the download ends on this slow socket: that buffer is then left to
      // the garbage collector, and the next download takes another).
      const socket = new SlowKernelSocket('GET /c.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /c.bin HTTP/1.1\r\nHost: x\r\n\r\n', 1);
      await serveOn(socket, dir);
      const [first, second] = splitResponses(Buffer.concat(socket.received));
      expect(first!.body.equals(files['c.bin']!)).toBe(true);
      expect(second!.body.equals(files['c.bin']!)).toBe(true);
      // One acquire per download, and the second got the first one's buffer back.
      expect(acquire.mock.results.length).toBe(2);
      expect(acquire.mock.results[1]!.value).toBe(acquire.mock.results[0]!.value);
      expect(fileReadBuffers.available).toBeGreaterThanOrEqual(1);
      expect(fileReadBuffers.available).toBeLessThanOrEqual(fileReadBuffers.maxFree);
    } finally {
      acquire.mockRestore();
    }
  });

  it('real sockets: concurrent downloads, one client stalled for a while, every byte right', async () => {
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    // A client that stops reading mid-download (its socket backs up into the server).
    const stalled = new Promise<Buffer>((resolve, reject) => {
      const s = net.connect(live.port, '127.0.0.1', () => s.write('GET /c.bin HTTP/1.0\r\n\r\n'));
      const parts: Buffer[] = [];
      let paused = false;
      s.on('data', (d: Buffer) => {
        parts.push(d);
        if (!paused) {
          paused = true;
          s.pause();
          setTimeout(() => s.resume(), 300);
        }
      });
      s.on('end', () => resolve(Buffer.concat(parts)));
      s.on('error', reject);
    });
    const others = Array.from({ length: 12 }, (_, i) => {
      const name = ['a.bin', 'b.bin', 'c.bin'][i % 3]!;
      return rawRequest(live.port, `GET /${name} HTTP/1.0\r\n\r\n`).then((raw) => ({ name, r: parseResponse(raw) }));
    });
    for (const { name, r } of await Promise.all(others)) expect(sha(r.body), name).toBe(sha(files[name]!));
    expect(sha(parseResponse(await stalled).body)).toBe(sha(files['c.bin']!));
    expect(fileReadBuffers.available).toBeLessThanOrEqual(fileReadBuffers.maxFree);
  });

  it('a client gone mid-download: the next downloads are still right', async () => {
    await new Promise<void>((resolve) => {
      const s = net.connect(live.port, '127.0.0.1', () => s.write('GET /c.bin HTTP/1.0\r\n\r\n'));
      s.once('data', () => {
        s.destroy();
        resolve();
      });
    });
    for (const name of ['b.bin', 'c.bin']) {
      const r = parseResponse(await rawRequest(live.port, `GET /${name} HTTP/1.0\r\n\r\n`));
      expect(r.body.equals(files[name]!), name).toBe(true);
    }
    expect(path.basename(dir)).toMatch(/servedir-test-/);
  });
});
