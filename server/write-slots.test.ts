/**
 * Tests for the large-write slots (PORT NOTE 30: `SocketWriter.grant`/`settled`/`allWritten` in
 * connection-io.ts, `copyfile` in simple-handler.ts, `readChunk(maxBytes)` in response-body.ts):
 * while the process's slots are all taken a stream goes on in `SMALL_WRITE` chunks, every byte
 * still right (whole files, a file read in one piece otherwise, a byte range), and every slot
 * is given back when a download ends, however it ends. The memory this bounds is measured by
 * test/attack/slow-readers.test.ts.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { largeWritesInUse, MAX_LARGE_WRITES, SMALL_WRITE, SocketWriter } from './connection-io.js';
import { nodeFs } from './handler-fs.js';
import { CHUNK_SIZE, FileBody, SmallFileBody } from './response-body.js';
import { SimpleHTTPRequestHandler } from './simple-handler.js';
import { makeTempDir, parseResponse, rawRequest, startServer, writeFile, type LiveServer } from './test-support/harness.js';

describe('large-write slots', () => {
  let dir: string;
  let live: LiveServer;
  const files: Record<string, Buffer> = {};
  beforeAll(async () => {
    dir = makeTempDir();
    files['big.bin'] = randomBytes(3 * CHUNK_SIZE + 5); // FileBody
    files['mid.bin'] = randomBytes(300 * 1024); // SmallFileBody (over the small-file cache's entry size)
    for (const [name, data] of Object.entries(files)) writeFile(dir, name, data);
    live = await startServer(SimpleHTTPRequestHandler, { directory: dir, protocolVersion: 'HTTP/1.1', range: true });
  });
  afterAll(async () => {
    await live.close();
  });

  /** Take every free slot with writers of our own; returns the function giving them back. */
  function takeAllSlots(): () => void {
    const writers: SocketWriter[] = [];
    while (largeWritesInUse() < MAX_LARGE_WRITES) {
      const w = new SocketWriter(new PassThrough());
      expect(w.grant(CHUNK_SIZE)).toBe(CHUNK_SIZE);
      writers.push(w);
    }
    return () => writers.forEach((w) => w.settled());
  }

  const get = (target: string, headers = ''): Promise<ReturnType<typeof parseResponse>> =>
    rawRequest(live.port, `GET ${target} HTTP/1.0\r\n${headers}\r\n`).then(parseResponse);

  it('with every slot taken, streams go on in small chunks, every byte right', async () => {
    const chunks: number[] = [];
    const spies = [FileBody, SmallFileBody].map((cls) => {
      const orig = cls.prototype.readChunk;
      return vi.spyOn(cls.prototype, 'readChunk').mockImplementation(async function (this: FileBody | SmallFileBody, max?: number) {
        const chunk = await orig.call(this, max);
        if (chunk) chunks.push(chunk.length);
        return chunk;
      });
    });
    const release = takeAllSlots();
    try {
      expect(new SocketWriter(new PassThrough()).grant(CHUNK_SIZE)).toBe(SMALL_WRITE);
      for (const name of ['big.bin', 'mid.bin']) {
        const r = await get(`/${name}`);
        expect(r.status).toBe('HTTP/1.1 200 OK');
        expect(r.body.equals(files[name]!), name).toBe(true);
      }
      const r = await get('/big.bin', `Range: bytes=${CHUNK_SIZE - 10}-${2 * CHUNK_SIZE + 20}\r\n`);
      expect(r.status).toBe('HTTP/1.1 206 Partial Content');
      expect(r.body.equals(files['big.bin']!.subarray(CHUNK_SIZE - 10, 2 * CHUNK_SIZE + 21))).toBe(true);
      expect(chunks.length).toBeGreaterThan(280); // (1.5 MiB + 300 KiB + 512 KiB) / 8 KiB
      expect(Math.max(...chunks)).toBeLessThanOrEqual(SMALL_WRITE);
    } finally {
      release();
      spies.forEach((s) => s.mockRestore());
    }
    expect(largeWritesInUse()).toBe(0);
  });

  it('with a slot free, a download takes it for its 512 KiB chunks and gives it back', async () => {
    const orig = FileBody.prototype.readChunk;
    const chunks: number[] = [];
    const spy = vi.spyOn(FileBody.prototype, 'readChunk').mockImplementation(async function (this: FileBody, max?: number) {
      const chunk = await orig.call(this, max);
      if (chunk) chunks.push(chunk.length);
      return chunk;
    });
    try {
      const r = await get('/big.bin');
      expect(r.body.equals(files['big.bin']!)).toBe(true);
      expect(chunks.slice(0, 3)).toEqual([CHUNK_SIZE, CHUNK_SIZE, CHUNK_SIZE]);
    } finally {
      spy.mockRestore();
    }
    expect(largeWritesInUse()).toBe(0);
  });

  it('SmallFileBody: grants changing mid-file give the same bytes, and a small piece never lands in a big buffer', async () => {
    const full = files['mid.bin']!;
    const body = new SmallFileBody(nodeFs.openSync(Buffer.from(path.join(dir, 'mid.bin')), 'r'), full.length);
    const parts: Buffer[] = [];
    const grants = [SMALL_WRITE, CHUNK_SIZE, SMALL_WRITE, 100, SMALL_WRITE];
    for (let i = 0; ; i++) {
      const grant = grants[Math.min(i, grants.length - 1)]!;
      const chunk = await body.readChunk(grant);
      if (chunk === null) break;
      expect(chunk.length).toBeLessThanOrEqual(grant);
      if (grant <= SMALL_WRITE) expect(chunk.buffer.byteLength).toBeLessThanOrEqual(SMALL_WRITE);
      parts.push(Buffer.from(chunk)); // a copy: the body reuses its piece buffer once released
      body.released();
    }
    await body.close();
    expect(Buffer.concat(parts).equals(full)).toBe(true);
  });

  it('a client gone mid-download, or stalled and then gone, leaves no slot taken', async () => {
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve) => {
        const s = net.connect(live.port, '127.0.0.1', () => s.write('GET /big.bin HTTP/1.0\r\n\r\n'));
        s.once('data', () => {
          s.pause(); // stalls: the server's write backs up
          setTimeout(() => {
            s.destroy();
            resolve();
          }, 100 * i);
        });
      });
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(largeWritesInUse()).toBe(0);
    const r = await get('/big.bin');
    expect(r.body.equals(files['big.bin']!)).toBe(true);
  });
});
