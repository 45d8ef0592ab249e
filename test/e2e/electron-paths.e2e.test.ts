/**
 * The Electron-only paths of the window, in Chromium with a FAKE preload API
 * (test/e2e/fake-api.ts `installFakeElectronApi`): no Electron binary can run here.
 * Checks the window's side of the contract: Choose… calls `dialog:choose-folder` and
 * checks the answer, a dropped folder goes through `pathForFile` then `folder:check`,
 * recent folders fill the field, and a shared address opens through `shell:open-url`
 * instead of a new window.
 */
import type { Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDefaults } from '../../server/share-settings';
import { installFakeElectronApi } from './fake-api';
import { assertBuilt, launchChromium, RESULTS_DIR, serveRenderer } from './helpers';

let server: Server;
let browser: Browser;
let page: Page;

const calls = () => page.evaluate(() => (globalThis as unknown as { __fakeCalls: Array<{ channel: string; args: unknown[] }> }).__fakeCalls);
const channels = async () => (await calls()).map((c) => c.channel);

beforeAll(async () => {
  assertBuilt();
  mkdirSync(RESULTS_DIR, { recursive: true });
  server = serveRenderer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1000, height: 680 } });
  await page.addInitScript(installFakeElectronApi, appDefaults());
  await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
  await page.locator('#folder-input').waitFor({ timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

describe('window with the Electron transport (fake preload API)', () => {
  it('Choose… asks the native picker and checks the chosen folder', async () => {
    await page.click('button:has-text("Choose…")');
    await page.locator('#folder-msg', { hasText: 'Folder found: 7 items inside.' }).waitFor();
    expect(await page.inputValue('#folder-input')).toBe('/srv/picked');
    expect(await calls()).toEqual(
      expect.arrayContaining([
        { channel: 'dialog:choose-folder', args: [] },
        { channel: 'folder:check', args: ['/srv/picked'] },
      ]),
    );
  });

  it('a folder dropped on the window is resolved with pathForFile and checked', async () => {
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([''], 'Music'));
      for (const type of ['dragenter', 'dragover', 'drop'])
        window.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction(() => (document.getElementById('folder-input') as HTMLInputElement).value === '/srv/dropped/Music');
    expect((await calls()).at(-1)).toEqual({ channel: 'folder:check', args: ['/srv/dropped/Music'] });
  });

  it('a recent folder fills the field', async () => {
    await page.selectOption('select[aria-label="Recent folders"]', '/srv/older');
    await page.waitForFunction(() => (document.getElementById('folder-input') as HTMLInputElement).value === '/srv/older');
  });

  it('puts start failures next to their field, in the words the shell chose', async () => {
    await page.selectOption('#bind-select', '__custom__');
    await page.fill('input[aria-label="Address to listen on"]', '10.99.99.99');
    await page.click('button:has-text("Share this folder")');
    await page.locator('#bind-msg[role="alert"]', { hasText: 'The address 10.99.99.99 is not available on this computer.' }).waitFor();
    await page.selectOption('#bind-select', '');
    expect(await page.locator('#bind-msg[role="alert"]').count()).toBe(0); // cleared on change
  });

  it('a port that needs administrator rights offers port 8000, which then shares', async () => {
    await page.fill('#port-input', '80');
    await page.click('button:has-text("Share this folder")');
    const msg = page.locator('#port-msg[role="alert"]');
    await msg.locator('text=Port 80 needs administrator rights.').waitFor();
    await msg.locator('button', { hasText: 'Use port 8000' }).click();
    await page.locator('.url-link').first().waitFor();
    expect(await page.locator('#port-input').count()).toBe(0); // the form made way for the addresses
  });

  it('Share saves only what changed, then starts; addresses open through shell:open-url', async () => {
    await page.locator('.url-link').first().waitFor();
    const updates = (await calls()).filter((c) => c.channel === 'settings:update').map((c) => c.args[0]);
    expect(updates).toEqual([{ directory: '/srv/older', bind: '10.99.99.99' }, { bind: '', port: 80 }, { port: 8000 }]);
    expect(await channels()).toContain('server:start');
    // LAN first, although the fake lists loopback first.
    expect(await page.locator('.url-link').first().textContent()).toBe('http://192.0.2.7:8000/');
    const pagesBefore = browser.contexts()[0]!.pages().length;
    await page.locator('.url-link').first().click();
    await expect.poll(async () => (await calls()).at(-1)).toEqual({ channel: 'shell:open-url', args: ['http://192.0.2.7:8000/'] });
    expect(browser.contexts()[0]!.pages().length).toBe(pagesBefore); // no window.open
  });

  it('says so when the saved settings file was damaged and set aside, until dismissed', async () => {
    const p2 = await browser.newPage({ viewport: { width: 900, height: 640 } });
    try {
      await p2.addInitScript(installFakeElectronApi, appDefaults());
      await p2.addInitScript(() => {
        const h = (globalThis as unknown as { __fakeHandlers: Record<string, () => object> }).__fakeHandlers;
        const info = h['app:info']!;
        h['app:info'] = () => ({ ...info(), settingsKeptAside: '/home/ada/.config/Servedir/settings.json.bad-2026' });
      });
      await p2.goto(page.url());
      const notice = p2.locator('.notice-banner');
      await notice.waitFor({ timeout: 20_000 });
      expect(await notice.textContent()).toMatch(/could not read all of its saved settings.*kept as \/home\/ada\/\.config\/Servedir\/settings\.json\.bad-2026\./);
      await p2.screenshot({ path: `${RESULTS_DIR}/settings-kept-aside.png` });
      await notice.locator('button', { hasText: 'OK' }).click();
      expect(await notice.count()).toBe(0);
      // The usual start-up shows no notice.
      expect(await page.locator('.notice-banner').count()).toBe(0);
    } finally {
      await p2.close();
    }
  });

  it('draws the keyboard focus ring inside buttons of a clipped group, so it can be seen', async () => {
    await page.focus('button[aria-label="Export as text"]');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab'); // keyboard focus, so :focus-visible applies
    const ring = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const cs = getComputedStyle(el);
      return { label: el.getAttribute('aria-label'), style: cs.outlineStyle, offset: parseFloat(cs.outlineOffset) };
    });
    expect(ring).toEqual({ label: 'Export as text', style: 'solid', offset: expect.any(Number) });
    expect(ring.offset).toBeLessThan(0);
  });
});
