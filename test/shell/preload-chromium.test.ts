// The real window (out/renderer) in real Chromium, talking through the REAL built preload
// (out/preload/preload.cjs) to the real shell: the Electron transport, as close as this
// machine allows (toolchain.md §10.4). The preload runs before the page's scripts with a
// FAKE `require('electron')` shim: contextBridge puts the API on window, ipcRenderer
// reaches Node through page.exposeFunction, and the Node side answers through the real
// IPC gateway (sender + payload checks) and the real service, host process and engine.
// What differs from Electron: no contextIsolation/sandbox, and the page is served over
// http://127.0.0.1 instead of file://.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as http from 'node:http';
import { existsSync, promises as fsp, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import mime from 'mime-types';
import { composeShell, type Shell } from '../../electron/compose';
import { nodeFork } from '../../electron/server-host';
import { registerInvokeHandlers, trustOnlyMainFrame, type IpcLike, type InvokeEventLike } from '../../electron/ipc-gateway';
import { CONTENT_SECURITY_POLICY } from '../../electron/window';
import { HOST_CJS, OUT, PRELOAD_CJS, RENDERER_INDEX, requireBuilt } from './built';

const CHROMIUM = '/usr/bin/chromium';
const T = 20_000;
const noChromium = !existsSync(CHROMIUM);
if (noChromium) console.warn(`preload-chromium skipped: ${CHROMIUM} is not installed (apt-get install chromium).`);

let dir: string;
let share: string;
let shell: Shell;
let browser: Browser;
let page: Page;
let staticServer: http.Server;
let pageUrl: string;
const pageErrors: string[] = [];
const cspViolations: string[] = [];
const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
const opened: string[] = [];

/** The page's main frame as the gateway sees it (Electron's senderFrame). */
const frame = { url: '' };

/** Serves out/renderer with the same CSP Electron's session adds. */
function serveRenderer(): Promise<string> {
  const root = path.join(OUT, 'renderer');
  staticServer = http.createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(root, p.endsWith('/') ? p + 'index.html' : p);
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': mime.contentType(path.extname(file)) || 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    });
    res.end(readFileSync(file));
  });
  return new Promise((r) => staticServer.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(staticServer.address() as { port: number }).port}/`)));
}

/** Runs before every page script: a fake `require('electron')`, then the built preload. */
function initScript(preloadSource: string): string {
  return `(() => {
  const listeners = new Map();
  window.__fakeIpcDeliver = (channel, payload) => {
    for (const l of listeners.get(channel) ?? []) l({}, payload);
  };
  const electron = {
    contextBridge: { exposeInMainWorld: (key, api) => { Object.defineProperty(window, key, { value: api }); } },
    ipcRenderer: {
      invoke: (channel, ...args) => window.__fakeIpcInvoke(channel, args).then((r) => {
        if (r && r.__thrown) throw new Error(r.__thrown);
        return r.value;
      }),
      on: (channel, l) => { if (!listeners.has(channel)) listeners.set(channel, new Set()); listeners.get(channel).add(l); },
      removeListener: (channel, l) => { listeners.get(channel)?.delete(l); },
    },
    webUtils: { getPathForFile: (file) => file.__fakePath ?? '' },
  };
  const require = (id) => { if (id === 'electron') return electron; throw new Error('sandboxed preload cannot require ' + id); };
  const module = { exports: {} };
  (function (require, module, exports) {
${preloadSource}
  })(require, module, module.exports);
})();`;
}

beforeAll(async () => {
  if (noChromium) return;
  requireBuilt(PRELOAD_CJS, HOST_CJS, RENDERER_INDEX);
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'servedir-preload-'));
  share = path.join(dir, 'Holiday photos');
  await fsp.mkdir(share);
  await fsp.writeFile(path.join(share, 'beach.txt'), 'sand and sea');
  await fsp.chmod(dir, 0o755);
  await fsp.chmod(share, 0o755);

  pageUrl = await serveRenderer();
  frame.url = pageUrl;
  shell = await composeShell({
    userDataDir: path.join(dir, 'user-data'),
    fork: nodeFork,
    hostEntry: HOST_CJS,
    emit: (channel, payload) => {
      void page?.evaluate(([c, p]) => (window as unknown as { __fakeIpcDeliver(c: unknown, p: unknown): void }).__fakeIpcDeliver(c, p), [channel, payload] as const).catch(() => {});
    },
    transport: 'electron',
    version: '0.0.0-test',
    chooseFolder: async () => share,
    openExternal: async (u) => void opened.push(u),
  });
  const ipc: IpcLike = { handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) };
  registerInvokeHandlers(ipc, shell.service.handlers, trustOnlyMainFrame(() => ({ webContents: { mainFrame: frame }, isDestroyed: () => false }), pageUrl));

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.exposeFunction('__fakeIpcInvoke', async (channel: string, args: unknown[]) => {
    const h = handlers.get(channel);
    if (!h) return { __thrown: `No handler registered for '${channel}'` };
    try {
      return { value: await h({ senderFrame: frame }, ...args) };
    } catch (err) {
      return { __thrown: (err as Error).message };
    }
  });
  await page.addInitScript(initScript(readFileSync(PRELOAD_CJS, 'utf8')));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await shell?.service.shutdown();
  staticServer?.close();
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

/** Waits for `p`, but fails as soon as the page throws (e.g. a render loop) instead of timing out. */
async function unlessCrashed(p: Promise<unknown>): Promise<void> {
  let done = false;
  p.catch(() => {});
  const watch = (async () => {
    while (!done) {
      assertNotCrashed();
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    await Promise.race([p, watch]);
  } finally {
    done = true;
  }
}
function assertNotCrashed(): void {
  if (pageErrors.length > 0) throw new Error(`The window threw in Electron mode: ${pageErrors[0]}`);
}

describe.skipIf(noChromium)('real window + built preload (Electron transport) in Chromium', () => {
  it('loads with window.servedir from the preload and shows the Electron-only folder picker', async () => {
    await page.goto(pageUrl);
    await unlessCrashed(page.getByTestId('status-pill').filter({ hasText: 'Not sharing' }).waitFor({ timeout: T }));
    expect(await page.evaluate(() => Object.keys((window as unknown as { servedir: { invoke: object } }).servedir.invoke).length)).toBe(handlers.size);
    await page.locator('button:has-text("Choose…")').waitFor({ timeout: T });
  });

  it('Choose… → native picker (injected) fills the folder; Share serves it over real HTTP', async () => {
    assertNotCrashed();
    await page.click('button:has-text("Choose…")');
    await expect.poll(() => page.inputValue('#folder-input'), { timeout: T }).toBe(share);
    await page.click('button:has-text("Use a free port")');
    await expect.poll(async () => Number(await page.inputValue('#port-input')), { timeout: T }).toBeGreaterThan(1023);
    await page.selectOption('#bind-select', '127.0.0.1');
    await page.click('button:has-text("Share this folder")');
    await page.getByTestId('status-pill').filter({ hasText: /Sharing on port \d+/ }).waitFor({ timeout: T });
    const status = shell.service.status();
    if (status.state !== 'running') throw new Error(`not running: ${JSON.stringify(status)}`);
    expect(await (await fetch(`http://127.0.0.1:${status.port}/beach.txt`)).text()).toBe('sand and sea');
    // The request reaches the window's log through host batch → service → webContents.send → preload.
    await page.locator('.log-row', { hasText: '/beach.txt' }).first().waitFor({ timeout: T });
  });

  it('clicking a share address opens it in the default browser through shell:open-url', async () => {
    assertNotCrashed();
    const link = page.locator('.url-link').first();
    const url = (await link.textContent())!.trim();
    await link.click();
    await expect.poll(() => opened, { timeout: T }).toEqual([url]);
    expect(page.url()).toBe(pageUrl);
  });

  it('a page that is not ours (another URL in the frame) is refused by the gateway', async () => {
    const real = frame.url;
    frame.url = 'http://127.0.0.1:1/evil.html';
    const err = await page.evaluate(async () => {
      try {
        await (window as unknown as { servedir: { invoke: Record<string, () => Promise<unknown>> } }).servedir.invoke['settings:get']!();
        return null;
      } catch (e) {
        return (e as Error).message;
      }
    });
    frame.url = real;
    expect(err).toMatch(/did not come from its own window/);
  });

  it('had no page errors and no CSP violations', () => {
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
