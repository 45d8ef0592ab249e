/**
 * The `showHidden` setting (PORT NOTE 28) over real sockets: with it off (the app's default,
 * the CLI's `--hide-dotfiles`), names starting with a dot are neither listed (classic and
 * modern listings) nor served, in any position of the path and however it is written, CGI
 * scripts included; with it on (CPython, the CLI's default) they are.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CGIHTTPRequestHandler } from './cgi-handler.js';
import { SimpleHTTPRequestHandler } from './simple-handler.js';
import { makeTempDir, parseResponse, rawRequest, startServer, writeFile, type LiveServer } from './test-support/harness.js';

const PY = '#!/usr/bin/python3';
const SCRIPT = `${PY}\nprint("Content-type: text/plain")\nprint()\nprint("ran")\n`;

let root: string;
const servers: LiveServer[] = [];
let hidden: LiveServer;
let shown: LiveServer;
let hiddenModern: LiveServer;
let hiddenHardened: LiveServer;
let cgiHidden: LiveServer;
let cgiShown: LiveServer;

beforeAll(async () => {
  root = makeTempDir();
  writeFile(root, '.env', 'SECRET=1');
  writeFile(root, '.git/config', '[core]');
  writeFile(root, 'a/.env', 'SECRET=2');
  writeFile(root, 'a/b.txt', 'b');
  writeFile(root, 'a/.hidden-dir/x.txt', 'x');
  writeFile(root, 'visible.txt', 'v');
  writeFile(root, 'name.with.dots', 'd');
  writeFile(root, 'cgi-bin/run.py', SCRIPT, 0o755);
  writeFile(root, 'cgi-bin/.secret.py', SCRIPT, 0o755);
  writeFile(root, 'cgi-bin/.d/x.py', SCRIPT, 0o755);
  fs.symlinkSync('visible.txt', path.join(root, '.link'));
  const start = async (cls: typeof SimpleHTTPRequestHandler, options: object) => {
    const s = await startServer(cls, { directory: root, ...options });
    servers.push(s);
    return s;
  };
  hidden = await start(SimpleHTTPRequestHandler, { showHidden: false });
  shown = await start(SimpleHTTPRequestHandler, {});
  hiddenModern = await start(SimpleHTTPRequestHandler, { showHidden: false, listing: 'modern' });
  hiddenHardened = await start(SimpleHTTPRequestHandler, { showHidden: false, hardened: true });
  cgiHidden = await start(CGIHTTPRequestHandler, { showHidden: false });
  cgiShown = await start(CGIHTTPRequestHandler, { showHidden: true });
});
afterAll(async () => {
  for (const s of servers) await s.close();
});

async function ask(server: LiveServer, target: string, method = 'GET', body = '') {
  const extra = body ? `Content-Length: ${body.length}\r\n` : '';
  return parseResponse(await rawRequest(server.port, `${method} ${target} HTTP/1.0\r\n${extra}\r\n${body}`));
}

/** A CGI answer, whole (the script's own header lines end with a bare LF). */
const run = async (server: LiveServer, target: string) => (await rawRequest(server.port, `GET ${target} HTTP/1.0\r\n\r\n`)).toString();

const HIDDEN_PATHS = [
  '/.env', '/.git/config', '/.git/', '/.git', '/a/.env', '/a/.hidden-dir/', '/a/.hidden-dir/x.txt', '/.link',
  '/%2Eenv', '/%2egit/config', '/a/%2Eenv', '/a%2F.env', '/a/../.env', '/a/./.env', '//.env', '/.env?x=1', '/.env#frag',
  '.env', '/a/b.txt/../../.git/config',
];

