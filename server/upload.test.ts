/**
 * Uploads (PORT NOTE 33, upload.ts): names, the streamed form parser, the body framings, and
 * putting a file in place, as units; then the handler over live sockets (`startServer`): PUT,
 * a form of several files, replace, chunked bodies, a cut connection, the size limit, and
 * CPython's 501 without the setting. The spawned CLI, curl and the attacks are in
 * test/attack/upload.test.ts; the phone's browser in test/e2e/upload-phone.e2e.test.ts.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CGIHTTPRequestHandler } from './cgi-handler.js';
import { UploadProblem } from './errors.js';
import { SimpleHTTPRequestHandler } from './simple-handler.js';
import { parseSizeText, SHARE_SETTINGS, appDefaults } from './share-settings.js';
import { makeTempDir, parseResponse, rawRequest, startServer, type LiveServer } from './test-support/harness.js';
import {
  formBoundary, headerParams, isUploadTempName, MultipartReader, numberedName, receiveFile, uploadNameProblem, uploadTarget,
  type ChunkSource,
} from './upload.js';

/** A source handing out `data` in pieces of `size` bytes (to split delimiters across chunks). */
function pieces(data: Buffer, size: number): ChunkSource {
  let at = 0;
  return {
    async next(max: number) {
      if (at >= data.length) return null;
      const n = Math.min(size, max, data.length - at);
      const out = data.subarray(at, at + n);
      at += n;
      return out;
    },
  };
}

