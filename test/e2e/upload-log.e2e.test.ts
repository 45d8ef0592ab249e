/**
 * A phone sends files and the window shows them arriving (PORT NOTE 33, the `upload` setting):
 * the real browser-mode app (`node out/main/web.cjs`: control server, host process, engine),
 * real Chromium for the window and for a phone (390×844, touch). The owner turns on "Let
 * visitors add files" in Settings and shares a folder; a slow curl upload shows in the log as
 * "Receiving: …" while it arrives; the phone adds three photos with the listing's form; the
 * log gets one "upload" row per file saying where it went, and the details offer Open folder.
 * Screenshots: test-results/e2e/upload-log-window.png, upload-log-details.png and upload-log-phone.png; with
 * SERVEDIR_UPDATE_SCREENSHOT=1 they also become docs/upload-window.png and docs/upload-phone.png.
 *
 * Needs `npm run build:app` first (scripts/test-all.mjs builds before vitest).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESULTS_DIR, ROOT, windowSession, type Fixture } from './helpers';

const T = 20_000;
const UPDATE_README = process.env.SERVEDIR_UPDATE_SCREENSHOT === '1';

/** A folder as a family shares it: a Documents folder and a shopping list. */
function familyFolder(): Fixture {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'servedir-e2e-upload-'));
  fs.chmodSync(folder, 0o755);
  fs.mkdirSync(path.join(folder, 'Documents'));
  fs.writeFileSync(path.join(folder, 'Shopping list.txt'), 'milk\n');
  return { dir: folder, remove: () => fs.rmSync(folder, { recursive: true, force: true }) };
}

const w = windowSession({ viewport: { width: 1100, height: 720 }, evidencePrefix: 'upload-log-', fixture: familyFolder });
let base = '';

const uploadRows = () => w.page.locator('.log-rows .log-row', { has: w.page.locator('.c-method', { hasText: /^upload$/ }) });

describe('a phone sends files; the window shows them arriving', () => {
  it('turns on "Let visitors add files" and shares', async () => {
    await w.page.goto(w.app.url);
    await w.page.fill('#folder-input', w.fixture.dir);
    await w.page.press('#folder-input', 'Enter');
    await w.page.locator('#folder-msg', { hasText: /Folder found/ }).waitFor({ timeout: T });
    await w.page.click('role=tab[name="Settings"]');
    await w.page.check('input[name=upload]');
    await w.page.click('button:has-text("Save settings")');
    await w.page.locator('.save-status', { hasText: 'Saved.' }).waitFor({ timeout: T });
    await w.page.click('role=tab[name="Share"]');
    await w.page.click('button:has-text("Use a free port")');
    await w.page.selectOption('#bind-select', '127.0.0.1');
    await w.page.click('button:has-text("Share this folder")');
    const link = w.page.locator('.url-link').first();
    await link.waitFor({ timeout: T });
    base = (await link.textContent())!;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('a slow upload shows as "Receiving" while it arrives, then as saved', async () => {
    const src = path.join(w.fixture.dir, '..', `servedir-e2e-slow-${process.pid}.bin`);
    fs.writeFileSync(src, Buffer.alloc(900_000, 7));
    const curl = spawn('curl', ['-s', '-o', '/dev/null', '--limit-rate', '300K', '-T', src, `${base}Documents/scan.pdf`], { stdio: 'ignore' });
    try {
      const receiving = w.page.locator('.log-rows .outcome-badge', { hasText: /^Receiving: / });
      await receiving.first().waitFor({ timeout: T });
      // curl -T of a file announces its length, so the row says how much of it arrived.
      expect(await receiving.first().textContent()).toMatch(/^Receiving: .+ of .+/);
      await w.page.locator('.log-rows .path-text', { hasText: 'Saved “scan.pdf” in /Documents/' }).waitFor({ timeout: T });
      expect(await receiving.count()).toBe(0);
    } finally {
      curl.kill();
      fs.rmSync(src, { force: true });
    }
    expect(fs.statSync(path.join(w.fixture.dir, 'Documents', 'scan.pdf')).size).toBe(900_000);
  });

  it('the phone adds three photos with the form; one row per file says where it went', async () => {
    const phone = await w.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: 'light' });
    try {
      const p = await phone.newPage();
      await p.goto(base);
      const landed = p.waitForURL(/\?added=3/);
      await p.setInputFiles('form.upload input[type=file]', [
        { name: 'IMG_2041.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(2_400_000, 1) },
        { name: 'IMG_2042.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(1_900_000, 2) },
        { name: 'Shopping list.txt', mimeType: 'text/plain', buffer: Buffer.from('milk\nbread\n') },
      ]);
      await landed;
      await p.locator('.notice').waitFor();
      await p.screenshot({ path: path.join(RESULTS_DIR, 'upload-log-phone.png') });
      if (UPDATE_README) fs.copyFileSync(path.join(RESULTS_DIR, 'upload-log-phone.png'), path.join(ROOT, 'docs', 'upload-phone.png'));
    } finally {
      await phone.close();
    }
    await w.page.locator('.log-rows .path-text', { hasText: 'Saved “Shopping list (1).txt” in / (a file named “Shopping list.txt” was already there)' }).waitFor({ timeout: T });
    expect(await uploadRows().count()).toBe(4);
    for (const name of ['IMG_2041.jpg', 'IMG_2042.jpg']) {
      expect(await w.page.locator('.log-rows .path-text', { hasText: `Saved “${name}” in /` }).count()).toBe(1);
    }
    // The form's own request follows its files: 303 back to the folder.
    expect(await w.page.locator('.log-rows .log-row', { has: w.page.locator('.c-method', { hasText: /^POST$/ }) }).count()).toBe(1);
    await w.page.screenshot({ path: path.join(RESULTS_DIR, 'upload-log-window.png') });
    if (UPDATE_README) fs.copyFileSync(path.join(RESULTS_DIR, 'upload-log-window.png'), path.join(ROOT, 'docs', 'upload-window.png'));
    await uploadRows().last().click();
    await w.page.locator('.log-details button', { hasText: 'Open folder' }).waitFor({ timeout: T });
    expect(await w.page.locator('.log-details').textContent()).toContain('Saved: 11 bytes');
    await w.page.screenshot({ path: path.join(RESULTS_DIR, 'upload-log-details.png') });
    expect(fs.readdirSync(w.fixture.dir).sort()).toEqual(['Documents', 'IMG_2041.jpg', 'IMG_2042.jpg', 'Shopping list (1).txt', 'Shopping list.txt']);
  });
});
