/**
 * The shell's service layer: one plain function per invoke channel of the IPC contract,
 * shared by Electron (through electron/ipc.ts) and the browser fallback (through
 * electron/web/control-server.ts). Holds the server status and queues log batches until
 * the window says it is ready. Restarts a server process that died while sharing
 * ({@link AUTO_RESTART_DELAYS_MS}) and tells the window what it did.
 *
 * Runs in: the Electron main process and the browser-fallback control server. No Electron
 * import: the folder dialog, the browser opener and the event sender are injected.
 */
import * as os from 'node:os';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type {
  AppInfo,
  EventChannel,
  EventChannels,
  Failure,
  FolderInfo,
  HostNotice,
  InvokeChannel,
  InvokeChannels,
  LogBatch,
  NetInterface,
  Result,
  ServerStatus,
  Settings,
  SettingsPatch,
  StartOptions,
} from './ipc-contract';
import { mainAndOthers } from './ipc-contract';
import { httpStatus, selfCheck, type ReachDeps } from './reach-check';
import { listFolders } from '../server/host/folder-list';
import { localFolderOf } from '../server/upload';
import { cgiProgramFolder, classifyShareFolder, MSG_CGI_SYSTEM_PROGRAMS } from './share-safety';
import type { ServeFailure } from '../server/host/protocol';
import { notAFolderError, serveErrorForFolder, serveErrorForWrite, type ServeError } from '../server/errors';
import { hashPassword, LOGIN_PATH, mintLoginKey, newKeySecret, passwordProblem, suggestPassword } from '../server/auth';
import { changeRestartsSharing, SETTING_KEYS, type ServeSettings } from '../server/share-settings';
import type { SettingsStore } from './settings-store';
import type { HostFault, LogBatchFromHost, ServerHost } from './server-host';

/** Sends a push event to the window(s). */
export type EmitFn = <K extends EventChannel>(channel: K, payload: Parameters<EventChannels[K]>[0]) => void;

export interface AppServiceDeps {
  readonly store: SettingsStore;
  /** Created with `onLog: service.acceptLog` and `onUnexpectedExit: service.hostExited`. */
  readonly host: ServerHost;
  readonly emit: EmitFn;
  readonly info: AppInfo;
  /** The native folder picker; absent in the browser fallback. */
  readonly chooseFolder?: () => Promise<string | null>;
  /** Opens a URL in the user's default browser. */
  readonly openExternal: (url: string) => Promise<void>;
  /** Shows a folder of this computer in its file manager; false when it could not. Absent: not offered. */
  readonly openFolder?: (folder: string) => Promise<boolean>;
  readonly listInterfaces: () => readonly NetInterface[];
  /** A free port on `bind`, preferably close to `near`. */
  readonly suggestPort: (bind: string, near: number) => Promise<number>;
  readonly now?: () => number;
  /** The user's home folder, for a typed `~` (defaults to `os.homedir()`). */
  readonly home?: string;
  /** Log entries held while no window is ready; oldest dropped beyond this. */
  readonly maxQueuedLogEntries?: number;
  /** Waits before each automatic restart of a streak (defaults to {@link AUTO_RESTART_DELAYS_MS}). */
  readonly restartDelaysMs?: readonly number[];
  /** The self-check's HTTP probe, command runner and file reader (defaults: the real ones). */
  readonly reach?: Omit<ReachDeps, 'platform'>;
  /** Follows links, for the CGI check (defaults to `fs.promises.realpath`). */
  readonly realpath?: (p: string) => Promise<string>;
}

/**
 * When the server process dies while sharing, it is restarted with the saved settings: the
 * first time at once, then after these waits. A death more than {@link STABLE_AFTER_MS}
 * after the last automatic restart starts a new streak. After the last wait of a streak
 * Servedir stops trying, and the window offers Restart.
 */
export const AUTO_RESTART_DELAYS_MS: readonly number[] = [0, 2_000, 4_000, 8_000, 16_000, 30_000];
export const STABLE_AFTER_MS = 60_000;

