/**
 * Attack suite: the browser fallback's sign-in (electron/web/web-protocol.ts). What used to
 * be one long-lived token in the address bar, the history and the opener's command line is
 * now a single-use, short-lived key exchanged for an HttpOnly, SameSite=Strict session
 * cookie. Checked against the BUILT `out/main/web.cjs` (with a recording stand-in for
 * `xdg-open` on its PATH) and a real Chromium:
 *
 *  - the opener gets its own address, not the printed one, and it works exactly once;
 *  - each address stops working after its lifetime (60 s for the opener's, 10 min for the
 *    printed one; checked to the millisecond on the control server's clock);
 *  - in Chromium the key never reaches the address bar's final URL or the tab's history,
 *    page scripts see no cookie, and the cookie is HttpOnly, SameSite=Strict, path /api/;
 *  - a used address opened in another browser signs nothing in, and the terminal gets a
 *    fresh one that does.
 *
 * Needs `npm run build:app` and /usr/bin/chromium (as the e2e tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startControlServer } from '../../electron/web/control-server';
import { OPENER_LINK_TTL_MS, PRINTED_LINK_TTL_MS } from '../../electron/web/web-protocol';
import type { InvokeHandlers } from '../../electron/app-service';
import { launchChromium } from '../e2e/helpers';
import { HOST_CJS, RENDERER_INDEX, ROOT, WEB_CJS, requireBuilt } from '../shell/built';
import { AGAINST_PYTHON } from './support/servers';

let dir: string;
let child: ChildProcess;
let out = '';
let printed: string;
let opener: string;
let browser: Browser;

/** GET a sign-in address without following the redirect: status, Location, cookie. */
async function open(link: string): Promise<{ status: number; location: string | null; cookie: string | null; setCookie: string | null }> {
  const res = await fetch(link, { redirect: 'manual' });
  const setCookie = res.headers.get('set-cookie');
  return { status: res.status, location: res.headers.get('location'), cookie: setCookie?.split(';')[0] ?? null, setCookie };
}

const waitFor = async <T>(what: string, get: () => T | null, ms = 10_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`${what} did not come in ${ms} ms:\n${out}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe.skipIf(AGAINST_PYTHON)('browser fallback sign-in (built web.cjs, real Chromium)', () => {
  beforeAll(async () => {
    requireBuilt(WEB_CJS, HOST_CJS, RENDERER_INDEX);
    dir = mkdtempSync(join(tmpdir(), 'servedir-signin-'));
    const bin = join(dir, 'bin');
    writeFileSync(join(dir, 'opener.log'), '');
    // Stand-in for xdg-open: records its arguments (the command line anyone could read) and succeeds.
    mkdirSync(bin);
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" >> "${join(dir, 'opener.log')}"\nexit 0\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    child = spawn(process.execPath, [WEB_CJS, '--open'], {
      cwd: ROOT,
      env: { ...process.env, SERVEDIR_USER_DATA: join(dir, 'user-data'), PATH: bin },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
    printed = await waitFor('the printed address', () => /Servedir is open at (\S+)\s/.exec(out)?.[1] ?? null);
    opener = await waitFor('the opener call', () => readFileSync(join(dir, 'opener.log'), 'utf8').trim() || null);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('the opener gets one argument: its own single-use address, not the printed one', async () => {
    expect(opener.split('\n')).toHaveLength(1);
    const o = new URL(opener);
    const p = new URL(printed);
    expect(o.origin).toBe(p.origin);
    expect(o.searchParams.get('key')).not.toBe(p.searchParams.get('key'));
    expect(Buffer.from(o.searchParams.get('key')!, 'base64url')).toHaveLength(32);
    const first = await open(opener);
    expect(first).toMatchObject({ status: 303, location: '/' });
    expect(first.setCookie).toMatch(/; Path=\/api\/; HttpOnly; SameSite=Strict$/);
    const second = await open(opener);
    expect(second).toMatchObject({ status: 303, location: '/', cookie: null });
  });

  it('in Chromium: the key leaves the address bar and the history, scripts see no cookie, the cookie is HttpOnly + Strict on /api/', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const origin = new URL(printed).origin;
    await page.goto(printed);
    await page.getByTestId('status-pill').waitFor({ timeout: 15_000 });
    expect(page.url()).toBe(`${origin}/`);
    const cdp = await context.newCDPSession(page);
    const history = (await cdp.send('Page.getNavigationHistory')) as { entries: { url: string }[] };
    const urls = history.entries.map((e) => e.url);
    expect(urls.filter((u) => u.includes('key='))).toEqual([]);
    expect(urls.at(-1)).toBe(`${origin}/`);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const cookies = await context.cookies(`${origin}/api/`);
    expect(cookies.map((c) => ({ path: c.path, httpOnly: c.httpOnly, sameSite: c.sameSite, expires: c.expires }))).toEqual([
      { path: '/api/', httpOnly: true, sameSite: 'Strict', expires: -1 },
    ]);
    // The static page itself carries no cookie (path /api/ only).
    expect(await context.cookies(`${origin}/`)).toEqual([]);
    expect(await page.locator('.conn-banner').count()).toBe(0);

    // The same address in another browser: not signed in, and a fresh address is printed.
    const other = await browser.newContext();
    const p2 = await other.newPage();
    await p2.goto(printed);
    expect(p2.url()).toBe(`${origin}/`);
    await p2.locator('.conn-banner', { hasText: /not signed in to Servedir/ }).waitFor({ timeout: 15_000 });
    const fresh = await waitFor('a fresh address', () => /use this one: (\S+)/.exec(out)?.[1] ?? null);
    await p2.goto(fresh);
    await p2.getByTestId('status-pill').waitFor({ timeout: 15_000 });
    expect(await p2.locator('.conn-banner').count()).toBe(0);
    await other.close();
    await context.close();
  });

  it(`addresses expire: the opener's after ${OPENER_LINK_TTL_MS / 1000} s, the printed one after ${PRINTED_LINK_TTL_MS / 60_000} min (to the millisecond)`, async () => {
    expect(OPENER_LINK_TTL_MS).toBe(60_000);
    expect(PRINTED_LINK_TTL_MS).toBe(600_000);
    let clock = 0;
    const handlers = {} as InvokeHandlers;
    const rendererDir = mkdtempSync(join(dir, 'renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>x</title>');
    const control = await startControlServer({ handlers, rendererDir, now: () => clock });
    try {
      for (const ttl of [OPENER_LINK_TTL_MS, PRINTED_LINK_TTL_MS]) {
        clock = 1_000_000;
        const inTime = control.issueLink(ttl);
        const late = control.issueLink(ttl);
        clock += ttl;
        expect((await open(inTime)).cookie, `${ttl} ms after issue`).not.toBeNull();
        clock += 1;
        expect((await open(late)).cookie, `${ttl + 1} ms after issue`).toBeNull();
      }
    } finally {
      await control.close();
    }
  });
});
