/**
 * Helpers for the end-to-end tests: the REAL browser-fallback app (`node out/main/web.cjs`,
 * which forks the real engine host), a real Chromium driven by playwright-core, and a
 * fixture folder the CGI child (dropped to `nobody` when we run as root) can read.
 *
 * Runs in: the vitest worker (Node). Needs `npm run build:app` to have run (out/).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { freePort } from '../../server/host/net-info';

export const ROOT = resolve(__dirname, '../..');
export const RESULTS_DIR = join(ROOT, 'test-results', 'e2e');

/** Fails with a clear message when the app was not built. */
export function assertBuilt(): void {
  for (const f of ['out/main/web.cjs', 'out/main/host.cjs', 'out/renderer/index.html']) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run \`npm run build:app\` before the e2e tests.`);
  }
}

export interface WebApp {
  /** The printed sign-in address (`http://127.0.0.1:PORT/?key=…`): it works once. */
  readonly url: string;
  /** Process id of `node out/main/web.cjs` (the engine host is its child). */
  readonly pid: number;
  readonly userData: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Starts `node out/main/web.cjs` with a private user-data folder and reads its URL. */
export async function startWebApp(): Promise<WebApp> {
  const userData = mkdtempSync(join(tmpdir(), 'servedir-e2e-ud-'));
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'out/main/web.cjs')], {
    cwd: ROOT,
    env: { ...process.env, SERVEDIR_USER_DATA: userData },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`web.cjs printed no URL in 15 s:\n${out}`)), 15_000);
    const check = () => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?key=[A-Za-z0-9_-]+)\s/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`web.cjs exited (${code}) before printing its URL:\n${out}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    userData,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await once(child, 'exit');
        clearTimeout(t);
      }
      rmSync(userData, { recursive: true, force: true });
    },
  };
}

/** Pids of the engine host processes (`out/main/host.cjs`) forked by `parentPid`. */
export function hostPids(parentPid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parentPid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('host.cjs')) pids.push(Number(name));
    } catch {
      /* the process ended meanwhile */
    }
  }
  return pids;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** The CGI script: stdout answers, stderr shows up in the request's details. */
const HELLO_PY = `#!/usr/bin/python3
import os, sys
sys.stderr.write("hello.py says hi on stderr\\n")
sys.stdout.write("Content-Type: text/plain\\r\\n\\r\\n")
sys.stdout.write("Hello from CGI, query=" + os.environ.get("QUERY_STRING", "") + "\\n")
`;

export interface Fixture {
  /** The shared folder, `<tmp>/Holiday photos` (a space, as real folder names have). */
  readonly dir: string;
  remove(): void;
}

/**
 * A folder to share: world-readable (CPython drops CGI children to `nobody` when run as
 * root), with a text file, a sub-folder, and cgi-bin/hello.py (executable).
 */
export function makeFixture(): Fixture {
  const parent = mkdtempSync(join(tmpdir(), 'servedir-e2e-share-'));
  chmodSync(parent, 0o755);
  const dir = join(parent, 'Holiday photos');
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'hello.txt'), 'Hello, world!\n');
  writeFileSync(join(dir, 'notes, "draft".txt'), 'a file whose name needs CSV quoting\n');
  mkdirSync(join(dir, 'photos'), { mode: 0o755 });
  writeFileSync(join(dir, 'photos', 'cat.txt'), 'meow\n');
  mkdirSync(join(dir, 'cgi-bin'), { mode: 0o755 });
  writeFileSync(join(dir, 'cgi-bin', 'hello.py'), HELLO_PY);
  chmodSync(join(dir, 'cgi-bin', 'hello.py'), 0o755);
  for (const f of ['hello.txt', 'notes, "draft".txt', 'photos/cat.txt']) chmodSync(join(dir, f), 0o644);
  return { dir, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/**
 * Serves the built renderer (out/renderer) alone, for the tests that pair it with a
 * FAKE API (test/e2e/fake-api.ts). Call `.listen(0, '127.0.0.1')` on the result.
 */
export function serveRenderer(): Server {
  const root = join(ROOT, 'out/renderer');
  return createServer((req, res) => {
    const rel = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, rel.endsWith('/') ? `${rel}index.html` : rel);
    readFile(file).then(
      (body) => {
        res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(body);
      },
      () => {
        res.writeHead(404);
        res.end();
      },
    );
  });
}

/**
 * "Another device on the LAN": a network namespace joined to this machine by a veth pair on a
 * /30 of `subnet` (198.18.0.0/15, RFC 2544: reserved for such tests), whose only route leads
 * to `target` (this machine's own address, as the card shows it). A program run through
 * `exec` has its own loopback and reaches nothing but `target`. Returns why not where
 * namespaces are not permitted (not root, no `ip`, a container without CAP_NET_ADMIN).
 * `tag` (a few letters) keeps the names of two tests apart.
 */
export function makeDeviceNamespace(
  target: string,
  opts: { readonly tag: string; readonly subnet: '198.18' | '198.19'; readonly what: string },
): { readonly name: string; readonly exec: string[]; readonly clientAddress: string; remove(): void } | string {
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(target)) return `${opts.what} ${target} is not IPv4`;
  if (target.startsWith('127.')) return `${opts.what} ${target} is loopback: no other device could open it`;
  const id = process.pid % 10000;
  const name = `sd${opts.tag}-${id}`;
  const host = `sd${opts.tag}h${id}`;
  const peer = `sd${opts.tag}p${id}`;
  const net = `${opts.subnet}.${id % 250}`;
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const remove = () => {
    for (const args of [['link', 'del', host], ['netns', 'del', name]]) {
      try {
        ip(...args);
      } catch {
        /* already gone */
      }
    }
  };
  try {
    ip('netns', 'add', name);
  } catch (e) {
    return `\`ip netns add\` is not permitted here (${String((e as { stderr?: Buffer }).stderr ?? e).trim()})`;
  }
  try {
    ip('link', 'add', host, 'type', 'veth', 'peer', 'name', peer, 'netns', name);
    ip('addr', 'add', `${net}.1/30`, 'dev', host);
    ip('link', 'set', host, 'up');
    ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
    ip('netns', 'exec', name, 'ip', 'addr', 'add', `${net}.2/30`, 'dev', peer);
    ip('netns', 'exec', name, 'ip', 'link', 'set', peer, 'up');
    // No default route: the only place this device can reach is `target`.
    ip('netns', 'exec', name, 'ip', 'route', 'add', `${target}/32`, 'via', `${net}.1`);
  } catch (e) {
    remove();
    return `could not set up the namespace's veth pair (${String((e as { stderr?: Buffer }).stderr ?? e).trim()})`;
  }
  return { name, exec: ['ip', 'netns', 'exec', name], clientAddress: `${net}.2`, remove };
}

