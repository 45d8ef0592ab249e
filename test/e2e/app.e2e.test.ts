/**
 * End-to-end: the real window in real Chromium, against the REAL browser-fallback app
 * (`node out/main/web.cjs`) hosting the real engine. No fakes: every click goes through
 * the web transport, the control server, the host process and the HTTP engine, and the
 * requests are real HTTP over loopback.
 *
 * Needs `npm run build:app` first (scripts/test-all.mjs builds before vitest).
 * Screenshots land in test-results/e2e/*.png.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostPids, RESULTS_DIR, windowSession } from './helpers';

const T = 20_000;

const w = windowSession({ viewport: { width: 1100, height: 720 }, evidencePrefix: '', clipboard: true, contextOptions: { acceptDownloads: true } });
let base = ''; // http://127.0.0.1:PORT/ of the shared folder

const shot = (name: string) => w.page.screenshot({ path: join(RESULTS_DIR, `${name}.png`) });

/** The log row whose path is exactly `path` (a badge such as "Script error" may follow it). */
const row = (path: string) => w.page.locator('.log-rows .log-row', { has: w.page.locator('.c-path .path-text', { hasText: new RegExp(`^${path.replace(/[.?*+^$()[\]\\/]/g, '\\$&')}$`) }) });

async function get(path: string): Promise<{ status: number; body: string }> {
  const r = await fetch(base + path, { redirect: 'manual', headers: { 'User-Agent': 'servedir-e2e/1.0' } });
  return { status: r.status, body: await r.text() };
}

async function shareOn(port: string): Promise<void> {
  await w.page.fill('#port-input', port);
  await w.page.click('button:has-text("Share this folder")');
}

