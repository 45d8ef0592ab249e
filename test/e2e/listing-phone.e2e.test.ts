/**
 * A visitor's phone opens a shared folder (PORT NOTE 27, the modern listing): real Chromium
 * at a phone's size (390×844, 3× pixels, touch), the real engine with the app's settings
 * (`serve()` + `appDefaults()`: the modern listing, hidden files off). The page fits the
 * screen, its rows and links are large enough to tap, folders come first, sorting works by
 * tapping plain links (with JavaScript off too), breadcrumbs lead back, light and dark
 * follow the phone's setting, and the CSP blocks nothing the page uses. Screenshots go to
 * test-results/e2e/; with SERVEDIR_UPDATE_SCREENSHOT=1, listing-phone-light.png also becomes
 * the README's docs/listing-phone.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../server/serve';
import { appDefaults } from '../../server/share-settings';
import { makeTempDir } from '../../server/test-support/harness';
import { launchChromium, RESULTS_DIR, ROOT } from './helpers';

const UPDATE_README = process.env.SERVEDIR_UPDATE_SCREENSHOT === '1';

let browser: Browser;
let root: string;
let server: RunningServer;
let base: string;

/** A file of `size` bytes (sparse) dated `date`. */
function file(rel: string, size: number, date: string): void {
  const full = path.join(root, rel);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, '');
  fs.truncateSync(full, size);
  const t = new Date(date);
  fs.utimesSync(full, t, t);
}

function folder(rel: string, date: string): void {
  const full = path.join(root, rel);
  fs.mkdirSync(full, { recursive: true });
  const t = new Date(date);
  fs.utimesSync(full, t, t);
}

beforeAll(async () => {
  browser = await launchChromium();
  root = makeTempDir();
  file('Documents/Lease agreement.pdf', 412_000, '2026-03-02T10:15:00');
  file('Photos/IMG_2041.jpg', 2_480_000, '2026-08-14T19:42:00');
  file('Beach at sunset.jpg', 3_250_000, '2026-08-15T20:31:00');
  file('IMG_2041.jpg', 2_480_000, '2026-08-14T19:42:00');
  file('Tickets for Saturday.pdf', 188_400, '2026-11-28T09:05:00');
  file('Budget 2026.xlsx', 48_900, '2026-12-01T16:20:00');
  file('notes.txt', 1_234, '2026-12-05T22:48:00');
  file('Holiday video (edited, final version 3).mp4', 734_003_200, '2026-09-02T12:00:00');
  file('Read me first.txt', 12, '2026-01-10T08:00:00');
  file('From the old laptop/<b>bold & "quotes".txt', 12, '2026-01-10T08:00:00');
  file('.DS_Store', 6_148, '2026-12-06T08:00:00');
  file('From the old laptop/\u202Egpj.exe', 70_000, '2026-10-01T10:00:00');
  file('From the old laptop/مرحبا بالعالم.txt', 900, '2026-10-02T10:00:00');
  file(`From the old laptop/${'x'.repeat(90)}.txt`, 10, '2026-10-03T10:00:00');
  file('From the old laptop/100% #1 ?.txt', 10, '2026-10-04T10:00:00');
  folder('From the old laptop', '2026-10-05T10:00:00');
  folder('Documents', '2026-11-20T11:00:00');
  folder('Photos', '2026-08-16T09:30:00');
  folder('Music', '2026-05-01T18:00:00');
  server = await serve({ ...appDefaults(), directory: root, port: 0, bind: '127.0.0.1', protocolVersion: 'HTTP/1.1' });
  base = `http://127.0.0.1:${server.port}/`;
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
});
afterAll(async () => {
  await server?.close();
  await browser?.close();
});