function form(boundary: string, parts: readonly { field: string; filename?: string; star?: string; body: string | Buffer }[]): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    let disp = `form-data; name="${p.field}"`;
    if (p.filename !== undefined) disp += `; filename="${p.filename}"`;
    if (p.star !== undefined) disp += `; filename*=${p.star}`;
    out.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disp}\r\nContent-Type: application/octet-stream\r\n\r\n`));
    out.push(typeof p.body === 'string' ? Buffer.from(p.body) : p.body);
    out.push(Buffer.from('\r\n'));
  }
  out.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(out);
}

async function readAll(source: ChunkSource, boundary: string): Promise<{ field: string; filename: string | null; data: Buffer }[]> {
  const reader = new MultipartReader(source, boundary);
  const parts: { field: string; filename: string | null; data: Buffer }[] = [];
  for (let p = await reader.nextPart(); p !== null; p = await reader.nextPart()) {
    const chunks: Buffer[] = [];
    for (let c = await reader.readData(); c !== null; c = await reader.readData()) chunks.push(Buffer.from(c));
    parts.push({ ...p, data: Buffer.concat(chunks) });
  }
  return parts;
}

describe('upload names', () => {
  it('accepts ordinary names, in any script', () => {
    for (const name of ['photo.jpg', 'IMG 2041 (edited).HEIC', 'مرحبا.txt', 'résumé final.pdf', '😀.png', 'a'.repeat(255), 'x..y', 'no extension']) {
      expect(uploadNameProblem(name, false), name).toBeNull();
    }
  });

  it('refuses separators, control characters, dots only, trailing dot or space, reserved and long names', () => {
    const cases: [string, string][] = [
      ['', 'UPLOAD_NO_NAME'],
      ['.', 'UPLOAD_CLIMB'],
      ['..', 'UPLOAD_CLIMB'],
      ['...', 'UPLOAD_CLIMB'],
      ['a/b', 'UPLOAD_BAD_NAME'],
      ['a\\b', 'UPLOAD_BAD_NAME'],
      ['a\0b', 'UPLOAD_BAD_NAME'],
      ['a\nb', 'UPLOAD_BAD_NAME'],
      ['a\x7fb', 'UPLOAD_BAD_NAME'],
      ['name.', 'UPLOAD_BAD_NAME'],
      ['name ', 'UPLOAD_BAD_NAME'],
      ['CON', 'UPLOAD_RESERVED_NAME'],
      ['con.txt', 'UPLOAD_RESERVED_NAME'],
      ['Nul.tar.gz', 'UPLOAD_RESERVED_NAME'],
      ['COM1', 'UPLOAD_RESERVED_NAME'],
      ['lpt9.doc', 'UPLOAD_RESERVED_NAME'],
      ['aux', 'UPLOAD_RESERVED_NAME'],
      ['é'.repeat(128), 'UPLOAD_LONG_NAME'], // 256 bytes of UTF-8
      ['x'.repeat(300), 'UPLOAD_LONG_NAME'],
      ['\ud800lone', 'UPLOAD_BAD_NAME'],
      ['.servedir-upload-0123456789abcdef.part', 'UPLOAD_HIDDEN_NAME'],
    ];
    for (const [name, code] of cases) expect(uploadNameProblem(name, false)?.code, JSON.stringify(name)).toBe(code);
    // Not reserved: the device name is only reserved as the whole stem.
    expect(uploadNameProblem('console.txt', false)).toBeNull();
    expect(uploadNameProblem('CONFIG', false)).toBeNull();
  });

  it('hidden names follow showHidden; the temporary names are never taken', () => {
    expect(uploadNameProblem('.env', false)?.code).toBe('UPLOAD_HIDDEN_NAME');
    expect(uploadNameProblem('.env', true)).toBeNull();
    expect(uploadNameProblem('.servedir-upload-0123456789abcdef.part', true)?.code).toBe('UPLOAD_BAD_NAME');
    expect(isUploadTempName('.servedir-upload-0123456789abcdef.part')).toBe(true);
    expect(isUploadTempName('.servedir-upload-x.part')).toBe(false);
  });

  it('numbered names keep the extension (and a leading dot is not one)', () => {
    expect(numberedName('photo.jpg', 1)).toBe('photo (1).jpg');
    expect(numberedName('photo.jpg', 12)).toBe('photo (12).jpg');
    expect(numberedName('notes', 2)).toBe('notes (2)');
    expect(numberedName('.profile', 1)).toBe('.profile (1)');
    expect(numberedName('a.tar.gz', 1)).toBe('a.tar (1).gz');
  });

  it('uploadTarget refuses climbing in every spelling instead of dropping it', () => {
    for (const p of ['/../x', '/a/../../y', '/%2e%2e/x', '/%2E%2E/x', '/a/%2e%2e/%2e%2e/y', '/./x', '/a/..']) {
      const t = uploadTarget(p, 'PUT', false, true);
      expect(t, p).toBeInstanceOf(UploadProblem);
      expect((t as UploadProblem).status, p).toBe(400);
    }
    // hardened: a backslash separates, so `..\x` climbs too; in the CLI's default it is part of a name (then refused by the name check)
    expect((uploadTarget('/..%5cx', 'PUT', true, true) as UploadProblem).code).toBe('UPLOAD_CLIMB');
    expect(uploadTarget('/..%5cx', 'PUT', false, true)).toEqual({ folder: [], name: '..\\x' });
    expect((uploadTarget('/a%00b', 'PUT', false, true) as UploadProblem).code).toBe('UPLOAD_BAD_NAME');
    expect((uploadTarget('/dir/', 'PUT', false, true) as UploadProblem).code).toBe('UPLOAD_NO_NAME');
    expect((uploadTarget('/.git/x', 'PUT', false, false) as UploadProblem).code).toBe('UPLOAD_NO_FOLDER');
    expect(uploadTarget('/a%20b/c%C3%A9.txt?x=1#y', 'PUT', false, true)).toEqual({ folder: ['a b'], name: 'cé.txt' });
    expect(uploadTarget('/a/b/', 'POST', false, true)).toEqual({ folder: ['a', 'b'], name: null });
  });
});

describe('multipart/form-data', () => {
  it('takes the boundary from Content-Type, quoted or not', () => {
    expect(formBoundary('multipart/form-data; boundary=----WebKitFormBoundaryX1y2')).toBe('----WebKitFormBoundaryX1y2');
    expect(formBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b:c"')).toBe('a b:c');
    expect(formBoundary('multipart/form-data')).toBeNull();
    expect(formBoundary('application/x-www-form-urlencoded; boundary=x')).toBeNull();
    expect(formBoundary('multipart/form-data; boundary=' + 'x'.repeat(71))).toBeNull();
    expect(formBoundary(undefined)).toBeNull();
  });

  it('reads filename*= (RFC 8187) before filename=, and quoted escapes', () => {
    const p = headerParams(`; name="file"; filename="fallback.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E2%82%AC.txt`);
    expect(p.get('filename*')).toBe('résumé €.txt');
    expect(p.get('filename')).toBe('fallback.txt');
    expect(headerParams('; filename="a \\"b\\".txt"').get('filename')).toBe('a "b".txt');
  });

  it('parses several files whatever the chunk size (delimiters split across chunks)', async () => {
    const boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
    const big = Buffer.alloc(300_000, 0x61);
    // A body holding a near-delimiter (`\r\n--` + most of the boundary) must not be cut there.
    const tricky = Buffer.from(`line\r\n--${boundary.slice(0, -1)}X\r\n--\r\n`);
    const body = form(boundary, [
      { field: 'note', body: 'hello' },
      { field: 'file', filename: 'a.txt', body: 'A' },
      { field: 'file', filename: 'big.bin', body: big },
      { field: 'file', filename: 'tricky.txt', body: tricky },
      { field: 'file', filename: 'ignored.txt', star: "UTF-8''caf%C3%A9.txt", body: '' },
    ]);
    for (const size of [1, 2, 7, 41, 4096, 1 << 20]) {
      const parts = await readAll(pieces(body, size), boundary);
      expect(parts.map((p) => [p.field, p.filename, p.data.length]), `chunk ${size}`).toEqual([
        ['note', null, 5],
        ['file', 'a.txt', 1],
        ['file', 'big.bin', 300_000],
        ['file', 'tricky.txt', tricky.length],
        ['file', 'café.txt', 0],
      ]);
      expect(parts[3]!.data.equals(tricky)).toBe(true);
    }
  });

  it('a preamble is skipped; a form cut before its closing delimiter, or part headers without end, are refused', async () => {
    const b = 'XyZ';
    const ok = Buffer.concat([Buffer.from('preamble text\r\n'), form(b, [{ field: 'f', filename: 'x', body: '1' }])]);
    expect((await readAll(pieces(ok, 3), b)).map((p) => p.filename)).toEqual(['x']);
    const cut = form(b, [{ field: 'f', filename: 'x', body: '123456' }]).subarray(0, 60);
    await expect(readAll(pieces(cut, 5), b)).rejects.toMatchObject({ code: 'UPLOAD_BAD_FORM' });
    const endless = Buffer.concat([Buffer.from(`--${b}\r\nX-Long: `), Buffer.alloc(20_000, 0x61)]);
    await expect(readAll(pieces(endless, 1000), b)).rejects.toMatchObject({ code: 'UPLOAD_BAD_FORM' });
    const noDisposition = Buffer.from(`--${b}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${b}--\r\n`);
    await expect(readAll(pieces(noDisposition, 5), b)).rejects.toMatchObject({ code: 'UPLOAD_BAD_FORM' });
  });
});

