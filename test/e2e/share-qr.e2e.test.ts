/**
 * End-to-end, issue 11: share a folder on every interface in the REAL browser mode (real
 * control server, real engine), read the sharing card's QR code back from a screenshot
 * with a decoder (jsQR over the PNG), and open what it says from a second Chromium
 * context that looks like a phone (390×844, isMobile): it must show the shared folder.
 * Screenshots at 1280×800 and 640×480, light and dark, land in test-results/e2e/qr-*.png;
 * the 1280×800 light one is also the README's (docs/screenshot.png).
 *
 * Then the same from a Chromium in a network namespace of its own (root, `ip netns`): a
 * separate network stack, like a phone's, whose only route is to the address it scanned;
 * skipped, saying why, where namespaces are not permitted.
 *
 * On this machine the decoded URL is the machine's own address (or loopback): traffic
 * never leaves it. Needs `npm run build:app` first.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { chromium, type Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { findShareUrls, freePort } from '../../server/host/net-info';
import { makeDeviceNamespace, openWindow, RESULTS_DIR, ROOT, shareFolder, windowSession, type Fixture } from './helpers';

const T = 20_000;

const w = windowSession({ viewport: { width: 1280, height: 800 }, evidencePrefix: 'qr-', fixture: makeHolidayFolder, clipboard: true });
let mainUrl = '';

/** SERVEDIR_UPDATE_SCREENSHOT=1: the README's picture is taken from /tmp/Holiday photos and saved as docs/screenshot.png. */
const UPDATE_README = process.env.SERVEDIR_UPDATE_SCREENSHOT === '1';

/**
 * A holiday folder as people share it: photos in a sub-folder (and one deeper), a video,
 * notes and a PDF. World-readable, as the engine may run as `nobody` under root.
 */
function makeHolidayFolder(): Fixture {
  let parent: string | null = null;
  let dir: string;
  if (UPDATE_README) {
    dir = join(tmpdir(), 'Holiday photos');
    if (existsSync(dir)) throw new Error(`${dir} exists already: move it away to take the README screenshot.`);
  } else {
    parent = mkdtempSync(join(tmpdir(), 'servedir-e2e-qr-'));
    chmodSync(parent, 0o755);
    dir = join(parent, 'Holiday photos');
  }
  const files: Record<string, number | string> = {
    '2026 Lisbon/IMG_2041.jpg': 527_000,
    '2026 Lisbon/IMG_2042.jpg': 351_000,
    '2026 Lisbon/IMG_2043.jpg': 248_000,
    '2026 Lisbon/tram 28.mp4': 292_000,
    '2026 Lisbon/day 2/IMG_2101.jpg': 291_000,
    'trip notes.txt': 'Tram 28 from Martim Moniz before 9, then the castle.\n',
    'slideshow.pdf': 900_000,
  };
  for (const [rel, body] of Object.entries(files)) {
    const file = join(dir, rel);
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o755 });
    writeFileSync(file, typeof body === 'string' ? body : randomBytes(body), { mode: 0o644 });
  }
  for (const d of [dir, join(dir, '2026 Lisbon'), join(dir, '2026 Lisbon/day 2')]) chmodSync(d, 0o755);
  return { dir, remove: () => rmSync(parent ?? dir, { recursive: true, force: true }) };
}

/**
 * "Another device": a network namespace joined to this machine by a veth pair on
 * 198.18.0.0/15 (RFC 2544, benchmarking), whose only route leads to `target`, this
 * machine's own address from the QR code. A Chromium started inside it has its own
 * loopback and reaches nothing but `target`. Returns why not where namespaces are not
 * permitted (not root, no `ip`, a container without CAP_NET_ADMIN).
 */
