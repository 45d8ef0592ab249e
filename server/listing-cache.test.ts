/**
 * Tests for listing-cache.ts (PORT NOTE: CPython lists every time) and its use by
 * `SimpleHTTPRequestHandler.listDirectory`: a kept listing is used only while the folder and
 * its links are unchanged, never for a folder changed within the racy window, and its bytes
 * are those of a fresh render.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFs, type HandlerFs } from './handler-fs.js';
import { ListingCache, type DirStamp } from './listing-cache.js';
import type { ListingEntries } from './listing.js';
import { SimpleHTTPRequestHandler } from './simple-handler.js';
import { makeTempDir, rawRequest, sendTypicalRequest, startServer, writeFile } from './test-support/harness.js';

const SEC = 1_000_000_000n;
/** A folder stamp whose timestamps are `ageMs` older than the fake clock's `T0`. */
const T0 = 1_800_000_000_000;
function stamp(over: Partial<DirStamp> = {}, ageMs = 10_000): DirStamp {
  const t = BigInt(T0 - ageMs) * 1_000_000n;
  return { dev: 1n, ino: 2n, mtimeNs: t, ctimeNs: t, size: 4096n, nlink: 2n, ...over };
}
function entries(bytes: number | string, links: ListingEntries['links'] = []): ListingEntries {
  return { bytes: typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.alloc(bytes, 0x61), links };
}
const noLinks = (): boolean => {
  throw new Error('no link to check');
};

describe('ListingCache', () => {
  it('returns what was kept while the stamp is the same, to the nanosecond', () => {
    const cache = new ListingCache(1 << 20, 2000, () => T0);
    const e = entries('<li>x</li>\n');
    cache.put('/d/', stamp(), T0, e);
    expect(cache.get('/d/', stamp(), noLinks)?.bytes).toBe(e.bytes);
    expect(cache.get('/other/', stamp(), noLinks)).toBeNull();
    for (const field of ['dev', 'ino', 'mtimeNs', 'ctimeNs', 'size', 'nlink'] as const) {
      const c = new ListingCache(1 << 20, 2000, () => T0);
      c.put('/d/', stamp(), T0, e);
      const changed = stamp({ [field]: stamp()[field] + 1n });
      expect(c.get('/d/', changed, noLinks), field).toBeNull();
      // A stale entry is dropped, even if asked again with the old stamp.
      expect(c.get('/d/', stamp(), noLinks), field).toBeNull();
      expect(c.count).toBe(0);
    }
  });

  it('racy timestamps: a folder changed less than racyMs before the stat is not kept', () => {
    const cache = new ListingCache(1 << 20, 2000, () => T0);
    cache.put('/young/', stamp({}, 1999), T0, entries('a'));
    expect(cache.get('/young/', stamp({}, 1999), noLinks)).toBeNull();
    // Only the change time young (e.g. touch -d put an old mtime back): still not kept.
    const ctimeYoung = stamp({ ctimeNs: BigInt(T0 - 500) * 1_000_000n });
    cache.put('/ctime/', ctimeYoung, T0, entries('a'));
    expect(cache.get('/ctime/', ctimeYoung, noLinks)).toBeNull();
    // A timestamp in the future (a clock set back): not kept.
    const future = stamp({ mtimeNs: BigInt(T0 + 60_000) * 1_000_000n });
    cache.put('/future/', future, T0, entries('a'));
    expect(cache.get('/future/', future, noLinks)).toBeNull();
    // Sub-millisecond part rounds towards "younger": 2000 ms minus 1 ns is not old enough.
    const justYoung = stamp({ mtimeNs: BigInt(T0 - 2000) * 1_000_000n + 1n, ctimeNs: BigInt(T0 - 2000) * 1_000_000n + 1n });
    cache.put('/just/', justYoung, T0, entries('a'));
    expect(cache.get('/just/', justYoung, noLinks)).toBeNull();
    cache.put('/old/', stamp({}, 2000), T0, entries('a'));
    expect(cache.get('/old/', stamp({}, 2000), noLinks)).not.toBeNull();
    expect(cache.count).toBe(1);
  });

  it('re-checks every link: a target that became (or stopped being) a folder drops the entry', () => {
    const cache = new ListingCache(1 << 20, 2000, () => T0);
    const links = [
      { path: Buffer.from('/d/to-file'), isDir: false },
      { path: Buffer.from('/d/to-dir'), isDir: true },
    ];
    cache.put('/d/', stamp(), T0, entries('x', links));
    const now = new Map([['/d/to-file', false], ['/d/to-dir', true]]);
    const asked: string[] = [];
    const isDir = (p: Buffer): boolean => {
      asked.push(p.toString());
      return now.get(p.toString())!;
    };
    expect(cache.get('/d/', stamp(), isDir)).not.toBeNull();
    expect(asked).toEqual(['/d/to-file', '/d/to-dir']);
    now.set('/d/to-file', true);
    expect(cache.get('/d/', stamp(), isDir)).toBeNull();
    expect(cache.count).toBe(0);
  });

  it('bounded by bytes, least recently used dropped first; a page over the budget is not kept', () => {
    const cache = new ListingCache(10_000, 2000, () => T0);
    cache.put('/a/', stamp(), T0, entries(3000));
    cache.put('/b/', stamp(), T0, entries(3000));
    cache.put('/c/', stamp(), T0, entries(3000));
    expect(cache.count).toBe(3);
    expect(cache.get('/a/', stamp(), noLinks)).not.toBeNull(); // /a/ is now the most recent
    cache.put('/d/', stamp(), T0, entries(3000));
    expect(cache.get('/b/', stamp(), noLinks)).toBeNull();
    expect(cache.get('/a/', stamp(), noLinks)).not.toBeNull();
    expect(cache.get('/c/', stamp(), noLinks)).not.toBeNull();
    expect(cache.get('/d/', stamp(), noLinks)).not.toBeNull();
    expect(cache.size).toBeLessThanOrEqual(10_000);
    cache.put('/huge/', stamp(), T0, entries(10_001));
    expect(cache.get('/huge/', stamp(), noLinks)).toBeNull();
    expect(cache.size).toBeLessThanOrEqual(10_000);
    // Putting a key again replaces it (and its cost) instead of counting it twice.
    const before = cache.size;
    cache.put('/a/', stamp(), T0, entries(3000));
    expect(cache.size).toBe(before);
  });
});

