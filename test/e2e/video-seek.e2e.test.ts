/**
 * A visitor's phone plays a video from the share and seeks to its middle: real Chromium with
 * a phone viewport, the real engine with the app's settings (`serve()` + `appDefaults()`: Range
 * on), a small committed WebM (test/e2e/fixtures/clip.webm, 20 s, VP8, made with ffmpeg's
 * test source). The player must reach the middle, and the engine must have answered Range
 * requests with 206; without the setting (CPython's behaviour) the same file gets no 206.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../server/log';
import { serve, type RunningServer } from '../../server/serve';
import { appDefaults } from '../../server/share-settings';
import { makeTempDir } from '../../server/test-support/harness';
import { launchChromium, RESULTS_DIR } from './helpers';

const CLIP = path.join(__dirname, 'fixtures', 'clip.webm');
let browser: Browser;
let root: string;

beforeAll(async () => {
  browser = await launchChromium();
  root = makeTempDir();
  fs.copyFileSync(CLIP, path.join(root, 'clip.webm'));
  fs.writeFileSync(
    path.join(root, 'player.html'),
    '<!DOCTYPE html><meta name="viewport" content="width=device-width"><video id="v" src="clip.webm" controls muted playsinline style="width:100%"></video>',
  );
});
afterAll(async () => {
  await browser?.close();
});

async function share(range: boolean): Promise<{ server: RunningServer; logs: RequestLogEntry[] }> {
  const logs: RequestLogEntry[] = [];
  const server = await serve({ ...appDefaults(), directory: root, port: 0, bind: '127.0.0.1', protocolVersion: 'HTTP/1.1', range }, { onLog: (e) => logs.push(e) });
  return { server, logs };
}

/** Opens the player on a phone-sized page and seeks to the middle; resolves with the time reached. */
async function seekToMiddle(port: number, shot?: string): Promise<{ currentTime: number; duration: number }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/player.html`);
    const result = await page.evaluate(async () => {
      const v = document.getElementById('v') as HTMLVideoElement;
      if (v.readyState < 1) await new Promise((r) => v.addEventListener('loadedmetadata', r, { once: true }));
      const seeked = new Promise((r) => v.addEventListener('seeked', r, { once: true }));
      v.currentTime = v.duration / 2;
      await seeked;
      if (v.readyState < 2) await new Promise((r) => v.addEventListener('loadeddata', r, { once: true }));
      return { currentTime: v.currentTime, duration: v.duration };
    });
    if (shot) await page.screenshot({ path: shot });
    return result;
  } finally {
    await context.close();
  }
}

describe('a phone seeks in a video (Range, PORT NOTE 26)', () => {
  it('with the app’s settings: the player reaches the middle and the engine answered 206', async () => {
    const { server, logs } = await share(true);
    try {
      fs.mkdirSync(RESULTS_DIR, { recursive: true });
      const r = await seekToMiddle(server.port, path.join(RESULTS_DIR, 'video-seek-phone.png'));
      expect(r.duration).toBeCloseTo(20, 0);
      expect(Math.abs(r.currentTime - r.duration / 2)).toBeLessThan(1);
      const clip = logs.filter((e) => e.kind === 'request' && e.path === '/clip.webm');
      expect(clip.length).toBeGreaterThan(0);
      expect(clip.some((e) => e.status === 206)).toBe(true);
      expect(clip.every((e) => e.status === 206 || e.status === 200 || e.status === 304)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('without the setting (CPython’s behaviour) the same requests get 200, never 206', async () => {
    const { server, logs } = await share(false);
    try {
      await seekToMiddle(server.port);
      const clip = logs.filter((e) => e.kind === 'request' && e.path === '/clip.webm');
      expect(clip.length).toBeGreaterThan(0);
      expect(clip.some((e) => e.status === 206)).toBe(false);
    } finally {
      await server.close();
    }
  });
});
