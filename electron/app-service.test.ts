// Tests for app-service.ts with a real settings store (temp folder) and the real
// supervisor over an in-process fake host process (test-support/fake-host-process.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createAppService, type AppService } from './app-service';
import { createServerHost, type HostDeadlines } from './server-host';
import { openSettingsStore, type SettingsStore } from './settings-store';
import { createFakeEngine, fakeFork, type FakeEngine } from './test-support/fake-host-process';
import type { LogBatch, ServerStatus } from './ipc-contract';

let dir: string;
let share: string;
let engine: FakeEngine;
let fork: ReturnType<typeof fakeFork>;
let store: SettingsStore;
let service: AppService;
let events: { channel: string; payload: unknown }[];
let opened: string[];

const statuses = () => events.filter((e) => e.channel === 'server:status').map((e) => (e.payload as ServerStatus).state);

async function boot(
  extra: {
    chooseFolder?: () => Promise<string | null>;
    openFolder?: (folder: string) => Promise<boolean>;
    home?: string;
    restartDelaysMs?: readonly number[];
    reach?: Parameters<typeof createAppService>[0]['reach'];
  } = {},
  deadlines?: Partial<HostDeadlines>,
) {
  store = await openSettingsStore({ dir });
  let svc: AppService | null = null;
  const host = createServerHost({
    fork,
    signal: fork.signal,
    deadlines,
    entryPath: 'host.cjs',
    onLog: (b) => svc?.acceptLog(b),
    onUnexpectedExit: (c) => svc?.hostExited(c),
    onFolder: (present, message) => svc?.folderChanged(present, message),
  });
  svc = createAppService({
    store,
    host,
    emit: (channel, payload) => events.push({ channel, payload }),
    info: { transport: 'web', version: '1.2.3', platform: 'linux', suggestedFolder: '/home/u' },
    openExternal: async (u) => void opened.push(u),
    listInterfaces: () => [],
    suggestPort: async (_bind, near) => near + 1,
    maxQueuedLogEntries: 5,
    ...extra,
  });
  service = svc;
  return svc;
}

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'servedir-svc-'));
  share = path.join(dir, 'share');
  await fsp.mkdir(share);
  await fsp.writeFile(path.join(share, 'a.txt'), 'a');
  engine = createFakeEngine();
  fork = fakeFork(engine);
  events = [];
  opened = [];
});
afterEach(async () => {
  await service?.shutdown();
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('server:start / server:stop', () => {
  it('refuses to start without a folder, next to the directory field', async () => {
    const h = (await boot()).handlers;
    const r = await h['server:start']();
    expect(r).toMatchObject({ ok: false, code: 'APP_ERR_NO_FOLDER', field: 'directory' });
    expect(fork.spawned).toHaveLength(0);
  });

  it('starts with the saved settings, reports starting then running, and remembers the folder', async () => {
    const h = (await boot()).handlers;
    await h['settings:update']({ directory: share, port: 8123 });
    const r = await h['server:start']();
    expect(r.ok).toBe(true);
    expect(r.ok && r.value).toMatchObject({ state: 'running', port: 8123 });
    expect(statuses()).toEqual(['starting', 'running']);
    expect(engine.calls[0]).toMatchObject({ directory: share, port: 8123, bind: '', protocolVersion: 'HTTP/1.0' });
    expect(store.get().recentFolders).toEqual([share]);
    expect(await h['server:stop']()).toEqual({ state: 'stopped' });
    expect(statuses().at(-1)).toBe('stopped');
  });

  it('a port in use comes back as a failure with a suggested free port', async () => {
    const h = (await boot()).handlers;
    await h['settings:update']({ directory: share, port: 8000 });
    engine.failNext(Object.assign(new Error('x'), { code: 'EADDRINUSE' }));
    const r = await h['server:start']();
    expect(r).toMatchObject({ ok: false, code: 'SRV_ERR_PORT_IN_USE', field: 'port', suggestedPort: 8001 });
    expect(service.status()).toMatchObject({ state: 'failed', error: { suggestedPort: 8001 } });
  });

  it('the shared folder deleted while sharing: the running status says so in plain words; back: a notice, the warning gone', async () => {
    const h = (await boot()).handlers;
    await h['settings:update']({ directory: share, port: 8125 });
    await h['server:start']();
    await fsp.rm(share, { recursive: true });
    await vi.waitFor(() => expect(service.status()).toMatchObject({ state: 'running', folderGone: { message: expect.stringMatching(/^The shared folder is gone/) } }), { timeout: 10_000 });
    await fsp.mkdir(share);
    await vi.waitFor(() => expect(service.status()).toMatchObject({ state: 'running', notice: { message: expect.stringMatching(/^The shared folder is back/) } }), { timeout: 10_000 });
    expect(service.status()).not.toHaveProperty('folderGone');
    expect(fork.spawned).toHaveLength(1); // the server was never restarted for it
  });

  it('a crash while sharing restarts the server at once, and the running status says what happened', async () => {
    const h = (await boot()).handlers;
    await h['settings:update']({ directory: share, port: 8124 });
    await h['server:start']();
    fork.spawned[0]!.crash(1);
    await vi.waitFor(() => expect(fork.spawned).toHaveLength(2));
    await vi.waitFor(() => expect(service.status().state).toBe('running'));
    expect(service.status()).toMatchObject({
      port: 8124,
      notice: { message: 'The server stopped unexpectedly, so Servedir restarted it.', at: expect.any(Number) },
    });
    expect(statuses()).toEqual(['starting', 'running', 'starting', 'running']);
    // Stop and Share again: the notice is about the past, so it goes.
    await h['server:stop']();
    const again = await h['server:start']();
    expect(again.ok && again.value).not.toHaveProperty('notice');
  });

  it('crashes in a row: restarted once at once, then after backoff waits (shown as crashed), then no more; Restart starts a new streak', async () => {
    const h = (await boot({ restartDelaysMs: [0, 60, 120] })).handlers;
    await h['settings:update']({ directory: share });
    await h['server:start']();
    const crashLatest = () => fork.spawned.at(-1)!.crash(1);
    const running = (n: number) => vi.waitFor(() => expect(service.status().state === 'running' && fork.spawned.length === n).toBe(true));

    crashLatest();
    await running(2);
    crashLatest();
    await vi.waitFor(() => expect(service.status().state).toBe('crashed'));
    expect(service.status()).toMatchObject({
      message: 'The server stopped unexpectedly. It stopped 2 times in a row; Servedir will restart it in 1 second.',
      exitCode: 1,
    });
    expect(fork.spawned).toHaveLength(2);
    await running(3);
    crashLatest();
    await running(4);
    crashLatest();
    await vi.waitFor(() => expect(service.status().state).toBe('crashed'));
    expect(service.status()).toMatchObject({ message: expect.stringMatching(/4 times in a row, so Servedir stopped restarting it\. Press Restart/) });
    await new Promise((r) => setTimeout(r, 200));
    expect(fork.spawned).toHaveLength(4);

    const again = await h['server:start']();
    expect(again.ok && again.value.state).toBe('running');
    crashLatest();
    await running(6);
  });

  it('Stop while an automatic restart waits cancels it', async () => {
    const h = (await boot({ restartDelaysMs: [0, 80] })).handlers;
    await h['settings:update']({ directory: share });
    await h['server:start']();
    fork.spawned[0]!.crash(1);
    await vi.waitFor(() => expect(service.status().state === 'running' && fork.spawned.length === 2).toBe(true));
    fork.spawned[1]!.crash(1);
    await vi.waitFor(() => expect(service.status().state).toBe('crashed'));
    expect(await h['server:stop']()).toEqual({ state: 'stopped' });
    await new Promise((r) => setTimeout(r, 200));
    expect(service.status()).toEqual({ state: 'stopped' });
    expect(fork.spawned).toHaveLength(2);
  });

  it('a host frozen while sharing: Stop ends it after the deadline and says so; Share then works on a fresh host', async () => {
    const h = (await boot({}, { requestMs: 100, closeMs: 50, killGraceMs: 50 })).handlers;
    await h['settings:update']({ directory: share });
    await h['server:start']();
    fork.spawned[0]!.freeze();
    const stopped = await h['server:stop']();
    expect(stopped).toEqual({
      state: 'stopped',
      notice: { message: 'The server was not responding, so Servedir ended it. Sharing has stopped.', at: expect.any(Number) },
    });
    expect(fork.spawned[0]!.dead).toBe(true);
    // Killed by us: not a crash, so nothing restarts it.
    await new Promise((r) => setTimeout(r, 50));
    expect(fork.spawned).toHaveLength(1);
    const again = await h['server:start']();
    expect(again.ok && again.value).toMatchObject({ state: 'running' });
    expect(again.ok && again.value).not.toHaveProperty('notice');
  });

  it('Share on a frozen idle host: served by a fresh one, and the running status says the old one was ended', async () => {
    const h = (await boot({}, { requestMs: 100, killGraceMs: 50 })).handlers;
    await h['settings:update']({ directory: share });
    await h['server:start']();
    await h['server:stop']();
    fork.spawned[0]!.freeze();
    const r = await h['server:start']();
    expect(r.ok && r.value).toMatchObject({
      state: 'running',
      notice: { message: 'The server was not responding, so Servedir ended it and started a new one.' },
    });
  });
});

describe('settings:update', () => {
  it('while sharing restarts the server with the new settings', async () => {
    const h = (await boot()).handlers;
    await h['settings:update']({ directory: share, port: 8200 });
    await h['server:start']();
    const r = await h['settings:update']({ port: 8201 });
    expect(r).toMatchObject({ ok: true, value: { port: 8201 } });
    await vi.waitFor(() => expect(service.status()).toMatchObject({ state: 'running', port: 8201 }));
    expect(engine.calls.map((c) => c.port)).toEqual([8200, 8201]);
  });

  it("while sharing, a change to the app's own settings only (sleep, the close question) saves without a restart and repeats the status", async () => {
    const h = (await boot()).handlers;
    await h['settings:update']({ directory: share, port: 8202 });
    await h['server:start']();
    const before = statuses().length;
    const r = await h['settings:update']({ preventSleep: false, closeWhileSharing: 'keep' });
    expect(r).toMatchObject({ ok: true, value: { preventSleep: false, closeWhileSharing: 'keep' } });
    expect(engine.calls.map((c) => c.port)).toEqual([8202]);
    expect(statuses().slice(before)).toEqual(['running']);
  });

  it('rejects a relative folder path and saves nothing', async () => {
    const h = (await boot()).handlers;
    const r = await h['settings:update']({ directory: 'relative/dir', port: 9999 });
    expect(r).toMatchObject({ ok: false, field: 'directory' });
    expect(store.get().port).toBe(8000);
  });

  it('when stopped only saves', async () => {
    const h = (await boot()).handlers;
    await h['settings:update']({ cgi: true });
    expect(engine.calls).toHaveLength(0);
    expect((await h['settings:get']()).cgi).toBe(true);
  });
});

describe('log streaming', () => {
  it('queues batches until app:ready, bounded with a dropped count, then streams them unchanged', async () => {
    const svc = await boot(); // maxQueuedLogEntries: 5
    const b = (count: number, dropped = 0): LogBatch => ({
      columns: { count, numbers: new Float64Array(count * 8), refs: new Int32Array(count * 7), strings: [] },
      dropped,
    });
    const b1 = b(3);
    const b2 = b(2, 2);
    const b3 = b(2);
    svc.acceptLog(b1);
    svc.acceptLog(b2);
    svc.acceptLog(b3); // 7 > 5: the oldest whole batch goes, counted
    expect(events.filter((x) => x.channel === 'log:batch')).toHaveLength(0);
    const status = await svc.handlers['app:ready']();
    expect(status).toEqual({ state: 'stopped' });
    const batches = events.filter((x) => x.channel === 'log:batch').map((x) => x.payload as LogBatch);
    // The lost count (3 from b1) rides on the first batch sent; columns are passed as they came.
    expect(batches).toEqual([{ columns: b2.columns, dropped: 2 + 3 }, b3]);
    expect(batches[0]!.columns).toBe(b2.columns);
    const made = batches.reduce((n, x) => n + x.columns.count + x.dropped, 0);
    expect(made).toBe(3 + 2 + 2 + 2); // every entry shown or counted
    const b4 = b(1);
    svc.acceptLog(b4);
    expect(events.at(-1)).toEqual({ channel: 'log:batch', payload: b4 });
    svc.rendererGone();
    svc.acceptLog(b(1));
    expect(events.at(-1)?.payload).toBe(b4);
  });

  it('app:ready with only a dropped count still tells the window', async () => {
    const svc = await boot();
    const big = { columns: { count: 6, numbers: new Float64Array(48), refs: new Int32Array(42), strings: [] }, dropped: 1 };
    svc.acceptLog(big); // larger than the whole queue
    await svc.handlers['app:ready']();
    expect(events.filter((x) => x.channel === 'log:batch').map((x) => x.payload)).toEqual([
      { columns: { count: 0, numbers: [], refs: [], strings: [] }, dropped: 7 },
    ]);
  });
});

describe('shell:open-url', () => {
  it('opens only our own running server’s http URLs', async () => {
    const h = (await boot()).handlers;
    expect(await h['shell:open-url']('http://127.0.0.1:8300/')).toMatchObject({ ok: false, code: 'APP_ERR_URL_NOT_ALLOWED' });
    await h['settings:update']({ directory: share, port: 8300 });
    await h['server:start']();
    for (const good of ['http://127.0.0.1:8300/', 'http://localhost:8300/a/b?c', 'http://[::1]:8300/']) {
      expect(await h['shell:open-url'](good)).toEqual({ ok: true, value: null });
    }
    for (const bad of [
      'http://127.0.0.1:8301/',
      'http://example.com:8300/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'http://user:pw@127.0.0.1:8300/',
      'not a url',
    ]) {
      expect(await h['shell:open-url'](bad)).toMatchObject({ ok: false, code: 'APP_ERR_URL_NOT_ALLOWED' });
    }
    expect(opened).toEqual(['http://127.0.0.1:8300/', 'http://localhost:8300/a/b?c', 'http://[::1]:8300/']);
  });
});

describe('shell:open-folder (where an upload went)', () => {
  it('opens the folder of a URL path of the running share, never one outside it', async () => {
    const folders: string[] = [];
    const h = (await boot({ openFolder: async (f) => (folders.push(f), true) })).handlers;
    expect(await h['shell:open-folder']('/a.txt')).toMatchObject({ ok: false, code: 'APP_ERR_NOT_SHARING' });
    await fsp.mkdir(path.join(share, 'From my phone'));
    await fsp.mkdir(path.join(dir, 'outside'));
    await fsp.symlink(path.join(dir, 'outside'), path.join(share, 'up'));
    await h['settings:update']({ directory: share, port: 8300 });
    await h['server:start']();
    const real = await fsp.realpath(share);
    expect(await h['shell:open-folder']('/From%20my%20phone/IMG%20(1).jpg')).toEqual({ ok: true, value: null });
    expect(await h['shell:open-folder']('/a.txt')).toEqual({ ok: true, value: null });
    for (const bad of ['/up/a.txt', '/up/', '/../', '/%2e%2e/x']) {
      expect(await h['shell:open-folder'](bad)).toMatchObject({ ok: false, code: 'SRV_ERR_DIRECTORY_MISSING' });
    }
    expect(folders).toEqual([path.join(real, 'From my phone'), real]);
  });

  it('says so when this computer has no way to open a folder', async () => {
    const h = (await boot()).handlers;
    await h['settings:update']({ directory: share, port: 8300 });
    await h['server:start']();
    expect(await h['shell:open-folder']('/a.txt')).toMatchObject({ ok: false, code: 'APP_ERR_UNSUPPORTED' });
  });
});

describe('dialog:choose-folder and folder:check', () => {
  it('is unsupported without a native dialog, and returns the pick with one', async () => {
    expect(await (await boot()).handlers['dialog:choose-folder']()).toMatchObject({ ok: false, code: 'APP_ERR_UNSUPPORTED' });
    await service.shutdown();
    expect(await (await boot({ chooseFolder: async () => share })).handlers['dialog:choose-folder']()).toEqual({ ok: true, value: share });
  });

  it('checks folders: counts entries; file, missing and relative paths fail in plain words', async () => {
    const h = (await boot()).handlers;
    expect(await h['folder:check'](share)).toEqual({ ok: true, value: { path: share, entries: 1 } });
    expect(await h['folder:check'](path.join(share, 'a.txt'))).toMatchObject({ ok: false, code: 'SRV_ERR_DIRECTORY_NOT_A_DIRECTORY' });
    expect(await h['folder:check'](path.join(share, 'nope'))).toMatchObject({ ok: false, code: 'SRV_ERR_DIRECTORY_MISSING' });
    expect(await h['folder:check']('share')).toMatchObject({ ok: false, field: 'directory' });
  });

  it('tidies typed paths: ~ is the home folder, spaces at the ends and a trailing slash go', async () => {
    const h = (await boot({ home: dir })).handlers;
    expect(await h['folder:check']('~/share/')).toEqual({ ok: true, value: { path: share, entries: 1 } });
    expect(await h['folder:check']('~')).toMatchObject({ ok: true, value: { path: dir } });
    expect(await h['folder:check'](`  ${share}/  `)).toMatchObject({ ok: true, value: { path: share } });
    expect(await h['folder:check'](`${share}/../share`)).toMatchObject({ ok: true, value: { path: share } });
    // The words must not point at a button the browser window does not have.
    const rel = await h['folder:check']('share');
    expect(rel).toMatchObject({ ok: false, field: 'directory' });
    expect(JSON.stringify(rel)).not.toMatch(/Browse|Choose/);
    // Saved tidy, so "/a/b/" and "/a/b" are one folder in the recent list.
    expect(await h['settings:update']({ directory: '~/share/' })).toMatchObject({ ok: true, value: { directory: share } });
    await h['server:start']();
    await h['server:stop']();
    expect(await h['settings:update']({ directory: `${share}/` })).toMatchObject({ ok: true, value: { directory: share } });
    await h['server:start']();
    expect(store.get().recentFolders).toEqual([share]);
  });

  it('app:info reports the transport and suggestion', async () => {
    expect(await (await boot()).handlers['app:info']()).toMatchObject({ transport: 'web', suggestedFolder: '/home/u' });
  });
});

describe('safe choices (share-safety.ts)', () => {
  it('the home folder asks first, naming what becomes visible; nothing starts until the window confirms that risk', async () => {
    const h = (await boot({ home: dir })).handlers;
    await h['settings:update']({ directory: dir, port: 8130 });
    const r = await h['server:start']();
    expect(r).toMatchObject({ ok: false, code: 'APP_ERR_NEEDS_CONFIRMATION', field: 'directory', confirm: 'home' });
    expect(!r.ok && r.message).toContain('including documents, photos and hidden settings files like browser profiles, will be visible to anyone on this network');
    expect(fork.spawned).toHaveLength(0);
    expect(service.status()).toEqual({ state: 'stopped' });
    // An answer to another question does not count.
    expect(await h['server:start']({ confirmed: 'disk' })).toMatchObject({ ok: false, code: 'APP_ERR_NEEDS_CONFIRMATION' });
    expect(await h['server:start']({ confirmed: 'home' })).toMatchObject({ ok: true, value: { state: 'running' } });
    // A change while sharing restarts without asking again; the next Share asks again.
    await h['settings:update']({ port: 8132 });
    await vi.waitFor(() => expect(service.status()).toMatchObject({ state: 'running', port: 8132 }));
    await h['server:stop']();
    expect(await h['server:start']()).toMatchObject({ ok: false, code: 'APP_ERR_NEEDS_CONFIRMATION' });
    // A subfolder of home is fine without asking.
    await h['settings:update']({ directory: share });
    expect(await h['server:start']()).toMatchObject({ ok: true });
  });

  it('a link to a whole disk is a whole disk: asked, saying where it leads', async () => {
    const h = (await boot({ home: dir })).handlers;
    await fsp.symlink('/', path.join(share, 'everything'));
    await h['settings:update']({ directory: path.join(share, 'everything') });
    const r = await h['server:start']();
    expect(r).toMatchObject({ ok: false, code: 'APP_ERR_NEEDS_CONFIRMATION', confirm: 'disk' });
    expect(!r.ok && r.message).toMatch(/everything leads to \/\. \/ is a whole disk/);
    expect(await h['server:start']({ confirmed: 'disk' })).toMatchObject({ ok: true });
  });

  it('a whole disk asks first', async () => {
    const h = (await boot({ home: dir })).handlers;
    await h['settings:update']({ directory: '/' });
    expect(await h['server:start']()).toMatchObject({ ok: false, code: 'APP_ERR_NEEDS_CONFIRMATION', confirm: 'disk' });
  });

  it('CGI whose script folder maps to system programs is refused on the cgi field, even when the disk was confirmed (/ with /usr/bin ran `touch`)', async () => {
    const h = (await boot({ home: dir })).handlers;
    await h['settings:update']({ directory: '/', cgi: true, cgiDirectories: ['/cgi-bin', '/usr/bin'] });
    const r = await h['server:start']({ confirmed: 'disk' });
    expect(r).toMatchObject({ ok: false, code: 'APP_ERR_CGI_SYSTEM_PROGRAMS', field: 'cgi' });
    expect(!r.ok && r.message).toMatch(/^The script folder \/usr\/bin is \/usr\/bin, a folder of system programs/);
    expect(fork.spawned).toHaveLength(0);
  });

  it('CGI: a cgi-bin that is a link to /usr/bin is refused (real paths); turning the link into a folder fixes it', async () => {
    const h = (await boot({ home: '/nonexistent-home' })).handlers;
    await fsp.symlink('/usr/bin', path.join(share, 'cgi-bin'));
    await h['settings:update']({ directory: share, cgi: true });
    expect(await h['server:start']()).toMatchObject({ ok: false, code: 'APP_ERR_CGI_SYSTEM_PROGRAMS', field: 'cgi' });
    await fsp.rm(path.join(share, 'cgi-bin'));
    await fsp.mkdir(path.join(share, 'cgi-bin'));
    expect(await h['server:start']()).toMatchObject({ ok: true });
  });

  it('turning on a bad CGI folder while sharing stops sharing and says why', async () => {
    const h = (await boot({ home: dir })).handlers;
    await h['settings:update']({ directory: '/', port: 8131 });
    expect(await h['server:start']({ confirmed: 'disk' })).toMatchObject({ ok: true });
    await h['settings:update']({ cgi: true, cgiDirectories: ['/usr/bin'] });
    await vi.waitFor(() => expect(service.status()).toMatchObject({ state: 'failed', error: { code: 'APP_ERR_CGI_SYSTEM_PROGRAMS' } }));
  });
});

describe('net:self-check', () => {
  it('while sharing, opens the main address from this computer and reads the firewall facts; not sharing, says so', async () => {
    const probed: string[] = [];
    const h = (
      await boot({
        home: dir,
        reach: {
          probe: async (u) => {
            probed.push(u);
            return 200;
          },
          run: async () => ({ code: 3, stdout: 'inactive\n' }),
          readFile: async () => 'ENABLED=yes\n',
        },
      })
    ).handlers;
    expect(await h['net:self-check']()).toMatchObject({ ok: false, code: 'APP_ERR_NOT_SHARING' });
    await h['settings:update']({ directory: share, port: 8140 });
    const started = await h['server:start']();
    const r = await h['net:self-check']();
    expect(r.ok).toBe(true);
    const urls = started.ok && started.value.state === 'running' ? started.value.urls : [];
    // The fake host lists no addresses: this computer's own is checked.
    expect(urls).toEqual([]);
    expect(probed).toEqual(['http://127.0.0.1:8140/']);
    expect(r.ok && r.value).toMatchObject({ url: 'http://127.0.0.1:8140/', answered: true });
    // Linux here (AppInfo.platform): ufw's config file says it is on.
    expect(r.ok && r.value.firewall.join(' ')).toContain('sudo ufw allow 8140/tcp');

    // With a password, the login page (a 200 there; the root is a 401, an error row in the
    // window's log); the window still names the address it shows.
    expect((await h['password:set']('river candle maple stone')).ok).toBe(true);
    // (password:set restarts the share with it; the check follows the running settings.)
    let withPassword = await h['net:self-check']();
    await vi.waitFor(async () => {
      withPassword = await h['net:self-check']();
      expect(probed.at(-1)).toBe('http://127.0.0.1:8140/.servedir/login');
    });
    expect(withPassword.ok && withPassword.value).toMatchObject({ url: 'http://127.0.0.1:8140/', answered: true });
  });
});

describe('password:set / password:remove / password:login-key (issue 13)', () => {
  const CLEAR = 'river candle maple stone';

  it('stores only a scrypt verifier in the settings file, restarts a running share with it, and mints keys it accepts', async () => {
    const { LoginKeys, verifyPassword } = await import('../server/auth');
    const h = (await boot()).handlers;
    await h['settings:update']({ directory: share });
    await h['server:start']();
    expect(await h['password:login-key']()).toMatchObject({ ok: false, code: 'APP_ERR_NO_PASSWORD' });

    const suggestion = await h['password:suggest']();
    expect(suggestion.split(' ')).toHaveLength(4);
    expect(await h['password:set']('abc')).toMatchObject({ ok: false, field: 'password', message: 'A password needs at least 6 characters.' });
    const r = await h['password:set'](CLEAR);
    expect(r.ok).toBe(true);
    const file = await fsp.readFile(path.join(dir, 'settings.json'), 'utf8');
    expect(file).not.toContain('river');
    expect(file).not.toContain('keySecret');
    const saved = JSON.parse(file) as { password: { scheme: string; hash: string } };
    expect(saved.password).toMatchObject({ scheme: 'scrypt', N: 16384, r: 8, p: 1 });
    expect(await verifyPassword(saved.password as never, CLEAR)).toBe(true);

    // The share restarted with the verifier and this run's key secret.
    await vi.waitFor(() => expect(engine.calls).toHaveLength(2));
    await vi.waitFor(() => expect(service.status().state).toBe('running'));
    const started = engine.calls[1]!.password!;
    expect(started.hash).toBe(saved.password.hash);
    expect(started.keySecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const minted = await h['password:login-key']();
    expect(minted.ok).toBe(true);
    if (!minted.ok) return;
    expect(minted.value.expiresAt).toBeGreaterThan(Date.now());
    const keys = new LoginKeys(started.keySecret);
    expect(keys.consume(minted.value.key)).toBe(true);
    expect(keys.consume(minted.value.key)).toBe(false);

    const removed = await h['password:remove']();
    expect(removed).toMatchObject({ ok: true, value: { password: null } });
    await vi.waitFor(() => expect(engine.calls).toHaveLength(3));
    expect(engine.calls[2]!.password).toBeNull();
    expect(JSON.parse(await fsp.readFile(path.join(dir, 'settings.json'), 'utf8')).password).toBeNull();
  });

  it('a plain settings patch cannot carry a password (only password:set hashes)', async () => {
    const { invokeValidators } = await import('./ipc-contract');
    const { hashPassword } = await import('../server/auth');
    const v = await hashPassword(CLEAR);
    expect(invokeValidators['settings:update']([{ password: v }])).toBe(false);
    expect(invokeValidators['settings:update']([{ password: null }])).toBe(false);
    expect(invokeValidators['password:set']([CLEAR])).toBe(true);
    expect(invokeValidators['password:set']([42])).toBe(false);
    expect(invokeValidators['password:set'](['x'.repeat(2000)])).toBe(false);
    expect(invokeValidators['password:login-key']([])).toBe(true);
  });
});
