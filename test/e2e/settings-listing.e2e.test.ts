/**
 * The Settings pane's choice control (made from the settings table's `choice` rows) and the
 * two settings of issue 10 parts 2-3, through the REAL window in browser mode and the real
 * engine: the app's defaults give the modern listing and hidden files off, each explained
 * in plain words; choosing Classic and showing hidden files, then saving, changes what a
 * visitor gets at once (sharing restarts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFixture, RESULTS_DIR, windowSession, type Fixture } from './helpers';

const T = 15_000;

/** The usual fixture with a hidden file (`.env`), shown only when hidden files are on. */
function fixtureWithHiddenFile(): Fixture {
  const fixture = makeFixture();
  writeFileSync(join(fixture.dir, '.env'), 'SECRET=1\n');
  return fixture;
}

const w = windowSession({ viewport: { width: 1100, height: 900 }, evidencePrefix: 'settings-listing-', fixture: fixtureWithHiddenFile });

async function get(base: string, path: string): Promise<{ status: number; body: string; csp: string | null }> {
  const r = await fetch(base + path);
  return { status: r.status, body: await r.text(), csp: r.headers.get('content-security-policy') };
}

describe('Settings: how folders look to visitors, and hidden files', () => {
  it('the app shares with the modern listing and hidden files off; Classic and hidden files shown take effect when saved', async () => {
    await w.page.goto(w.app.url);
    await w.page.fill('#folder-input', w.fixture.dir + '/');
    await w.page.press('#folder-input', 'Enter');
    await w.page.selectOption('#bind-select', '127.0.0.1');
    await w.page.click('button:has-text("Use a free port")');
    await w.page.click('button:has-text("Share this folder")');
    const link = w.page.locator('.url-link').first();
    await link.waitFor({ timeout: T });
    const base = (await link.textContent())!;

    // The app's defaults: the phone page, no hidden names.
    let listing = await get(base, '');
    expect(listing.csp).toMatch(/^default-src 'none'/);
    expect(listing.body).toContain('<meta name="viewport"');
    expect(listing.body).not.toContain('.env');
    expect((await get(base, '.env')).status).toBe(404);

    await w.page.click('role=tab[name="Settings"]');
    const pages = w.page.locator('fieldset.setting-choice', { hasText: 'Folder pages' });
    await pages.waitFor({ timeout: T });
    expect(await pages.locator('input[value="modern"]').isChecked()).toBe(true);
    expect(await w.page.locator('#setting-listing-msg').textContent()).toBe(
      'What visitors see when they open a folder that has no index.html page of its own. Modern: Easy to use on a phone: folders first, the size and date of each file, and sorting by name, size or date.',
    );
    const hidden = w.page.locator('input[name="showHidden"]');
    expect(await hidden.isChecked()).toBe(false);
    expect(await w.page.locator('#setting-showHidden-msg').textContent()).toMatch(/^Files and folders whose names start with a dot, like \.git or \.env/);
    await pages.scrollIntoViewIfNeeded();
    await w.page.screenshot({ path: join(RESULTS_DIR, 'settings-visitors.png') });

    await pages.locator('label:has-text("Classic")').click();
    expect(await w.page.locator('#setting-listing-msg').textContent()).toMatch(/Classic: A plain list of names, exactly as Python’s built-in web server shows it\.$/);
    await hidden.check();
    await w.page.click('button:has-text("Save settings")');
    await w.page.locator('.save-status', { hasText: 'Saved' }).waitFor({ timeout: T });
    await w.page.getByTestId('status-pill').filter({ hasText: /Sharing on port/ }).waitFor({ timeout: T });

    await expect.poll(async () => (await get(base, '').catch(() => ({ body: '' }))).body, { timeout: T }).toContain('<title>Directory listing for /</title>');
    listing = await get(base, '');
    expect(listing.csp).toBeNull();
    expect(listing.body).toContain('<li><a href=".env">.env</a></li>');
    expect((await get(base, '.env')).body).toBe('SECRET=1\n');
  });
});