// What the shell did about a server process, in the words the window shows.
const CRASH_HEADLINE = 'The server stopped unexpectedly.';
const MSG_RESTARTED = 'The server stopped unexpectedly, so Servedir restarted it.';
const MSG_RESTARTED_FROZEN = 'The server stopped responding, so Servedir ended it and restarted it.';
const MSG_REPLACED: Readonly<Record<HostFault, string>> = {
  exited: 'The server stopped unexpectedly while starting, so Servedir started a new one.',
  'not-responding': 'The server was not responding, so Servedir ended it and started a new one.',
  'not-ready': 'The server did not start the first time, so Servedir tried again.',
};
const MSG_STOP_FORCED = 'The server was not responding, so Servedir ended it. Sharing has stopped.';
const msgRestartingIn = (ms: number, times: number): string => {
  const s = Math.ceil(ms / 1000);
  return `${CRASH_HEADLINE} It stopped ${times} times in a row; Servedir will restart it in ${s} second${s === 1 ? '' : 's'}.`;
};
const msgGaveUp = (times: number): string =>
  `${CRASH_HEADLINE} It stopped ${times} times in a row, so Servedir stopped restarting it. Press Restart to share the folder again.`;

export type InvokeHandlers = { readonly [K in InvokeChannel]: InvokeChannels[K] };

export interface AppService {
  readonly handlers: InvokeHandlers;
  /** Feed for ServerHost `onLog`. */
  acceptLog(batch: LogBatchFromHost): void;
  /** Feed for ServerHost `onUnexpectedExit`. */
  hostExited(exitCode: number | null, why?: 'exited' | 'not-responding'): void;
  /** Feed for ServerHost `onFolder`: the shared folder vanished or came back while sharing. */
  folderChanged(present: boolean, message: string): void;
  /** The window went away (closed or reloading): queue logs again until `app:ready`. */
  rendererGone(): void;
  /** Stops the server and the host process; for app quit. */
  shutdown(): Promise<void>;
  status(): ServerStatus;
}

const fail = (code: Failure['code'], message: string, extra: Partial<Failure> = {}): Failure => ({
  ok: false,
  code,
  message,
  ...extra,
});

/**
 * The engine's settings of the app's: every row of the settings table, without the window's
 * own fields; a password's verifier gets this run's `keySecret` (the login keys of the QR
 * code and copied link are minted with it; it is never stored).
 */
function toServeSettings(s: Settings, keySecret: string): ServeSettings {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) out[key] = s[key];
  if (s.password) out.password = { ...s.password, keySecret };
  return out as ServeSettings;
}

/** A ServeError (server/errors.ts: the one place that words system errors) as a Failure. */
const failureOf = (e: ServeError): Failure => fail(e.code, e.message, e.field ? { field: e.field } : {});

const MSG_NOT_FULL_PATH =
  'Type the full path of the folder, starting with / (or a drive letter like C:\\ on Windows).';

/**
 * Tidies a typed folder path: trims spaces at the ends, turns a leading `~` into the home
 * folder (people paste paths from a terminal), and drops `.`/`..` parts and a trailing
 * slash, so that "/a/b/" and "/a/b" are one folder in the recent list and the title.
 * @returns the tidied path, or null when it is still not a full path.
 */
export function tidyFolderPath(p: string, home: string = os.homedir()): string | null {
  let t = p.trim();
  if (t === '~') t = home;
  else if (t.startsWith('~/') || (path.sep === '\\' && t.startsWith('~\\'))) t = path.join(home, t.slice(2));
  if (!path.isAbsolute(t)) return null;
  return path.resolve(t);
}