describe('receiveFile', () => {
  const join = (d: string, n: string): string => path.join(d, n);
  const source = (chunks: (Buffer | Error)[]): (() => Promise<Buffer | null>) => {
    let i = 0;
    return async () => {
      const c = chunks[i++];
      if (c === undefined) return null;
      if (c instanceof Error) throw c;
      return c;
    };
  };

  it('puts the file in place, numbers taken names, never replaces, leaves no temporary file', async () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, 'a.txt'), 'old');
    fs.mkdirSync(path.join(dir, 'b.txt'));
    const first = await receiveFile(dir, 'a.txt', source([Buffer.from('new')]), { maxBytes: 100, replace: false, join });
    expect(first).toMatchObject({ asked: 'a.txt', name: 'a (1).txt', bytes: 3, replaced: false });
    const second = await receiveFile(dir, 'b.txt', source([Buffer.from('x')]), { maxBytes: 100, replace: false, join });
    expect(second.name).toBe('b (1).txt');
    expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('old');
    expect(fs.readFileSync(path.join(dir, 'a (1).txt'), 'utf8')).toBe('new');
    expect(fs.readdirSync(dir).sort()).toEqual(['a (1).txt', 'a.txt', 'b (1).txt', 'b.txt']);
  });

  it('with replace, a file is replaced whole and a folder never', async () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, 'a.txt'), 'old');
    fs.mkdirSync(path.join(dir, 'd'));
    expect(await receiveFile(dir, 'a.txt', source([Buffer.from('new')]), { maxBytes: 100, replace: true, join })).toMatchObject({ name: 'a.txt', replaced: true });
    expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('new');
    await expect(receiveFile(dir, 'd', source([Buffer.from('x')]), { maxBytes: 100, replace: true, join })).rejects.toMatchObject({ status: 409 });
    expect(fs.readdirSync(dir).sort()).toEqual(['a.txt', 'd']);
  });

  it('too big, a failing source, or a missing folder: nothing kept, no temporary file', async () => {
    const dir = makeTempDir();
    await expect(receiveFile(dir, 'big', source([Buffer.alloc(60), Buffer.alloc(60)]), { maxBytes: 100, replace: false, join })).rejects.toMatchObject({ status: 413 });
    await expect(receiveFile(dir, 'cut', source([Buffer.alloc(10), new Error('cut')]), { maxBytes: 100, replace: false, join })).rejects.toThrow('cut');
    expect(fs.readdirSync(dir)).toEqual([]);
    await expect(receiveFile(path.join(dir, 'gone'), 'x', source([]), { maxBytes: 100, replace: false, join })).rejects.toMatchObject({ status: 404 });
  });
});