function makePhoneNamespace(target: string): { chromium: string; clientAddress: string; remove(): void } | string {
  const ns = makeDeviceNamespace(target, { tag: 'qr', subnet: '198.18', what: "the QR code's address" });
  if (typeof ns === 'string') return ns;
  const { name, clientAddress } = ns;
  const wrapperDir = mkdtempSync(join(tmpdir(), 'servedir-e2e-ns-'));
  const wrapper = join(wrapperDir, 'chromium-in-namespace.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${name} /usr/bin/chromium "$@"\n`, { mode: 0o755 });
  return {
    chromium: wrapper,
    clientAddress,
    remove: () => {
      ns.remove();
      rmSync(wrapperDir, { recursive: true, force: true });
    },
  };
}

/** The text of the QR code in a PNG, or null when the decoder finds none. */
function decodeQr(png: Buffer): string | null {
  const img = PNG.sync.read(png);
  const found = jsQR(new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length), img.width, img.height);
  return found?.data ?? null;
}

/** Screenshot of what a person sees, saved, and the QR code read from it. */
async function shootAndDecode(name: string): Promise<string | null> {
  const path = join(RESULTS_DIR, `${name}.png`);
  const png = await w.page.screenshot({ path });
  return decodeQr(png);
}

describe('Sharing card: the address to open and its QR code (real browser mode + engine)', () => {
  it('shares on every interface and shows the best address big, with its QR code', async () => {
    await openWindow(w.page, w.app.url);
    // For the README, 8000 as most people would see it; otherwise any free port, so that
    // the other e2e files running at the same time (which may pick 8000) never collide.
    const port = UPDATE_README ? await freePort('', 8000).catch(() => freePort('')) : await freePort('');
    await shareFolder(w.page, w.fixture.dir, { bind: '', port });

    const big = w.page.locator('.url-big');
    await big.waitFor({ timeout: T });
    mainUrl = (await big.textContent())!;
    // The host's first address for a wildcard bind on this machine, ranked the same way.
    const expected = await findShareUrls('::', port);
    expect(mainUrl).toBe(expected[0]!.url);
    expect(expected[0]!.scope).toBe('lan'); // this machine has a network; the big one is not loopback
    await w.page.locator('svg.qr-code').waitFor({ timeout: T });
    expect(await w.page.locator('svg.qr-code').getAttribute('data-value')).toBe(mainUrl);
    expect(await w.page.locator('.sharing-lead').first().textContent()).toMatch(/same Wi-Fi or network/);
  });

  it('the QR code is large enough for a phone across a desk, black on white in both themes', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await w.page.emulateMedia({ colorScheme: scheme });
      const svg = w.page.locator('svg.qr-code');
      const box = (await svg.boundingBox())!;
      const cells = Number((await svg.getAttribute('viewBox'))!.split(' ')[2]);
      // 4 modules of quiet zone on each side; the rest is the code itself.
      expect(((cells - 8) / cells) * box.width).toBeGreaterThanOrEqual(200);
      expect(box.width).toBe(box.height);
      const fills = await svg.locator('path').evaluateAll((ps) => ps.map((p) => p.getAttribute('fill')));
      expect(fills).toEqual(['#ffffff', '#000000']);
      // Nothing on the card covers it or clips it: the whole code is inside the window.
      const vw = w.page.viewportSize()!.width;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(vw);
    }
    await w.page.emulateMedia({ colorScheme: 'light' });
  });

  it('reads the QR code back from screenshots at 1280×800 and 640×480, light and dark', async () => {
    const sizes = [
      { width: 1280, height: 800 },
      { width: 640, height: 480 },
    ];
    for (const size of sizes) {
      await w.page.setViewportSize(size);
      for (const scheme of ['light', 'dark'] as const) {
        await w.page.emulateMedia({ colorScheme: scheme });
        if (size.height < 600) {
          // What the short window shows first (the address, Copy, Open), for looking at.
          await w.page.locator('.side-scroll').evaluate((el) => el.scrollTo(0, 0));
          await w.page.evaluate(() => window.scrollTo(0, 0));
          await w.page.screenshot({ path: join(RESULTS_DIR, `qr-${size.width}x${size.height}-${scheme}-top.png`) });
        }
        // Where the window is too short for the whole card, a person scrolls to the code.
        await w.page.locator('svg.qr-code').scrollIntoViewIfNeeded();
        await w.page.mouse.move(0, 0);
        const name = `qr-${size.width}x${size.height}-${scheme}`;
        expect(await shootAndDecode(name), name).toBe(mainUrl);
      }
    }
    await w.page.emulateMedia({ colorScheme: 'light' });
    await w.page.setViewportSize({ width: 1280, height: 800 });
    await w.page.locator('.side-scroll').evaluate((el) => el.scrollTo(0, 0));
    await w.page.evaluate(() => window.scrollTo(0, 0));
  });

  it('opens the decoded address on a phone-sized second browser: the shared folder’s listing', async () => {
    const decoded = decodeQr(readFileSync(join(RESULTS_DIR, 'qr-1280x800-light.png')));
    expect(decoded).toBe(mainUrl);
    const phone = await w.browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 3,
      userAgent:
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1',
    });
    try {
      const p = await phone.newPage();
      const res = await p.goto(decoded!);
      expect(res?.status()).toBe(200);
      // The app's listing (modern by default: made for phones), of the shared folder's root.
      await p.locator('ul.entries').waitFor({ timeout: T });
      const names = await p.locator('ul.entries li a bdi').allTextContents();
      expect(names).toEqual(['2026 Lisbon', 'slideshow.pdf', 'trip notes.txt']);
      await p.screenshot({ path: join(RESULTS_DIR, 'qr-phone-listing.png') });
      // Folders and files open too, as taps would.
      await p.locator('ul.entries a', { hasText: '2026 Lisbon' }).tap();
      await p.waitForURL(/\/2026%20Lisbon\/$/);
      for (const photo of ['IMG_2041.jpg', 'IMG_2042.jpg']) {
        const r = await p.request.get(new URL(photo, p.url()).href);
        expect(r.status()).toBe(200);
      }
      await p.locator('ul.entries a', { hasText: 'day 2' }).tap();
      await p.waitForURL(/\/day%202\/$/);
      await p.goto(new URL('trip%20notes.txt', decoded!).href);
      expect(await p.locator('body').textContent()).toBe('Tram 28 from Martim Moniz before 9, then the castle.\n');
    } finally {
      await phone.close();
    }
    // The phone's requests show in the window's log.
    await w.page.locator('.log-rows .log-row .c-path', { hasText: '/trip notes.txt' }).first().waitFor({ timeout: T });
  });

  it('opens the decoded address from another network stack: a phone in its own network namespace', async (ctx) => {
    const decoded = decodeQr(readFileSync(join(RESULTS_DIR, 'qr-1280x800-light.png')))!;
    const ns = makePhoneNamespace(new URL(decoded).hostname);
    if (typeof ns === 'string') {
      console.warn(`[e2e] skipped the phone in a network namespace: ${ns}`);
      ctx.skip();
      return;
    }
    let phone: Browser | undefined;
    try {
      phone = await chromium.launch({
        executablePath: ns.chromium,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      });
      const ctxPhone = await phone.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 });
      // Its own loopback: this computer's 127.0.0.1 is not there, as on a real phone.
      const probe = await ctxPhone.newPage();
      const port = new URL(decoded).port;
      await expect(probe.goto(`http://127.0.0.1:${port}/`, { timeout: 5000 })).rejects.toThrow(/ERR_CONNECTION_REFUSED/);
      await probe.close();
      const p = await ctxPhone.newPage();
      const res = await p.goto(decoded);
      expect(res?.status()).toBe(200);
      expect(await p.locator('ul.entries li a bdi').allTextContents()).toEqual(['2026 Lisbon', 'slideshow.pdf', 'trip notes.txt']);
      await p.screenshot({ path: join(RESULTS_DIR, 'qr-phone-namespace.png') });
    } finally {
      await phone?.close();
      ns.remove();
    }
    // The window's log shows the visit coming from the other device's own address.
    await w.page.locator('.log-rows .log-row .c-client', { hasText: ns.clientAddress }).first().waitFor({ timeout: T });
  });

  it('Copy copies the big address; Open opens it in a new tab', async () => {
    const main = w.page.locator('.url-main');
    await main.locator('button.copy-btn').click();
    await main.locator('button.copy-btn.is-copied', { hasText: 'Copied' }).waitFor({ timeout: T });
    await w.page.screenshot({ path: join(RESULTS_DIR, 'qr-copied.png'), clip: { x: 0, y: 180, width: 350, height: 180 } });
    expect(await w.page.evaluate(() => navigator.clipboard.readText())).toBe(mainUrl);
    const [tab] = await Promise.all([w.context.waitForEvent('page'), main.locator('a.open-btn').click()]);
    await tab!.waitForLoadState();
    expect(tab!.url()).toBe(mainUrl);
    await tab!.locator('ul.entries bdi', { hasText: 'trip notes.txt' }).waitFor({ timeout: T });
    await tab!.close();
  });

  it('keeps the other addresses folded under "Other addresses", this computer among them', async () => {
    const details = w.page.locator('details.other-urls');
    expect(await details.getAttribute('open')).toBeNull();
    expect(await details.locator('.url-list').isVisible()).toBe(false);
    await details.locator('summary').click();
    await details.locator('.url-list').waitFor({ state: 'visible', timeout: T });
    const loop = details.locator('.url-item', { hasText: '127.0.0.1' });
    expect(await loop.locator('.url-label').textContent()).toBe('This computer');
    expect(await loop.locator('.url-note').textContent()).toBe('Only on this computer');
    // The big address is not repeated in the list.
    expect(await details.locator('.url-link', { hasText: mainUrl }).count()).toBe(0);
    await w.page.screenshot({ path: join(RESULTS_DIR, 'qr-other-addresses.png') });
    await details.locator('summary').click();
  });

  it("takes the README's picture: the card with its code and the phone's visit in the log, 1280×800, light", async () => {
    await w.page.locator('.log-rows .log-row .c-path', { hasText: '/2026 Lisbon/day 2/' }).first().waitFor({ timeout: T });
    await w.page.mouse.move(0, 0);
    await w.page.screenshot({ path: join(RESULTS_DIR, 'qr-readme.png') });
    // SERVEDIR_UPDATE_SCREENSHOT=1 makes it the README's screenshot (docs/screenshot.png).
    if (UPDATE_README) copyFileSync(join(RESULTS_DIR, 'qr-readme.png'), join(ROOT, 'docs/screenshot.png'));
  });

  it('sharing with this computer only shows no QR code, and says how to reach a phone', async () => {
    await w.page.click('button:has-text("Stop sharing")');
    await w.page.getByTestId('status-pill').filter({ hasText: 'Not sharing' }).waitFor({ timeout: T });
    await w.page.selectOption('#bind-select', '127.0.0.1');
    await w.page.click('button:has-text("Share this folder")');
    await w.page.locator('.url-big', { hasText: '127.0.0.1' }).waitFor({ timeout: T });
    expect(await w.page.locator('svg.qr-code').count()).toBe(0);
    expect(await w.page.locator('.share-hint').textContent()).toMatch(/All network interfaces/);
    await w.page.screenshot({ path: join(RESULTS_DIR, 'qr-this-computer-only.png') });
    await w.page.click('button:has-text("Stop sharing")');
    await w.page.getByTestId('status-pill').filter({ hasText: 'Not sharing' }).waitFor({ timeout: T });
    expect(w.pageErrors).toEqual([]);
  });
});