/** A handler whose listings go to one cache with a clock `skewMs` ahead of the real one. */
function cachingHandler(cache: ListingCache): typeof SimpleHTTPRequestHandler {
  return class extends SimpleHTTPRequestHandler {
    protected override listingCache(): ListingCache {
      return cache;
    }
  };
}

/** A HandlerFs over the real disk that counts readdir calls. */
function countingFs(): { fs: HandlerFs; reads: () => number } {
  let n = 0;
  return {
    fs: { ...nodeFs, readdirEntries: (p) => (n++, nodeFs.readdirEntries(p)) },
    reads: () => n,
  };
}

async function list(cls: typeof SimpleHTTPRequestHandler, directory: string, fsi: HandlerFs, target = '/'): Promise<string> {
  const r = await sendTypicalRequest(cls, `GET ${target} HTTP/1.0\r\n\r\n`, { directory, fs: fsi });
  return r.output;
}

/** The page as CPython renders it every time: no cache at all. */
async function fresh(directory: string, target = '/'): Promise<string> {
  const NoCache = class extends SimpleHTTPRequestHandler {
    protected override listingCache(): null {
      return null;
    }
  };
  return list(NoCache, directory, nodeFs, target);
}

function body(output: string): string {
  return output.slice(output.indexOf('\r\n\r\n') + 4);
}

