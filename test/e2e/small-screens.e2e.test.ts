/**
 * End-to-end, issue 11 part 7: the window fits small screens, and everyone can read it. In the
 * REAL browser mode (control server, real engine), sharing a folder on every interface with a
 * few requests in the log:
 * - at 640×480 (Electron's smallest window) nothing sticks out sideways: the page does not
 *   scroll sideways, the main regions (top bar, side panel, sharing card, QR code, request
 *   log) lie inside the window, and no element is cut off by a container that hides what
 *   overflows it (text shortened on purpose with an ellipsis excepted);
 * - focus moves to the sharing card after Share and back to the Share button after Stop;
 * - every visible text meets WCAG AA contrast against the background it is drawn on (4.5:1,
 *   3:1 for large text), in light and in dark, sharing and not sharing, the log's user-agent
 *   column included.
 * Screenshots at 1280×800 and 640×480, light and dark: test-results/e2e/small-*.png.
 * Needs `npm run build:app` first.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../server/host/net-info';
import { makeFixture, openWindow, RESULTS_DIR, windowSession, type Fixture } from './helpers';

const T = 20_000;

let port = 0;

const SCHEMES = ['light', 'dark'] as const;

/** The user agents of the requests in the log: a phone, a PC, curl. */
const AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'curl/8.5.0',
];

/** Where something sticks out sideways, as sentences (empty: nothing does). */
function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const vw = document.documentElement.clientWidth;
    const name = (el: Element): string => {
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      const txt = (el.textContent ?? '').trim().slice(0, 30);
      return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls}${txt ? ` "${txt}"` : ''}`;
    };
    if (document.documentElement.scrollWidth > vw + 1) out.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${vw}`);
    for (const sel of ['.topbar', '.side', '.sharing-card', '.qr-figure', '.qr-code', '.log', '.log-toolbar', '.log-head', '.log-foot', '.btn-stop']) {
      for (const el of Array.from(document.querySelectorAll(sel))) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        if (r.left < -0.5 || r.right > vw + 0.5) out.push(`${sel} lies outside the window: ${Math.round(r.left)}–${Math.round(r.right)} of ${vw}`);
      }
    }
    const visible = (el: Element): boolean => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return false;
      const cs = getComputedStyle(el);
      return cs.visibility !== 'hidden' && cs.display !== 'none';
    };
    /** The nearest ancestor that cuts off what overflows it sideways. */
    const clipper = (el: Element): Element | null => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        const ox = getComputedStyle(p).overflowX;
        if (ox === 'hidden' || ox === 'clip') return p;
        // A scrolled container shows the rest on scrolling: not a cut.
        if (ox === 'auto' || ox === 'scroll') return null;
      }
      return null;
    };
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      if (!visible(el) || el.closest('.sr-only, [aria-hidden="true"], svg')) continue;
      const cs = getComputedStyle(el);
      const shortened = cs.textOverflow === 'ellipsis';
      // Its own content cut off (text on purpose shortened with an ellipsis excepted; a text
      // box scrolls its own text, as everywhere).
      if (!el.matches('input, textarea, select') && (cs.overflowX === 'hidden' || cs.overflowX === 'clip') && !shortened && el.scrollWidth > el.clientWidth + 1) {
        out.push(`${name(el)} cuts off its content: ${el.scrollWidth} > ${el.clientWidth}`);
      }
      const r = el.getBoundingClientRect();
      const c = clipper(el);
      if (c && !getComputedStyle(c).textOverflow.includes('ellipsis')) {
        const cr = c.getBoundingClientRect();
        if (r.right > cr.right + 1 || r.left < cr.left - 1) out.push(`${name(el)} is cut off by ${name(c)}`);
      }
      if (!c && (r.right > vw + 1 || r.left < -1) && !el.closest('[style*="overflow"], .log-scroll')) {
        out.push(`${name(el)} sticks out of the window: ${Math.round(r.left)}–${Math.round(r.right)} of ${vw}`);
      }
    }
    return out;
  });
}

interface ContrastFailure {
  readonly text: string;
  readonly where: string;
  readonly ratio: number;
  readonly needed: number;
  readonly fg: string;
  readonly bg: string;
}

