/**
 * End-to-end, the truthful log (issue 12 part 4): the real window in real Chromium against the
 * real browser mode (`node out/main/web.cjs`) and engine. A slow download shows as in progress
 * with its bytes growing, a download cut short as incomplete with the bytes sent, a CGI script
 * that raises an exception as an error in the default view with its stderr in the details, and
 * the shared folder vanishing and coming back on the sharing card and in the log.
 *
 * Needs `npm run build:app` first. Screenshots: test-results/e2e/log-truthful-*.png; the three
 * states together in docs/log-truthful.png, the failed script's details in docs/log-truthful-details.png.
 */
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, RESULTS_DIR, windowSession, type Fixture } from './helpers';

const T = 20_000;
const BIG = 64 * 1024 * 1024;

let port = 0;
const clients: net.Socket[] = [];

const shot = (name: string) => w.page.screenshot({ path: join(RESULTS_DIR, `log-truthful-${name}.png`) });

/** The log row whose path is exactly `path`. */
const row = (path: string) =>
  w.page.locator('.log-rows .log-row', { has: w.page.locator('.c-path .path-text', { hasText: new RegExp(`^${path.replace(/[.?*+^$()[\]\\/]/g, '\\$&')}$`) }) });

/** A client that asks for `path` and then reads nothing until told to. */
function stalledClient(path: string): net.Socket {
  const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-reader/1.0\r\n\r\n`));
  socket.pause();
  socket.on('error', () => {});
  clients.push(socket);
  return socket;
}

/** Bytes so far in a badge, "In progress: 5.8 of 67 MB" or "… 512 kB of 67 MB", roughly (decimal units). */
function sizeOf(text: string): number {
  const m = /: ([\d.]+)( B| kB)? of [\d.]+ (MB)/.exec(text);
  if (!m) return NaN;
  return Number(m[1]) * { ' B': 1, ' kB': 1e3, '': 1e6 }[m[2] ?? '']!;
}

/** "Family videos": two 64 MiB videos, a small text file and a CGI script that fails after its first line. */
function familyVideos(): Fixture {
  // World-readable: CGI children run as nobody when the tests run as root.
  const parent = mkdtempSync(join(tmpdir(), 'servedir-e2e-truthful-'));
  chmodSync(parent, 0o755);
  const dir = join(parent, 'Family videos');
  mkdirSync(join(dir, 'cgi-bin'), { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'cgi-bin'), 0o755);
  writeFileSync(join(dir, 'holiday.mp4'), Buffer.alloc(BIG, 0x61), { mode: 0o644 });
  writeFileSync(join(dir, 'wedding.mp4'), Buffer.alloc(BIG, 0x62), { mode: 0o644 });
  writeFileSync(join(dir, 'six.txt'), 'hello\n', { mode: 0o644 });
  writeFileSync(
    join(dir, 'cgi-bin', 'report.py'),
    '#!/usr/bin/python3\nimport sys\nsys.stdout.write("Content-Type: text/plain\\r\\n\\r\\nMonthly report\\n")\nsys.stdout.flush()\nrows = {}\nprint(rows["total"])\n',
    { mode: 0o755 },
  );
  chmodSync(join(dir, 'cgi-bin', 'report.py'), 0o755);
  return { dir, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

const w = windowSession({ viewport: { width: 1280, height: 760 }, evidencePrefix: 'log-truthful-', fixture: familyVideos });

afterAll(() => {
  for (const c of clients) c.destroy();
});

describe('the truthful log, in the real browser mode', () => {
  it('shares a folder with scripts on', async () => {
    await w.page.goto(w.app.url);
    await w.page.click('role=tab[name="Settings"]');
    await w.page.check('text=Run scripts in the script folders');
    await w.page.click('button:has-text("Save settings")');
    await w.page.locator('.save-status', { hasText: 'Saved' }).waitFor({ timeout: T });
    await w.page.click('role=tab[name="Share"]');
    await w.page.fill('#folder-input', w.fixture.dir);
    await w.page.press('#folder-input', 'Enter');
    await w.page.locator('#folder-msg', { hasText: /Folder found/ }).waitFor({ timeout: T });
    await w.page.click('button:has-text("Use a free port")');
    await expect.poll(async () => Number(await w.page.inputValue('#port-input')), { timeout: T }).toBeGreaterThan(1023);
    await w.page.selectOption('#bind-select', '127.0.0.1');
    await w.page.click('button:has-text("Share this folder")');
    await w.page.getByTestId('status-pill').filter({ hasText: /Sharing on port \d+/ }).waitFor({ timeout: T });
    port = Number(/\d+/.exec((await w.page.getByTestId('status-pill').textContent())!)![0]);
    // A small file: its Size is its body, 6 B (the headers are in the details).
    const r = await fetch(`http://127.0.0.1:${port}/six.txt`);
    expect(await r.text()).toBe('hello\n');
    await row('/six.txt').waitFor({ timeout: T });
    expect(await row('/six.txt').locator('.c-bytes').textContent()).toBe('6 B');
  });

  it('a slow download is a row in progress whose bytes grow, of the whole size', async () => {
    // Reads what little arrived every 150 ms (a phone on a poor connection, ~100 kB/s): once
    // the socket buffers are full the server can send no faster than that.
    const slow = net.connect(port, '127.0.0.1', () => slow.write('GET /holiday.mp4 HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-reader/1.0\r\n\r\n'));
    slow.on('error', () => {});
    slow.on('readable', () => {}); // paused mode: nothing is taken until read()
    const sip = setInterval(() => slow.read(), 150);
    clients.push(slow, { destroy: () => clearInterval(sip) } as unknown as net.Socket);
    const r = row('/holiday.mp4');
    await r.waitFor({ timeout: T });
    const badge = r.locator('.outcome-badge.is-progress');
    await badge.waitFor({ timeout: T });
    expect(await badge.textContent()).toMatch(/^In progress: [\d.]+( B| kB)? of 67 MB$/);
    const before = sizeOf((await badge.textContent())!);
    await expect.poll(async () => sizeOf((await badge.textContent()) ?? ''), { timeout: T }).toBeGreaterThan(before);
    expect(await r.locator('.c-status').textContent()).toBe('200');
    await shot('in-progress');
  });

  it('a download cut short is incomplete, with the bytes sent of the whole size', async () => {
    const gone = stalledClient('/wedding.mp4');
    const r = row('/wedding.mp4');
    await r.locator('.outcome-badge.is-progress').waitFor({ timeout: T });
    gone.destroy(); // the visitor closed the page
    const badge = r.locator('.outcome-badge.is-error');
    await badge.waitFor({ timeout: T });
    expect(await badge.textContent()).toMatch(/^Incomplete: [\d.]+( B| kB)? of 67 MB$/);
    expect(await r.getAttribute('class')).toMatch(/\bis-error\b/);
    expect(await w.page.locator('.log-rows .log-row', { hasText: '/wedding.mp4' }).count()).toBe(1); // updated in place
    await shot('incomplete');
  });

  it('a CGI script that raises an exception is an error in the default view, its traceback one click away', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/cgi-bin/report.py`);
    await res.text();
    const r = row('/cgi-bin/report.py');
    await r.waitFor({ timeout: T });
    const badge = r.locator('.outcome-badge.is-error');
    await badge.waitFor({ timeout: T });
    expect(await badge.textContent()).toBe('Script error');
    expect(await w.page.locator('button[aria-pressed="false"]', { hasText: 'Messages' }).count()).toBe(1); // the default view
    await expect.poll(async () => Number(await w.page.getByTestId('count-errors').textContent()), { timeout: T }).toBeGreaterThanOrEqual(2);
    // The three states at once, for the README (every column visible).
    expect(await row('/holiday.mp4').locator('.outcome-badge.is-progress').count()).toBe(1); // still going
    await w.page.screenshot({ path: join(ROOT, 'docs', 'log-truthful.png') });
    await w.page.emulateMedia({ colorScheme: 'dark' });
    await shot('dark');
    await w.page.emulateMedia({ colorScheme: 'light' });
    await r.click();
    const details = w.page.locator('aside.log-details');
    await details.locator('.details-stderr', { hasText: "KeyError: 'total'" }).waitFor({ timeout: T });
    expect(await details.locator('.details-stderr').textContent()).toMatch(/Traceback \(most recent call last\)/);
    expect(await details.locator('.details-stderr').textContent()).toMatch(/CGI script exit code 1/);
    expect(await details.locator('dd', { hasText: /^Sent, but the script failed/ }).count()).toBe(1);
    await shot('cgi-error');
    // The script's traceback one click away, for the README.
    await w.page.screenshot({ path: join(ROOT, 'docs', 'log-truthful-details.png') });
    await details.locator('button:has-text("Close")').click();
  });

  it('the shared folder vanishing and coming back is said on the sharing card and in the log', async () => {
    renameSync(w.fixture.dir, `${w.fixture.dir} (moved)`);
    const alert = w.page.getByTestId('folder-gone');
    await alert.waitFor({ timeout: T });
    expect(await alert.textContent()).toMatch(/^The shared folder is gone \(.*Family videos was deleted, renamed or its drive removed\): visitors get errors until it comes back\./);
    await w.page.locator('.log-row.is-event', { hasText: 'The shared folder is gone' }).waitFor({ timeout: T });
    expect(await w.page.getByTestId('status-pill').textContent()).toBe('Shared folder missing');
    await shot('folder-gone');
    renameSync(`${w.fixture.dir} (moved)`, w.fixture.dir);
    await alert.waitFor({ state: 'detached', timeout: T });
    await w.page.locator('.log-row.is-event', { hasText: 'The shared folder is back' }).waitFor({ timeout: T });
    await w.page.getByTestId('status-pill').filter({ hasText: /Sharing on port/ }).waitFor({ timeout: T });
  });

  it('Problems shows only what went wrong: the cut download, the failed script and the folder events; again, everything', async () => {
    const all = await w.page.locator('.log-rows .log-row').count();
    const problems = w.page.getByRole('button', { name: 'Problems', exact: true });
    const pressed = () => problems.getAttribute('aria-pressed');
    await problems.click();
    try {
      // The window re-renders after the click; wait for it rather than read at once.
      await expect.poll(pressed, { timeout: T }).toBe('true');
      await row('/six.txt').waitFor({ state: 'detached', timeout: T });
      expect(await row('/wedding.mp4').count()).toBe(1);
      expect(await row('/cgi-bin/report.py').count()).toBe(1);
      expect(await row('/holiday.mp4').count()).toBe(0); // still going: not a problem (yet)
      expect(await w.page.locator('.log-row.is-event').count()).toBe(2);
    } finally {
      // Off again whatever happened: the next test looks for the download still in progress.
      if ((await pressed()) === 'true') await problems.click();
      await expect.poll(pressed, { timeout: T }).toBe('false');
    }
    await row('/six.txt').waitFor({ timeout: T });
    expect(await w.page.locator('.log-rows .log-row').count()).toBe(all);
  });

  it('stopping sharing cuts the slow download short: its row says incomplete', async () => {
    const r = row('/holiday.mp4');
    expect(await r.locator('.outcome-badge.is-progress').count()).toBe(1);
    await w.page.click('button:has-text("Stop sharing")');
    await w.page.getByTestId('status-pill').filter({ hasText: 'Not sharing' }).waitFor({ timeout: T });
    await r.locator('.outcome-badge.is-error', { hasText: /^Incomplete: [\d.]+( B| kB)? of 67 MB$/ }).waitFor({ timeout: T });
    expect(await w.page.locator('.log-rows .log-row', { hasText: '/holiday.mp4' }).count()).toBe(1);
  });
});
