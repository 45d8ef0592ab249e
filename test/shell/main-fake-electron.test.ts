// The BUILT Electron main (out/main/main.cjs) and preload (out/preload/preload.cjs),
// loaded in plain Node with `require('electron')` answered by the FAKE electron module
// (test/fake-electron/fake-electron.ts). Checks the wiring Electron would exercise: the
// secure window loaded from app://servedir/ (the built main's scheme handler serving
// out/renderer), CSP header, navigation and window.open denied, the preload's API doing
// a full IPC round trip into the real service, the real host child started through
// "utilityProcess.fork", and stopped when the app quits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { promises as fsp, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createFakeElectron, type FakeBrowserWindow, type FakeState } from '../fake-electron/fake-electron';
import { freePort } from '../../server/host/net-info';
import { HOST_CJS, MAIN_CJS, PRELOAD_CJS, RENDERER_INDEX, requireBuilt } from './built';
import { decodeLogColumns, type ServedirApi, type ServerStatus, type LogBatch } from '../../electron/ipc-contract';
import { TRAY_ICONS } from '../../electron/tray-icons';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";

// Node's CJS loader internals, to answer require('electron') with the fake.
const Module = createRequire(import.meta.url)('node:module') as {
  _load: (request: string, parent: unknown, isMain: boolean) => unknown;
};

let dir: string;
let share: string;
let state: FakeState;
let win: FakeBrowserWindow;
let api: ServedirApi;
let originalLoad: typeof Module._load;
/** What require('electron') answers: the fake of the app instance being loaded. */
let electronForMain: Record<string, unknown>;
let fakeApp: { fakeReady(): void; fakeEmit(ev: string, ...a: unknown[]): boolean; quit(): void };

async function until<T>(fn: () => T | undefined | null | false, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  requireBuilt(MAIN_CJS, HOST_CJS, PRELOAD_CJS, RENDERER_INDEX);
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'servedir-main-'));
  share = path.join(dir, 'share');
  await fsp.mkdir(share);
  await fsp.writeFile(path.join(share, 'hello.txt'), 'hello from the shared folder');
  const fake = createFakeElectron(path.join(dir, 'user-data'));
  state = fake.state;
  fakeApp = fake.electron['app'] as typeof fakeApp;
  originalLoad = Module._load;
  electronForMain = fake.electron;
  Module._load = function (request, parent, isMain) {
    if (request === 'electron') return electronForMain;
    return originalLoad.call(this, request, parent, isMain);
  };
  createRequire(import.meta.url)(MAIN_CJS);
  fakeApp.fakeReady();
  win = await until(() => state.windows[0]?.renderer && state.windows[0], 'the window and its preload');
  api = win.renderer!.window['servedir'] as ServedirApi;
});