/** Checks that `p` is a full path (after tidying) to a folder we can list. */
export async function checkFolder(typed: string, home?: string): Promise<Result<FolderInfo>> {
  const p = tidyFolderPath(typed, home);
  if (p === null) return fail('SRV_ERR_DIRECTORY_MISSING', MSG_NOT_FULL_PATH, { field: 'directory' });
  try {
    const st = await fsp.stat(p);
    if (!st.isDirectory()) return failureOf(notAFolderError(p));
    const entries = await fsp.readdir(p);
    return { ok: true, value: { path: p, entries: entries.length } };
  } catch (err) {
    return failureOf(serveErrorForFolder(err, p));
  }
}

/** Hosts that always mean "this computer" in a URL (WHATWG URL keeps IPv6 in brackets). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

export function createAppService(deps: AppServiceDeps): AppService {
  const now = deps.now ?? Date.now;
  const maxQueued = deps.maxQueuedLogEntries ?? 10_000;
  let status: ServerStatus = { state: 'stopped' };
  let rendererReady = false;
  /** Batches held while no window is ready, as received (columns are never re-encoded). */
  let queued: LogBatch[] = [];
  let queuedEntries = 0;
  let queuedDropped = 0;
  /** Bumped on each start/stop so a late answer of an older request cannot win. */
  let generation = 0;
  /** Share was pressed and Stop was not since: only then is a dead server restarted. */
  let wantSharing = false;
  const restartDelays = deps.restartDelaysMs ?? AUTO_RESTART_DELAYS_MS;
  /** Automatic restarts in the current streak, and when the last one began. */
  let streak = 0;
  let lastAutoRestartAt = Number.NEGATIVE_INFINITY;
  let restartTimer: ReturnType<typeof setTimeout> | null = null;
  const cancelRestart = (): void => {
    if (restartTimer !== null) clearTimeout(restartTimer);
    restartTimer = null;
  };

  /** This run's secret for login keys (server/auth.ts): in memory only, new each run. */
  const keySecret = newKeySecret();
  const home = deps.home ?? os.homedir();
  const realpath = deps.realpath ?? ((p: string) => fsp.realpath(p));
  /** The risky folder the user said to share anyway (restarts of it need no new answer). */
  let confirmedFolder: string | null = null;

  /**
   * The folder's risk (share-safety.ts), by its path as typed and by its real path: a link
   * in a harmless place that leads to `/` is a whole disk all the same.
   */
  const riskOf = async (dir: string) => {
    const mac = deps.info.platform === 'darwin';
    const typed = classifyShareFolder(path, dir, home, mac);
    if (typed) return typed;
    const real = await realpath(dir).catch(() => dir);
    if (real === dir) return null;
    const realHome = await realpath(home).catch(() => home);
    const r = classifyShareFolder(path, real, realHome, mac);
    return r && { ...r, message: `${dir} leads to ${real}. ${r.message}` };
  };

  /** Refuses what is unsafe to share (see share-safety.ts), or null when all is well. */
  const safetyFailure = async (settings: Settings): Promise<Failure | null> => {
    const risky = await riskOf(settings.directory);
    if (risky && confirmedFolder !== settings.directory) {
      return fail('APP_ERR_NEEDS_CONFIRMATION', risky.message, { field: 'directory', confirm: risky.risk });
    }
    if (settings.cgi) {
      const bad = await cgiProgramFolder(path, settings.directory, settings.cgiDirectories, realpath);
      if (bad) return fail('APP_ERR_CGI_SYSTEM_PROGRAMS', MSG_CGI_SYSTEM_PROGRAMS(bad.urlFolder, bad.real), { field: 'cgi' });
    }
    return null;
  };

  const setStatus = (s: ServerStatus): ServerStatus => {
    status = s;
    deps.emit('server:status', s);
    return s;
  };

  /** Starts sharing; `notice` says why, when the shell restarts a server on its own. */
  const startWith = async (settings: Settings, notice?: HostNotice): Promise<Result<ServerStatus>> => {
    const gen = ++generation;
    if (settings.directory === '') {
      const f = fail('APP_ERR_NO_FOLDER', 'Choose a folder to share first.', { field: 'directory' });
      setStatus({ state: 'failed', error: f });
      return f;
    }
    const unsafe = await safetyFailure(settings);
    if (gen !== generation) return { ok: true, value: status };
    if (unsafe) {
      wantSharing = false;
      // Asking is not a failure of the server: the window asks and starts again.
      const sharing = status.state === 'running' || status.state === 'starting';
      if (unsafe.code === 'APP_ERR_NEEDS_CONFIRMATION' && !sharing) return unsafe;
      // A change made while sharing (Settings) made it unsafe: sharing stops.
      if (sharing) await deps.host.stop();
      setStatus({ state: 'failed', error: unsafe });
      return unsafe;
    }
    wantSharing = true;
    setStatus({ state: 'starting', settings });
    const outcome = await deps.host.start(toServeSettings(settings, keySecret));
    if (gen !== generation) return { ok: true, value: status };
    if (outcome.ok) {
      const shown = notice ?? (outcome.replaced ? { message: MSG_REPLACED[outcome.replaced], at: now() } : undefined);
      const running = setStatus({
        state: 'running',
        settings,
        port: outcome.port,
        urls: outcome.urls,
        since: now(),
        ...(shown ? { notice: shown } : {}),
      });
      try {
        await deps.store.addRecentFolder(settings.directory);
      } catch {
        // Sharing works; only the recent list could not be saved. Not worth an error.
      }
      return { ok: true, value: running };
    }
    const f = outcome.hostDied
      ? fail('APP_ERR_HOST_CRASHED', outcome.failure.message)
      : await toFailure(outcome.failure, settings);
    if (gen !== generation) return f;
    setStatus({ state: 'failed', error: f });
    return f;
  };

  const toFailure = async (sf: ServeFailure, settings: Settings): Promise<Failure> => {
    const base = fail(sf.code, sf.message, sf.field ? { field: sf.field } : {});
    if (sf.code !== 'SRV_ERR_PORT_IN_USE') return base;
    try {
      const suggestedPort = await deps.suggestPort(settings.bind, settings.port);
      return { ...base, suggestedPort };
    } catch {
      return base;
    }
  };

  /**
   * The URL to open, serialized by the same parser that checked it, or null when it is
   * not one of our running server's addresses. Handing the opener the checked `href`
   * rather than the raw text matters: WHATWG parsing reads `http://127.0.0.1:P\@evil/`
   * as our host, an RFC 3986 opener would read `evil`.
   */
  const ourUrl = (raw: string): string | null => {
    if (status.state !== 'running') return null;
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      return null;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    if (u.username || u.password) return null;
    const port = u.port === '' ? (u.protocol === 'http:' ? 80 : 443) : Number(u.port);
    if (port !== status.port) return null;
    if (LOOPBACK_HOSTS.has(u.hostname)) return u.href;
    const known = status.urls.some((s) => {
      try {
        return new URL(s.url).hostname === u.hostname;
      } catch {
        return false;
      }
    });
    return known ? u.href : null;
  };

  /** Validate and save a change; a running share restarts when it changes how the engine shares. */
  const updateSettings = async (patch: SettingsPatch): Promise<Result<Settings>> => {
    if (patch.directory !== undefined && patch.directory.trim() !== '') {
      const tidy = tidyFolderPath(patch.directory, deps.home);
      if (tidy === null) return fail('SRV_ERR_DIRECTORY_MISSING', MSG_NOT_FULL_PATH, { field: 'directory' });
      patch = { ...patch, directory: tidy };
    }
    let saved: Settings;
    try {
      saved = await deps.store.update(patch);
    } catch (err) {
      return failureOf(serveErrorForWrite(err, 'your settings'));
    }
    if (status.state === 'running' || status.state === 'starting') {
      if (changeRestartsSharing(Object.keys(patch))) {
        // The change applies at once; the outcome reaches the window as a status event.
        void startWith(saved).catch((err: unknown) => console.error('servedir: restart failed:', err));
      } else {
        // Only the app's own settings (sleep, the tray's close question): sharing goes on
        // untouched, and whoever follows the status (the sleep blocker) looks again.
        deps.emit('server:status', status);
      }
    }
    return { ok: true, value: saved };
  };

  const handlers: InvokeHandlers = {
    'app:info': async () => deps.info,
    'app:ready': async () => {
      rendererReady = true;
      if (queued.length > 0 || queuedDropped > 0) {
        const batches = queued;
        const dropped = queuedDropped;
        queued = [];
        queuedEntries = 0;
        queuedDropped = 0;
        // The count of what was lost rides on the first batch, so the window shows it at once.
        if (batches.length === 0) deps.emit('log:batch', { columns: { count: 0, numbers: [], refs: [], strings: [] }, dropped });
        batches.forEach((b, i) => deps.emit('log:batch', i === 0 ? { columns: b.columns, dropped: b.dropped + dropped } : b));
      }
      return status;
    },
    'settings:get': async () => deps.store.get(),
    'settings:update': (patch: SettingsPatch) => updateSettings(patch),
    'password:suggest': async () => suggestPassword(),
    'password:set': async (clear: string) => {
      const problem = passwordProblem(clear);
      if (problem) return fail('SRV_ERR_BAD_SETTINGS', problem, { field: 'password' });
      // Only the verifier goes on (settings file, engine); the clear text ends here.
      return updateSettings({ password: await hashPassword(clear) });
    },
    'password:remove': async () => updateSettings({ password: null }),
    'password:login-key': async () => {
      if (status.state !== 'running') return fail('APP_ERR_NOT_SHARING', 'Share a folder first.');
      if (!status.settings.password) return fail('APP_ERR_NO_PASSWORD', 'The folder has no password, so its address needs no login link.');
      return { ok: true, value: mintLoginKey(keySecret, now()) };
    },
    'server:start': async (options?: StartOptions) => {
      // Share (or Restart) pressed: a new streak of automatic restarts, none pending.
      cancelRestart();
      streak = 0;
      const settings = deps.store.get();
      // Each press of Share asks again; an answer counts only for the risk it was asked about.
      // (Restarts of a share, automatic or after a settings change, keep the answer.)
      confirmedFolder = null;
      if (options) {
        const risky = await riskOf(settings.directory);
        if (risky?.risk === options.confirmed) confirmedFolder = settings.directory;
      }
      return startWith(settings);
    },
    'server:stop': async () => {
      ++generation;
      wantSharing = false;
      cancelRestart();
      const { forced } = await deps.host.stop();
      return setStatus(forced ? { state: 'stopped', notice: { message: MSG_STOP_FORCED, at: now() } } : { state: 'stopped' });
    },
    'server:status': async () => status,
    'net:interfaces': async () => deps.listInterfaces(),
    'net:free-port': async () => {
      const s = deps.store.get();
      return deps.suggestPort(s.bind, s.port);
    },
    'net:self-check': async () => {
      if (status.state !== 'running') return fail('APP_ERR_NOT_SHARING', 'Share a folder first.');
      // The address the window shows big (the same choice: mainAndOthers). A host that listed
      // no address at all: this computer's own.
      const main = mainAndOthers(status.urls).main?.url ?? `http://127.0.0.1:${status.port}/`;
      // With a password, the login page: reachable all the same, and a 200 (the share's own
      // root would be a 401, an error row in the window's log right after Share).
      // The window still names the address it shows.
      const reach = { platform: deps.info.platform, ...deps.reach };
      if (status.settings.password) {
        const probe = deps.reach?.probe ?? httpStatus;
        const loginPage = new URL(LOGIN_PATH, main).href;
        reach.probe = (_url, timeoutMs) => probe(loginPage, timeoutMs);
      }
      return { ok: true, value: await selfCheck(reach, main, status.port) };
    },
    'dialog:choose-folder': async () => {
      if (!deps.chooseFolder) {
        return fail('APP_ERR_UNSUPPORTED', 'The browser cannot open a folder picker. Type the folder path instead.', {
          field: 'directory',
        });
      }
      return { ok: true, value: await deps.chooseFolder() };
    },
    'folder:check': async (p: string) => checkFolder(p, deps.home),
    'folder:browse': async (req) => {
      const p = req.path === null ? null : tidyFolderPath(req.path, deps.home);
      if (p === null && req.path !== null) return fail('SRV_ERR_DIRECTORY_MISSING', MSG_NOT_FULL_PATH, { field: 'directory' });
      const r = await listFolders({ path: p, showHidden: req.showHidden }, deps.home !== undefined ? { home: deps.home } : {});
      return r.ok ? r : failureOf(r.error);
    },
    'shell:open-url': async (url: string) => {
      const href = ourUrl(url);
      if (href === null) {
        return fail('APP_ERR_URL_NOT_ALLOWED', 'Servedir only opens the addresses of the folder it is sharing.');
      }
      await deps.openExternal(href);
      return { ok: true, value: null };
    },
    'shell:open-folder': async (urlPath: string) => {
      if (status.state !== 'running') return fail('APP_ERR_NOT_SHARING', 'Share a folder first.');
      if (!deps.openFolder) return fail('APP_ERR_UNSUPPORTED', 'Servedir cannot open folders here. Open the shared folder yourself.');
      const folder = await localFolderOf(status.settings.directory, urlPath);
      if (folder === null) return fail('SRV_ERR_DIRECTORY_MISSING', 'That folder is not in the shared folder any more.');
      if (!(await deps.openFolder(folder))) return fail('APP_ERR_UNSUPPORTED', `This computer could not open the folder. It is ${folder}.`);
      return { ok: true, value: null };
    },
  };

  return {
    handlers,
    status: () => status,
    acceptLog(batch) {
      if (rendererReady) {
        deps.emit('log:batch', batch);
        return;
      }
      queued.push(batch);
      queuedEntries += batch.columns.count;
      // Keep the newest whole batches within the cap; what goes is counted, never silent.
      while (queuedEntries > maxQueued && queued.length > 0) {
        const old = queued.shift()!;
        queuedEntries -= old.columns.count;
        queuedDropped += old.columns.count + old.dropped;
      }
    },
    folderChanged(present, message) {
      if (status.state !== 'running') return;
      const { folderGone: _gone, notice: _notice, ...rest } = status;
      const at = now();
      setStatus(present ? { ...rest, notice: { message, at } } : { ...rest, folderGone: { message, at } });
    },
    hostExited(exitCode, why = 'exited') {
      // A death during 'starting' is handled by the pending start itself (it tries a fresh
      // host once, then reports hostDied); one during Stop is what Stop wanted.
      if (status.state !== 'running' || !wantSharing) return;
      const gen = ++generation;
      const at = now();
      if (at - lastAutoRestartAt > STABLE_AFTER_MS) streak = 0;
      const delay = restartDelays[streak];
      streak++;
      if (delay === undefined) {
        setStatus({ state: 'crashed', message: msgGaveUp(streak), exitCode });
        return;
      }
      const restart = (): void => {
        restartTimer = null;
        if (gen !== generation) return;
        lastAutoRestartAt = now();
        // The saved settings: the user may have changed them while the restart waited.
        void startWith(deps.store.get(), { message: why === 'not-responding' ? MSG_RESTARTED_FROZEN : MSG_RESTARTED, at }).catch((err: unknown) =>
          console.error('servedir: automatic restart failed:', err),
        );
      };
      if (delay === 0) {
        restart();
        return;
      }
      setStatus({ state: 'crashed', message: msgRestartingIn(delay, streak), exitCode });
      restartTimer = setTimeout(restart, delay);
    },
    rendererGone() {
      rendererReady = false;
    },
    async shutdown() {
      ++generation;
      wantSharing = false;
      cancelRestart();
      await deps.host.shutdown();
      status = { state: 'stopped' };
    },
  };
}
