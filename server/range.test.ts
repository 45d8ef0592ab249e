/**
 * The `range` setting (PORT NOTE 26) over real sockets: Range → 206/416, If-Range, ETag with
 * If-None-Match → 304, for the three ways a file is read (the small-file cache, a small file
 * read synchronously, a big file streamed), HEAD alike; and without the setting, CPython's
 * answers (no Accept-Ranges, no ETag, the whole file for any Range).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimpleHTTPRequestHandler } from './simple-handler.js';
import { makeTempDir, parseResponse, rawRequest, startServer, writeFile, type LiveServer } from './test-support/harness.js';

let root: string;
let on: LiveServer;
let off: LiveServer;
const SMALL = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
const BIG = Buffer.alloc(3 * 1024 * 1024 + 5);
for (let i = 0; i < BIG.length; i++) BIG[i] = (i * 7 + (i >> 11)) & 0xff;

beforeAll(async () => {
  root = makeTempDir();
  writeFile(root, 'small.txt', SMALL);
  writeFile(root, 'big.bin', BIG);
  writeFile(root, 'empty.txt', '');
  fs.mkdirSync(path.join(root, 'dir'));
  on = await startServer(SimpleHTTPRequestHandler, { directory: root, range: true });
  off = await startServer(SimpleHTTPRequestHandler, { directory: root });
});
afterAll(async () => {
  await on.close();
  await off.close();
});

async function get(server: LiveServer, target: string, headers: Record<string, string> = {}, method = 'GET') {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const raw = await rawRequest(server.port, `${method} ${target} HTTP/1.0\r\n${lines}\r\n`);
  return parseResponse(raw);
}

describe('Range (RFC 9110 §14) with the range setting', () => {
  // small.txt is read synchronously the first time, then from the small-file cache (its
  // mtime is set in the past so the racy-timestamp rule lets the cache keep it).
  beforeAll(() => {
    const past = Date.now() / 1000 - 60;
    fs.utimesSync(path.join(root, 'small.txt'), past, past);
  });

  it.each([1, 2, 3])('a single range of a small file gets 206 with Content-Range (read %i: sync read, then cached)', async () => {
    const r = await get(on, '/small.txt', { Range: 'bytes=10-19' });
    expect(r.status).toBe('HTTP/1.0 206 Partial Content');
    expect(r.headers.get('content-range')).toBe(`bytes 10-19/${SMALL.length}`);
    expect(r.headers.get('content-length')).toBe('10');
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(r.headers.get('etag')).toMatch(/^"[0-9a-z-]+"$/);
    expect(r.body.toString()).toBe('abcdefghij');
  });

  it('suffix and open ranges, clamped to the end', async () => {
    expect((await get(on, '/small.txt', { Range: 'bytes=-5' })).body.toString()).toBe('vwxyz');
    expect((await get(on, '/small.txt', { Range: 'bytes=30-' })).body.toString()).toBe('uvwxyz');
    const r = await get(on, '/small.txt', { Range: 'bytes=30-1000' });
    expect(r.headers.get('content-range')).toBe(`bytes 30-35/${SMALL.length}`);
  });

  it('a range of a big (streamed) file: exactly its bytes, from the middle', async () => {
    const start = 1_500_000;
    const end = 2_700_123;
    const r = await get(on, '/big.bin', { Range: `bytes=${start}-${end}` });
    expect(r.status).toBe('HTTP/1.0 206 Partial Content');
    expect(r.headers.get('content-range')).toBe(`bytes ${start}-${end}/${BIG.length}`);
    expect(r.body.equals(BIG.subarray(start, end + 1))).toBe(true);
    const tail = await get(on, '/big.bin', { Range: 'bytes=-3' });
    expect(tail.body.equals(BIG.subarray(BIG.length - 3))).toBe(true);
  });

  it('no satisfiable range: 416 with Content-Range: bytes */size', async () => {
    const r = await get(on, '/small.txt', { Range: 'bytes=36-' });
    expect(r.status).toBe('HTTP/1.0 416 Range Not Satisfiable');
    expect(r.headers.get('content-range')).toBe(`bytes */${SMALL.length}`);
    // An empty file is sent whole (as nginx does): nothing is wrong with resuming it at 0.
    const empty = await get(on, '/empty.txt', { Range: 'bytes=0-' });
    expect(empty.status).toBe('HTTP/1.0 200 OK');
    expect(empty.headers.get('content-length')).toBe('0');
  });

  it('an invalid Range, or two ranges apart, gets the whole file (200)', async () => {
    for (const range of ['bytes=5-1', 'bytes=x', 'lines=1-2', 'bytes=0-1,5-6']) {
      const r = await get(on, '/small.txt', { Range: range });
      expect(r.status, range).toBe('HTTP/1.0 200 OK');
      expect(r.body.equals(SMALL), range).toBe(true);
    }
  });

  it('HEAD alike: the 206 headers without a body', async () => {
    const raw = await rawRequest(on.port, 'HEAD /big.bin HTTP/1.0\r\nRange: bytes=0-99\r\n\r\n');
    const r = parseResponse(raw);
    expect(r.status).toBe('HTTP/1.0 206 Partial Content');
    expect(r.headers.get('content-length')).toBe('100');
    expect(r.body.length).toBe(0);
  });

  it('If-Range: the current ETag or Last-Modified gives the part; anything else the whole file', async () => {
    const first = await get(on, '/small.txt');
    const etag = first.headers.get('etag')!;
    const lm = first.headers.get('last-modified')!;
    expect((await get(on, '/small.txt', { Range: 'bytes=0-0', 'If-Range': etag })).status).toBe('HTTP/1.0 206 Partial Content');
    expect((await get(on, '/small.txt', { Range: 'bytes=0-0', 'If-Range': lm })).status).toBe('HTTP/1.0 206 Partial Content');
    for (const stale of ['"other"', `W/${etag}`, 'Mon, 01 Jan 2001 00:00:00 GMT']) {
      const r = await get(on, '/small.txt', { Range: 'bytes=0-0', 'If-Range': stale });
      expect(r.status, stale).toBe('HTTP/1.0 200 OK');
      expect(r.body.length).toBe(SMALL.length);
    }
  });

  it('ETag and If-None-Match: 304 with the tag; a changed file gets a new tag and 200', async () => {
    const p = writeFile(root, 'changing.txt', 'one');
    const a = await get(on, '/changing.txt');
    const etag = a.headers.get('etag')!;
    const again = await get(on, '/changing.txt', { 'If-None-Match': `"x", ${etag}` });
    expect(again.status).toBe('HTTP/1.0 304 Not Modified');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.body.length).toBe(0);
    fs.writeFileSync(p, 'three');
    const changed = await get(on, '/changing.txt', { 'If-None-Match': etag });
    expect(changed.status).toBe('HTTP/1.0 200 OK');
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(changed.body.toString()).toBe('three');
  });

  it('a listing and a directory redirect carry no ETag and ignore Range', async () => {
    const listing = await get(on, '/', { Range: 'bytes=0-0' });
    expect(listing.status).toBe('HTTP/1.0 200 OK');
    expect(listing.headers.has('etag')).toBe(false);
    expect((await get(on, '/dir', { Range: 'bytes=0-0' })).status).toBe('HTTP/1.0 301 Moved Permanently');
  });

  it('the log shows 206 and the bytes really sent', async () => {
    const before = on.logs.length;
    await get(on, '/big.bin', { Range: 'bytes=0-999' });
    const entry = on.logs.slice(before).find((e) => e.kind === 'request')!;
    expect(entry.status).toBe(206);
    expect(entry.bytesSent).toBeGreaterThan(1000);
    expect(entry.bytesSent).toBeLessThan(1400);
  });
});