describe('SimpleHTTPRequestHandler listings with the cache (PORT NOTE: listing-cache.ts)', () => {
  // The clock runs 60 s ahead so that folders made by the test count as old (not racy).
  const ahead = (): number => Date.now() + 60_000;

  it('a kept page is used, and its bytes equal a fresh render (headers included)', async () => {
    const dir = makeTempDir();
    for (const n of ['b & c.txt', 'A<x>.txt', 'é ü.txt', 'sub dir', 'zz#?%.txt']) {
      if (n === 'sub dir') fs.mkdirSync(path.join(dir, n));
      else writeFile(dir, n, 'x');
    }
    fs.symlinkSync('sub dir', path.join(dir, 'link'));
    const cache = new ListingCache(1 << 20, 2000, ahead);
    const Cls = cachingHandler(cache);
    const { fs: fsi, reads } = countingFs();
    const first = await list(Cls, dir, fsi, '/?q=1');
    expect(cache.count).toBe(1);
    const second = await list(Cls, dir, fsi, '/?q=1');
    expect(reads()).toBe(1); // the second page came from the cache
    expect(second).toBe(first);
    expect(body(second)).toBe(body(await fresh(dir, '/?q=1')));
    // Another request path for the same folder: its own title, the same kept entries.
    const other = await list(Cls, dir, fsi, '/./');
    expect(reads()).toBe(1);
    expect(body(other)).toBe(body(await fresh(dir, '/./')));
    expect(body(other)).toContain('<title>Directory listing for /./</title>');
    expect(other).toMatch(new RegExp(`Content-Length: ${Buffer.byteLength(body(other), 'latin1')}\r\n`));
  });

  it('a file added to the folder appears in the next listing', async () => {
    const dir = makeTempDir();
    writeFile(dir, 'one.txt', 'x');
    const cache = new ListingCache(1 << 20, 2000, ahead);
    const Cls = cachingHandler(cache);
    const { fs: fsi, reads } = countingFs();
    await list(Cls, dir, fsi);
    await list(Cls, dir, fsi);
    expect(reads()).toBe(1);
    writeFile(dir, 'two.txt', 'x');
    const after = await list(Cls, dir, fsi);
    expect(body(after)).toContain('<a href="two.txt">two.txt</a>');
    expect(body(after)).toBe(body(await fresh(dir)));
  });

  it('a file replaced by a folder of the same name shows "/"', async () => {
    const dir = makeTempDir();
    writeFile(dir, 'thing', 'x');
    const cache = new ListingCache(1 << 20, 2000, ahead);
    const Cls = cachingHandler(cache);
    const { fs: fsi } = countingFs();
    expect(body(await list(Cls, dir, fsi))).toContain('<a href="thing">thing</a>');
    expect(body(await list(Cls, dir, fsi))).toContain('<a href="thing">thing</a>');
    fs.rmSync(path.join(dir, 'thing'));
    fs.mkdirSync(path.join(dir, 'thing'));
    const after = body(await list(Cls, dir, fsi));
    expect(after).toContain('<a href="thing/">thing/</a>');
    expect(after).toBe(body(await fresh(dir)));
  });

  it('a link whose target flips from file to folder (the folder itself unchanged) shows "/" and "@"', async () => {
    const base = makeTempDir();
    const dir = path.join(base, 'listed');
    const elsewhere = path.join(base, 'elsewhere');
    fs.mkdirSync(dir);
    fs.mkdirSync(elsewhere);
    writeFile(elsewhere, 'target', 'x');
    fs.symlinkSync(path.join(elsewhere, 'target'), path.join(dir, 'link'));
    const cache = new ListingCache(1 << 20, 2000, ahead);
    const Cls = cachingHandler(cache);
    const { fs: fsi, reads } = countingFs();
    expect(body(await list(Cls, dir, fsi))).toContain('<a href="link">link@</a>');
    expect(body(await list(Cls, dir, fsi))).toContain('<a href="link">link@</a>');
    expect(reads()).toBe(1);
    const before = fs.statSync(dir, { bigint: true });
    fs.rmSync(path.join(elsewhere, 'target'));
    fs.mkdirSync(path.join(elsewhere, 'target'));
    const after = fs.statSync(dir, { bigint: true });
    // The listed folder did not change: only re-checking the link can notice.
    expect([after.mtimeNs, after.ctimeNs]).toEqual([before.mtimeNs, before.ctimeNs]);
    const page = body(await list(Cls, dir, fsi));
    expect(page).toContain('<a href="link/">link@</a>');
    expect(page).toBe(body(await fresh(dir)));
    // And back: a folder that becomes a file again loses the "/".
    fs.rmSync(path.join(elsewhere, 'target'), { recursive: true });
    writeFile(elsewhere, 'target', 'x');
    expect(body(await list(Cls, dir, fsi))).toContain('<a href="link">link@</a>');
  });

  it('racy window: a folder changed within the same timestamp tick is not served stale', async () => {
    // A file system whose folder timestamps have whole-second resolution (FAT, HFS+, ext3,
    // some network file systems): two changes in the same second leave the same stamp. With
    // the real clock, a folder changed under 2 s ago must never be kept.
    const secondsOnly = (t: bigint): bigint => (t / SEC) * SEC;
    const coarse: HandlerFs = {
      ...nodeFs,
      statBigIntSync: (p) => {
        const st = nodeFs.statBigIntSync!(p);
        if (st === undefined) return st;
        return Object.assign(Object.create(Object.getPrototypeOf(st) as object) as fs.BigIntStats, st, {
          mtimeNs: secondsOnly(st.mtimeNs),
          ctimeNs: secondsOnly(st.ctimeNs),
        });
      },
    };
    const dir = makeTempDir();
    writeFile(dir, 'one.txt', 'x');
    const cache = new ListingCache(); // real clock, default racy window
    const Cls = cachingHandler(cache);
    for (let i = 0; i < 3; i++) {
      // Within the second: the coarse stamp does not move when a file is added.
      const stampBefore = coarse.statBigIntSync!(Buffer.from(dir))!;
      expect(body(await list(Cls, dir, coarse))).not.toContain(`new-${i}.txt`);
      writeFile(dir, `new-${i}.txt`, 'x');
      const stampAfter = coarse.statBigIntSync!(Buffer.from(dir))!;
      const page = body(await list(Cls, dir, coarse));
      expect(page).toContain(`<a href="new-${i}.txt">new-${i}.txt</a>`);
      expect(page).toBe(body(await fresh(dir)));
      if (stampAfter.mtimeNs === stampBefore.mtimeNs) expect(cache.count).toBe(0);
    }
  });

  it('a folder that cannot be read is never answered from the cache', async () => {
    const dir = makeTempDir();
    writeFile(dir, 'one.txt', 'x');
    const cache = new ListingCache(1 << 20, 2000, ahead);
    const Cls = cachingHandler(cache);
    const failing: HandlerFs = { ...nodeFs, readdirEntries: () => Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })) };
    const r = await list(Cls, dir, failing);
    expect(r.split('\r\n')[0]).toBe('HTTP/1.0 404 No permission to list directory');
    expect(cache.count).toBe(0);
  });

  it('the app and the CLI keep one cache per server (on HTTPServer), real clock by default', async () => {
    const dir = makeTempDir();
    writeFile(dir, 'one.txt', 'x');
    const { fs: fsi, reads } = countingFs();
    const options = { directory: dir, fs: fsi };
    const first = await startServer(SimpleHTTPRequestHandler, options);
    const second = await startServer(SimpleHTTPRequestHandler, options);
    const get = async (port: number): Promise<string> => (await rawRequest(port, 'GET / HTTP/1.0\r\n\r\n')).toString('latin1');
    try {
      // Just made: within the racy window, so every request reads the folder.
      await get(first.port);
      await get(first.port);
      expect(reads()).toBe(2);
      // Made old (the change time cannot be set back, so wait it out): kept after one more read.
      const old = (Date.now() - 10_000) / 1000;
      fs.utimesSync(dir, old, old);
      await new Promise((r) => setTimeout(r, 2100));
      await get(first.port);
      await get(first.port);
      await get(first.port);
      expect(reads()).toBe(3);
      // Another server (even with the same handler options) has its own cache.
      await get(second.port);
      expect(reads()).toBe(4);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