afterAll(async () => {
  Module._load = originalLoad;
  for (const c of state?.children ?? []) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('built main.cjs with a fake electron', () => {
  it('creates one window with the secure webPreferences and our preload', () => {
    expect(state.windows).toHaveLength(1);
    const prefs = win.options.webPreferences!;
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true });
    expect(prefs['preload']).toBe(PRELOAD_CJS);
    // The page comes from the app's own scheme, never from file://.
    expect(win.loadedUrl).toBe('app://servedir/index.html');
    expect(win.loadedFile).toBeNull();
    expect(win.shown).toBe(true);
  });

  it('registers app:// as privileged before ready, and serves the built renderer through protocol.handle', async () => {
    expect(state.privilegedSchemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect([...state.protocolHandlers.keys()]).toEqual(['app']);
    // The page the window got is the built index.html, with the same CSP as its meta tag.
    const page = win.loadedResponse!;
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toBe(readFileSync(RENDERER_INDEX, 'utf8'));
    expect(page.headers.get('content-security-policy')).toBe(CSP);
    expect(page.text).toContain(`content="${CSP}"`);
    // Everything the page references loads from the scheme, relative to the page's URL.
    const handler = state.protocolHandlers.get('app')!;
    const refs = [...page.text.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((r) => !r.startsWith('data:'));
    expect(refs.length).toBeGreaterThanOrEqual(2);
    for (const ref of refs) {
      const url = new URL(ref, win.loadedUrl!).href;
      expect(url.startsWith('app://servedir/assets/'), url).toBe(true);
      const res = await handler(new Request(url));
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type'), url).toMatch(/^text\/(javascript|css); charset=utf-8$/);
    }
    // Nothing beside the renderer folder: not the main bundle, not the preload.
    for (const p of ['/../main/main.cjs', '/%2e%2e/main/main.cjs', '/..%2fmain%2fmain.cjs', '/..%2f..%2fpackage.json', '/..%5cpreload%5cpreload.cjs']) {
      const res = await handler(new Request('app://servedir' + p));
      expect(res.status, p).toBe(404);
    }
  });

  it('installs the CSP response header and denies every permission but clipboard writes', () => {
    const ses = win.webContents.session;
    let headers: Record<string, string[]> | undefined;
    ses.headersListener!({ responseHeaders: { 'Content-Type': ['text/html'] } }, (r) => {
      headers = (r as { responseHeaders: Record<string, string[]> }).responseHeaders;
    });
    expect(headers!['Content-Security-Policy']).toEqual([CSP]);
    expect(headers!['Content-Type']).toEqual(['text/html']);
    const ask = (wc: unknown, permission: string): boolean => {
      let granted: boolean | null = null;
      ses.permissionRequestHandler!(wc, permission, (ok) => (granted = ok));
      return granted!;
    };
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      expect(ask(win.webContents, p), p).toBe(false);
      expect(ses.permissionCheckHandler!(win.webContents, p), p).toBe(false);
    }
    // The Copy buttons use navigator.clipboard.writeText; only our own window may.
    expect(ask(win.webContents, 'clipboard-sanitized-write')).toBe(true);
    expect(ses.permissionCheckHandler!(win.webContents, 'clipboard-sanitized-write')).toBe(true);
    expect(ask({ other: 'webContents' }, 'clipboard-sanitized-write')).toBe(false);
  });

  it('denies navigation and window.open', () => {
    expect(win.webContents.tryNavigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(win.webContents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('the preload exposes one object built from the contract, requiring only electron', () => {
    expect(Object.keys(win.renderer!.window)).toEqual(['servedir']);
    expect(Object.keys(api.invoke).sort()).toEqual([...state.ipcHandlers.keys()].sort());
    expect(typeof api.on).toBe('function');
    expect(api.pathForFile({ fakePath: '/x/y' } as unknown as File)).toBe('/x/y');
  });

  it('IPC round trip: window.servedir.invoke → ipcRenderer → ipcMain handler → real service', async () => {
    const settings = await api.invoke['settings:get']();
    expect(settings).toMatchObject({ directory: '', port: 8000, bind: '', protocolVersion: 'HTTP/1.0' });
    const info = await api.invoke['app:info']();
    expect(info).toMatchObject({ transport: 'electron', version: '0.0.0-fake' });
    // A bad payload is refused by the gateway, not by the service.
    const bad = await (api.invoke['settings:update'] as (...a: unknown[]) => Promise<unknown>)({ port: 'eighty' });
    expect(bad).toMatchObject({ ok: false, code: 'APP_ERR_INVALID_PAYLOAD' });
  });

  it('dialog:choose-folder opens the native folder picker on the window', async () => {
    expect(await api.invoke['dialog:choose-folder']()).toEqual({ ok: true, value: null });
    state.nextDialogPaths = [share];
    expect(await api.invoke['dialog:choose-folder']()).toEqual({ ok: true, value: share });
    state.nextDialogPaths = null;
    const [parent, options] = state.dialogCalls[1]!;
    expect(parent).toBe(win);
    expect(options).toEqual({ properties: ['openDirectory', 'createDirectory'] });
  });

  it('a frame that navigated away is no longer trusted', async () => {
    const frame = win.webContents.mainFrame;
    const ours = frame.url;
    frame.url = 'https://evil.example/';
    await expect(api.invoke['settings:get']()).rejects.toThrow(/did not come from its own window/);
    // The same page opened from file:// is not ours either: only app://servedir/index.html is.
    frame.url = pathToFileURL(RENDERER_INDEX).href;
    await expect(api.invoke['settings:get']()).rejects.toThrow(/did not come from its own window/);
    frame.url = ours;
    expect(ours).toBe('app://servedir/index.html');
  });

  it('shares a folder: the host starts through utilityProcess.fork and serves real HTTP; logs arrive after app:ready', async () => {
    const statuses: ServerStatus[] = [];
    const batches: LogBatch[] = [];
    api.on('server:status', (s) => statuses.push(s));
    api.on('log:batch', (b) => batches.push(b));
    const upd = await api.invoke['settings:update']({ directory: share, port: await freePort('127.0.0.1'), bind: '127.0.0.1' });
    expect(upd.ok).toBe(true);
    const started = await api.invoke['server:start']();
    if (!started.ok) throw new Error(started.message);
    const running = started.value as Extract<ServerStatus, { state: 'running' }>;
    expect(running.state).toBe('running');
    expect(state.forkCalls).toHaveLength(1);
    expect(state.forkCalls[0]!.modulePath).toBe(HOST_CJS);
    const res = await fetch(`http://127.0.0.1:${running.port}/hello.txt`);
    expect(await res.text()).toBe('hello from the shared folder');
    expect(statuses.map((s) => s.state)).toEqual(['starting', 'running']);
    await api.invoke['app:ready']();
    const entry = await until(() => batches.flatMap((b) => decodeLogColumns(b.columns)).find((e) => e.path === '/hello.txt'), 'the request in a log batch');
    expect(entry).toMatchObject({ status: 200, method: 'GET' });
    // Our own server's URL may be opened; anything else may not.
    expect(await api.invoke['shell:open-url'](`http://127.0.0.1:${running.port}/`)).toEqual({ ok: true, value: null });
    expect(await api.invoke['shell:open-url']('https://evil.example/')).toMatchObject({ ok: false, code: 'APP_ERR_URL_NOT_ALLOWED' });
    expect(state.openedExternal).toEqual([`http://127.0.0.1:${running.port}/`]);
  });

  it('a second instance focuses the existing window', () => {
    const before = win.focused;
    fakeApp.fakeEmit('second-instance', {}, [], '');
    expect(win.focused).toBe(before + 1);
  });

  // Keeps running (issue 11 part 5): the tray, the close question, the sleep blocker.
  it('the tray shows that the folder is shared, and offers Stop sharing', () => {
    expect(state.trays).toHaveLength(1);
    const tray = state.trays[0]!;
    expect(tray.tooltip).toMatch(/^Servedir: Sharing at http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(tray.image.dataURL).toBe(TRAY_ICONS.sharing.x1);
    expect(tray.image.representations).toEqual([{ scaleFactor: 2, dataURL: TRAY_ICONS.sharing.x2 }]);
    expect(tray.menu.map((i) => i.label ?? '—')).toEqual([tray.tooltip.slice('Servedir: '.length), '—', 'Show Servedir', 'Stop sharing', '—', 'Quit Servedir']);
    expect(tray.menu.find((i) => i.label === 'Stop sharing')!.enabled).toBe(true);
  });

  it('while sharing, the computer is kept from sleeping (preventSleep is on by default)', () => {
    expect(state.powerSaveBlocks).toEqual([{ id: 100, type: 'prevent-app-suspension', stopped: false }]);
  });

  it('closing the window while sharing asks once; after "Keep sharing" the window closes, the app stays and still serves', async () => {
    state.nextMessageBoxResponse = 0; // "Keep sharing"
    const status = (await api.invoke['server:status']()) as Extract<ServerStatus, { state: 'running' }>;
    win.close();
    await until(() => win.isDestroyed(), 'the window to close after the answer');
    expect(state.messageBoxes).toHaveLength(1);
    const [parent, options] = state.messageBoxes[0]!;
    expect(parent).toBe(win);
    expect(options).toMatchObject({ message: 'Keep sharing when the window is closed?', buttons: ['Keep sharing', 'Stop sharing', 'Cancel'] });
    expect(state.quitted).toBe(false);
    // A real request is still answered by the host, with no window.
    const res = await fetch(`http://127.0.0.1:${status.port}/hello.txt`);
    expect(await res.text()).toBe('hello from the shared folder');
    // The answer is remembered in the settings file.
    const saved = JSON.parse(readFileSync(path.join(state.userDataDir, 'settings.json'), 'utf8')) as Record<string, unknown>;
    expect(saved['closeWhileSharing']).toBe('keep');
    expect(state.powerSaveBlocks.filter((b) => !b.stopped)).toHaveLength(1);
  });

  it('the tray’s Show opens the window again; closing it again does not ask', async () => {
    state.trays[0]!.fakeClick('Show Servedir');
    win = await until(() => state.windows[1]?.renderer && state.windows[1], 'a new window');
    api = win.renderer!.window['servedir'] as ServedirApi;
    expect(await api.invoke['settings:get']()).toMatchObject({ closeWhileSharing: 'keep' });
    win.close();
    expect(win.isDestroyed()).toBe(true);
    expect(state.messageBoxes).toHaveLength(1);
    state.trays[0]!.fakeClick('Show Servedir');
    win = await until(() => state.windows[2]?.renderer && state.windows[2], 'a third window');
    api = win.renderer!.window['servedir'] as ServedirApi;
  });

  it('the tray’s Stop sharing stops the host serving, lets the computer sleep, and changes the menu', async () => {
    const status = (await api.invoke['server:status']()) as Extract<ServerStatus, { state: 'running' }>;
    state.trays[0]!.fakeClick('Stop sharing');
    const tray = await until(() => state.trays[0]!.tooltip === 'Servedir: Not sharing' && state.trays[0], 'the tray to say Not sharing');
    expect(tray.image.dataURL).toBe(TRAY_ICONS.idle.x1);
    expect(tray.menu.find((i) => i.label === 'Stop sharing')!.enabled).toBe(false);
    expect(state.powerSaveBlocks).toEqual([{ id: 100, type: 'prevent-app-suspension', stopped: true }]);
    await expect(fetch(`http://127.0.0.1:${status.port}/hello.txt`)).rejects.toThrow();
  });

  it('the tray’s Quit quits for real while sharing, stopping the host process cleanly first, without asking', async () => {
    const started = await api.invoke['server:start']();
    expect(started.ok).toBe(true);
    expect(state.powerSaveBlocks.at(-1)).toMatchObject({ type: 'prevent-app-suspension', stopped: false });
    const child = state.children.at(-1)!;
    const exited = new Promise<number | null>((r) =>
      child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code)),
    );
    state.trays[0]!.fakeClick('Quit Servedir');
    expect(await exited).toBe(0);
    await until(() => state.quitted, 'the app to quit after stopping the host');
    expect(state.messageBoxes).toHaveLength(1);
    expect(state.errorBoxes).toEqual([]);
  });
});

describe('built main.cjs: "Share the folder when Servedir opens"', () => {
  let state2: FakeState;
  let dir2: string;
  afterAll(async () => {
    for (const c of state2?.children ?? []) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    if (dir2) await fsp.rm(dir2, { recursive: true, force: true });
  });

  it('with the setting on and a folder saved, a fresh start shares at once', async () => {
    dir2 = await fsp.mkdtemp(path.join(os.tmpdir(), 'servedir-main-open-'));
    const userData = path.join(dir2, 'user-data');
    await fsp.mkdir(userData);
    const port = await freePort('127.0.0.1');
    await fsp.writeFile(
      path.join(userData, 'settings.json'),
      JSON.stringify({ directory: share, port, bind: '127.0.0.1', shareOnOpen: true }),
    );
    const fake = createFakeElectron(userData);
    state2 = fake.state;
    const app2 = fake.electron['app'] as typeof fakeApp;
    // A fresh main.cjs (its module state is per app) answered by a second fake.
    const req = createRequire(import.meta.url);
    delete req.cache[MAIN_CJS];
    electronForMain = fake.electron;
    req(MAIN_CJS);
    app2.fakeReady();
    await until(() => state2.trays[0]?.tooltip.startsWith('Servedir: Sharing at'), 'sharing to start by itself', 15_000);
    expect(state2.forkCalls).toHaveLength(1);
    const res = await fetch(`http://127.0.0.1:${port}/hello.txt`);
    expect(await res.text()).toBe('hello from the shared folder');
    expect(state2.powerSaveBlocks).toHaveLength(1);
    const child = state2.children[0]!;
    const exited = new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));
    app2.quit();
    expect(await exited).toBe(0);
    await until(() => state2.quitted, 'the second app to quit');
  });
});