/**
 * Every visible text (an element with text of its own) against the background it is drawn on:
 * the first opaque background up its ancestors, blending the translucent ones on top, and the
 * text's colour blended with that by its own alpha and the ancestors' opacity. Disabled controls
 * are exempt (WCAG 1.4.3). Returns the ones below AA, and how many texts were checked and
 * whether a user-agent cell of the log was among them.
 */
function contrastFailures(page: Page): Promise<{ failures: ContrastFailure[]; checked: number; userAgentCells: number }> {
  return page.evaluate(() => {
    type RGBA = [number, number, number, number];
    const ctx = document.createElement('canvas').getContext('2d')!;
    const parse = (c: string): RGBA => {
      // Let the canvas normalise any CSS colour (color-mix, oklab…) to rgba.
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = '#000';
      ctx.fillStyle = c;
      ctx.fillRect(0, 0, 1, 1);
      const d = ctx.getImageData(0, 0, 1, 1).data;
      const m = /rgba?\(([^)]+)\)/.exec(c);
      const alpha = m ? Number(m[1]!.split(/[,/ ]+/).filter(Boolean)[3] ?? 1) : d[3]! / 255;
      return [d[0]!, d[1]!, d[2]!, c === 'transparent' ? 0 : Number.isFinite(alpha) ? alpha : 1];
    };
    const over = (top: RGBA, under: RGBA): RGBA => {
      const a = top[3];
      return [top[0] * a + under[0] * (1 - a), top[1] * a + under[1] * (1 - a), top[2] * a + under[2] * (1 - a), 1];
    };
    const lum = (c: RGBA): number => {
      const ch = c.slice(0, 3).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * ch[0]! + 0.7152 * ch[1]! + 0.0722 * ch[2]!;
    };
    const ratio = (a: RGBA, b: RGBA): number => {
      const [l1, l2] = [lum(a), lum(b)].sort((x, y) => y - x);
      return (l1! + 0.05) / (l2! + 0.05);
    };
    const background = (el: Element): RGBA => {
      const layers: RGBA[] = [];
      for (let e: Element | null = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] >= 1) break;
      }
      let base: RGBA = layers.length > 0 && layers[layers.length - 1]![3] >= 1 ? layers.pop()! : parse(getComputedStyle(document.body).backgroundColor);
      if (base[3] < 1) base = over(base, [255, 255, 255, 1]);
      for (let i = layers.length - 1; i >= 0; i--) base = over(layers[i]!, base);
      return base;
    };
    const opacity = (el: Element): number => {
      let o = 1;
      for (let e: Element | null = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
      return o;
    };
    const failures: ContrastFailure[] = [];
    let checked = 0;
    let userAgentCells = 0;
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const own = Array.from(el.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? '').join('').trim();
      if (own === '' || el.closest('.sr-only, [aria-hidden="true"], option, script, style')) continue;
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      if (r.width === 0 || r.height === 0 || cs.visibility === 'hidden') continue;
      if (el.closest(':disabled, [aria-disabled="true"]')) continue;
      const bg = background(el);
      let fg = parse(cs.color);
      fg = over([fg[0], fg[1], fg[2], fg[3] * opacity(el)], bg);
      const size = parseFloat(cs.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
      const needed = large ? 3 : 4.5;
      const value = ratio(fg, bg);
      checked++;
      if (el.closest('.c-ua') && !el.closest('.log-header')) userAgentCells++;
      if (value < needed - 0.005) {
        const cls = typeof el.className === 'string' ? el.className : '';
        failures.push({
          text: own.slice(0, 40),
          where: `${el.tagName.toLowerCase()}${cls ? `.${cls.split(/\s+/).join('.')}` : ''}`,
          ratio: Math.round(value * 100) / 100,
          needed,
          fg: `rgb(${fg.slice(0, 3).map(Math.round).join(',')})`,
          bg: `rgb(${bg.slice(0, 3).map(Math.round).join(',')})`,
        });
      }
    }
    return { failures, checked, userAgentCells };
  });
}

/** The usual fixture with three photos more, for a few rows in the listing and the log. */
function fixtureWithPhotos(): Fixture {
  const fixture = makeFixture();
  for (let i = 1; i <= 3; i++) {
    writeFileSync(join(fixture.dir, `photo ${i}.jpg`), 'x'.repeat(1000 * i));
    chmodSync(join(fixture.dir, `photo ${i}.jpg`), 0o644);
  }
  return fixture;
}

