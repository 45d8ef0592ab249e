// Real-Electron smoke test: launches the app with playwright-core's `_electron` and
// shares a folder. Runs only where an Electron binary is installed
// (node_modules/electron/dist) and a display is available; everywhere else it is
// SKIPPED with the reason printed once. It never passes without running.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { MAIN_CJS, ROOT, requireBuilt } from './built';
import { freePort } from '../../server/host/net-info';

type Choice = { mode: 'electron'; binary: string } | { mode: 'web'; reason: string | null };
const { chooseMode } = (await import(pathToFileURL(path.join(ROOT, 'scripts', 'start.mjs')).href)) as {
  chooseMode: () => Choice;
};
const choice = chooseMode();
const skipReason = choice.mode === 'web' ? choice.reason : null;
if (skipReason) console.warn(`electron-smoke skipped: ${skipReason} (needs node_modules/electron/dist and a display).`);

describe.skipIf(skipReason !== null)('real Electron', () => {
  let app: ElectronApplication;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    requireBuilt(MAIN_CJS);
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'servedir-electron-'));
    await fsp.mkdir(path.join(dir, 'share'));
    await fsp.writeFile(path.join(dir, 'share', 'hello.txt'), 'hello from Electron');
    app = await _electron.launch({
      executablePath: (choice as { binary: string }).binary,
      args: [ROOT],
      env: { ...process.env, SERVEDIR_USER_DATA: path.join(dir, 'user-data') } as Record<string, string>,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    if (dir) await fsp.rm(dir, { recursive: true, force: true });
  });

  it('opens the Servedir window, sandboxed, with only window.servedir exposed', async () => {
    expect(await page.title()).toMatch(/Servedir/);
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { servedir?: unknown }).servedir)).toBe('object');
  });

  it('Share works: the folder is served over HTTP', async () => {
    const port = await freePort('127.0.0.1');
    const share = path.join(dir, 'share');
    const started = await page.evaluate(
      async ([directory, p]) => {
        const api = (globalThis as unknown as { servedir: import('../../electron/ipc-contract').ServedirApi }).servedir;
        await api.invoke['settings:update']({ directory, port: p, bind: '127.0.0.1' });
        return api.invoke['server:start']();
      },
      [share, port] as const,
    );
    expect(started).toMatchObject({ ok: true, value: { state: 'running', port } });
    expect(await (await fetch(`http://127.0.0.1:${port}/hello.txt`)).text()).toBe('hello from Electron');
  });
});
