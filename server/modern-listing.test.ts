/**
 * Tests for the modern listing (PORT NOTE 27: modern-listing.ts, modern-listing-cache.ts and
 * `SimpleHTTPRequestHandler.listModern`): hostile names quoted and escaped as CPython's
 * listing does them (its hrefs and texts are the oracle: the classic page is CPython's byte
 * for byte), folders first, sorting through the query, breadcrumbs, the CSP, and sizes and
 * dates that follow the files while the folder's own stat does not change, with a watch, with
 * a watch that misses a change, and without one.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFs, type HandlerFs } from './handler-fs.js';
import { ModernListingCache } from './modern-listing-cache.js';
import {
  crumbsOf, displayName, formatDate, formatSize, formatZone, LISTING_CSP, LISTING_CSS, parseListingQuery, renderPageHead, sortRows, type ListingRow,
} from './modern-listing.js';
import { SimpleHTTPRequestHandler } from './simple-handler.js';
import { makeTempDir, parseResponse, rawRequest, startServer, writeFile, type LiveServer } from './test-support/harness.js';

async function get(server: LiveServer, target: string, method = 'GET') {
  return parseResponse(await rawRequest(server.port, `${method} ${target} HTTP/1.0\r\n\r\n`));
}

/** The entry rows of a modern page: href, displayed name (as in the HTML), class, size and date texts. */
function rowsOf(html: string): { href: string; name: string; cls: string; size: string; date: string }[] {
  const out = [];
  for (const m of html.matchAll(/<li><a href="([^"]*)" class="([^"]*)"><bdi>(.*?)<\/bdi><span>(.*?)<\/span><time>(.*?)<\/time><\/a><\/li>/g)) {
    out.push({ href: m[1]!, cls: m[2]!, name: m[3]!, size: m[4]!, date: m[5]! });
  }
  return out;
}

/** The entry rows of a classic page (CPython's): href and text. */
function classicRowsOf(html: string): { href: string; text: string }[] {
  return [...html.matchAll(/<li><a href="([^"]*)">(.*?)<\/a><\/li>/g)].map((m) => ({ href: m[1]!, text: m[2]! }));
}


