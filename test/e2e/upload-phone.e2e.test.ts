/**
 * A visitor's phone adds files to a shared folder (PORT NOTE 33, the `upload` setting): real
 * Chromium at a phone's size (390×844, 3× pixels, touch), the real engine with the app's
 * settings plus "Let visitors add files" (`serve()` + `appDefaults()` + `upload: true`: the
 * hardened profile, the modern listing, hidden files off). Three files are chosen in the "Add
 * files" form, with JavaScript on (sent at once by the page's script, with a progress bar, in
 * one request) and with JavaScript off (the plain form: choose, then Send); either way the
 * visitor lands back on the folder, sees the result in words and the three files in the list,
 * and the CSP blocks nothing. A file over the limit is refused in words before anything is
 * sent (JavaScript on). Screenshots go to test-results/e2e/upload-phone-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../server/serve';
import { appDefaults } from '../../server/share-settings';
import { makeTempDir } from '../../server/test-support/harness';
import { keepFailureEvidence, launchChromium, RESULTS_DIR } from './helpers';

let browser: Browser;
let root: string;
let server: RunningServer;
let base: string;
let current: Page | undefined;

beforeAll(async () => {
  browser = await launchChromium();
  root = makeTempDir();
  fs.mkdirSync(path.join(root, 'From my phone'));
  fs.mkdirSync(path.join(root, 'Plain form'));
  fs.writeFileSync(path.join(root, 'From my phone', 'IMG_0001.jpg'), 'already here');
  server = await serve({ ...appDefaults(), directory: root, port: 0, bind: '127.0.0.1', protocolVersion: 'HTTP/1.1', upload: true, uploadMaxSize: '1M' });
  base = `http://127.0.0.1:${server.port}/`;
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
});
afterAll(async () => {
  await server?.close();
  await browser?.close();
});
afterEach(async (ctx) => {
  await keepFailureEvidence(ctx, current, undefined, 'upload-phone-');
});

async function phone(javaScriptEnabled: boolean): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, javaScriptEnabled });
  const page = await context.newPage();
  current = page;
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return { context, page, problems };
}

const names = (page: Page) => page.$$eval('ul.entries a:not(.up) bdi', (els) => els.map((e) => e.textContent));

const THREE = [
  { name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(300_000, 1) },
  { name: 'Voice memo.m4a', mimeType: 'audio/mp4', buffer: Buffer.alloc(120_000, 2) },
  { name: 'Shopping list ✓.txt', mimeType: 'text/plain', buffer: Buffer.from('milk\nbread\n') },
];

describe('a phone adds files to a shared folder', () => {
  it('JavaScript on: choosing three files sends them at once; back on the folder with the result and the files', async () => {
    const { context, page, problems } = await phone(true);
    try {
      const res = await page.goto(base + 'From%20my%20phone/');
      expect(res?.headers()['content-security-policy']).toContain("script-src 'sha256-");
      // The script took over: the button to pick files shows, the plain Send button does not.
      expect(await page.isVisible('form.upload.js label span')).toBe(true);
      expect(await page.isVisible('form.upload button')).toBe(false);
      await page.screenshot({ path: path.join(RESULTS_DIR, 'upload-phone-before.png') });
      const box = await page.$eval('form.upload label span', (e) => e.getBoundingClientRect().height);
      expect(box).toBeGreaterThanOrEqual(44);
      const sent = page.waitForRequest((r) => r.method() === 'POST');
      const landed = page.waitForURL(/\?added=3/);
      await page.setInputFiles('form.upload input[type=file]', THREE);
      const request = await sent;
      expect(request.headers()['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      await landed;
      expect(await page.textContent('.notice')).toBe('3 files added. A file with the same name was already here, so one got a number added to its name.');
      expect(await names(page)).toEqual(['IMG_0001 (1).jpg', 'IMG_0001.jpg', 'Shopping list ✓.txt', 'Voice memo.m4a']);
      await page.screenshot({ path: path.join(RESULTS_DIR, 'upload-phone-after.png') });
      expect(fs.readFileSync(path.join(root, 'From my phone', 'IMG_0001.jpg'), 'utf8')).toBe('already here');
      expect(fs.statSync(path.join(root, 'From my phone', 'IMG_0001 (1).jpg')).size).toBe(300_000);
      expect(fs.readFileSync(path.join(root, 'From my phone', 'Shopping list ✓.txt'), 'utf8')).toBe('milk\nbread\n');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('JavaScript on: a file over the limit is refused in words before anything is sent', async () => {
    const { context, page, problems } = await phone(true);
    try {
      await page.goto(base + 'From%20my%20phone/');
      let posted = false;
      page.on('request', (r) => {
        if (r.method() === 'POST') posted = true;
      });
      await page.setInputFiles('form.upload input[type=file]', [{ name: 'Long video.mp4', mimeType: 'video/mp4', buffer: Buffer.alloc(2 * 1024 * 1024) }]);
      await page.waitForFunction(() => (document.querySelector('form.upload [role=status]')?.textContent ?? '') !== '');
      expect(await page.textContent('form.upload [role=status]')).toBe(
        '“Long video.mp4” is too big: the largest file this computer accepts is 1 MB. Nothing was sent.',
      );
      await page.screenshot({ path: path.join(RESULTS_DIR, 'upload-phone-too-big.png') });
      expect(posted).toBe(false);
      expect(fs.existsSync(path.join(root, 'From my phone', 'Long video.mp4'))).toBe(false);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('JavaScript off: the plain form (choose, then Send) adds the three files too', async () => {
    const { context, page, problems } = await phone(false);
    try {
      await page.goto(base + 'Plain%20form/');
      expect(await page.isVisible('form.upload button')).toBe(true);
      await page.setInputFiles('form.upload input[type=file]', THREE);
      await Promise.all([page.waitForURL(/\?added=3/), page.click('form.upload button')]);
      expect(await page.textContent('.notice')).toBe('3 files added.');
      expect(await names(page)).toEqual(['IMG_0001.jpg', 'Shopping list ✓.txt', 'Voice memo.m4a']);
      await page.screenshot({ path: path.join(RESULTS_DIR, 'upload-phone-no-js.png') });
      expect(fs.readdirSync(path.join(root, 'Plain form')).sort()).toEqual(['IMG_0001.jpg', 'Shopping list ✓.txt', 'Voice memo.m4a']);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
