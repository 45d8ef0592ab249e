// Tests for app-protocol.ts in plain Node: the app:// scheme's path containment, content
// types, statuses and headers, against a temporary renderer folder with a secret beside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  APP_INDEX_URL,
  APP_ORIGIN,
  APP_SCHEME_PRIVILEGES,
  createAppProtocolHandler,
  resolveAppRequest,
} from './app-protocol';
import { CONTENT_SECURITY_POLICY } from './window';

let dir: string;
let root: string;
let handler: ReturnType<typeof createAppProtocolHandler>;

const get = (url: string, method = 'GET') => handler({ url, method });

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'servedir-app-protocol-'));
  root = path.join(dir, 'renderer');
  await fsp.mkdir(path.join(root, 'assets'), { recursive: true });
  await fsp.writeFile(path.join(root, 'index.html'), '<!doctype html><title>Servedir</title>');
  await fsp.writeFile(path.join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  await fsp.writeFile(path.join(root, 'assets', 'index-abc.css'), 'body{}');
  await fsp.writeFile(path.join(root, 'assets', 'odd name é.svg'), '<svg/>');
  await fsp.writeFile(path.join(root, 'assets', 'tool.exe'), 'MZ');
  await fsp.writeFile(path.join(root, '.env'), 'SECRET=1');
  await fsp.writeFile(path.join(dir, 'secret.txt'), 'outside the renderer folder');
  await fsp.writeFile(path.join(dir, 'renderer-evil.html'), 'sibling with a shared prefix');
  handler = createAppProtocolHandler(root);
});

afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('app:// scheme', () => {
  it('is app://servedir, privileged as standard and secure, without bypassCSP or CORS', () => {
    expect(APP_ORIGIN).toBe('app://servedir');
    expect(APP_INDEX_URL).toBe('app://servedir/index.html');
    expect(APP_SCHEME_PRIVILEGES).toEqual({ standard: true, secure: true, supportFetchAPI: true });
  });

  it('serves index.html (also for /) with its content type, the CSP and nosniff', async () => {
    for (const url of [APP_INDEX_URL, `${APP_ORIGIN}/`, `${APP_ORIGIN}`, `${APP_INDEX_URL}?x=1#top`]) {
      const res = await get(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toBe('<!doctype html><title>Servedir</title>');
    }
  });

  it('serves assets with their content types, percent-encoded names decoded', async () => {
    const js = await get(`${APP_ORIGIN}/assets/index-abc.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');
    expect((await get(`${APP_ORIGIN}/assets/index-abc.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const svg = await get(`${APP_ORIGIN}/assets/odd%20name%20%C3%A9.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
  });

  it('HEAD has the headers and no body; other methods get 405', async () => {
    const head = await get(APP_INDEX_URL, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String('<!doctype html><title>Servedir</title>'.length));
    expect(await head.text()).toBe('');
    for (const m of ['POST', 'PUT', 'DELETE', 'OPTIONS']) expect((await get(APP_INDEX_URL, m)).status, m).toBe(405);
  });

  it('traversal attempts never leave the renderer folder', async () => {
    const attempts = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/..%2Fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets%5c..%5c..%5csecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/%252e%252e/secret.txt',
      '/..%00/secret.txt',
      '/index.html%00.js',
      '//secret.txt',
      '/assets//index-abc.js',
      `/${encodeURIComponent(path.join(dir, 'secret.txt'))}`,
      '/C:%5cWindows%5cwin.ini',
      '/../renderer-evil.html',
      '/%2e%2e/renderer-evil.html',
      '/.env',
      '/%2eenv',
      '/assets/.',
      '/%',
      '/%E0%A4%A',
    ];
    for (const p of attempts) {
      const res = await get(`${APP_ORIGIN}${p}`);
      const body = await res.text();
      expect(body, p).not.toContain('outside');
      expect(body, p).not.toContain('sibling');
      expect(body, p).not.toContain('SECRET');
      // The URL parser folds literal and %2e dot segments ("/../secret.txt" is
      // "/secret.txt" inside the folder, which does not exist): 404 either way.
      expect([400, 404], p).toContain(res.status);
    }
  });

  it('another host or scheme, credentials in the URL, a folder, a missing file, an unknown type: 404', async () => {
    for (const url of [
      'app://other/index.html',
      'app://servedir:8080/index.html',
      'app://user:pw@servedir/index.html',
      'file:///etc/passwd',
      'http://servedir/index.html',
      `${APP_ORIGIN}/assets`,
      `${APP_ORIGIN}/assets/`,
      `${APP_ORIGIN}/missing.js`,
      `${APP_ORIGIN}/assets/tool.exe`,
    ]) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      expect(res.headers.get('content-security-policy'), url).toBe(CONTENT_SECURITY_POLICY);
    }
    expect((await get('not a url')).status).toBe(400);
  });

  it('resolveAppRequest: the file under the root, or a status (pure, no file system)', () => {
    expect(resolveAppRequest('GET', `${APP_ORIGIN}/assets/a.js`, '/r')).toEqual({
      ok: true,
      file: path.join('/r', 'assets', 'a.js'),
      contentType: 'text/javascript; charset=utf-8',
    });
    expect(resolveAppRequest('GET', `${APP_ORIGIN}/A.HTML`, '/r')).toMatchObject({ ok: true, contentType: 'text/html; charset=utf-8' });
    expect(resolveAppRequest('GET', `${APP_ORIGIN}/..%2f..%2fetc/passwd`, '/r')).toEqual({ ok: false, status: 404 });
    expect(resolveAppRequest('GET', `${APP_ORIGIN}/%ZZ.js`, '/r')).toEqual({ ok: false, status: 400 });
    expect(resolveAppRequest('PATCH', APP_INDEX_URL, '/r')).toEqual({ ok: false, status: 405 });
  });

  it('a read that fails is a 404, never an exception', async () => {
    const failing = createAppProtocolHandler(root, async () => {
      throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    });
    const res = await failing({ url: APP_INDEX_URL, method: 'GET' });
    expect(res.status).toBe(404);
  });
});
