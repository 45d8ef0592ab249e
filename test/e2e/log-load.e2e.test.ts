/**
 * Load test of the window alone: the built renderer in real Chromium, fed 120,000 log
 * entries at 5,000 per second by a FAKE `window.servedir` (test/e2e/fake-api.ts; the real
 * app is covered by app.e2e.test.ts). Checks what a regression to per-row React state,
 * unvirtualized rendering or unbounded buffering would break: the 100,000-row cap and
 * its dropped count, a bounded DOM, flat memory, following the newest row, and frames.
 * Thresholds leave room for this shared 2-core machine; the bench measures precisely.
 */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDefaults } from '../../server/share-settings';
import { installFakeServedirApi } from './fake-api';
import { assertBuilt, launchChromium, RESULTS_DIR, serveRenderer } from './helpers';

const TOTAL = 120_000;

let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  assertBuilt();
  mkdirSync(RESULTS_DIR, { recursive: true });
  server = serveRenderer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
  await page.addInitScript(installFakeServedirApi, { total: TOTAL, perBatch: 250, everyMs: 50, defaults: appDefaults() });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

describe('request log under load (renderer alone, fake API)', () => {
  it('keeps 100,000 rows, counts the dropped ones, keeps the DOM small and frames short', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
    await page.evaluate(() => {
      const f = { max: 0, over100: 0, frames: 0, last: performance.now() };
      (globalThis as Record<string, unknown>).__frames = f;
      const tick = (t: number) => {
        const d = t - f.last;
        f.last = t;
        f.frames++;
        if (d > f.max) f.max = d;
        if (d > 100) f.over100++;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    // While following at 5,000 rows/s every batch brings more rows than the view holds: the
    // row elements must be refilled, not re-created (re-creating them every frame was a third
    // of the window's work).
    await page.getByTestId('count-requests').filter({ hasText: /\d{2},\d{3}/ }).waitFor({ timeout: 30_000 });
    const reused = await page.evaluate(async () => {
      const el = document.querySelector('.log-rows .log-row') as HTMLElement;
      const before = el.textContent;
      await new Promise((r) => setTimeout(r, 300)); // several batches
      return { connected: el.isConnected, changed: el.textContent !== before };
    });
    expect(reused).toEqual({ connected: true, changed: true });
    await page.getByTestId('count-requests').filter({ hasText: '120,000' }).waitFor({ timeout: 60_000 });
    const r = await page.evaluate(() => ({
      frames: (globalThis as Record<string, unknown>).__frames as { max: number; over100: number; frames: number },
      dom: document.getElementsByTagName('*').length,
      heapMiB: ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0) / 2 ** 20,
      rowsRendered: document.querySelectorAll('.log-rows .log-row').length,
      lastPath: Array.from(document.querySelectorAll(".log-rows .log-row .c-path")).at(-1)?.textContent,
    }));
    await page.screenshot({ path: join(RESULTS_DIR, 'load-120k.png') });
    console.log(`log load: ${JSON.stringify(r)}`);

    expect(await page.getByTestId('count-dropped-old').textContent()).toBe('20,000');
    expect(await page.locator('[data-testid="count-not-received"]').count()).toBe(0);
    expect(r.lastPath).toBe(`/1k.bin?i=${TOTAL}`); // followed the newest row
    expect(r.rowsRendered).toBeLessThan(80); // virtualized
    expect(r.dom).toBeLessThan(1500);
    expect(r.heapMiB).toBeLessThan(80);
    expect(r.frames.frames).toBeGreaterThan(200);
    expect(r.frames.max).toBeLessThan(500);
    expect(errors).toEqual([]);

    // Filtering 100,000 held rows is bounded: it finishes and shows the right count.
    await page.click('button[aria-pressed]:has-text("4xx")');
    await page.locator('text=/5,88\\d shown of 100,000 kept/').waitFor({ timeout: 10_000 });
  }, 90_000);
});
