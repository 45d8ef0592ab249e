// The BUILT browser fallback (out/main/web.cjs) as a real process, with the real engine
// in a forked out/main/host.cjs, and `scripts/start.mjs` choosing between Electron and it.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HOST_CJS, RENDERER_INDEX, ROOT, WEB_CJS, requireBuilt } from './built';
import { freePort } from '../../server/host/net-info';

let dir: string;
let share: string;

beforeAll(async () => {
  requireBuilt(WEB_CJS, HOST_CJS, RENDERER_INDEX);
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'servedir-webmain-'));
  share = path.join(dir, 'share');
  await fsp.mkdir(share);
  await fsp.writeFile(path.join(share, 'note.txt'), 'shared through the browser fallback');
});
/** Every process a test started, so a failing assertion cannot leave one running. */
const launched: ChildProcess[] = [];

afterAll(async () => {
  for (const c of launched) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    c.kill('SIGINT');
    await new Promise((r) => {
      const t = setTimeout(() => (c.kill('SIGKILL'), r(null)), 5000);
      c.once('exit', () => (clearTimeout(t), r(null)));
    });
  }
  await fsp.rm(dir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  stdout: () => string;
  /** The printed sign-in address. */
  url: URL;
  /** `Cookie:` value once signed in (signIn). */
  cookie: string;
  exited: Promise<number | null>;
}

/** Starts a node script and waits for the "open at <url>" line. */
async function launch(args: string[], env: Record<string, string> = {}, opts: { detached?: boolean } = {}): Promise<Running> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    detached: opts.detached ?? false,
    env: { ...process.env, SERVEDIR_USER_DATA: path.join(dir, 'user-data'), PATH: '/nonexistent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  launched.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const end = Date.now() + 15_000;
  let m: RegExpMatchArray | null = null;
  // The whole line: a pipe may hand the output over in pieces, even mid-address.
  while (!(m = out.match(/Servedir is open at (\S+)\r?\n/))) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`web.cjs did not print its URL:\n${out}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const url = new URL(m[1]!);
  return { child, stdout: () => out, url, cookie: '', exited };
}

/** Opens a sign-in address as a browser would: 303 to /, and the session cookie (or null). */
async function openLink(link: URL | string): Promise<string | null> {
  const res = await fetch(link, { redirect: 'manual' });
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/');
  const set = res.headers.get('set-cookie');
  return set === null ? null : set.split(';')[0]!;
}

async function signIn(r: Running): Promise<Running> {
  const cookie = await openLink(r.url);
  if (cookie === null) throw new Error(`the printed address ${r.url.href} signed nothing in`);
  r.cookie = cookie;
  return r;
}

async function invoke(r: Running, channel: string, ...args: unknown[]): Promise<{ status: number; json: any }> {
  const res = await fetch(new URL(`/api/invoke/${channel}`, r.url), {
    method: 'POST',
    headers: { Cookie: r.cookie, 'Content-Type': 'application/json' },
    body: JSON.stringify({ args }),
  });
  return { status: res.status, json: await res.json() };
}

describe('out/main/web.cjs', () => {
  it('serves the window on 127.0.0.1 behind a single-use sign-in address, shares a folder for real, streams events, saves settings, stops on Ctrl-C', async () => {
    const r = await launch([WEB_CJS]);
    expect(r.url.hostname).toBe('127.0.0.1');
    expect(r.url.pathname).toBe('/');
    expect(Buffer.from(r.url.searchParams.get('key')!, 'base64url')).toHaveLength(32);
    // The next line may arrive a moment after the address (another piece of the pipe).
    await vi.waitFor(() => expect(r.stdout()).toContain('The address works once, within 10 minutes.'), { timeout: 5000 });
    expect((await invoke(r, 'settings:get')).status).toBe(403);
    await signIn(r);
    expect(r.cookie).toMatch(new RegExp(`^servedir-session-${r.url.port}=`));
    // Used: opening it again signs nothing in, and the terminal gets a fresh address that works.
    expect(await openLink(r.url)).toBeNull();
    const end0 = Date.now() + 5000;
    let fresh: RegExpMatchArray | null = null;
    while (!(fresh = r.stdout().match(/already used or has expired was opened\. To open Servedir, use this one: (\S+)\r?\n/))) {
      if (Date.now() > end0) throw new Error(`no fresh address printed:\n${r.stdout()}`);
      await new Promise((res) => setTimeout(res, 25));
    }
    expect(fresh[1]).not.toBe(r.url.href);
    expect(await openLink(fresh[1]!)).toMatch(/^servedir-session-/);

    const page = await fetch(new URL('/', r.url));
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);

    // Subscribe to events first, like the window does.
    const events: string[] = [];
    const sse = http.get(new URL('/api/events', r.url), { headers: { Cookie: r.cookie } }, (res) => {
      res.setEncoding('utf8').on('data', (c: string) => events.push(c));
    });

    const port = await freePort('127.0.0.1');
    expect((await invoke(r, 'settings:update', { directory: share, bind: '127.0.0.1', port })).json.value).toMatchObject({ ok: true, value: { port } });
    expect((await invoke(r, 'app:ready')).status).toBe(200);
    const started = await invoke(r, 'server:start');
    expect(started.status).toBe(200);
    expect(started.json.value).toMatchObject({ ok: true, value: { state: 'running', port } });
    expect(await (await fetch(`http://127.0.0.1:${port}/note.txt`)).text()).toBe('shared through the browser fallback');

    const end = Date.now() + 5000;
    while (!(events.join('').includes('event: log:batch') && events.join('').includes('"state":"running"'))) {
      if (Date.now() > end) throw new Error(`events missing: ${events.join('')}`);
      await new Promise((res) => setTimeout(res, 25));
    }
    expect(events.join('')).toContain('/note.txt');
    sse.destroy();

    const saved = JSON.parse(await fsp.readFile(path.join(dir, 'user-data', 'settings.json'), 'utf8'));
    expect(saved).toMatchObject({ directory: share, port, recentFolders: [share] });

    r.child.kill('SIGINT');
    expect(await r.exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/note.txt`)).rejects.toThrow();
  });

  it('Ctrl-C in a terminal (SIGINT to the whole process group) still shuts down cleanly', async () => {
    const r = await signIn(await launch([WEB_CJS], {}, { detached: true }));
    const port = await freePort('127.0.0.1');
    await invoke(r, 'settings:update', { directory: share, bind: '127.0.0.1', port });
    expect((await invoke(r, 'server:start')).json.value.ok).toBe(true);
    process.kill(-r.child.pid!, 'SIGINT');
    expect(await r.exited).toBe(0);
    expect(r.stdout()).not.toMatch(/stopped unexpectedly|Error/);
    await expect(fetch(`http://127.0.0.1:${port}/note.txt`)).rejects.toThrow();
  });

  it('rejects bad options with one plain sentence', async () => {
    const child = spawn(process.execPath, [WEB_CJS, '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(2);
    expect(err.trim()).toBe('The port must be a number from 0 to 65535, not "eighty".');
  });
});

describe('scripts/start.mjs', () => {
  type Choice = { mode: 'electron'; binary: string } | { mode: 'web'; reason: string | null };
  let chooseMode: (o: { projectRoot?: string; env?: Record<string, string>; platform?: string; wantWeb?: boolean }) => Choice;
  beforeAll(async () => {
    ({ chooseMode } = await import(pathToFileURL(path.join(ROOT, 'scripts', 'start.mjs')).href));
  });

  const fakeProject = async (withBinary: boolean) => {
    const root = await fsp.mkdtemp(path.join(dir, 'proj-'));
    const pkg = path.join(root, 'node_modules', 'electron');
    await fsp.mkdir(path.join(pkg, 'dist'), { recursive: true });
    await fsp.writeFile(path.join(pkg, 'path.txt'), 'electron');
    if (withBinary) await fsp.writeFile(path.join(pkg, 'dist', 'electron'), '');
    return root;
  };

  it('uses Electron only when its binary exists and (on Linux) a display is available', async () => {
    const withBin = await fakeProject(true);
    const noBin = await fakeProject(false);
    expect(chooseMode({ projectRoot: withBin, env: { DISPLAY: ':0' }, platform: 'linux' })).toEqual({
      mode: 'electron',
      binary: path.join(withBin, 'node_modules', 'electron', 'dist', 'electron'),
    });
    expect(chooseMode({ projectRoot: withBin, env: { WAYLAND_DISPLAY: 'wayland-0' }, platform: 'linux' }).mode).toBe('electron');
    expect(chooseMode({ projectRoot: withBin, env: {}, platform: 'darwin' }).mode).toBe('electron');
    const noDisplay = chooseMode({ projectRoot: withBin, env: {}, platform: 'linux' });
    expect(noDisplay).toMatchObject({ mode: 'web', reason: expect.stringMatching(/no graphical display/) });
    const noBinary = chooseMode({ projectRoot: noBin, env: { DISPLAY: ':0' }, platform: 'linux' });
    expect(noBinary).toMatchObject({ mode: 'web', reason: expect.stringMatching(/Electron is not installed/) });
    expect(chooseMode({ projectRoot: withBin, env: { DISPLAY: ':0' }, wantWeb: true })).toEqual({ mode: 'web', reason: null });
  });

  it('here (no Electron binary) it says so in one sentence and starts the browser fallback', async () => {
    const r = await launch([path.join(ROOT, 'scripts', 'start.mjs'), '--port', '0']);
    const lines = r.stdout().trim().split('\n');
    expect(lines[0]).toMatch(/^(Electron is not installed|There is no graphical display).*web browser instead\.$/);
    expect((await fetch(new URL('/', r.url))).status).toBe(200);
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(0);
  });
});