const w = windowSession({ viewport: { width: 1280, height: 800 }, evidencePrefix: 'small-', fixture: fixtureWithPhotos });

beforeAll(() => openWindow(w.page, w.app.url), 60_000);

async function screenshots(tag: string): Promise<void> {
  for (const scheme of SCHEMES) {
    await w.page.emulateMedia({ colorScheme: scheme });
    const { width, height } = w.page.viewportSize()!;
    await w.page.screenshot({ path: join(RESULTS_DIR, `small-${tag}-${width}x${height}-${scheme}.png`) });
    if (width < 900) await w.page.screenshot({ path: join(RESULTS_DIR, `small-${tag}-${width}x${height}-${scheme}-full.png`), fullPage: true });
  }
  await w.page.emulateMedia({ colorScheme: 'light' });
}

describe('The window fits small screens (real browser mode + engine)', () => {
  it('the checks themselves catch a cut-off element and a faint text', async () => {
    await w.page.evaluate(() => {
      const probe = document.createElement('div');
      probe.id = 'probe';
      probe.style.cssText = 'width: 100px; overflow: hidden; background: #fff';
      probe.innerHTML = '<div style="width: 300px; color: #aaa">faint and too wide</div>';
      document.body.append(probe);
    });
    const cut = await horizontalOverflow(w.page);
    expect(cut.some((m) => m.includes('faint and too wide'))).toBe(true);
    const c = await contrastFailures(w.page);
    expect(c.failures).toContainEqual(expect.objectContaining({ text: 'faint and too wide', needed: 4.5, bg: 'rgb(255,255,255)', fg: 'rgb(170,170,170)' }));
    expect(c.failures.find((f) => f.text === 'faint and too wide')!.ratio).toBeCloseTo(2.32, 1);
    await w.page.evaluate(() => document.getElementById('probe')?.remove());
  });

  it('at 640×480 the share form fits, and every text meets AA contrast in light and dark', async () => {
    await w.page.setViewportSize({ width: 640, height: 480 });
    await w.page.fill('#folder-input', w.fixture.dir);
    await w.page.press('#folder-input', 'Enter');
    await w.page.locator('#folder-msg', { hasText: /Folder found/ }).waitFor({ timeout: T });
    port = await freePort('0.0.0.0');
    await w.page.fill('#port-input', String(port));
    expect(await horizontalOverflow(w.page)).toEqual([]);
    for (const scheme of SCHEMES) {
      await w.page.emulateMedia({ colorScheme: scheme });
      const c = await contrastFailures(w.page);
      expect(c.checked).toBeGreaterThan(20);
      expect(c.failures, `${scheme}: ${JSON.stringify(c.failures, null, 1)}`).toEqual([]);
    }
    await w.page.emulateMedia({ colorScheme: 'light' });
    await screenshots('form');
  });

  it('Share moves the focus to the sharing card; with log rows nothing is cut off at 640×480, contrast is AA', async () => {
    await w.page.setViewportSize({ width: 1280, height: 800 });
    await w.page.locator('button:has-text("Share this folder")').focus();
    await w.page.keyboard.press('Enter');
    await w.page.locator('.url-big').waitFor({ timeout: T });
    await expect.poll(() => w.page.evaluate(() => document.activeElement?.id), { timeout: T }).toBe('sharing-title');
    expect(await w.page.evaluate(() => document.activeElement?.closest('.sharing-card') !== null)).toBe(true);

    const base = `http://127.0.0.1:${port}/`;
    for (const [i, ua] of AGENTS.entries()) {
      const res = await fetch(base + (i === 2 ? 'missing.txt' : `photo ${i + 1}.jpg`), { headers: { 'User-Agent': ua } });
      await res.arrayBuffer();
    }
    await (await fetch(base, { headers: { 'User-Agent': AGENTS[0]! } })).arrayBuffer();
    await expect.poll(() => w.page.locator('.log-rows .log-row').count(), { timeout: T }).toBeGreaterThanOrEqual(4);
    await screenshots('sharing');
    // Wide, where the log shows its user-agent column (narrow logs drop it).
    for (const scheme of SCHEMES) {
      await w.page.emulateMedia({ colorScheme: scheme });
      const c = await contrastFailures(w.page);
      expect(c.userAgentCells, 'the log user-agent column was checked').toBeGreaterThanOrEqual(4);
      expect(c.failures, `${scheme} 1280×800: ${JSON.stringify(c.failures, null, 1)}`).toEqual([]);
    }

    // Either side of the 900 px switch and in between, nothing sticks out either.
    for (const width of [1024, 900, 899, 760]) {
      await w.page.setViewportSize({ width, height: 600 });
      expect(await horizontalOverflow(w.page), `${width}×600`).toEqual([]);
    }
    await w.page.setViewportSize({ width: 640, height: 480 });
    expect(await horizontalOverflow(w.page)).toEqual([]);
    // Every region can be reached by scrolling the page: none is squeezed to nothing.
    for (const sel of ['.sharing-card', '.qr-code', '.btn-stop', '.log-rows .log-row']) {
      const box = await w.page.locator(sel).first().boundingBox();
      expect(box, sel).not.toBeNull();
      expect(box!.width, sel).toBeGreaterThan(0);
      expect(box!.height, sel).toBeGreaterThan(0);
    }
    const qr = (await w.page.locator('.qr-code').boundingBox())!;
    expect(qr.width, 'the QR code stays large enough for a phone camera').toBeGreaterThanOrEqual(140);
    for (const scheme of SCHEMES) {
      await w.page.emulateMedia({ colorScheme: scheme });
      const c = await contrastFailures(w.page);
      expect(c.checked).toBeGreaterThan(30);
      expect(c.failures, `${scheme} 640×480: ${JSON.stringify(c.failures, null, 1)}`).toEqual([]);
    }
    await w.page.emulateMedia({ colorScheme: 'light' });
    await screenshots('sharing');

    // Unfolded: other addresses, the help for a phone that cannot connect, a selected log row
    // with its details, the Settings tab.
    await w.page.locator('.other-urls > summary').click();
    await w.page.locator('.cant-connect > summary').click();
    await w.page.locator('.log-rows .log-row', { hasText: '/missing.txt' }).click();
    await w.page.locator('aside.log-details').waitFor({ timeout: T });
    expect(await horizontalOverflow(w.page)).toEqual([]);
    for (const scheme of SCHEMES) {
      await w.page.emulateMedia({ colorScheme: scheme });
      const c = await contrastFailures(w.page);
      expect(c.failures, `${scheme} 640×480 unfolded: ${JSON.stringify(c.failures, null, 1)}`).toEqual([]);
    }
    await screenshots('unfolded');
    await w.page.locator('aside.log-details button:has-text("Close")').click();
    await w.page.locator('#tab-settings').click();
    expect(await horizontalOverflow(w.page)).toEqual([]);
    for (const scheme of SCHEMES) {
      await w.page.emulateMedia({ colorScheme: scheme });
      const c = await contrastFailures(w.page);
      expect(c.failures, `${scheme} 640×480 settings: ${JSON.stringify(c.failures, null, 1)}`).toEqual([]);
    }
    await screenshots('settings');
    await w.page.locator('#tab-share').click();
  });

  it('Stop moves the focus back to the Share button', async () => {
    await w.page.locator('button:has-text("Stop")').click();
    await w.page.getByTestId('status-pill').filter({ hasText: 'Not sharing' }).waitFor({ timeout: T });
    await expect
      .poll(() => w.page.evaluate(() => document.activeElement?.textContent), { timeout: T })
      .toBe('Share this folder');

    // The folder browser fits too, and reads as well.
    await w.page.click('#folder-browse');
    await w.page.getByTestId('fb-path').filter({ hasText: w.fixture.dir }).waitFor({ timeout: T });
    expect(await horizontalOverflow(w.page)).toEqual([]);
    const dlg = (await w.page.getByTestId('folder-browser').boundingBox())!;
    expect(dlg.x).toBeGreaterThanOrEqual(0);
    expect(dlg.x + dlg.width).toBeLessThanOrEqual(640);
    expect(dlg.y + dlg.height).toBeLessThanOrEqual(480);
    for (const scheme of SCHEMES) {
      await w.page.emulateMedia({ colorScheme: scheme });
      const c = await contrastFailures(w.page);
      expect(c.failures, `${scheme} folder browser: ${JSON.stringify(c.failures, null, 1)}`).toEqual([]);
    }
    await screenshots('browser');
    await w.page.keyboard.press('Escape');
    expect(w.pageErrors).toEqual([]);
  });
});
