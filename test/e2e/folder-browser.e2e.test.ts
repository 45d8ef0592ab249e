/**
 * End-to-end, issue 11 part 6: in the REAL browser mode (control server, real engine) a
 * folder can be picked without typing its path. Browse… opens the folder browser at the
 * home folder; from a folder's parent the keyboard goes into it (↓, Enter), Choose puts it
 * in the folder box through the same check as typing, and Share shares it. Escape closes
 * and gives the focus back to Browse…; a folder shared once is among the recent folders.
 * Screenshots: test-results/e2e/folder-browser-*.png. Needs `npm run build:app` first.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../server/host/net-info';
import { assertBuilt, keepFailureEvidence, launchChromium, makeFixture, RESULTS_DIR, startWebApp, type Fixture, type WebApp } from './helpers';

const T = 20_000;

let app: WebApp;
let browser: Browser;
let page: Page;
let fixture: Fixture;
const pageErrors: string[] = [];

const activeId = (p: Page) => p.evaluate(() => document.activeElement?.id ?? document.activeElement?.tagName ?? null);

beforeAll(async () => {
  assertBuilt();
  mkdirSync(RESULTS_DIR, { recursive: true });
  fixture = makeFixture();
  app = await startWebApp();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 60_000);

afterEach((ctx) => keepFailureEvidence(ctx, page, app, 'folder-browser-'));

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  fixture?.remove();
});

describe('Browser mode can pick a folder (real browser mode + engine)', () => {
  it('Browse… opens at the home folder, lists folders only; Escape closes and focus returns to Browse…', async () => {
    await page.goto(app.url);
    await page.getByTestId('status-pill').filter({ hasText: 'Not sharing' }).waitFor({ timeout: T });
    // The browser has no native dialog: Browse… instead of Choose….
    expect(await page.locator('button:has-text("Choose…")').count()).toBe(0);
    await page.fill('#folder-input', '');
    await page.click('#folder-browse');
    const dlg = page.getByTestId('folder-browser');
    await dlg.waitFor({ timeout: T });
    await page.getByTestId('fb-path').filter({ hasText: homedir() }).waitFor({ timeout: T });
    // Modal, labelled, and the list has the focus.
    expect(await dlg.evaluate((d) => (d as HTMLDialogElement).open && d.matches(':modal'))).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('listbox');
    expect(await page.getByRole('dialog', { name: 'Choose a folder to share' }).count()).toBe(1);
    await page.keyboard.press('Escape');
    await dlg.waitFor({ state: 'detached', timeout: T });
    expect(await activeId(page)).toBe('folder-browse');
  });

  it('goes into a folder with the keyboard, chooses it (checked as if typed) and shares it', async () => {
    const parent = dirname(fixture.dir);
    // Start where the box points: the fixture's parent, which holds only "Holiday photos".
    await page.fill('#folder-input', parent);
    await page.click('#folder-browse');
    const dlg = page.getByTestId('folder-browser');
    await page.getByTestId('fb-path').filter({ hasText: parent }).waitFor({ timeout: T });
    const options = dlg.getByRole('option');
    expect(await options.allTextContents()).toEqual(['▸Holiday photosOpen']);
    await page.screenshot({ path: join(RESULTS_DIR, 'folder-browser-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(RESULTS_DIR, 'folder-browser-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });

    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByTestId('fb-path').filter({ hasText: fixture.dir }).waitFor({ timeout: T });
    // Inside: the sub-folders, never the files.
    expect(await options.allTextContents()).toEqual(['▸cgi-binOpen', '▸photosOpen']);
    expect(await dlg.textContent()).not.toContain('hello.txt');
    // Backspace goes up, Enter comes back in.
    await page.keyboard.press('Backspace');
    await page.getByTestId('fb-path').filter({ hasText: new RegExp(`${parent}$`) }).waitFor({ timeout: T });
    await page.keyboard.press('Enter');
    await page.getByTestId('fb-path').filter({ hasText: fixture.dir }).waitFor({ timeout: T });

    const choose = page.getByTestId('fb-choose');
    expect(await choose.textContent()).toBe(`Choose “${basename(fixture.dir)}”`);
    await choose.click();
    await dlg.waitFor({ state: 'detached', timeout: T });
    expect(await page.inputValue('#folder-input')).toBe(fixture.dir);
    // The same check as a typed path: "Folder found: N items".
    await page.locator('#folder-msg', { hasText: 'Folder found: 4 items inside.' }).waitFor({ timeout: T });
    expect(await activeId(page)).toBe('folder-browse');

    await page.fill('#port-input', String(await freePort('127.0.0.1')));
    await page.selectOption('#bind-select', '127.0.0.1');
    await page.click('button:has-text("Share this folder")');
    await page.locator('.url-big').waitFor({ timeout: T });
    const url = (await page.locator('.url-big').textContent())!;
    const listing = await (await fetch(url)).text();
    expect(listing).toContain('hello.txt');
    await page.click('button:has-text("Stop")');
    await page.getByTestId('status-pill').filter({ hasText: 'Not sharing' }).waitFor({ timeout: T });
  });

  it('the shared folder is among the recent folders; a folder that cannot be opened is said plainly', async () => {
    await page.fill('#folder-input', '');
    await page.click('#folder-browse');
    const dlg = page.getByTestId('folder-browser');
    await page.getByTestId('fb-path').filter({ hasText: homedir() }).waitFor({ timeout: T });
    const recent = dlg.locator('.fb-recent button', { hasText: fixture.dir });
    expect(await recent.count()).toBe(1);
    await recent.click();
    await page.getByTestId('fb-path').filter({ hasText: fixture.dir }).waitFor({ timeout: T });
    // Gone meanwhile: the browser stays where it was and says why.
    fixture.remove();
    await dlg.getByRole('option', { name: /photos/ }).getByRole('button').click();
    await dlg.getByRole('alert').filter({ hasText: 'does not exist' }).waitFor({ timeout: T });
    expect(await page.getByTestId('fb-path').textContent()).toContain(fixture.dir);
    await dlg.getByRole('button', { name: 'Cancel' }).click();
    await dlg.waitFor({ state: 'detached', timeout: T });
    expect(await activeId(page)).toBe('folder-browse');
  });

  it('keeps Tab inside the dialog; hidden folders on request; a very large folder says what it left out', async () => {
    const big = mkdtempSync(join(tmpdir(), 'servedir-e2e-big-'));
    try {
      chmodSync(big, 0o755);
      for (let i = 0; i < 1005; i++) mkdirSync(join(big, `album ${i}`));
      mkdirSync(join(big, '.thumbnails'));
      await page.fill('#folder-input', big);
      await page.click('#folder-browse');
      const dlg = page.getByTestId('folder-browser');
      await page.getByTestId('fb-path').filter({ hasText: big }).waitFor({ timeout: T });
      const seen = new Set<string>();
      for (const key of [...Array<string>(12).fill('Tab'), ...Array<string>(12).fill('Shift+Tab')]) {
        await page.keyboard.press(key);
        const where = await page.evaluate(() => (document.activeElement?.closest('dialog') ? document.activeElement.textContent?.slice(0, 20) ?? '' : null));
        expect(where, `${key} left the dialog`).not.toBeNull();
        seen.add(where!);
      }
      // It went round: Cancel, Choose and the first controls again.
      for (const t of ['Cancel', 'Choose “', '↑ Up one folder', 'Home']) expect([...seen].some((x) => x.startsWith(t)), t).toBe(true);
      const note = page.getByTestId('fb-note');
      expect(await note.textContent()).toContain('Showing the first 1,000 of 1,005 folders; to reach another one, type its path in the folder box.');
      expect(await note.textContent()).toContain('1 hidden folder is not shown.');
      expect(await dlg.getByRole('option').count()).toBe(1000);
      // A person's order: album 0, album 1, album 2 … (not album 10 after album 1).
      expect(await dlg.getByRole('option').nth(2).textContent()).toContain('album 2');
      await dlg.getByLabel('Show hidden folders').check();
      await expect.poll(() => dlg.getByRole('option').first().textContent(), { timeout: T }).toContain('.thumbnails');
      expect(await note.textContent()).toContain('Showing the first 1,000 of 1,006 folders');
      // End reaches the last one listed; the list scrolls to it.
      await dlg.getByRole('listbox').focus();
      await page.keyboard.press('End');
      const last = dlg.getByRole('option').last();
      expect(await last.getAttribute('aria-selected')).toBe('true');
      expect(await last.isVisible()).toBe(true);
      await page.keyboard.press('Escape');
      await dlg.waitFor({ state: 'detached', timeout: T });
      expect(await page.inputValue('#folder-input')).toBe(big);
    } finally {
      rmSync(big, { recursive: true, force: true });
    }
    expect(pageErrors).toEqual([]);
  });
});