describe('modern-listing.ts', () => {
  it('formatSize: bytes, then one decimal of KB, MB, GB (1 KB = 1024 bytes)', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1024)).toBe('1.0 KB');
    expect(formatSize(1536)).toBe('1.5 KB');
    expect(formatSize(1024 * 1024 - 1)).toBe('1.0 MB'); // 1023.999 KB rounds up: the next unit
    expect(formatSize(5 * 1024 * 1024 * 1024 + 1)).toBe('5.0 GB');
    expect(formatSize(-1)).toBe('—');
  });

  it('formatDate: YYYY-MM-DD HH:MM in the local time zone, which the page names', () => {
    const d = new Date(2026, 11, 6, 14, 3, 59);
    expect(formatDate(d.getTime())).toBe('2026-12-06 14:03');
    expect(formatDate(-1)).toBe('—');
    expect(formatZone(d.getTime())).toMatch(/^UTC[+−]\d\d:\d\d$/);
  });

  it('parseListingQuery: sort and order from the query; anything else gives the default', () => {
    expect(parseListingQuery('')).toEqual({ sort: 'name', order: 'asc' });
    expect(parseListingQuery('sort=size')).toEqual({ sort: 'size', order: 'desc' });
    expect(parseListingQuery('sort=date&order=asc')).toEqual({ sort: 'date', order: 'asc' });
    expect(parseListingQuery('order=desc')).toEqual({ sort: 'name', order: 'desc' });
    expect(parseListingQuery('sort=SIZE&order=up&x=1&sort')).toEqual({ sort: 'name', order: 'asc' });
  });

  it('sortRows: folders first, then by the key, ties by name; a size sort keeps folders by name', () => {
    const r = (name: string, dir: boolean, size: number, mtimeMs: number): ListingRow => ({ name, dir, size, mtimeMs, link: false });
    const rows = [r('b', false, 10, 3), r('Zoo', true, -1, 1), r('a', false, 30, 2), r('file 10', false, 10, 9), r('file 2', false, 20, 9), r('Ant', true, -1, 5)];
    const names = (view: Parameters<typeof sortRows>[1]) => sortRows(rows, view).map((x) => x.name);
    expect(names({ sort: 'name', order: 'asc' })).toEqual(['Ant', 'Zoo', 'a', 'b', 'file 2', 'file 10']);
    expect(names({ sort: 'name', order: 'desc' })).toEqual(['Zoo', 'Ant', 'file 10', 'file 2', 'b', 'a']);
    expect(names({ sort: 'size', order: 'desc' })).toEqual(['Ant', 'Zoo', 'a', 'file 2', 'b', 'file 10']);
    expect(names({ sort: 'size', order: 'asc' })).toEqual(['Ant', 'Zoo', 'b', 'file 10', 'file 2', 'a']);
    expect(names({ sort: 'date', order: 'desc' })).toEqual(['Ant', 'Zoo', 'file 2', 'file 10', 'b', 'a']);
  });

  it('crumbsOf: decoded and normalised as translatePath does, each with its quoted href', () => {
    expect(crumbsOf('/a/b%20c/d/?sort=size', false)).toEqual([
      { name: 'a', href: '/a/' },
      { name: 'b c', href: '/a/b%20c/' },
      { name: 'd', href: '/a/b%20c/d/' },
    ]);
    expect(crumbsOf('/a/./x/../b/', false).map((c) => c.name)).toEqual(['a', 'b']);
    expect(crumbsOf('/../..//a%2Fb/', false).map((c) => c.href)).toEqual(['/a/', '/a/b/']);
    expect(crumbsOf('/', false)).toEqual([]);
    expect(crumbsOf('/a\\b/', true).map((c) => c.name)).toEqual(['a', 'b']);
    expect(crumbsOf('/a\\b/', false).map((c) => c.href)).toEqual(['/a%5Cb/']);
  });

  it('displayName: CPython\'s escaping, with explicit direction controls shown as tags, not applied', () => {
    expect(displayName('a&b<c>"\'.txt')).toBe('a&amp;b&lt;c&gt;"\'.txt');
    expect(displayName('\u202Egpj.exe')).toBe('<span class="ctl">U+202E</span>gpj.exe');
    expect(displayName('a\u2066b\u2069\u202Ac')).toBe('a<span class="ctl">U+2066</span>b<span class="ctl">U+2069</span><span class="ctl">U+202A</span>c');
    // Letters of right-to-left scripts and the weak marks are left to the browser.
    expect(displayName('مرحبا\u200F.txt')).toBe('مرحبا\u200F.txt');
  });

  it('a request path that is not UTF-8 (%ED%A0%80: a lone surrogate) is shown as U+FFFD, never a broken page', () => {
    const head = renderPageHead({ urlPath: '/x%ED%A0%80/', backslashSeparates: false, view: { sort: 'name', order: 'asc' }, folders: 0, files: 1, actions: '', now: 0 });
    expect(head).toContain('<title>/x\ufffd/</title>');
    expect(head).toContain('<h1><bdi>x\ufffd</bdi></h1>');
    expect(head).not.toMatch(/[\ud800-\udfff]/);
  });

  it('the CSP allows exactly the one stylesheet (by its hash) and data: images', () => {
    const hash = createHash('sha256').update(LISTING_CSS).digest('base64');
    expect(LISTING_CSP).toBe(`default-src 'none'; style-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'none'`);
  });
});

