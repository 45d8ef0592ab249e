/**
 * End-to-end, issue 11 part 4: sharing a whole disk asks first. In the REAL browser mode
 * (real control server, real engine) the window shares `/`: the shell refuses with
 * APP_ERR_NEEDS_CONFIRMATION, the window shows the question naming what becomes visible;
 * "Choose another folder" leaves nothing shared, "Share it anyway" shares. Screenshots in
 * light and dark land in test-results/e2e/safe-*.png. Needs `npm run build:app` first.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../server/host/net-info';
import { assertBuilt, keepFailureEvidence, launchChromium, RESULTS_DIR, startWebApp, type WebApp } from './helpers';

const T = 20_000;

let app: WebApp;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  assertBuilt();
  mkdirSync(RESULTS_DIR, { recursive: true });
  app = await startWebApp();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 60_000);

// Evidence for a failure: what the window showed, and what the app printed.
afterEach((ctx) => keepFailureEvidence(ctx, page, app, 'safe-'));

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('Safe choices: sharing a whole disk asks first (real browser mode + engine)', () => {
  it('sharing / shows the question in plain words; Choose another folder shares nothing', async () => {
    await page.goto(app.url);
    await page.getByTestId('status-pill').filter({ hasText: 'Not sharing' }).waitFor({ timeout: T });
    await page.fill('#folder-input', '/');
    await page.press('#folder-input', 'Enter');
    await page.locator('#folder-msg', { hasText: /Folder found/ }).waitFor({ timeout: T });
    await page.fill('#port-input', String(await freePort('127.0.0.1')));
    await page.selectOption('#bind-select', '127.0.0.1');
    await page.click('button:has-text("Share this folder")');

    const ask = page.getByTestId('confirm-share');
    await ask.waitFor({ timeout: T });
    expect(await ask.getAttribute('role')).toBe('alertdialog');
    expect(await ask.locator('strong').textContent()).toBe('Share a whole disk?');
    expect(await ask.textContent()).toContain('/ is a whole disk. Every file on it');
    expect(await ask.textContent()).toContain('will be visible to anyone on this network');
    // The safe way out has the focus, and the Share button waits for an answer.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Choose another folder');
    expect(await page.locator('button:has-text("Share this folder")').isDisabled()).toBe(true);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(RESULTS_DIR, `safe-disk-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });

    await page.click('button:has-text("Choose another folder")');
    await ask.waitFor({ state: 'detached', timeout: T });
    expect(await page.getByTestId('status-pill').textContent()).toMatch(/Not sharing/);
  });

  it('Share it anyway shares the disk', async () => {
    await page.click('button:has-text("Share this folder")');
    await page.getByTestId('confirm-share').waitFor({ timeout: T });
    await page.click('button:has-text("Share it anyway")');
    await page.locator('.url-big').waitFor({ timeout: T });
    const url = (await page.locator('.url-big').textContent())!;
    const listing = await (await fetch(url)).text();
    expect(listing).toMatch(/etc\//);
    await page.click('button:has-text("Stop")');
    await page.getByTestId('status-pill').filter({ hasText: 'Not sharing' }).waitFor({ timeout: T });
    expect(pageErrors).toEqual([]);
  });
});