describe('settings rows', () => {
  it('are off in the app and the CLI; sizes parse as people write them', () => {
    expect(appDefaults()).toMatchObject({ upload: false, uploadReplace: false, uploadMaxSize: '4G' });
    expect(SHARE_SETTINGS.upload.cli).toMatchObject({ flag: '--upload', cpython: false });
    expect(parseSizeText('100M')).toBe(100 * 1024 ** 2);
    expect(parseSizeText('2g')).toBe(2 * 1024 ** 3);
    expect(parseSizeText('512KiB')).toBe(512 * 1024);
    expect(parseSizeText('1048576')).toBe(1048576);
    for (const bad of ['', '0', '-1M', '1.5G', 'lots', '4X', '2000T']) expect(parseSizeText(bad), bad).toBeUndefined();
    const parse = (SHARE_SETTINGS.uploadMaxSize.cli as { parse: (t: string) => string | undefined }).parse;
    expect(parse('100mib')).toBe('100M');
    expect(parse('lots')).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------
// Live: the handler

let live: LiveServer | null = null;
afterEach(async () => {
  await live?.close();
  live = null;
});

const put = (name: string, body: string, extra = ''): string =>
  `PUT ${name} HTTP/1.1\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n${extra}\r\n${body}`;

describe('SimpleHTTPRequestHandler uploads (live)', () => {
  it('without the setting, PUT and POST get CPython 501 answers, and a CGI server keeps its own', async () => {
    const dir = makeTempDir();
    live = await startServer(SimpleHTTPRequestHandler, { directory: dir });
    const r = parseResponse(await rawRequest(live.port, put('/x.txt', 'abc')));
    expect(r.status).toBe('HTTP/1.0 501 Unsupported method (\'PUT\')');
    const p = parseResponse(await rawRequest(live.port, 'POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n'));
    expect(p.status).toBe("HTTP/1.0 501 Unsupported method ('POST')");
    await live.close();
    live = await startServer(CGIHTTPRequestHandler, { directory: dir });
    const c = parseResponse(await rawRequest(live.port, 'POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n'));
    expect(c.status).toBe('HTTP/1.0 501 Can only POST to CGI scripts');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('PUT: 201 with Location, a numbered name when taken, 204 when replacing', async () => {
    const dir = makeTempDir();
    fs.mkdirSync(path.join(dir, 'sub'));
    live = await startServer(SimpleHTTPRequestHandler, { directory: dir, upload: true, uploadMaxSize: '1M' });
    let r = parseResponse(await rawRequest(live.port, put('/sub/a%20b.txt', 'one')));
    expect(r.status).toBe('HTTP/1.0 201 Created');
    expect(r.headers.get('location')).toBe('/sub/a%20b.txt');
    r = parseResponse(await rawRequest(live.port, put('/sub/a%20b.txt', 'two')));
    expect(r.status).toBe('HTTP/1.0 201 Created');
    expect(r.headers.get('location')).toBe('/sub/a%20b%20%281%29.txt');
    expect(r.body.toString()).toContain('saved as “a b (1).txt”');
    expect(fs.readFileSync(path.join(dir, 'sub', 'a b.txt'), 'utf8')).toBe('one');
    await live.close();
    live = await startServer(SimpleHTTPRequestHandler, { directory: dir, upload: true, uploadReplace: true });
    r = parseResponse(await rawRequest(live.port, put('/sub/a%20b.txt', 'three')));
    expect(r.status).toBe('HTTP/1.0 204 No Content');
    expect(fs.readFileSync(path.join(dir, 'sub', 'a b.txt'), 'utf8')).toBe('three');
  });

  it('a chunked PUT is decoded, also in the hardened profile (which refuses Transfer-Encoding elsewhere)', async () => {
    const dir = makeTempDir();
    live = await startServer(SimpleHTTPRequestHandler, { directory: dir, upload: true, hardened: true });
    const req = 'PUT /c.txt HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: y\r\n\r\n';
    expect(parseResponse(await rawRequest(live.port, req)).status).toBe('HTTP/1.0 201 Created');
    expect(fs.readFileSync(path.join(dir, 'c.txt'), 'utf8')).toBe('hello, world');
    const get = 'GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n';
    expect(parseResponse(await rawRequest(live.port, get)).status).toBe('HTTP/1.0 400 Transfer-Encoding is not supported');
    const both = 'PUT /d.txt HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n';
    expect(parseResponse(await rawRequest(live.port, both)).status).toMatch(/^HTTP\/1.0 400 /);
    expect(fs.readdirSync(dir)).toEqual(['c.txt']);
  });

  it('POST of a form with several files: 303 back to the folder with the count', async () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, 'b.txt'), 'old');
    live = await startServer(SimpleHTTPRequestHandler, { directory: dir, upload: true, listing: 'modern' });
    const boundary = 'b0undary';
    const body = form(boundary, [
      { field: 'file', filename: 'a.txt', body: 'A' },
      { field: 'file', filename: 'b.txt', body: 'B' },
      { field: 'file', filename: 'é.txt', body: 'E' },
    ]);
    const head = `POST / HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    const r = parseResponse(await rawRequest(live.port, Buffer.concat([Buffer.from(head), body])));
    expect(r.status).toBe('HTTP/1.0 303 See Other');
    expect(r.headers.get('location')).toBe('/?added=3&renamed=1');
    expect(fs.readdirSync(dir).sort()).toEqual(['a.txt', 'b (1).txt', 'b.txt', 'é.txt']);
    const page = parseResponse(await rawRequest(live.port, 'GET /?added=3&renamed=1 HTTP/1.0\r\n\r\n'));
    expect(page.body.toString()).toContain('3 files added. A file with the same name was already here, so one got a number added to its name.');
    expect(page.body.toString()).toContain('<form class="upload" method="post" enctype="multipart/form-data"');
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self'");
  });

  it('a connection cut mid-file leaves nothing: no partial file, no temporary file', async () => {
    const dir = makeTempDir();
    live = await startServer(SimpleHTTPRequestHandler, { directory: dir, upload: true });
    const sock = net.connect(live.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write('PUT /half.bin HTTP/1.1\r\nContent-Length: 10000000\r\n\r\n');
    sock.write(Buffer.alloc(3_000_000, 1));
    // Wait until the server has created its temporary file and written some of it.
    for (let i = 0; i < 200 && !fs.readdirSync(dir).some((n) => n.startsWith('.servedir-upload-')); i++) await new Promise((r) => setTimeout(r, 25));
    expect(fs.readdirSync(dir).some((n) => n.startsWith('.servedir-upload-'))).toBe(true);
    sock.destroy();
    for (let i = 0; i < 200 && fs.readdirSync(dir).length > 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(fs.readdirSync(dir)).toEqual([]);
    for (let i = 0; i < 100 && !live.logs.some((e) => e.message.startsWith('Upload cut off')); i++) await new Promise((r) => setTimeout(r, 25));
    expect(live.logs.some((e) => e.kind === 'error' && e.message.startsWith('Upload cut off'))).toBe(true);
  });

  it('the size limit: 413 before reading a PUT announced too big, and mid-form for a file too big', async () => {
    const dir = makeTempDir();
    live = await startServer(SimpleHTTPRequestHandler, { directory: dir, upload: true, uploadMaxSize: '1K' });
    let r = parseResponse(await rawRequest(live.port, put('/big.bin', 'x'.repeat(1025))));
    expect(r.status).toBe('HTTP/1.0 413 Content Too Large');
    expect(r.body.toString()).toContain('the largest file this computer accepts is 1 KB');
    const boundary = 'bb';
    const body = form(boundary, [
      { field: 'file', filename: 'ok.txt', body: 'fine' },
      { field: 'file', filename: 'big.bin', body: Buffer.alloc(5000) },
    ]);
    const head = `POST / HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${body.length}\r\n\r\n`;
    r = parseResponse(await rawRequest(live.port, Buffer.concat([Buffer.from(head), body])));
    expect(r.status).toBe('HTTP/1.0 413 Content Too Large');
    expect(r.body.toString()).toContain('The file sent before it was added.');
    expect(r.body.toString()).toContain('<a href="/">Back to the folder</a>');
    expect(fs.readdirSync(dir)).toEqual(['ok.txt']);
  });

  it('no upload into a CGI script folder, while POST to a script still runs it', async () => {
    const dir = makeTempDir();
    fs.mkdirSync(path.join(dir, 'cgi-bin'));
    fs.writeFileSync(path.join(dir, 'cgi-bin', 'echo.py'), '#!/usr/bin/python3\nprint("Content-Type: text/plain\\n\\nran")\n', { mode: 0o755 });
    live = await startServer(CGIHTTPRequestHandler, { directory: dir, upload: true });
    const r = parseResponse(await rawRequest(live.port, put('/cgi-bin/evil.py', 'print(1)')));
    expect(r.status).toBe('HTTP/1.0 404 Not Found');
    const run = await rawRequest(live.port, 'POST /cgi-bin/echo.py HTTP/1.0\r\nContent-Length: 0\r\n\r\n');
    expect(run.toString()).toContain('ran');
    expect(fs.readdirSync(path.join(dir, 'cgi-bin'))).toEqual(['echo.py']);
  });
});

describe('localFolderOf (the window opens where an upload went)', () => {
  it('a saved file gives its folder; gone ones their nearest folder; nothing outside the share', async () => {
    const { localFolderOf } = await import('./upload.js');
    const base = makeTempDir();
    const root = path.join(base, 'share');
    fs.mkdirSync(path.join(root, 'From my phone'), { recursive: true });
    fs.writeFileSync(path.join(root, 'From my phone', 'a b.jpg'), 'x');
    fs.mkdirSync(path.join(base, 'outside'));
    fs.symlinkSync(path.join(base, 'outside'), path.join(root, 'link-out'));
    const real = fs.realpathSync(root);
    expect(await localFolderOf(root, '/From%20my%20phone/a%20b.jpg')).toBe(path.join(real, 'From my phone'));
    expect(await localFolderOf(root, '/From%20my%20phone/')).toBe(path.join(real, 'From my phone'));
    expect(await localFolderOf(root, '/From%20my%20phone/gone/deeper.txt')).toBe(path.join(real, 'From my phone'));
    expect(await localFolderOf(root, '/x.txt')).toBe(real);
    expect(await localFolderOf(root, '/link-out/x.txt')).toBeNull();
    expect(await localFolderOf(root, '/../outside/')).toBeNull();
    expect(await localFolderOf(root, '/%2e%2e/outside/')).toBeNull();
    expect(await localFolderOf(root, 'relative')).toBeNull();
    expect(await localFolderOf(path.join(base, 'missing'), '/x')).toBeNull();
  });
});

describe('upload log entries (the live log)', () => {
  it('one upload entry per file: progress rows while it arrives, then where it went (same id and time); cut and refused ones say so', async () => {
    const { HTTPServer } = await import('./http-server.js');
    const { formatNcsaLine } = await import('./log.js');
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, 'x.bin'), 'taken');
    const logs: import('./log.js').RequestLogEntry[] = [];
    const server = new HTTPServer(SimpleHTTPRequestHandler, {
      handlerOptions: { directory: dir, upload: true, uploadMaxSize: '1M' },
      onLog: (e) => logs.push({ ...e }),
      logProgressMs: 30,
    });
    await server.listen(0, '127.0.0.1');
    const port = server.address().port;
    try {
      // A slow PUT: half, a pause long enough for progress rows, the rest.
      const sock = net.connect(port, '127.0.0.1');
      await new Promise((r) => sock.once('connect', r));
      const answer = new Promise<string>((resolve) => {
        let out = '';
        sock.on('data', (c) => (out += c.toString()));
        sock.on('close', () => resolve(out));
      });
      sock.write('PUT /x.bin HTTP/1.1\r\nContent-Length: 200000\r\nConnection: close\r\n\r\n');
      sock.write(Buffer.alloc(100_000, 1));
      for (let i = 0; i < 200 && !logs.some((e) => e.kind === 'upload' && e.outcome === 'in-progress' && e.bodyBytes === 100_000); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      sock.end(Buffer.alloc(100_000, 2));
      expect(await answer).toMatch(/^HTTP\/1\.0 201 Created/);
      const uploads = logs.filter((e) => e.kind === 'upload');
      const progress = uploads.filter((e) => e.outcome === 'in-progress');
      const final = uploads.filter((e) => e.outcome !== 'in-progress');
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.some((e) => e.bodyBytes === 100_000 && e.expectedBytes === 200_000)).toBe(true);
      expect(final).toHaveLength(1);
      expect(final[0]).toMatchObject({ outcome: 'done', bodyBytes: 200_000, expectedBytes: 200_000, path: '/x%20%281%29.bin', message: 'Saved “x (1).bin” in / (a file named “x.bin” was already there)' });
      for (const p of progress) expect([p.id, p.time]).toEqual([final[0]!.id, final[0]!.time]);
      // The file's entry comes before the request's own (201) entry, and the CLI prints it as a line.
      const request = logs.find((e) => e.kind === 'request')!;
      expect(logs.indexOf(final[0]!)).toBeLessThan(logs.indexOf(request));
      expect(formatNcsaLine(final[0]!)).toMatch(/^127\.0\.0\.1 - - \[.*\] Saved “x \(1\)\.bin” in \/ /);
      expect(progress.every((p) => formatNcsaLine(p) === '')).toBe(true);

      logs.length = 0;
      await rawRequest(port, `PUT /big.bin HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${(2_000_000).toString(16)}\r\n${'x'.repeat(2_000_000)}\r\n0\r\n\r\n`);
      expect(logs.filter((e) => e.kind === 'upload').map((e) => [e.outcome, e.message])).toEqual([
        ['failed', '“big.bin” was not saved: “big.bin” is too big: the largest file this computer accepts is 1 MB. Nothing of it was kept.'],
      ]);

      logs.length = 0;
      const cut = net.connect(port, '127.0.0.1');
      await new Promise((r) => cut.once('connect', r));
      cut.write('PUT /cut.bin HTTP/1.1\r\nContent-Length: 500000\r\n\r\n');
      cut.write(Buffer.alloc(1000));
      for (let i = 0; i < 200 && !fs.readdirSync(dir).some((n) => n.startsWith('.servedir-upload-')); i++) await new Promise((r) => setTimeout(r, 10));
      cut.destroy();
      for (let i = 0; i < 200 && !logs.some((e) => e.kind === 'upload' && e.outcome === 'incomplete'); i++) await new Promise((r) => setTimeout(r, 10));
      const cutEntry = logs.find((e) => e.kind === 'upload' && e.outcome === 'incomplete')!;
      expect(cutEntry).toMatchObject({ bodyBytes: 1000, expectedBytes: 500_000, path: '/cut.bin' });
      expect(cutEntry.message).toBe('“cut.bin” was cut off: the visitor’s connection closed before the whole file arrived. Nothing of it was kept.');
    } finally {
      await server.close();
    }
  });
});
