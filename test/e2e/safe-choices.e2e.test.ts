/**
 * End-to-end, issue 11 part 4: sharing a whole disk asks first. In the REAL browser mode
 * (real control server, real engine) the window shares `/`: the shell refuses with
 * APP_ERR_NEEDS_CONFIRMATION, the window shows the question naming what becomes visible;
 * "Choose another folder" leaves nothing shared, "Share it anyway" shares. Screenshots in
 * light and dark land in test-results/e2e/safe-*.png. Needs `npm run build:app` first.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWindow, RESULTS_DIR, shareFolder, windowSession } from './helpers';

const T = 20_000;

const w = windowSession({ viewport: { width: 1280, height: 800 }, evidencePrefix: 'safe-', fixture: null });

describe('Safe choices: sharing a whole disk asks first (real browser mode + engine)', () => {
  it('sharing / shows the question in plain words; Choose another folder shares nothing', async () => {
    await openWindow(w.page, w.app.url);
    await shareFolder(w.page, '/', { bind: '127.0.0.1' });

    const ask = w.page.getByTestId('confirm-share');
    await ask.waitFor({ timeout: T });
    expect(await ask.getAttribute('role')).toBe('alertdialog');
    expect(await ask.locator('strong').textContent()).toBe('Share a whole disk?');
    expect(await ask.textContent()).toContain('/ is a whole disk. Every file on it');
    expect(await ask.textContent()).toContain('will be visible to anyone on this network');
    // The safe way out has the focus, and the Share button waits for an answer.
    expect(await w.page.evaluate(() => document.activeElement?.textContent)).toBe('Choose another folder');
    expect(await w.page.locator('button:has-text("Share this folder")').isDisabled()).toBe(true);
    for (const scheme of ['light', 'dark'] as const) {
      await w.page.emulateMedia({ colorScheme: scheme });
      await w.page.screenshot({ path: join(RESULTS_DIR, `safe-disk-${scheme}.png`) });
    }
    await w.page.emulateMedia({ colorScheme: 'light' });

    await w.page.click('button:has-text("Choose another folder")');
    await ask.waitFor({ state: 'detached', timeout: T });
    expect(await w.page.getByTestId('status-pill').textContent()).toMatch(/Not sharing/);
  });

  it('Share it anyway shares the disk', async () => {
    await w.page.click('button:has-text("Share this folder")');
    await w.page.getByTestId('confirm-share').waitFor({ timeout: T });
    await w.page.click('button:has-text("Share it anyway")');
    await w.page.locator('.url-big').waitFor({ timeout: T });
    const url = (await w.page.locator('.url-big').textContent())!;
    const listing = await (await fetch(url)).text();
    expect(listing).toMatch(/etc\//);
    await w.page.click('button:has-text("Stop")');
    await w.page.getByTestId('status-pill').filter({ hasText: 'Not sharing' }).waitFor({ timeout: T });
    expect(w.pageErrors).toEqual([]);
  });
});