async function phone(options: { javaScriptEnabled?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, ...options });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()}`));
  return { context, page, problems };
}

/** The names of the rows, in page order (without the parent row). */
const names = (page: Page) => page.$$eval('ul.entries a:not(.up) bdi', (els) => els.map((e) => e.textContent));

describe('a phone opens a shared folder (the modern listing)', () => {
  it('light: fits the screen, folders first, large tap targets, hidden files left out, nothing blocked', async () => {
    const { context, page, problems } = await phone();
    try {
      await page.emulateMedia({ colorScheme: 'light' });
      const res = await page.goto(base);
      expect(res?.headers()['content-security-policy']).toMatch(/^default-src 'none'/);
      await page.screenshot({ path: path.join(RESULTS_DIR, 'listing-phone-light.png') });
      if (UPDATE_README) fs.copyFileSync(path.join(RESULTS_DIR, 'listing-phone-light.png'), path.join(ROOT, 'docs', 'listing-phone.png'));
      await page.screenshot({ path: path.join(RESULTS_DIR, 'listing-phone-light-full.png'), fullPage: true });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(await names(page)).toEqual([
        'Documents', 'From the old laptop', 'Music', 'Photos',
        'Beach at sunset.jpg', 'Budget 2026.xlsx', 'Holiday video (edited, final version 3).mp4',
        'IMG_2041.jpg', 'notes.txt', 'Read me first.txt', 'Tickets for Saturday.pdf',
      ]);
      const rows = await page.$$eval('ul.entries a', (els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ w: r.width, h: r.height })));
      for (const r of rows) {
        expect(r.h).toBeGreaterThanOrEqual(48);
        expect(r.w).toBeGreaterThanOrEqual(380);
      }
      for (const h of await page.$$eval('.sort a, .crumbs a', (els) => els.map((e) => e.getBoundingClientRect().height))) expect(h).toBeGreaterThanOrEqual(44);
      const text = await page.textContent('body');
      expect(text).not.toContain('.DS_Store');
      expect(text).toContain('3.1 MB');
      expect(text).toContain('700.0 MB');
      expect(text).toContain('2026-12-05 22:48');
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(255, 255, 255)');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('dark: follows the phone\'s setting', async () => {
    const { context, page, problems } = await phone();
    try {
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(base);
      await page.screenshot({ path: path.join(RESULTS_DIR, 'listing-phone-dark.png') });
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(22, 24, 27)');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it.each([true, false])('sorting by tapping links (JavaScript %s), into a folder and back by the breadcrumbs', async (javaScriptEnabled) => {
    const { context, page, problems } = await phone({ javaScriptEnabled });
    try {
      await page.goto(base);
      await page.tap('.sort a:has-text("Size")');
      await page.waitForURL(/\?sort=size&order=desc$/);
      expect((await names(page)).slice(4, 7)).toEqual(['Holiday video (edited, final version 3).mp4', 'Beach at sunset.jpg', 'IMG_2041.jpg']);
      await page.tap('.sort a:has-text("Size")');
      await page.waitForURL(/\?sort=size&order=asc$/);
      expect((await names(page)).slice(4, 6)).toEqual(['Read me first.txt', 'notes.txt']);
      await page.tap('.sort a:has-text("Modified")');
      await page.waitForURL(/\?sort=date&order=desc$/);
      expect(await names(page)).toEqual([
        'Documents', 'From the old laptop', 'Photos', 'Music',
        'notes.txt', 'Budget 2026.xlsx', 'Tickets for Saturday.pdf', 'Holiday video (edited, final version 3).mp4', 'Beach at sunset.jpg',
        'IMG_2041.jpg', 'Read me first.txt',
      ]);
      if (javaScriptEnabled) await page.screenshot({ path: path.join(RESULTS_DIR, 'listing-phone-sorted-by-date.png') });
      await page.tap('ul.entries a:has-text("Documents")');
      await page.waitForURL(/\/Documents\/\?sort=date&order=desc$/);
      expect(await names(page)).toEqual(['Lease agreement.pdf']);
      expect(await page.textContent('h1')).toBe('Documents');
      if (javaScriptEnabled) await page.screenshot({ path: path.join(RESULTS_DIR, 'listing-phone-subfolder.png') });
      await page.tap('.crumbs a:has-text("Home")');
      await page.waitForURL(/127\.0\.0\.1:\d+\/\?sort=date&order=desc$/);
      await page.tap('.sort a:has-text("Name")');
      await page.waitForURL(/127\.0\.0\.1:\d+\/$/);
      expect((await names(page))[0]).toBe('Documents');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('odd names (markup and quotes, a right-to-left override, Arabic, 90 letters without a space, %, #, ?) stay in their rows and open', async () => {
    const { context, page, problems } = await phone();
    try {
      await page.goto(base + 'From%20the%20old%20laptop/');
      await page.screenshot({ path: path.join(RESULTS_DIR, 'listing-phone-odd-names.png') });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      // The override is shown, not applied: the name reads gpj.exe (an .exe, not a .jpg).
      const rows = await page.$$eval('ul.entries a:not(.up)', (els) => els.map((a) => a.textContent));
      expect(rows).toContain('U+202Egpj.exe68.4 KB2026-10-01 10:00');
      expect(rows).toContain('<b>bold & "quotes".txt12 B2026-01-10 08:00');
      expect(await page.getAttribute('ul.entries a:has-text("bold")', 'href')).toBe('%3Cb%3Ebold%20%26%20%22quotes%22.txt');
      for (const href of await page.$$eval('ul.entries a:not(.up)', (els) => els.map((a) => a.getAttribute('href')!))) {
        expect((await context.request.get(base + 'From%20the%20old%20laptop/' + href)).status(), href).toBe(200);
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a wide screen gets one line per entry with size and date in columns', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
    try {
      const page = await context.newPage();
      await page.goto(base);
      await page.screenshot({ path: path.join(RESULTS_DIR, 'listing-desktop.png') });
      const row = await page.$eval('ul.entries a:has-text("notes.txt")', (a) => {
        const r = (s: string) => a.querySelector(s)!.getBoundingClientRect();
        return { name: r('bdi').top, size: r('span').top, date: r('time').top };
      });
      expect(Math.abs(row.name - row.size)).toBeLessThan(6);
      expect(Math.abs(row.size - row.date)).toBeLessThan(6);
    } finally {
      await context.close();
    }
  });
});