describe('Servedir window in browser mode (real control server + real engine)', () => {
  it('loads over the sign-in address, which then leaves the address bar, and shows the Share panel', async () => {
    await w.page.goto(w.app.url);
    const origin = new URL(w.app.url).origin;
    expect(w.page.url()).toBe(`${origin}/`);
    // The session is a cookie page scripts cannot read, sent only to our API, never cross-site.
    expect(await w.page.evaluate(() => document.cookie)).toBe('');
    const cookies = await w.page.context().cookies(origin + '/api/');
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: `servedir-session-${new URL(origin).port}`, path: '/api/', httpOnly: true, sameSite: 'Strict' });
    await w.page.getByTestId('status-pill').filter({ hasText: 'Not sharing' }).waitFor({ timeout: T });
    // The browser has no native folder picker: Browse… (the folder browser) and a hint instead.
    expect(await w.page.locator('button:has-text("Choose…")').count()).toBe(0);
    expect(await w.page.locator('#folder-browse').textContent()).toBe('Browse…');
    expect(await w.page.locator('#folder-msg').textContent()).toMatch(/Browse for a folder, or type or paste/);
    // An empty field must not look filled in: the suggestion reads as an example.
    expect(await w.page.getAttribute('#folder-input', 'placeholder')).toMatch(/^For example \//);
    // Nothing changed yet, so nothing is announced (it used to say "Sharing stopped.").
    await w.page.waitForTimeout(300);
    expect(await w.page.locator('header [role=status], .sr-only[role=status]').first().textContent()).toBe('');
    await shot('01-ready');
  });

  it('explains a missing folder in plain words next to the folder field', async () => {
    await w.page.fill('#folder-input', w.fixture.dir + '/no such folder');
    await w.page.press('#folder-input', 'Enter');
    const msg = w.page.locator('#folder-msg[role="alert"]');
    await msg.waitFor({ timeout: T });
    expect(await msg.textContent()).not.toMatch(/ENOENT|errno|stat/i);
    expect(await w.page.locator('#folder-input').getAttribute('aria-invalid')).toBe('true');
  });

  it('checks a typed folder, picks a free port and this-computer-only, and shares', async () => {
    await w.page.fill('#folder-input', w.fixture.dir + '/');
    await w.page.press('#folder-input', 'Enter');
    await w.page.locator('#folder-msg', { hasText: /Folder found: 4 items/ }).waitFor({ timeout: T });

    // A typo is explained next to the field before anything is sent.
    await w.page.fill('#port-input', '99999');
    await w.page.click('button:has-text("Share this folder")');
    await w.page.locator('#port-msg', { hasText: '1 to 65535' }).waitFor({ timeout: T });
    await w.page.fill('#port-input', '80');
    expect(await w.page.locator('#port-msg').textContent()).toMatch(/administrator/);

    await w.page.click('button:has-text("Use a free port")');
    await expect.poll(async () => Number(await w.page.inputValue('#port-input')), { timeout: T }).toBeGreaterThan(1023);
    await w.page.selectOption('#bind-select', '127.0.0.1');
    await w.page.click('button:has-text("Share this folder")');

    const link = w.page.locator('.url-link').first();
    await link.waitFor({ timeout: T });
    base = (await link.textContent())!;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    await w.page.getByTestId('status-pill').filter({ hasText: /Sharing on port \d+/ }).waitFor({ timeout: T });
    expect(await w.page.locator('.sharing-title').textContent()).toBe('Sharing Holiday photos');
    expect(await w.page.title()).toBe('Sharing Holiday photos — Servedir');
  });

  it('copies an address with a visible "Copied" confirmation', async () => {
    const copy = w.page.locator('.url-item').first().locator('button.copy-btn');
    const link = w.page.locator('.url-item').first().locator('.url-link');
    // At the minimum window size the address must not re-wrap when "Copied" shows.
    const size = w.page.viewportSize()!;
    await w.page.setViewportSize({ width: 900, height: 640 });
    const before = await link.boundingBox();
    await copy.click();
    await w.page.locator('.url-item').first().locator('button.copy-btn.is-copied', { hasText: 'Copied' }).waitFor({ timeout: T });
    expect(await w.page.evaluate(() => navigator.clipboard.readText())).toBe(base);
    expect(await link.boundingBox()).toEqual(before);
    expect(await copy.isVisible()).toBe(true);
    await w.page.setViewportSize(size);
  });

  it('shows each real request as a row, coloured by status, with counters', async () => {
    expect((await get('hello.txt')).body).toBe('Hello, world!\n');
    expect((await get('missing.png')).status).toBe(404);
    expect((await get('photos')).status).toBe(301);
    expect((await get('photos/')).status).toBe(200);

    await row('/hello.txt').waitFor({ timeout: T });
    expect(await row('/hello.txt').locator('.c-status').textContent()).toBe('200');
    expect(await row('/hello.txt').locator('.c-status').getAttribute('class')).toContain('s2xx');
    expect(await row('/missing.png').locator('.c-status').textContent()).toBe('404');
    expect(await row('/missing.png').locator('.c-method').textContent()).toBe('GET');
    await expect.poll(() => w.page.getByTestId('count-requests').textContent(), { timeout: T }).toBe('4');
    expect(await w.page.getByTestId('count-errors').textContent()).toBe('1');
    await shot('02-sharing');
  });

  it('filters by text, status class and method', async () => {
    await w.page.fill('input[aria-label="Filter requests by text"]', 'hello');
    await expect.poll(() => w.page.locator('.log-rows .log-row').count(), { timeout: T }).toBe(1);
    await row('/hello.txt').waitFor();
    await w.page.fill('input[aria-label="Filter requests by text"]', '');
    await expect.poll(() => w.page.locator('.log-rows .log-row').count(), { timeout: T }).toBe(4);

    await w.page.click('button[aria-pressed]:has-text("4xx")');
    await expect.poll(() => w.page.locator('.log-rows .log-row').count(), { timeout: T }).toBe(1);
    await row('/missing.png').waitFor();
    await w.page.click('button[aria-pressed]:has-text("4xx")');

    await w.page.selectOption('select[aria-label="Filter by method"]', 'GET');
    await expect.poll(() => w.page.locator('.log-rows .log-row').count(), { timeout: T }).toBe(4);
    await w.page.selectOption('select[aria-label="Filter by method"]', '');
    expect(await w.page.locator('.log-rows .log-row').count()).toBe(4);
  });

  it('lists errors as rows when "Messages" is on', async () => {
    await w.page.click('button[aria-pressed]:has-text("Messages")');
    await w.page
      .locator('.log-rows .log-row.is-message', { hasText: 'code 404, message File not found' })
      .waitFor({ timeout: T });
    await w.page.click('button[aria-pressed]:has-text("Messages")');
    await expect.poll(() => w.page.locator('.log-rows .log-row.is-message').count(), { timeout: T }).toBe(0);
  });

  it('follows new rows only at the bottom; elsewhere it stays put and offers "Latest"', async () => {
    await Promise.all(Array.from({ length: 60 }, (_, i) => get(`hello.txt?n=${i}`)));
    await row('/hello.txt?n=59').waitFor({ timeout: T });
    const grid = w.page.locator('[role="grid"][aria-label="Request log"]');
    const atBottom = () => grid.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 12);
    expect(await atBottom()).toBe(true); // followed the tail
    expect(await w.page.locator('button:has-text("Latest")').count()).toBe(0);

    await grid.evaluate((el) => (el.scrollTop = 0));
    const latest = w.page.locator('button:has-text("Latest")');
    await latest.waitFor({ timeout: T });
    await get('hello.txt?n=60');
    await expect.poll(() => w.page.getByTestId('count-requests').textContent(), { timeout: T }).toBe('65');
    expect(await grid.evaluate((el) => el.scrollTop)).toBe(0); // did not jump
    expect(await latest.textContent()).toMatch(/^Latest ↓ · [4-6]\d below$/);
    await latest.click();
    await row('/hello.txt?n=60').waitFor({ timeout: T });
    expect(await atBottom()).toBe(true);
    await w.page.fill('input[aria-label="Filter requests by text"]', '');
  });

  it('pauses the display while rows keep arriving, then resumes', async () => {
    await w.page.click('button:has-text("Pause")');
    await get('photos/cat.txt');
    await w.page.locator('.notice-paused', { hasText: '1 new entry waiting' }).waitFor({ timeout: T });
    expect(await row('/photos/cat.txt').count()).toBe(0);
    await w.page.click('button:has-text("Resume")');
    await row('/photos/cat.txt').waitFor({ timeout: T });
  });

  it('is keyboard-driven: arrows select rows, Enter opens details, Escape closes them', async () => {
    await w.page.focus('[role="grid"][aria-label="Request log"]');
    await w.page.keyboard.press('Home');
    await w.page.keyboard.press('ArrowDown');
    await w.page.keyboard.press('Enter');
    const details = w.page.locator('aside.log-details');
    await details.waitFor({ timeout: T });
    expect(await details.locator('dd').first().textContent()).toBe('/missing.png');
    expect(await w.page.evaluate(() => document.activeElement?.textContent)).toBe('Close');
    await w.page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached', timeout: T });
    // Back to the newest row: the log follows new rows again.
    await w.page.focus('[role="grid"][aria-label="Request log"]');
    await w.page.keyboard.press('End');
    await w.page.locator('button:has-text("Latest")').waitFor({ state: 'detached', timeout: T });
  });

  it('turns CGI on in Settings and runs a script; its stderr is in the row details', async () => {
    expect((await get('cgi-bin/hello.py')).body).toContain('#!/usr/bin/python3'); // CGI off: served as a file
    await w.page.click('role=tab[name="Settings"]');
    await w.page.check('text=Run scripts in the script folders');
    expect(await w.page.locator('#cgi-warning').textContent()).toMatch(/your user’s rights/);
    await w.page.fill('input[aria-label="Script folder 2"]', 'htbin');
    await w.page.locator('#cgi-dirs-msg[role="alert"]', { hasText: '“htbin” must start with a slash, like /cgi-bin.' }).waitFor({ timeout: T });
    expect(await w.page.isDisabled('button:has-text("Save settings")')).toBe(true);
    await w.page.fill('input[aria-label="Script folder 2"]', '/htbin/');
    // Sharing now: the user is told before saving that it restarts the server.
    expect(await w.page.locator('.save-status').textContent()).toBe('Saving restarts sharing; a download in progress will stop.');
    await shot('05-settings');
    await w.page.click('button:has-text("Save settings")');
    await w.page.locator('.save-status', { hasText: 'Saved' }).waitFor({ timeout: T });
    await w.page.getByTestId('status-pill').filter({ hasText: /Sharing on port/ }).waitFor({ timeout: T });

    await expect
      .poll(async () => (await get('cgi-bin/hello.py?x=1').catch(() => ({ body: '' }))).body, { timeout: T })
      .toBe('Hello from CGI, query=x=1\n');
    const cgiRow = row('/cgi-bin/hello.py?x=1').last();
    await cgiRow.waitFor({ timeout: T });
    expect(await cgiRow.locator('.c-status').textContent()).toBe('200');

    await cgiRow.click();
    const details = w.page.locator('aside.log-details');
    await details.waitFor();
    await details.locator('.conn-cgi-stderr', { hasText: 'hello.py says hi on stderr' }).waitFor({ timeout: T });
    expect(await details.locator('dd').first().textContent()).toBe('/cgi-bin/hello.py?x=1');
    await shot('03-details');
    await details.locator('button:has-text("Close")').click();
    await w.page.click('role=tab[name="Share"]');
  });

  it('exports the rows as CSV and as CPython-style text', async () => {
    const [csv] = await Promise.all([w.page.waitForEvent('download'), w.page.click('button[aria-label="Export as CSV"]')]);
    const csvText = readFileSync((await csv.path())!, 'utf8');
    expect(csv.suggestedFilename()).toMatch(/^servedir-log-.*\.csv$/);
    expect(csvText.split('\r\n')[0]).toBe('\ufeff"time","client","client port","method","path","protocol","status","bytes sent","duration ms","user agent","referer","kind","connection","message","body bytes","header bytes","expected body bytes","state"');
    expect(csvText).toMatch(/,"127\.0\.0\.1","\d+","GET","\/hello\.txt","HTTP\/1\.[01]","200",/);

    const [txt] = await Promise.all([w.page.waitForEvent('download'), w.page.click('button[aria-label="Export as text"]')]);
    const text = readFileSync((await txt.path())!, 'utf8');
    expect(text).toMatch(/^127\.0\.0\.1 - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4} \d{2}:\d{2}:\d{2}\] "GET \/hello\.txt HTTP\/1\.1" 200 -$/m);
    // Messages are hidden in the table, but the file keeps a 404's error line right
    // before its request line, as python -m http.server prints them.
    expect(await w.page.locator('button[aria-pressed="false"]:has-text("Messages")').count()).toBe(1);
    expect(text).toMatch(/\] code 404, message File not found\n[^\n]*\] "GET [^"\n]* HTTP\/1\.[01]" 404 -$/m);
  });

  it('stops sharing', async () => {
    await w.page.click('button:has-text("Stop sharing")');
    await w.page.getByTestId('status-pill').filter({ hasText: 'Not sharing' }).waitFor({ timeout: T });
    await expect(get('hello.txt')).rejects.toThrow();
  });

  it('in the browser, a dropped folder gets a plain "type the path" hint', async () => {
    await w.page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['x'], 'Holiday photos'));
      for (const type of ['dragenter', 'dragover', 'drop']) window.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    const msg = w.page.locator('#folder-msg[role="alert"]');
    await msg.waitFor({ timeout: T });
    expect(await msg.textContent()).toMatch(/Press Browse… or type the folder’s path/);
    await w.page.fill('#folder-input', w.fixture.dir);
    await w.page.press('#folder-input', 'Enter');
    await w.page.locator('#folder-msg', { hasText: /Folder found/ }).waitFor({ timeout: T });
  });

  it('explains a port in use in plain words next to the port, and offers another port', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const busy = (blocker.address() as { port: number }).port;
    try {
      await shareOn(String(busy));
      const msg = w.page.locator('#port-msg[role="alert"]');
      await msg.waitFor({ timeout: T });
      expect(await msg.textContent()).toContain(`Port ${busy} is already in use by another program`);
      expect(await w.page.locator('#port-input').getAttribute('aria-invalid')).toBe('true');
      const offer = msg.locator('button', { hasText: /^Use port \d+$/ });
      await offer.waitFor({ timeout: T });
      // The offer sits on its own line, left-aligned with the message above it.
      const [mb, ob] = [(await msg.boundingBox())!, (await offer.boundingBox())!];
      expect(Math.abs(ob.x - mb.x)).toBeLessThan(1);
      await shot('04-port-in-use');
      await offer.click();
      await w.page.getByTestId('status-pill').filter({ hasText: /Sharing on port \d+/ }).waitFor({ timeout: T });
      expect(await w.page.getByTestId('status-pill').textContent()).not.toContain(String(busy));
      await w.page.click('button:has-text("Stop sharing")');
      await w.page.getByTestId('status-pill').filter({ hasText: 'Not sharing' }).waitFor({ timeout: T });
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('takes the README screenshot: sharing on every interface with a busy log', async () => {
    await w.page.selectOption('#bind-select', '');
    await w.page.click('button:has-text("Clear")');
    await w.page.setViewportSize({ width: 1280, height: 760 });
    await w.page.click('button:has-text("Share this folder")');
    await w.page.locator('.url-link').first().waitFor({ timeout: T });
    const loop = (await w.page.locator('.url-link', { hasText: '127.0.0.1' }).textContent())!;
    // The card's self-check (net:self-check) opens the big address once per share: let it
    // land in the log before counting, so the count below is the visits' alone.
    await w.page.locator('.log-rows .log-row', { hasText: 'Servedir self-check' }).first().waitFor({ timeout: T });
    const before = Number(await w.page.getByTestId('count-requests').textContent());
    const ua = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
    for (const p of ['', 'photos/', 'photos/cat.txt', 'hello.txt', 'favicon.ico', 'notes%2C%20%22draft%22.txt', 'cgi-bin/hello.py?name=Ada', 'photos', 'hello.txt'])
      await (await fetch(loop + p, { redirect: 'manual', headers: { 'User-Agent': ua } })).arrayBuffer();
    await (await fetch(loop + 'hello.txt', { method: 'HEAD', headers: { 'User-Agent': 'curl/8.14.1' } })).arrayBuffer();
    await (await fetch(loop + 'upload', { method: 'POST', body: 'x', headers: { 'User-Agent': 'curl/8.14.1' } })).arrayBuffer();
    await expect.poll(async () => Number(await w.page.getByTestId('count-requests').textContent()), { timeout: T }).toBe(before + 11);
    // Paths read as people typed them; the details keep the bytes as sent.
    expect(await w.page.locator('.log-rows .log-row .c-path', { hasText: '/notes, "draft".txt' }).count()).toBe(1);
    await w.page.mouse.move(0, 0);
    await shot('06-readme');
    await w.page.setViewportSize({ width: 900, height: 640 });
    await w.page.locator('.log-rows .log-row').first().click();
    await w.page.locator('aside.log-details').waitFor({ timeout: T });
    await shot('07-minimum-size');
    await w.page.locator('aside.log-details button:has-text("Close")').click();
    await w.page.emulateMedia({ colorScheme: 'dark' });
    await shot('08-dark');
    await w.page.emulateMedia({ colorScheme: 'light' });
    await w.page.setViewportSize({ width: 1100, height: 720 });
    await w.page.click('button:has-text("Stop sharing")');
    await w.page.getByTestId('status-pill').filter({ hasText: 'Not sharing' }).waitFor({ timeout: T });
  });

  it('restarts the engine by itself when it dies and says so; a second death waits, says "The server stopped unexpectedly.", and Restart shares again', async () => {
    await w.page.selectOption('#bind-select', '127.0.0.1');
    await w.page.click('button:has-text("Share this folder")');
    await w.page.getByTestId('status-pill').filter({ hasText: /Sharing on port/ }).waitFor({ timeout: T });
    const killHosts = () => {
      const pids = hostPids(w.app.pid);
      expect(pids.length).toBeGreaterThan(0);
      for (const pid of pids) process.kill(pid, 'SIGKILL'); // a crash of the host we started
      return pids;
    };
    const first = killHosts();
    const notice = w.page.getByTestId('host-notice');
    await notice.waitFor({ timeout: T });
    expect(await notice.locator('strong').textContent()).toBe('The server stopped unexpectedly, so Servedir restarted it.');
    await w.page.getByTestId('status-pill').filter({ hasText: /Sharing on port/ }).waitFor({ timeout: T });
    await expect.poll(() => hostPids(w.app.pid).filter((p) => !first.includes(p)).length, { timeout: T }).toBeGreaterThan(0);
    await shot('09-restarted');
    killHosts(); // again within a minute: the next restart waits
    const banner = w.page.locator('.crash-banner[role="alert"]');
    await banner.waitFor({ timeout: T });
    expect(await banner.locator('strong').textContent()).toBe('The server stopped unexpectedly.');
    expect(await banner.locator('span').textContent()).toMatch(/^It stopped 2 times in a row; Servedir will restart it in 2 seconds\.$/);
    expect(await w.page.getByTestId('status-pill').textContent()).toBe('Stopped unexpectedly');
    await shot('09-crashed');
    await banner.locator('button:has-text("Restart")').click();
    await w.page.getByTestId('status-pill').filter({ hasText: /Sharing on port/ }).waitFor({ timeout: T });
    base = (await w.page.locator('.url-link').first().textContent())!;
    expect((await get('hello.txt')).status).toBe(200);
    await w.page.click('button:has-text("Stop sharing")');
    await w.page.getByTestId('status-pill').filter({ hasText: 'Not sharing' }).waitFor({ timeout: T });
  });

  it('explains a page that is not signed in, a used address and a wrong one in plain words; a used one gets a fresh one printed', async () => {
    // A new page is a new browser context: no cookie, like another browser.
    const other = await w.browser.newPage({ viewport: { width: 1000, height: 660 } });
    const origin = new URL(w.app.url).origin;
    try {
      await other.goto(`${origin}/`);
      const banner = other.locator('.conn-banner[role="alert"]');
      await banner.waitFor({ timeout: T });
      expect(await banner.textContent()).toMatch(/not signed in to Servedir\. Open the address Servedir printed/);
      // The address the first page used works only once; it still leads to the page, without its key.
      await other.goto(w.app.url);
      expect(other.url()).toBe(`${origin}/`);
      await other.locator('.conn-banner', { hasText: /not signed in/ }).waitFor({ timeout: T });
      await other.goto(`${origin}/?key=not-the-right-one`);
      expect(other.url()).toBe(`${origin}/`);
      await other.locator('.conn-banner', { hasText: /not signed in/ }).waitFor({ timeout: T });
      await other.screenshot({ path: join(RESULTS_DIR, '10-not-signed-in.png') });
      const fresh = /use this one: (http:\/\/127\.0\.0\.1:\d+\/\?key=[A-Za-z0-9_-]+)/.exec(w.app.output());
      expect(fresh, w.app.output()).not.toBeNull();
      await other.goto(fresh![1]!);
      await other.getByTestId('status-pill').waitFor({ timeout: T });
      expect(await other.locator('.conn-banner').count()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('had no page errors', () => {
    expect(w.pageErrors).toEqual([]);
  });
});
