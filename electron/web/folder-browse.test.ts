// The browser mode's folder browser (`folder:browse`) through the control server, in-process,
// against the real app-service handlers: the session cookie is required, bad input is
// refused before any folder is touched, and only folder names ever come back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as http from 'node:http';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AppService } from '../app-service';
import { createFakeEngine } from '../test-support/fake-host-process';
import { webAppService } from '../test-support/web-app-service';
import { startControlServer, type ControlServer } from './control-server';
import { invokeValidators, isFullPathString, MAX_PATH_LENGTH, type FolderListing } from '../ipc-contract';

let dir: string;
let home: string;
let server: ControlServer;
let service: AppService;
let session: string;

function request(method: string, pathname: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, method, path: pathname, headers: { Host: `127.0.0.1:${server.port}`, ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const browse = (args: unknown[], headers: Record<string, string> = { Cookie: session }) =>
  request('POST', '/api/invoke/folder:browse', { 'Content-Type': 'application/json', ...headers }, JSON.stringify({ args }));

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'servedir-browse-'));
  home = path.join(dir, 'home');
  for (const d of ['Documents', 'Pictures', '.cache', 'Pictures/Holiday 2026']) await fsp.mkdir(path.join(home, d), { recursive: true });
  await fsp.writeFile(path.join(home, 'notes.txt'), 'private words');
  await fsp.mkdir(path.join(dir, 'renderer'));
  await fsp.writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>Servedir</title>');
  service = await webAppService({
    engine: createFakeEngine(),
    userData: path.join(dir, 'user-data'),
    suggestedFolder: home,
    emit: (ch, p) => server.broadcast(ch, p),
    home,
  });
  server = await startControlServer({ handlers: service.handlers, rendererDir: path.join(dir, 'renderer') });
  const signIn = new URL(server.issueLink(60_000));
  const reply = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: server.port, path: signIn.pathname + signIn.search, headers: { Host: `127.0.0.1:${server.port}` } }, resolve)
      .on('error', reject);
  });
  reply.resume();
  session = reply.headers['set-cookie']![0]!.split(';')[0]!;
});

afterAll(async () => {
  await service.shutdown();
  await server.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('folder:browse over the control server', () => {
  it('lists the home folder (path null) for a signed-in window: folder names only, hidden ones left out', async () => {
    const r = await browse([{ path: null, showHidden: false }]);
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body) as { ok: true; value: { ok: true; value: FolderListing } };
    expect(body.value.ok).toBe(true);
    const listing = body.value.value;
    expect(listing.path).toBe(home);
    expect(listing.home).toBe(home);
    expect(listing.folders.map((f) => f.name)).toEqual(['Documents', 'Pictures']);
    expect(listing.hiddenLeftOut).toBe(1);
    expect(r.body).not.toContain('notes.txt');
    expect(r.body).not.toContain('private words');
  });

  it('goes into a folder, shows hidden ones when asked, and up to the parent', async () => {
    const inside = JSON.parse((await browse([{ path: path.join(home, 'Pictures'), showHidden: false }])).body).value.value as FolderListing;
    expect(inside.folders.map((f) => f.name)).toEqual(['Holiday 2026']);
    expect(inside.parent).toBe(home);
    const hidden = JSON.parse((await browse([{ path: home, showHidden: true }])).body).value.value as FolderListing;
    expect(hidden.folders.map((f) => f.name)).toEqual(['.cache', 'Documents', 'Pictures']);
  });

  it('refuses a window that is not signed in, and a request another site made (403, nothing listed)', async () => {
    const refused: Record<string, string>[] = [{}, { Cookie: 'servedir-session-1=nope' }, { Cookie: session, 'Sec-Fetch-Site': 'cross-site' }, { Cookie: session, 'Sec-Fetch-Site': 'same-site' }];
    for (const headers of refused) {
      const r = await browse([{ path: home, showHidden: true }], headers);
      expect(r.status).toBe(403);
      expect(r.body).not.toContain('Documents');
    }
    const foreignOrigin = await browse([{ path: home, showHidden: false }], { Cookie: session, Origin: 'http://evil.example' });
    expect(foreignOrigin.status).toBe(403);
  });

  it('refuses bad input with 400 before touching any folder: relative, NUL, too long, wrong shape', async () => {
    const bad: unknown[][] = [
      [],
      [{ path: 'Documents', showHidden: false }],
      [{ path: '../etc', showHidden: false }],
      [{ path: '', showHidden: false }],
      [{ path: `${home}\0/x`, showHidden: false }],
      [{ path: '/' + 'a'.repeat(MAX_PATH_LENGTH), showHidden: false }],
      [{ path: home }],
      [{ path: home, showHidden: 'yes' }],
      [{ path: home, showHidden: false, readFiles: true }],
      [home],
      [{ path: home, showHidden: false }, 'extra'],
    ];
    for (const args of bad) {
      const r = await browse(args);
      expect(r.status, JSON.stringify(args).slice(0, 80)).toBe(400);
      expect(JSON.parse(r.body)).toEqual({
        ok: false,
        error: 'Servedir received a request (folder:browse) it could not understand, so nothing was changed.',
      });
    }
    const get = await request('GET', '/api/invoke/folder:browse', { Cookie: session });
    expect(get.status).toBe(405);
  });

  it('a path shaped for another OS, a missing folder and a file are answered in plain words', async () => {
    const win = JSON.parse((await browse([{ path: 'C:\\Users', showHidden: false }])).body).value;
    expect(win).toMatchObject({ ok: false, code: 'SRV_ERR_DIRECTORY_MISSING' });
    expect(win.message).toMatch(/^Type the full path of the folder/);
    const gone = JSON.parse((await browse([{ path: path.join(home, 'Gone'), showHidden: false }])).body).value;
    expect(gone).toMatchObject({ ok: false, code: 'SRV_ERR_DIRECTORY_MISSING', message: `The folder ${path.join(home, 'Gone')} does not exist. It may have been moved or deleted.` });
    const file = JSON.parse((await browse([{ path: path.join(home, 'notes.txt'), showHidden: false }])).body).value;
    expect(file).toMatchObject({ ok: false, code: 'SRV_ERR_DIRECTORY_NOT_A_DIRECTORY' });
    expect(JSON.stringify(file)).not.toContain('private words');
  });
});

describe('folder:browse validator', () => {
  it('takes full paths of every OS, and null for home', () => {
    for (const p of ['/', '/home/ada', 'C:\\Users\\Ada', 'c:/Users', '\\\\nas\\share']) expect(isFullPathString(p), p).toBe(true);
    for (const p of ['', 'home', '~/x', 'C:', 'C:x', '\\x', '/a\0b', 42, null]) expect(isFullPathString(p), String(p)).toBe(false);
    expect(invokeValidators['folder:browse']([{ path: null, showHidden: true }])).toBe(true);
    expect(invokeValidators['folder:browse']([{ path: '/'.repeat(MAX_PATH_LENGTH), showHidden: true }])).toBe(true);
    expect(invokeValidators['folder:browse']([{ path: '/'.repeat(MAX_PATH_LENGTH + 1), showHidden: true }])).toBe(false);
    expect(invokeValidators['folder:browse']([Object.assign(Object.create(null), { path: null, showHidden: true })])).toBe(false);
  });
});