describe('the modern listing over a real socket', () => {
  let root: string;
  let modern: LiveServer;
  let classic: LiveServer;
  const hostile = [
    'a&b<c>.txt', 'quote"d\'.txt', '#hash?.txt', '100% done.txt', 'amp&amp;.txt', '\u202Egpj.exe', 'مرحبا.txt', 'é.txt', 'plus+semi;eq=.txt',
    '<script>alert(1)<\\script>', 'sp ace',
  ];

  beforeAll(async () => {
    root = makeTempDir();
    for (const n of hostile) writeFile(root, n, 'x');
    fs.writeFileSync(Buffer.concat([Buffer.from(root + '/'), Buffer.from([0xff, 0xfe, 0x20, 0x72, 0x61, 0x77])]), 'xx');
    fs.mkdirSync(path.join(root, 'Z&<dir> "q"'));
    fs.mkdirSync(path.join(root, 'a dir'));
    writeFile(root, 'a dir/inner.txt', 'inner');
    fs.symlinkSync('a dir', path.join(root, 'link to dir'));
    fs.symlinkSync('nowhere', path.join(root, 'dangling'));
    modern = await startServer(SimpleHTTPRequestHandler, { directory: root, listing: 'modern' });
    classic = await startServer(SimpleHTTPRequestHandler, { directory: root });
  });
  afterAll(async () => {
    await modern.close();
    await classic.close();
  });

  it('hostile names: the same hrefs and escaped names as CPython\'s listing, each isolated in <bdi>', async () => {
    const m = await get(modern, '/');
    const c = await get(classic, '/');
    const mine = rowsOf(m.body.toString('latin1'));
    const theirs = classicRowsOf(c.body.toString('latin1'));
    // CPython shows `name/` for a folder and `name@` for a link; the modern page the bare name.
    // Direction controls: shown as tags (displayName), the bytes of the name otherwise the same.
    const bare = (t: string) => t.replace(/[/@]$/, '').replace(/\xe2\x80\xae/g, '<span class="ctl">U+202E</span>');
    expect(mine.map((r) => [r.href, r.name]).sort()).toEqual(theirs.map((r) => [r.href, bare(r.text)]).sort());
    expect(mine).toHaveLength(hostile.length + 5);
    // Nothing of a name escapes its text or href: no raw <, > or " from any name.
    const html = m.body.toString('latin1');
    expect(html).not.toContain('<script');
    expect(html).toContain('<bdi>&lt;script&gt;alert(1)&lt;\\script&gt;</bdi>');
    expect(html).toContain('href="%3Cscript%3Ealert%281%29%3C%5Cscript%3E"');
    expect(html).toContain('<bdi>quote"d\'.txt</bdi>');
    expect(html).toContain('href="quote%22d%27.txt"');
    expect(html).toContain('href="%23hash%3F.txt"');
    expect(html).toContain('href="100%25%20done.txt"');
    expect(html).toContain('<bdi>amp&amp;amp;.txt</bdi>');
    expect(html).toContain('<bdi><span class="ctl">U+202E</span>gpj.exe</bdi>'); // RTL override: shown, not applied
    expect(html).toContain('href="%E2%80%AEgpj.exe"');
    // Not valid UTF-8: the raw bytes in the text, the surrogatepass escapes in the href (as CPython).
    expect(m.body.includes(Buffer.from([0x3e, 0xff, 0xfe, 0x20, 0x72, 0x61, 0x77, 0x3c]))).toBe(true);
    expect(html).toContain('href="%ED%B3%BF%ED%B3%BE%20raw"');
    expect(html).toContain('href="Z%26%3Cdir%3E%20%22q%22/"');
  });

  it('each href leads to its entry: every hostile name is served by what its link asks for', async () => {
    const mine = rowsOf((await get(modern, '/')).body.toString('latin1'));
    for (const r of mine.filter((x) => x.cls === 'f')) {
      const res = await get(modern, '/' + r.href);
      if (r.href === 'dangling') expect(res.status).toMatch(/ 404 /);
      else expect(res.status, r.href).toBe('HTTP/1.0 200 OK');
    }
    expect((await get(modern, '/link%20to%20dir/')).status).toBe('HTTP/1.0 200 OK');
  });

  it('folders first, links with their target\'s kind, sizes and dates, a dangling link without them', async () => {
    const mine = rowsOf((await get(modern, '/')).body.toString('utf8'));
    expect(mine.slice(0, 3).map((r) => [r.href, r.cls, r.size])).toEqual([
      ['a%20dir/', 'd', 'Folder'],
      ['link%20to%20dir/', 'd l', 'Folder'],
      ['Z%26%3Cdir%3E%20%22q%22/', 'd', 'Folder'],
    ]);
    const dangling = mine.find((r) => r.href === 'dangling')!;
    expect([dangling.cls, dangling.size, dangling.date]).toEqual(['f l', '—', '—']);
    const raw = mine.find((r) => r.href.endsWith('raw'))!;
    expect(raw.size).toBe('2 B');
    expect(raw.date).toBe(formatDate(fs.statSync(Buffer.from(root + '/\xff\xfe raw', 'latin1')).mtimeMs));
  });

  it('headers: 200, text/html, the Content-Length of the body, the strict CSP; HEAD alike without the body', async () => {
    const r = await get(modern, '/');
    expect(r.status).toBe('HTTP/1.0 200 OK');
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(Number(r.headers.get('content-length'))).toBe(r.body.length);
    expect(r.headers.get('content-security-policy')).toBe(LISTING_CSP);
    const h = await get(modern, '/', 'HEAD');
    expect([...h.headers.keys()]).toEqual([...r.headers.keys()]);
    expect(h.body.length).toBe(0);
    // Everything inline: no script, no external URL.
    const html = r.body.toString('latin1');
    expect(html).not.toMatch(/<script|\bsrc=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('@media (prefers-color-scheme:dark)');
  });

  it('sorting through plain links: the current column toggles, the others start in their first order, folders carry the sort', async () => {
    const html = (await get(modern, '/?sort=size&order=desc')).body.toString('utf8');
    expect(html).toContain('<a href="./">Name</a><a href="?sort=size&amp;order=asc" aria-current="true">Size ↓</a><a href="?sort=date&amp;order=desc">Modified</a>');
    expect(html).toContain('href="a%20dir/?sort=size&amp;order=desc"');
    const files = rowsOf(html).filter((r) => r.cls === 'f');
    expect(files[0]!.href).toBe('%ED%B3%BF%ED%B3%BE%20raw'); // 2 bytes, the largest file
    const byName = rowsOf((await get(modern, '/')).body.toString('latin1'));
    expect(byName.find((r) => r.cls === 'd')!.href).toBe('a%20dir/');
    const desc = rowsOf((await get(modern, '/?sort=name&order=desc')).body.toString('latin1'));
    expect(desc.filter((r) => r.cls.startsWith('d')).map((r) => r.href)).toEqual(['Z%26%3Cdir%3E%20%22q%22/?sort=name&amp;order=desc', 'link%20to%20dir/?sort=name&amp;order=desc', 'a%20dir/?sort=name&amp;order=desc']);
  });

  it('breadcrumbs, the title and the parent row name the folder asked for; the query is not part of them', async () => {
    const html = (await get(modern, '/a%20dir/?sort=date')).body.toString('latin1');
    expect(html).toContain('<title>/a dir/</title>');
    expect(html).toContain('<ol class="crumbs"><li><a href="/?sort=date&amp;order=desc">Home</a></li><li aria-current="page"><bdi>a dir</bdi></li></ol>');
    expect(html).toContain('<h1><bdi>a dir</bdi></h1>');
    expect(html).toContain('<li><a href="../?sort=date&amp;order=desc" class="d up"><bdi>Parent folder</bdi></a></li>');
    const deep = (await get(modern, '/Z%26%3Cdir%3E%20%22q%22/')).body.toString('latin1');
    expect(deep).toContain('<li aria-current="page"><bdi>Z&amp;&lt;dir&gt; "q"</bdi></li>');
    expect(deep).toContain('<title>/Z&amp;&lt;dir&gt; "q"/</title>');
    expect(deep).toContain('<p class="empty">This folder is empty.</p>');
  });

  it('a folder that cannot be read: 404 "No permission to list directory", as the classic listing', async () => {
    if (process.getuid?.() === 0) return; // root reads everything
    const locked = path.join(root, 'locked');
    fs.mkdirSync(locked, { mode: 0o000 });
    try {
      const r = await get(modern, '/locked/');
      expect(r.status).toBe('HTTP/1.0 404 No permission to list directory');
    } finally {
      fs.rmdirSync(locked);
    }
  });
});

/** `nodeFs` counting the calls a listing makes. */
function countingFs(base: HandlerFs = nodeFs) {
  const calls = { readdir: 0, stat: 0 };
  const fsi: HandlerFs = {
    ...base,
    readdirEntries: (p) => {
      calls.readdir++;
      return base.readdirEntries(p);
    },
    statSync: (p) => {
      calls.stat++;
      return base.statSync(p);
    },
  };
  return { fsi, calls };
}

const MODERN_VIEW = { sort: 'name', order: 'asc' } as const;
const sizeOf = async (cache: ModernListingCache, dir: string, fsi: HandlerFs, name: string) =>
  rowsOf((await cache.listing(dir, MODERN_VIEW, fsi, false)).bytes.toString('latin1')).find((r) => r.name === name);

describe('ModernListingCache: sizes and dates stay right while the folder does not change', () => {
  const probe = process.platform === 'linux' ? (nodeFs.watchDir?.(Buffer.from(makeTempDir()), () => {}) ?? null) : null;
  probe?.close();
  const watched = probe !== null;

  it.runIf(watched)('with a watch (Linux): a file written in place shows its new size and date; only what changed is stat\'ed again', async () => {
    const dir = makeTempDir() + '/';
    for (let i = 0; i < 50; i++) writeFile(dir, `f${i}.txt`, 'x');
    fs.mkdirSync(dir + 'sub');
    const { fsi, calls } = countingFs();
    const cache = new ModernListingCache();
    expect((await sizeOf(cache, dir, fsi, 'f7.txt'))?.size).toBe('1 B');
    expect(cache.watched).toBe(1);
    const before = fs.statSync(dir, { bigint: true });
    calls.stat = 0;
    calls.readdir = 0;
    expect((await sizeOf(cache, dir, fsi, 'f7.txt'))?.size).toBe('1 B');
    expect(calls).toEqual({ readdir: 0, stat: 1 }); // the sub-folder only
    fs.appendFileSync(dir + 'f7.txt', 'y'.repeat(2047));
    const later = new Date(2030, 0, 2, 3, 4);
    fs.utimesSync(dir + 'f7.txt', later, later);
    const row = await sizeOf(cache, dir, fsi, 'f7.txt');
    expect([row?.size, row?.date]).toEqual(['2.0 KB', '2030-01-02 03:04']);
    expect(calls.readdir).toBe(0);
    expect(calls.stat).toBe(1 + 2); // the sub-folder, and f7.txt once more
    // The folder itself did not change: only its watch told.
    const after = fs.statSync(dir, { bigint: true });
    expect([after.mtimeNs, after.ctimeNs, after.size]).toEqual([before.mtimeNs, before.ctimeNs, before.size]);
    // Truncated: smaller again.
    fs.truncateSync(dir + 'f7.txt', 3);
    expect((await sizeOf(cache, dir, fsi, 'f7.txt'))?.size).toBe('3 B');
    cache.close();
    expect(cache.watched).toBe(0);
  });

  it('a sub-folder\'s date follows its own entries (not reported to the parent\'s watch: stat\'ed every time)', async () => {
    const dir = makeTempDir() + '/';
    fs.mkdirSync(dir + 'sub');
    const past = new Date(2020, 4, 5, 6, 7);
    fs.utimesSync(dir + 'sub', past, past);
    const cache = new ModernListingCache();
    expect((await sizeOf(cache, dir, nodeFs, 'sub'))?.date).toBe('2020-05-05 06:07');
    writeFile(dir, 'sub/new.txt', 'n');
    expect((await sizeOf(cache, dir, nodeFs, 'sub'))?.date).toBe(formatDate(fs.statSync(dir + 'sub').mtimeMs));
    cache.close();
  });

  it('a link whose target changes from a file to a folder elsewhere: shown as a folder at once', async () => {
    const dir = makeTempDir() + '/';
    const elsewhere = makeTempDir() + '/';
    writeFile(elsewhere, 'target', 'abc');
    fs.symlinkSync(elsewhere + 'target', dir + 'l');
    const cache = new ModernListingCache();
    const view = MODERN_VIEW;
    expect(rowsOf((await cache.listing(dir, view, nodeFs, false)).bytes.toString())[0]).toMatchObject({ href: 'l', cls: 'f l', size: '3 B' });
    fs.rmSync(elsewhere + 'target');
    fs.mkdirSync(elsewhere + 'target');
    expect(rowsOf((await cache.listing(dir, view, nodeFs, false)).bytes.toString())[0]).toMatchObject({ href: 'l/', cls: 'd l', size: 'Folder' });
    cache.close();
  });

  it('without a watch (macOS, Windows, network file systems): every entry is stat\'ed on every use, the names kept', async () => {
    const dir = makeTempDir() + '/';
    for (let i = 0; i < 20; i++) writeFile(dir, `f${i}.txt`, 'x');
    const { fsi, calls } = countingFs({ ...nodeFs, watchDir: undefined });
    // Asked a minute later: the folder was just made (its change time cannot be set back).
    const cache = new ModernListingCache(undefined, undefined, undefined, undefined, () => Date.now() + 60_000);
    await sizeOf(cache, dir, fsi, 'f1.txt');
    expect([cache.count, cache.watched]).toEqual([1, 0]);
    calls.stat = 0;
    calls.readdir = 0;
    fs.appendFileSync(dir + 'f1.txt', 'more');
    expect((await sizeOf(cache, dir, fsi, 'f1.txt'))?.size).toBe('5 B');
    expect(calls).toEqual({ readdir: 0, stat: 20 });
    cache.close();
    // A folder changed within the racy window is not kept (a second change in the same tick
    // could leave its stat the same: note 23).
    const racy = new ModernListingCache();
    await racy.listing(dir, MODERN_VIEW, fsi, false);
    expect(racy.count).toBe(0);
  });

  it('a watch that misses a change (a hard link written through another folder): right again within fullRestatMs', async () => {
    const dir = makeTempDir() + '/';
    writeFile(dir, 'f.txt', 'x');
    const silent: HandlerFs = { ...nodeFs, watchDir: () => ({ close: () => {} }) };
    let now = Date.now();
    const cache = new ModernListingCache(undefined, undefined, undefined, 10_000, () => now);
    expect((await sizeOf(cache, dir, silent, 'f.txt'))?.size).toBe('1 B');
    fs.appendFileSync(dir + 'f.txt', 'yy');
    expect((await sizeOf(cache, dir, silent, 'f.txt'))?.size).toBe('1 B'); // nothing told it
    now += 10_000;
    expect((await sizeOf(cache, dir, silent, 'f.txt'))?.size).toBe('3 B');
    cache.close();
  });

  it('names added or removed: the folder is read again (its stat changed, or its watch said so)', async () => {
    const dir = makeTempDir() + '/';
    writeFile(dir, 'a.txt', 'x');
    const cache = new ModernListingCache();
    const names = async () => rowsOf((await cache.listing(dir, MODERN_VIEW, nodeFs, false)).bytes.toString()).map((r) => r.name);
    expect(await names()).toEqual(['a.txt']);
    writeFile(dir, 'b.txt', 'x');
    expect(await names()).toEqual(['a.txt', 'b.txt']);
    fs.rmSync(dir + 'a.txt');
    expect(await names()).toEqual(['b.txt']);
    fs.renameSync(dir + 'b.txt', dir + 'c.txt');
    expect(await names()).toEqual(['c.txt']);
    cache.close();
  });

  it('bounded: folders beyond maxFolders or maxBytes are dropped, their watches closed; a closed cache keeps nothing', async () => {
    const closed: string[] = [];
    const fake: HandlerFs = { ...nodeFs, watchDir: (p) => ({ close: () => closed.push(p.toString()) }) };
    const cache = new ModernListingCache(1 << 20, 2);
    const dirs = [0, 1, 2].map(() => {
      const d = makeTempDir() + '/';
      writeFile(d, 'x', 'x');
      return d;
    });
    for (const d of dirs) await cache.listing(d, MODERN_VIEW, fake, false);
    expect(cache.count).toBe(2);
    expect(closed).toEqual([dirs[0]]);
    cache.close();
    expect(closed.sort()).toEqual([...dirs].sort());
    await cache.listing(dirs[0]!, MODERN_VIEW, fake, false);
    expect(cache.count).toBe(0);
  });

  it('a server closing closes its folders\' watches', async () => {
    const dir = makeTempDir();
    writeFile(dir, 'x', 'x');
    let open = 0;
    const fake: HandlerFs = {
      ...nodeFs,
      watchDir: () => {
        open++;
        return { close: () => open-- };
      },
    };
    const server = await startServer(SimpleHTTPRequestHandler, { directory: dir, listing: 'modern', fs: fake });
    expect((await get(server, '/')).status).toBe('HTTP/1.0 200 OK');
    expect(open).toBe(1);
    await server.close();
    expect(open).toBe(0);
  });
});

describe('the modern listing of a live server follows a file written in place', () => {
  it('the size and date shown change, the folder\'s own stat does not', async () => {
    const dir = makeTempDir();
    writeFile(dir, 'grows.txt', 'x');
    fs.mkdirSync(path.join(dir, 'sub'));
    const server = await startServer(SimpleHTTPRequestHandler, { directory: dir, listing: 'modern' });
    try {
      const row = async () => rowsOf((await get(server, '/')).body.toString()).find((r) => r.name === 'grows.txt')!;
      expect((await row()).size).toBe('1 B');
      expect((await row()).size).toBe('1 B');
      const before = fs.statSync(dir, { bigint: true }).mtimeNs;
      for (const [bytes, shown] of [[3000, '2.9 KB'], [2 * 1024 * 1024, '2.0 MB']] as const) {
        fs.writeFileSync(path.join(dir, 'grows.txt'), Buffer.alloc(bytes));
        expect((await row()).size).toBe(shown);
      }
      expect(fs.statSync(dir, { bigint: true }).mtimeNs).toBe(before);
      const sorted = rowsOf((await get(server, '/?sort=size&order=asc')).body.toString()).map((r) => r.name);
      expect(sorted).toEqual(['sub', 'grows.txt']);
    } finally {
      await server.close();
    }
  });
});
