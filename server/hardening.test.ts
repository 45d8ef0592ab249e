/**
 * Unit tests of the engine's hardening (PORT NOTEs 12-19 in server/README.md), socketless.
 * The black-box attack suite over real sockets is test/attack/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNcsaLine, type RequestLogEntry } from './log.js';
import { nodeFs } from './handler-fs.js';
import { safeLocation, SimpleHTTPRequestHandler } from './simple-handler.js';
import { makeTempDir, sendTypicalRequest, writeFile } from './test-support/harness.js';

describe('safeLocation (PORT NOTE 17)', () => {
  it.each([
    ['/sub/', '/sub/'],
    ['no-index/', 'no-index/'],
    ['//evil.com/', '/evil.com/'],
    ['/\\evil.com/', '/evil.com/'],
    ['\\\\evil.com/', '/evil.com/'],
    ['/\\/\\evil.com/', '/evil.com/'],
    ['http://evil.com/', '/http://evil.com/'],
    ['https:evil.com/', '/https:evil.com/'],
    ['/a%0d%0ab/', '/a%0d%0ab/'],
    ['/a\r\nSet-Cookie: x/', '/a%0D%0ASet-Cookie: x/'],
    ['/\x1b[2J/', '/%1B[2J/'],
  ])('%j -> %j', (input, want) => {
    expect(safeLocation(input)).toBe(want);
  });

  it('the CLI default keeps CPython\'s absolute-form Location (conformance), still collapsing slashes', () => {
    expect(safeLocation('https://pypi.org/no-index/', false)).toBe('https://pypi.org/no-index/');
    expect(safeLocation('/\\evil.com/', false)).toBe('/evil.com/');
  });
});

describe('SimpleHTTPRequestHandler.refusesPath (PORT NOTE 15)', () => {
  const handler = (hardened: boolean): SimpleHTTPRequestHandler => {
    const h = Object.create(SimpleHTTPRequestHandler.prototype) as SimpleHTTPRequestHandler;
    Object.defineProperty(h, 'options', { value: { hardened } });
    return h;
  };
  it.each([
    ['/plain.txt', false, false],
    ['/sub/inner.txt?x=%00', false, false],
    ['/plain.txt%00', true, true],
    ['/%00/../plain.txt', true, true],
    ['/plain%01.txt', process.platform === 'win32', true], // CPython on POSIX serves such a name
    ['/a%5Cb%09c.txt', process.platform === 'win32', true],
    ['/python.org/..%2f..%2f../%0a%0d/../no-index', false, true], // CPython's CVE-2021-28861 case still serves
    ['/C:/win.ini', true, true],
    ['/c%3a%5cwin.ini', true, true],
    ['/ads.txt::$DATA', true, true],
    ['/ads.txt%3a%3a%24data', true, true],
    ['/http:/evil.com', false, false],
    ['/a:b.txt', true, true],
  ])('%j: refused %s (CLI default), %s (hardened)', (p, byDefault, hardened) => {
    expect(handler(false).refusesPath(p)).toBe(byDefault);
    expect(handler(true).refusesPath(p)).toBe(hardened);
  });
});

describe('hardening profile, socketless (PORT NOTE 14)', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir();
    writeFile(root, 'a.txt', 'AAA\n');
    writeFile(root, 'b.txt', 'SMUGGLED\n');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const smuggle = 'GET /a.txt HTTP/1.1\r\nContent-Length: 25\r\n\r\nGET /b.txt HTTP/1.1\r\n\r\n\r\n';
  const count = (out: string): number => out.split('HTTP/1.1 200').length - 1;

  it('CPython mode parses an unread GET body as the next request (conformance get-with-body-line)', async () => {
    const r = await sendTypicalRequest(SimpleHTTPRequestHandler, smuggle, { directory: root, protocolVersion: 'HTTP/1.1' });
    expect(count(r.output)).toBe(2);
    expect(r.output).toContain('SMUGGLED');
  });

  it('hardened: the body is read and thrown away', async () => {
    const r = await sendTypicalRequest(SimpleHTTPRequestHandler, smuggle, { directory: root, protocolVersion: 'HTTP/1.1', hardened: true });
    expect(count(r.output)).toBe(1);
    expect(r.output).not.toContain('SMUGGLED');
  });

  it.each([
    ['Transfer-Encoding: chunked'],
    ['Content-Length: 1\r\nContent-Length: 1'],
    ['Content-Length: -1'],
    ['Content-Length: 1e3'],
  ])('hardened: %j gets 400 and the connection closes', async (header) => {
    const r = await sendTypicalRequest(
      SimpleHTTPRequestHandler,
      `GET /a.txt HTTP/1.1\r\n${header}\r\n\r\nGET /b.txt HTTP/1.1\r\n\r\n`,
      { directory: root, protocolVersion: 'HTTP/1.1', hardened: true },
    );
    expect(r.lines[0]).toMatch(/^HTTP\/1\.1 400 /);
    expect(r.output).toContain('Connection: close');
    expect(r.output).not.toContain('SMUGGLED');
    expect(r.handler.closeConnection).toBe(true);
  });

  it('hardened, a backslash is a separator, and the redirect for it stays on this host (PORT NOTEs 16, 17)', async () => {
    fs.mkdirSync(path.join(root, 'evil.com'), { recursive: true });
    const r = await sendTypicalRequest(SimpleHTTPRequestHandler, 'GET /\\evil.com HTTP/1.0\r\n\r\n', { directory: root, hardened: true });
    expect(r.lines[0]).toMatch(/^HTTP\/1\.0 301 /);
    expect(r.lines).toContain('Location: /evil.com/');
  });

  it.skipIf(process.platform === 'win32')('the default on POSIX: a backslash and a control character are parts of a name, as in CPython', async () => {
    fs.mkdirSync(path.join(root, 'evil.com'), { recursive: true });
    fs.writeFileSync(path.join(root, 'back\\slash.txt'), 'backslash file');
    fs.writeFileSync(path.join(root, 'tab\tname.txt'), 'tab file');
    const noDir = await sendTypicalRequest(SimpleHTTPRequestHandler, 'GET /\\evil.com HTTP/1.0\r\n\r\n', { directory: root });
    expect(noDir.lines[0]).toBe('HTTP/1.0 404 File not found'); // no folder is named '\\evil.com'
    const file = await sendTypicalRequest(SimpleHTTPRequestHandler, 'GET /back%5Cslash.txt HTTP/1.0\r\n\r\n', { directory: root });
    expect(file.output.endsWith('backslash file')).toBe(true);
    const tab = await sendTypicalRequest(SimpleHTTPRequestHandler, 'GET /tab%09name.txt HTTP/1.0\r\n\r\n', { directory: root });
    expect(tab.output.endsWith('tab file')).toBe(true);
    const hardenedTab = await sendTypicalRequest(SimpleHTTPRequestHandler, 'GET /tab%09name.txt HTTP/1.0\r\n\r\n', { directory: root, hardened: true });
    expect(hardenedTab.lines[0]).toBe('HTTP/1.0 404 File not found');
  });
});

describe('formatNcsaLine (PORT NOTE 19)', () => {
  it('escapes a CGI script stderr line like every other line', () => {
    const entry: RequestLogEntry = {
      id: 1, kind: 'cgi-stderr', time: 0, connectionId: 1, clientAddress: '127.0.0.1', clientPort: 1,
      method: 'GET', path: '/', protocol: 'HTTP/1.0', status: null, bytesSent: 0, durationMs: null,
      bodyBytes: 0, headerBytes: 0, expectedBytes: null, outcome: 'done',
      userAgent: null, referer: null, message: 'x\x1b]0;t\x07\x9b\r\\',
    };
    expect(formatNcsaLine(entry)).toBe('x\\x1b]0;t\\x07\\x9b\\x0d\\\\\n');
  });
});

describe('links not followed: one system call per component, no second stat', () => {
  it('serves a plain file from the lstat of the containment check; trailing slash and links still stat', async () => {
    const root = path.join(makeTempDir(), 'root');
    writeFile(root, 'sub/file.txt', 'hello');
    fs.symlinkSync('sub/file.txt', path.join(root, 'link.txt'));
    const calls: string[] = [];
    const counting = {
      ...nodeFs,
      statSync: (p: Buffer) => (calls.push('stat ' + p.toString()), nodeFs.statSync(p)),
      lstatSync: (p: Buffer) => (calls.push('lstat ' + p.toString()), nodeFs.lstatSync(p)),
    };
    const options = { directory: root, followSymlinks: false, hardened: true, fs: counting };
    const get = async (target: string) => (await sendTypicalRequest(SimpleHTTPRequestHandler, `GET ${target} HTTP/1.0\r\n\r\n`, options)).lines[0];

    expect(await get('/sub/file.txt')).toBe('HTTP/1.0 200 OK');
    expect(calls).toEqual([`lstat ${root}/sub`, `lstat ${root}/sub/file.txt`]);
    calls.length = 0;
    expect(await get('/sub/file.txt/')).toBe('HTTP/1.0 404 File not found');
    expect(calls.filter((c) => c.startsWith('stat '))).toEqual([`stat ${root}/sub/file.txt/`]);
    calls.length = 0;
    expect(await get('/link.txt')).toBe('HTTP/1.0 200 OK');
    expect(calls).toContain(`stat ${root}/link.txt`);
  });
});
