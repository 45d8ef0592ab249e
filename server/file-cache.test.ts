/**
 * Tests for file-cache.ts: the cache alone (identity, racy timestamps, bounds), then through a
 * live SimpleHTTPRequestHandler: a cached file is never served after it changed, and a hit
 * really skips the open (counted through an instrumented HandlerFs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FileCache, RACY_MS } from './file-cache.js';
import { nodeFs, type HandlerFs } from './handler-fs.js';
import { SimpleHTTPRequestHandler } from './simple-handler.js';
import { makeTempDir, parseResponse, rawRequest, startServer, writeFile, type LiveServer } from './test-support/harness.js';

const OLD = 1_600_000_000_000; // ms: timestamps long before "now"
const stamp = (over: Partial<{ dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number }> = {}) => ({
  dev: 1, ino: 42, size: 3, mtimeMs: OLD, ctimeMs: OLD, ...over,
});

describe('FileCache', () => {
  it('returns the bytes only while the stat shows the same file unchanged', () => {
    const c = new FileCache();
    c.put('/a', stamp(), Buffer.from('abc'), OLD + 10_000);
    expect(c.get('/a', stamp())?.toString()).toBe('abc');
    for (const changed of [{ ino: 43 }, { dev: 2 }, { mtimeMs: OLD + 1 }, { ctimeMs: OLD + 1 }]) {
      const d = new FileCache();
      d.put('/a', stamp(), Buffer.from('abc'), OLD + 10_000);
      expect(d.get('/a', stamp(changed))).toBeNull();
      // A stale entry is dropped, not kept for later.
      expect(d.size).toBe(0);
      expect(d.get('/a', stamp())).toBeNull();
    }
    expect(c.get('/b', stamp())).toBeNull();
  });

  it('keeps nothing whose timestamps were younger than RACY_MS when read', () => {
    const c = new FileCache();
    c.put('/m', stamp({ mtimeMs: OLD }), Buffer.from('abc'), OLD + RACY_MS - 1);
    c.put('/c', stamp({ ctimeMs: OLD + 5000 }), Buffer.from('abc'), OLD + 5000 + RACY_MS - 1);
    expect(c.size).toBe(0);
    c.put('/ok', stamp(), Buffer.from('abc'), OLD + RACY_MS);
    expect(c.get('/ok', stamp())?.toString()).toBe('abc');
  });

  it('keeps nothing when the bytes read are not the size the stat gave', () => {
    const c = new FileCache();
    c.put('/a', stamp({ size: 4 }), Buffer.from('abc'), OLD + 10_000);
    expect(c.size).toBe(0);
  });

  it('stays within its byte budget, dropping the least recently used first', () => {
    const c = new FileCache(10, 4);
    const put = (k: string, ino: number) => c.put(k, stamp({ ino, size: 4 }), Buffer.from('1234'), OLD + 10_000);
    put('/1', 1);
    put('/2', 2);
    expect(c.get('/1', stamp({ ino: 1, size: 4 }))).not.toBeNull(); // /1 now most recent
    put('/3', 3); // 12 bytes > 10: /2 goes
    expect(c.size).toBe(8);
    expect(c.get('/2', stamp({ ino: 2, size: 4 }))).toBeNull();
    expect(c.get('/1', stamp({ ino: 1, size: 4 }))).not.toBeNull();
    expect(c.get('/3', stamp({ ino: 3, size: 4 }))).not.toBeNull();
    // Too big for one entry: not kept.
    c.put('/5', stamp({ ino: 5, size: 5 }), Buffer.from('12345'), OLD + 10_000);
    expect(c.get('/5', stamp({ ino: 5, size: 5 }))).toBeNull();
    // Replacing a key does not count its old bytes twice.
    put('/1', 1);
    expect(c.size).toBe(8);
  });

  it('wants small regular files only', () => {
    const c = new FileCache(100, 10);
    const st = (size: number, file = true) => ({ size, isFile: () => file }) as unknown as fs.Stats;
    expect(c.wants(st(10))).toBe(true);
    expect(c.wants(st(11))).toBe(false);
    expect(c.wants(st(1, false))).toBe(false);
  });
});

describe('small files served from the cache', () => {
  let root: string;
  let live: LiveServer;
  let opens = 0;
  const counting: HandlerFs = {
    ...nodeFs,
    openSync(p, flags) {
      opens++;
      return nodeFs.openSync(p, flags);
    },
  };

  beforeAll(async () => {
    root = path.join(makeTempDir(), 'root');
    fs.mkdirSync(root);
    live = await startServer(SimpleHTTPRequestHandler, { directory: root, fs: counting });
  });
  afterAll(() => live.close());
  afterEach(() => vi.restoreAllMocks());

  /** Pretend the files were written long ago: the clock runs `ahead` ms in the future. */
  function clockAhead(ahead = RACY_MS + 1000): void {
    const real = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => real() + ahead);
  }

  async function get(name: string) {
    const r = parseResponse(await rawRequest(live.port, `GET /${name} HTTP/1.0\r\n\r\n`));
    return { status: r.status, body: r.body.toString(), length: r.headers.get('content-length') };
  }

  it('answers an unchanged file without opening it again', async () => {
    writeFile(root, 'same.txt', 'first');
    clockAhead();
    expect((await get('same.txt')).body).toBe('first');
    const before = opens;
    expect(await get('same.txt')).toEqual({ status: 'HTTP/1.0 200 OK', body: 'first', length: '5' });
    expect(await get('same.txt')).toEqual({ status: 'HTTP/1.0 200 OK', body: 'first', length: '5' });
    expect(opens).toBe(before);
  });

  it('reads a file again after it changed, even to the same size', async () => {
    const file = writeFile(root, 'edit.txt', 'aaaa');
    clockAhead();
    expect((await get('edit.txt')).body).toBe('aaaa');
    expect((await get('edit.txt')).body).toBe('aaaa');
    fs.writeFileSync(file, 'bbbb');
    // Same size and, when the clock tick is coarse, possibly the same mtime: ctime moved.
    expect((await get('edit.txt')).body).toBe('bbbb');
    fs.writeFileSync(file, 'ccccc');
    expect(await get('edit.txt')).toEqual({ status: 'HTTP/1.0 200 OK', body: 'ccccc', length: '5' });
  });

  it('follows a rename over the file and a deletion', async () => {
    const file = writeFile(root, 'swap.txt', 'old');
    clockAhead();
    expect((await get('swap.txt')).body).toBe('old');
    expect((await get('swap.txt')).body).toBe('old');
    const tmp = writeFile(root, 'swap.tmp', 'new');
    fs.renameSync(tmp, file);
    expect((await get('swap.txt')).body).toBe('new');
    fs.unlinkSync(file);
    expect((await get('swap.txt')).status).toBe('HTTP/1.0 404 File not found');
  });

  it('does not keep a file written just now (racy timestamps)', async () => {
    writeFile(root, 'fresh.txt', 'fresh');
    expect((await get('fresh.txt')).body).toBe('fresh');
    const before = opens;
    expect((await get('fresh.txt')).body).toBe('fresh');
    expect(opens).toBe(before + 1);
  });
});
