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
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../server/host/net-info';
import { openWindow, RESULTS_DIR, windowSession } from './helpers';

const T = 20_000;

const w = windowSession({ viewport: { width: 1280, height: 800 }, evidencePrefix: 'folder-browser-' });

const activeId = (p: Page) => p.evaluate(() => document.activeElement?.id ?? document.activeElement?.tagName ?? null);

describe('Browser mode can pick a folder (real browser mode + engine)', () => {
  it('Browse… opens at the home folder, lists folders only; Escape closes and focus returns to Browse…', async () => {
    await openWindow(w.page, w.app.url);
    // The browser has no native dialog: Browse… instead of Choose….
    expect(await w.page.locator('button:has-text("Choose…")').count()).toBe(0);
    await w.page.fill('#folder-input', '');
    await w.page.click('#folder-browse');
    const dlg = w.page.getByTestId('folder-browser');
    await dlg.waitFor({ timeout: T });
    await w.page.getByTestId('fb-path').filter({ hasText: homedir() }).waitFor({ timeout: T });
    // Modal, labelled, and the list has the focus.
    expect(await dlg.evaluate((d) => (d as HTMLDialogElement).open && d.matches(':modal'))).toBe(true);
    expect(await w.page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('listbox');
    expect(await w.page.getByRole('dialog', { name: 'Choose a folder to share' }).count()).toBe(1);
    await w.page.keyboard.press('Escape');
    await dlg.waitFor({ state: 'detached', timeout: T });
    expect(await activeId(w.page)).toBe('folder-browse');
  });

  it('goes into a folder with the keyboard, chooses it (checked as if typed) and shares it', async () => {
    const parent = dirname(w.fixture.dir);
    // Start where the box points: the fixture's parent, which holds only "Holiday photos".
    await w.page.fill('#folder-input', parent);
    await w.page.click('#folder-browse');
    const dlg = w.page.getByTestId('folder-browser');
    await w.page.getByTestId('fb-path').filter({ hasText: parent }).waitFor({ timeout: T });
    const options = dlg.getByRole('option');
    expect(await options.allTextContents()).toEqual(['▸Holiday photosOpen']);
    await w.page.screenshot({ path: join(RESULTS_DIR, 'folder-browser-light.png') });
    await w.page.emulateMedia({ colorScheme: 'dark' });
    await w.page.screenshot({ path: join(RESULTS_DIR, 'folder-browser-dark.png') });
    await w.page.emulateMedia({ colorScheme: 'light' });

    await w.page.keyboard.press('ArrowDown');
    await w.page.keyboard.press('Enter');
    await w.page.getByTestId('fb-path').filter({ hasText: w.fixture.dir }).waitFor({ timeout: T });
    // Inside: the sub-folders, never the files.
    expect(await options.allTextContents()).toEqual(['▸cgi-binOpen', '▸photosOpen']);
    expect(await dlg.textContent()).not.toContain('hello.txt');
    // Backspace goes up, Enter comes back in.
    await w.page.keyboard.press('Backspace');
    await w.page.getByTestId('fb-path').filter({ hasText: new RegExp(`${parent}$`) }).waitFor({ timeout: T });
    await w.page.keyboard.press('Enter');
    await w.page.getByTestId('fb-path').filter({ hasText: w.fixture.dir }).waitFor({ timeout: T });

    const choose = w.page.getByTestId('fb-choose');
    expect(await choose.textContent()).toBe(`Choose “${basename(w.fixture.dir)}”`);
    await choose.click();
    await dlg.waitFor({ state: 'detached', timeout: T });
    expect(await w.page.inputValue('#folder-input')).toBe(w.fixture.dir);
    // The same check as a typed path: "Folder found: N items".
    await w.page.locator('#folder-msg', { hasText: 'Folder found: 4 items inside.' }).waitFor({ timeout: T });
    expect(await activeId(w.page)).toBe('folder-browse');

    await w.page.fill('#port-input', String(await freePort('127.0.0.1')));
    await w.page.selectOption('#bind-select', '127.0.0.1');
    await w.page.click('button:has-text("Share this folder")');
    await w.page.locator('.url-big').waitFor({ timeout: T });
    const url = (await w.page.locator('.url-big').textContent())!;
    const listing = await (await fetch(url)).text();
    expect(listing).toContain('hello.txt');
    await w.page.click('button:has-text("Stop")');
    await w.page.getByTestId('status-pill').filter({ hasText: 'Not sharing' }).waitFor({ timeout: T });
  });

  it('the shared folder is among the recent folders; a folder that cannot be opened is said plainly', async () => {
    await w.page.fill('#folder-input', '');
    await w.page.click('#folder-browse');
    const dlg = w.page.getByTestId('folder-browser');
    await w.page.getByTestId('fb-path').filter({ hasText: homedir() }).waitFor({ timeout: T });
    const recent = dlg.locator('.fb-recent button', { hasText: w.fixture.dir });
    expect(await recent.count()).toBe(1);
    await recent.click();
    await w.page.getByTestId('fb-path').filter({ hasText: w.fixture.dir }).waitFor({ timeout: T });
    // Gone meanwhile: the browser stays where it was and says why.
    w.fixture.remove();
    await dlg.getByRole('option', { name: /photos/ }).getByRole('button').click();
    await dlg.getByRole('alert').filter({ hasText: 'does not exist' }).waitFor({ timeout: T });
    expect(await w.page.getByTestId('fb-path').textContent()).toContain(w.fixture.dir);
    await dlg.getByRole('button', { name: 'Cancel' }).click();
    await dlg.waitFor({ state: 'detached', timeout: T });
    expect(await activeId(w.page)).toBe('folder-browse');
  });

  it('keeps Tab inside the dialog; hidden folders on request; a very large folder says what it left out', async () => {
    const big = mkdtempSync(join(tmpdir(), 'servedir-e2e-big-'));
    try {
      chmodSync(big, 0o755);
      for (let i = 0; i < 1005; i++) mkdirSync(join(big, `album ${i}`));
      mkdirSync(join(big, '.thumbnails'));
      await w.page.fill('#folder-input', big);
      await w.page.click('#folder-browse');
      const dlg = w.page.getByTestId('folder-browser');
      await w.page.getByTestId('fb-path').filter({ hasText: big }).waitFor({ timeout: T });
      const seen = new Set<string>();
      for (const key of [...Array<string>(12).fill('Tab'), ...Array<string>(12).fill('Shift+Tab')]) {
        await w.page.keyboard.press(key);
        const where = await w.page.evaluate(() => (document.activeElement?.closest('dialog') ? document.activeElement.textContent?.slice(0, 20) ?? '' : null));
        expect(where, `${key} left the dialog`).not.toBeNull();
        seen.add(where!);
      }
      // It went round: Cancel, Choose and the first controls again.
      for (const t of ['Cancel', 'Choose “', '↑ Up one folder', 'Home']) expect([...seen].some((x) => x.startsWith(t)), t).toBe(true);
      const note = w.page.getByTestId('fb-note');
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
      await w.page.keyboard.press('End');
      const last = dlg.getByRole('option').last();
      expect(await last.getAttribute('aria-selected')).toBe('true');
      expect(await last.isVisible()).toBe(true);
      await w.page.keyboard.press('Escape');
      await dlg.waitFor({ state: 'detached', timeout: T });
      expect(await w.page.inputValue('#folder-input')).toBe(big);
    } finally {
      rmSync(big, { recursive: true, force: true });
    }
    expect(w.pageErrors).toEqual([]);
  });
});