/**
 * Evidence for a failed test (call from `afterEach`): a screenshot of what the window showed,
 * `test-results/e2e/FAILED-<prefix><test name>.png`, and what web.cjs printed so far.
 */
export async function keepFailureEvidence(
  ctx: { readonly task: { readonly name: string; readonly result?: { readonly state?: string } } },
  page: Page | undefined,
  app: WebApp | undefined,
  prefix = '',
): Promise<void> {
  if (ctx.task.result?.state !== 'fail' || page === undefined) return;
  const name = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
  await page.screenshot({ path: join(RESULTS_DIR, `FAILED-${prefix}${name}.png`) }).catch(() => {});
  console.error(`[e2e] failed "${ctx.task.name}"; web.cjs output so far:\n${app?.output()}`);
}

/** What `windowSession` opens: filled in by its beforeAll, so read the fields inside tests and hooks only. */
export interface WindowSession {
  app: WebApp;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** The folder to share (left unset with `fixture: null`). */
  fixture: Fixture;
  /** The window's uncaught script errors, for `expect(w.pageErrors).toEqual([])`. */
  readonly pageErrors: string[];
}

/**
 * The usual e2e setup, as hooks of the calling file: before all, the real app (startWebApp),
 * a Chromium and one window page (light unless said, with `contextOptions` and the clipboard
 * if asked), the page's uncaught errors collected, and a fixture folder (makeFixture, another
 * maker, or none with `null`); after each failed test its evidence (keepFailureEvidence
 * with `evidencePrefix`); after all, everything closed and removed.
 */
export function windowSession(opts: {
  viewport: { width: number; height: number };
  evidencePrefix: string;
  colorScheme?: 'light' | 'dark';
  fixture?: (() => Fixture) | null;
  clipboard?: boolean;
  contextOptions?: BrowserContextOptions;
}): WindowSession {
  const w = { pageErrors: [] as string[] } as WindowSession;
  beforeAll(async () => {
    assertBuilt();
    mkdirSync(RESULTS_DIR, { recursive: true });
    if (opts.fixture !== null) w.fixture = (opts.fixture ?? makeFixture)();
    w.app = await startWebApp();
    w.browser = await launchChromium();
    w.context = await w.browser.newContext({ viewport: opts.viewport, colorScheme: opts.colorScheme ?? 'light', ...opts.contextOptions });
    if (opts.clipboard) await w.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    w.page = await w.context.newPage();
    w.page.on('pageerror', (e) => w.pageErrors.push(e.message));
  }, 60_000);
  afterEach((ctx) => keepFailureEvidence(ctx, w.page, w.app, opts.evidencePrefix));
  afterAll(async () => {
    await w.browser?.close();
    await w.app?.stop();
    w.fixture?.remove();
  });
  return w;
}

/** Opens the window at the sign-in address and waits until it shows "Not sharing". */
export async function openWindow(page: Page, url: string, timeout = 20_000): Promise<void> {
  await page.goto(url);
  await page.getByTestId('status-pill').filter({ hasText: 'Not sharing' }).waitFor({ timeout });
}

/**
 * Types `dir` in the folder box (Enter, then waits for "Folder found"), puts a free port on
 * `bind` (or `port`) in the port box, picks `bind` ('' every interface) and clicks Share.
 * What follows (the address, a question) is the caller's to wait for.
 */
export async function shareFolder(page: Page, dir: string, opts: { bind: string; port?: number; timeout?: number }): Promise<void> {
  const timeout = opts.timeout ?? 20_000;
  await page.fill('#folder-input', dir);
  await page.press('#folder-input', 'Enter');
  await page.locator('#folder-msg', { hasText: /Folder found/ }).waitFor({ timeout });
  await page.fill('#port-input', String(opts.port ?? (await freePort(opts.bind))));
  await page.selectOption('#bind-select', opts.bind);
  await page.click('button:has-text("Share this folder")');
}