describe('showHidden off: hidden names are not there', () => {
  it.each(HIDDEN_PATHS)('GET %s → 404 File not found (a folder too, never a 301)', async (target) => {
    const r = await ask(hidden, target);
    expect(r.status).toBe('HTTP/1.0 404 File not found');
    expect(r.body.toString()).not.toContain('SECRET');
  });

  it.each(['/.env', '/.git/'])('HEAD %s → 404', async (target) => {
    expect((await ask(hidden, target, 'HEAD')).status).toBe('HTTP/1.0 404 File not found');
  });

  it.each(['/visible.txt', '/name.with.dots', '/a/b.txt', '/.x/../visible.txt', '/a/.hidden-dir/../b.txt', '/visible.txt?.env', '/a/'])(
    'GET %s → 200 (no hidden name in the path it names)',
    async (target) => {
      expect((await ask(hidden, target)).status).toBe('HTTP/1.0 200 OK');
    },
  );

  it('the classic listing leaves hidden names out, otherwise CPython\'s page', async () => {
    const off = (await ask(hidden, '/')).body.toString();
    const on = (await ask(shown, '/')).body.toString();
    expect(off).not.toMatch(/href="\./);
    expect(on.split('\n').filter((l) => !/href="\./.test(l))).toEqual(off.split('\n'));
    expect(on).toContain('<li><a href=".env">.env</a></li>');
    expect((await ask(hidden, '/a/')).body.toString()).not.toContain('.hidden-dir');
  });

  it('the modern listing leaves them out, and counts only what it shows', async () => {
    const html = (await ask(hiddenModern, '/')).body.toString();
    expect(html).not.toMatch(/href="\.|<bdi>\./);
    expect(html).toContain('<footer>2 folders, 2 files.');
    expect((await ask(hiddenModern, '/.git/')).status).toBe('HTTP/1.0 404 File not found');
  });

  it('hardened: a backslash separates (PORT NOTE 16), so /a\\.env is hidden too', async () => {
    expect((await ask(hiddenHardened, '/a\\.env')).status).toBe('HTTP/1.0 404 File not found');
    expect((await ask(hiddenHardened, '/a%5C.env')).status).toBe('HTTP/1.0 404 File not found');
    expect((await ask(hidden, '/a\\.env')).status).toBe('HTTP/1.0 404 File not found'); // a name "a\.env": not there
  });

  it('CGI: a hidden script (or one in a hidden folder) is a missing script, for GET, HEAD and POST', async () => {
    for (const method of ['GET', 'HEAD', 'POST']) {
      expect((await ask(cgiHidden, '/cgi-bin/.secret.py', method, method === 'POST' ? 'x=1' : '')).status).toBe(
        "HTTP/1.0 404 No such CGI script ('/cgi-bin/.secret.py')",
      );
      expect((await ask(cgiHidden, '/cgi-bin/.d/x.py', method)).status).toBe("HTTP/1.0 404 No such CGI script ('/cgi-bin/.d/x.py')");
      expect((await ask(cgiHidden, '/cgi-bin/%2esecret.py', method)).status).toMatch(/^HTTP\/1.0 404 No such CGI script/);
    }
    expect(await run(cgiHidden, '/cgi-bin/run.py')).toMatch(/^HTTP\/1.0 200 Script output follows\r\n[^]*\nran\n$/);
    expect((await ask(cgiHidden, '/.env', 'POST', 'x')).status).toBe('HTTP/1.0 501 Can only POST to CGI scripts');
    expect((await ask(cgiHidden, '/.env')).status).toBe('HTTP/1.0 404 File not found');
  });
});

describe('showHidden on (CPython; the CLI without --hide-dotfiles)', () => {
  it.each(['/.env', '/.git/config', '/a/.env', '/%2Eenv', '/a/.hidden-dir/x.txt', '/.link'])('GET %s → 200', async (target) => {
    expect((await ask(shown, target)).status).toBe('HTTP/1.0 200 OK');
  });

  it('a folder without its slash is redirected, as CPython does', async () => {
    expect((await ask(shown, '/.git')).status).toBe('HTTP/1.0 301 Moved Permanently');
  });

  it('CGI runs a hidden script', async () => {
    expect(await run(cgiShown, '/cgi-bin/.secret.py')).toMatch(/^HTTP\/1.0 200 Script output follows\r\n[^]*\nran\n$/);
  });
});