describe('a cut download resumes with curl -C - (as a user would)', () => {
  const curl = ['/usr/bin/curl', '/bin/curl'].find((p) => fs.existsSync(p));
  // curl runs asynchronously: the server answering it lives in this process.
  const run = promisify(execFile);
  it.skipIf(curl === undefined)('the rest is fetched with a Range and the file is whole again', async () => {
    const out = path.join(makeTempDir(), 'big.bin');
    // The first 1,234,567 bytes arrived before the connection was cut.
    fs.writeFileSync(out, BIG.subarray(0, 1_234_567));
    const before = on.logs.length;
    await run(curl!, ['-s', '-f', '-C', '-', '-o', out, `http://127.0.0.1:${on.port}/big.bin`]);
    expect(fs.readFileSync(out).equals(BIG)).toBe(true);
    const entry = on.logs.slice(before).find((e) => e.kind === 'request')!;
    expect(entry.status).toBe(206);
    expect(entry.bytesSent).toBeLessThan(BIG.length - 1_234_567 + 1024);
    // A complete file asked to resume gets 416, which curl reports as already complete.
    await run(curl!, ['-s', '-C', '-', '-o', out, `http://127.0.0.1:${on.port}/big.bin`]);
    expect(fs.readFileSync(out).equals(BIG)).toBe(true);
  });
});

describe('without the range setting (the CLI default): CPython', () => {
  it('Range is ignored: 200 and the whole file, no Accept-Ranges, no ETag', async () => {
    const r = await get(off, '/small.txt', { Range: 'bytes=0-4' });
    expect(r.status).toBe('HTTP/1.0 200 OK');
    expect([...r.headers.keys()]).toEqual(['server', 'date', 'content-type', 'content-length', 'last-modified']);
    expect(r.body.equals(SMALL)).toBe(true);
  });

  it('If-None-Match only turns off the If-Modified-Since check, as in CPython', async () => {
    const r = await get(off, '/small.txt', { 'If-None-Match': '*', 'If-Modified-Since': 'Fri, 01 Jan 2100 00:00:00 GMT' });
    expect(r.status).toBe('HTTP/1.0 200 OK');
  });
});
