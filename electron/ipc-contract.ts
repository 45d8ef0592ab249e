/**
 * THE contract between the window (renderer) and the shell (Electron main, or the
 * browser-fallback control server). Both sides import their types from here, and the
 * shell validates every incoming payload with {@link invokeValidators} before calling a
 * service function.
 *
 * Runs in: imported by main, preload, the web fallback and the renderer. It has no
 * imports from 'electron' or 'node:*' (types from server/ only), so it is safe everywhere.
 *
 * Channels are named `domain:action`. Expected failures come back as
 * `{ ok: false, code, message }` values, never as thrown errors: Electron's
 * `ipcMain.handle` forwards only an error's message.
 */
import type { RequestLogEntry } from '../server/log.js';
import type { LogColumns, ShareUrl } from '../server/host/protocol.js';
import type { LogBatchColumns } from '../server/host/log-columns.js';
import type { FolderBrowseRequest, FolderEntry, FolderListing } from '../server/host/folder-listing.js';
import {
  isPathString,
  isPlainObject,
  isSettingKey,
  isStoredValue,
  MAX_PATH_LENGTH,
  SETTING_KEYS,
  type ProtocolVersion,
  type ServeErrorCode,
  type ServeSettings,
  type SettingsField,
} from '../server/share-settings.js';

export type { RequestLogEntry, LogColumns, ProtocolVersion, ServeErrorCode, SettingsField, ShareUrl };
export type { FolderBrowseRequest, FolderEntry, FolderListing };
// Which share address is the one to show big (and to self-check), for the window and the shell.
export { mainAndOthers, reachOf, type Reach } from '../server/host/protocol.js';
// The settings table (server/share-settings.ts; pure, no runtime dependencies), for the shell
// and the window: the guards their own checks end with, and the switches and choices of the
// Settings pane.
export {
  appDefaults,
  changeRestartsSharing,
  isBindAddress,
  isCgiDirectories,
  isPort,
  MAX_PATH_LENGTH,
  SETTING_CONTROLS,
  SETTING_SWITCHES,
  type ChoiceRow,
  type ChoiceSettingKey,
  type SettingControl,
  type SwitchRow,
  type SwitchSettingKey,
} from '../server/share-settings.js';

// ---------------------------------------------------------------------------------------
// Payload types

/**
 * What the user chose; persisted as JSON in the user-data folder. The serving fields are
 * exactly the engine's {@link ServeSettings}, one per row of the settings table
 * (server/share-settings.ts; stored values: `directory` is '' until the user picks one,
 * `port` is 1–65535, never 0), plus the window's own memory of recent folders.
 */
export interface Settings extends ServeSettings {
  /** Most recent first, at most 8. */
  readonly recentFolders: readonly string[];
}

/** A partial update; only the listed fields change. */
export type SettingsPatch = Partial<Omit<Settings, 'recentFolders'>>;

/** Why something failed, in plain words, optionally tied to one field. */
export interface Failure {
  readonly ok: false;
  readonly code: ServeErrorCode | AppErrorCode;
  readonly message: string;
  readonly field?: SettingsField;
  /** For SRV_ERR_PORT_IN_USE: a port that was free a moment ago. */
  readonly suggestedPort?: number;
  /**
   * For APP_ERR_NEEDS_CONFIRMATION: what kind of risky folder it is; the window asks in
   * plain words (`message` names what becomes visible) and calls `server:start` again with it.
   */
  readonly confirm?: ShareRisk;
}

/** A risky folder to share: a whole disk, a folder of the operating system, the home folder itself. */
export type ShareRisk = 'disk' | 'system' | 'home';
const SHARE_RISKS: readonly string[] = ['disk', 'system', 'home'] satisfies readonly ShareRisk[];

/** The window's answer to APP_ERR_NEEDS_CONFIRMATION: the user saw the risk and said share anyway. */
export interface StartOptions {
  readonly confirmed: ShareRisk;
}

export function isStartOptions(v: unknown): v is StartOptions {
  return isPlainObject(v) && Object.keys(v).length === 1 && typeof v.confirmed === 'string' && SHARE_RISKS.includes(v.confirmed);
}

export type AppErrorCode =
  | 'APP_ERR_INVALID_PAYLOAD'
  | 'APP_ERR_UNSUPPORTED'
  | 'APP_ERR_URL_NOT_ALLOWED'
  | 'APP_ERR_HOST_CRASHED'
  | 'APP_ERR_NO_FOLDER'
  /** The folder is risky to share (Failure.confirm says how); nothing was started. */
  | 'APP_ERR_NEEDS_CONFIRMATION'
  /** CGI is on and a script folder maps to a folder of system programs: refused. */
  | 'APP_ERR_CGI_SYSTEM_PROGRAMS'
  /** Asked for something that needs a running share (the self-check) while not sharing. */
  | 'APP_ERR_NOT_SHARING'
  /** Asked for a login link while the share has no password. */
  | 'APP_ERR_NO_PASSWORD';

export type Result<T> = { readonly ok: true; readonly value: T } | Failure;

/**
 * What the shell did on its own about a server process that died or stopped responding
 * (restarted it, replaced it, ended it), for the window to say.
 */
export interface HostNotice {
  /** One plain sentence. */
  readonly message: string;
  /** When it happened (ms since the epoch). */
  readonly at: number;
}

export type ServerStatus =
  /** `notice`: sharing ended because the server process had to be ended. */
  | { readonly state: 'stopped'; readonly notice?: HostNotice }
  | { readonly state: 'starting'; readonly settings: Settings }
  | {
      readonly state: 'running';
      readonly settings: Settings;
      readonly port: number;
      /** Reachable URLs, LAN first. */
      readonly urls: readonly ShareUrl[];
      readonly since: number;
      /** The server process was restarted or replaced on the way here; or the shared folder came back. */
      readonly notice?: HostNotice;
      /**
       * The shared folder vanished while sharing (deleted, renamed, its drive removed): one
       * plain sentence, until it comes back. The server keeps running (visitors get errors).
       */
      readonly folderGone?: HostNotice;
    }
  /** Start failed: the error belongs next to a field. */
  | { readonly state: 'failed'; readonly error: Failure }
  /**
   * The utility process died while sharing and is not running again yet: `message` says
   * whether and when the shell restarts it by itself; the window offers Restart.
   */
  | { readonly state: 'crashed'; readonly message: string; readonly exitCode: number | null };

/** A bind-address choice for the Share panel. */
export interface NetInterface {
  /** Interface name ('eth0', 'Wi-Fi'), or '' for the two special choices. */
  readonly name: string;
  readonly address: string;
  readonly family: 'IPv4' | 'IPv6';
  readonly internal: boolean;
  /** Plain label: "All network interfaces", "This computer only", "eth0 — 192.168.1.5". */
  readonly label: string;
}

/** What the shell found out about reaching the share ("Phone can't connect?"). */
export interface SelfCheck {
  /** The address it opened: the one the window shows big. */
  readonly url: string;
  /** The address answered from this computer (any HTTP status). */
  readonly answered: boolean;
  /** One plain sentence about it. */
  readonly message: string;
  /** Firewall facts the OS let an unprivileged app read, one plain sentence each (often none). */
  readonly firewall: readonly string[];
}

/** Checked folder, for the path field and drag-and-drop. */
export interface FolderInfo {
  readonly path: string;
  /** Entries directly inside, for "12 items" feedback. */
  readonly entries: number;
}

export interface LogBatch {
  readonly columns: LogBatchColumns;
  /** Entries dropped before reaching the window (host or shell could not keep up). */
  readonly dropped: number;
}

/** How this window is hosted; the renderer adapts (no native folder picker in the browser). */
export interface AppInfo {
  readonly transport: 'electron' | 'web';
  readonly version: string;
  readonly platform: string;
  /** Folder the app suggests when none is chosen (the user's home or Public folder). */
  readonly suggestedFolder: string;
  /**
   * Set when the saved settings file could not be used at start-up: where the old file was
   * kept aside. The window tells the user why their folder and choices are gone.
   */
  readonly settingsKeptAside?: string;
}

// ---------------------------------------------------------------------------------------
// Channels

/** Request/response channels: renderer → shell. */
export interface InvokeChannels {
  /** Static facts about the app and its transport. */
  'app:info': () => Promise<AppInfo>;
  /**
   * The renderer is mounted and subscribed: the shell flushes log batches it queued
   * and sends the current status.
   */
  'app:ready': () => Promise<ServerStatus>;
  /** Current settings (defaults when none were saved). */
  'settings:get': () => Promise<Settings>;
  /** Validate and persist a change. While sharing, the server restarts with it. */
  'settings:update': (patch: SettingsPatch) => Promise<Result<Settings>>;
  /**
   * Start sharing with the saved settings. A risky folder (a whole disk, a system folder,
   * the home folder) fails with APP_ERR_NEEDS_CONFIRMATION until `confirmed` names its risk.
   */
  'server:start': (options?: StartOptions) => Promise<Result<ServerStatus>>;
  'server:stop': () => Promise<ServerStatus>;
  'server:status': () => Promise<ServerStatus>;
  /** Bind-address choices, the two special ones first. */
  'net:interfaces': () => Promise<readonly NetInterface[]>;
  /** A port that is free right now on the chosen bind address. */
  'net:free-port': () => Promise<number>;
  /**
   * While sharing: opens the main address from this computer (short timeout) and reads
   * the firewall facts an unprivileged app may read. APP_ERR_NOT_SHARING otherwise.
   */
  'net:self-check': () => Promise<Result<SelfCheck>>;
  /** Native folder picker; `{ok:true, value:null}` when cancelled; APP_ERR_UNSUPPORTED in the browser. */
  'dialog:choose-folder': () => Promise<Result<string | null>>;
  /** Check that a typed or dropped path is a readable folder. */
  'folder:check': (path: string) => Promise<Result<FolderInfo>>;
  /**
   * The folders inside a folder (null: the home folder), for the browser mode's folder
   * browser: names of folders only, never files or anything inside them
   * (server/host/folder-list.ts). A folder that cannot be read is a Failure in plain words.
   */
  'folder:browse': (request: FolderBrowseRequest) => Promise<Result<FolderListing>>;
  /** Open one of our own server's http(s) URLs in the default browser. */
  'shell:open-url': (url: string) => Promise<Result<null>>;
  /**
   * While sharing: open, in this computer's file manager, the folder of the share that a URL
   * path names (an upload's log entry names the saved file: its folder opens). Never a folder
   * outside the share (server/upload.ts `localFolderOf`). APP_ERR_NOT_SHARING when not sharing.
   */
  'shell:open-folder': (urlPath: string) => Promise<Result<null>>;
  /** A memorable password to suggest: four common words (server/auth.ts). */
  'password:suggest': () => Promise<string>;
  /**
   * Require this password (the window sends it once, in clear): the shell checks it, stores
   * only its scrypt verifier and, while sharing, restarts the share (every session ends).
   * A password that cannot be used is a Failure on the field `password`.
   */
  'password:set': (password: string) => Promise<Result<Settings>>;
  /** No password any more (a running share restarts: every session ends). */
  'password:remove': () => Promise<Result<Settings>>;
  /**
   * A one-time login key of the running share for its QR code and copied link (`?key=...`):
   * single use, expires at `expiresAt`. APP_ERR_NOT_SHARING / APP_ERR_NO_PASSWORD otherwise.
   */
  'password:login-key': () => Promise<Result<LoginKey>>;
}

/** A one-time login key (server/auth.ts `mintLoginKey`). */
export interface LoginKey {
  readonly key: string;
  /** ms since the epoch. */
  readonly expiresAt: number;
}

/** Push channels: shell → renderer. */
export interface EventChannels {
  'log:batch': (batch: LogBatch) => void;
  'server:status': (status: ServerStatus) => void;
}

export type InvokeChannel = keyof InvokeChannels;
export type EventChannel = keyof EventChannels;

// ---------------------------------------------------------------------------------------
// Runtime validation: one guard per invoke channel. The mapped type makes the compiler
// refuse a channel without a validator.

type ArgsGuard<K extends InvokeChannel> = (args: readonly unknown[]) => args is Parameters<InvokeChannels[K]>;

const noArgs = (args: readonly unknown[]): args is [] => args.length === 0;


/**
 * A settings patch: one or more settings of the table, each with a value the app may store
 * (the table's guards: server/share-settings.ts).
 */
export function isSettingsPatch(v: unknown): v is SettingsPatch {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  if (keys.length === 0) return false;
  return keys.every((k) => isSettingKey(k) && isStoredValue(k, v[k]));
}

/** Full settings as read back from disk: every setting of the table, and the recent folders. */
export function isSettings(v: unknown): v is Settings {
  if (!isPlainObject(v)) return false;
  const { recentFolders, ...rest } = v;
  return (
    Array.isArray(recentFolders) &&
    recentFolders.length <= 8 &&
    recentFolders.every(isPathString) &&
    SETTING_KEYS.every((k) => k in rest) &&
    isSettingsPatch(rest)
  );
}

/**
 * Shaped like a full path on some OS (`/…`, `C:\…`, `C:/…` or `\\server\share…`), no NUL, at
 * most {@link MAX_PATH_LENGTH} characters. The shell still checks it is a full path on its own OS.
 */
export function isFullPathString(v: unknown): v is string {
  return isPathString(v) && (v.startsWith('/') || /^[A-Za-z]:[\\/]/.test(v) || v.startsWith('\\\\'));
}

export function isFolderBrowseRequest(v: unknown): v is FolderBrowseRequest {
  return (
    isPlainObject(v) &&
    Object.keys(v).length === 2 &&
    (v.path === null || isFullPathString(v.path)) &&
    typeof v.showHidden === 'boolean'
  );
}

export const invokeValidators: { readonly [K in InvokeChannel]: ArgsGuard<K> } = {
  'app:info': noArgs,
  'app:ready': noArgs,
  'settings:get': noArgs,
  // The password is never a plain patch: only `password:set` (which hashes) and `password:remove`.
  'settings:update': (args): args is [SettingsPatch] => args.length === 1 && isSettingsPatch(args[0]) && !Object.hasOwn(args[0], 'password'),
  'server:start': (args): args is [] | [StartOptions] => noArgs(args) || (args.length === 1 && isStartOptions(args[0])),
  'server:stop': noArgs,
  'server:status': noArgs,
  'net:interfaces': noArgs,
  'net:free-port': noArgs,
  'net:self-check': noArgs,
  'dialog:choose-folder': noArgs,
  'folder:check': (args): args is [string] => args.length === 1 && isPathString(args[0]),
  'folder:browse': (args): args is [FolderBrowseRequest] => args.length === 1 && isFolderBrowseRequest(args[0]),
  'shell:open-url': (args): args is [string] =>
    args.length === 1 && typeof args[0] === 'string' && args[0].length <= MAX_PATH_LENGTH,
  'shell:open-folder': (args): args is [string] =>
    args.length === 1 && typeof args[0] === 'string' && args[0].startsWith('/') && args[0].length <= MAX_PATH_LENGTH && !args[0].includes('\0'),
  'password:suggest': noArgs,
  // Any text up to 1,024 characters: the shell says in words what is wrong with it.
  'password:set': (args): args is [string] => args.length === 1 && typeof args[0] === 'string' && args[0].length <= 1024,
  'password:remove': noArgs,
  'password:login-key': noArgs,
};

export const INVOKE_CHANNELS = Object.keys(invokeValidators) as readonly InvokeChannel[];
export const EVENT_CHANNELS: readonly EventChannel[] = ['log:batch', 'server:status'];

// ---------------------------------------------------------------------------------------
// Log batches: their layout, validator and reader are one module, server/host/log-columns.ts
// (pure), re-exported here for the shell and the window.

export {
  checkLogBatch,
  checkLogColumns,
  decodeLogColumns,
  entriesClaimedBy,
  LOG_KIND_CODES,
  LOG_KINDS,
  LOG_NUMBER_LAYOUT,
  LOG_OUTCOME_CODES,
  LOG_OUTCOMES,
  LOG_REF_CODES,
  LOG_STRING_LAYOUT,
  logEntryAt,
  MAX_LOG_BATCH_ENTRIES,
  MAX_LOG_STRING_LENGTH,
  usualRequestMessage,
  type LogBatchColumns,
} from '../server/host/log-columns.js';

// ---------------------------------------------------------------------------------------
// The API the renderer sees (window.servedir in Electron; an HTTP client in the browser).

type Unsubscribe = () => void;

export type InvokeApi = { readonly [K in InvokeChannel]: InvokeChannels[K] };

export interface ServedirApi {
  readonly invoke: InvokeApi;
  /** Subscribe to a push channel; returns a function that unsubscribes. */
  on<K extends EventChannel>(channel: K, listener: EventChannels[K]): Unsubscribe;
  /**
   * The absolute path of a File dropped on the window, or null where the transport
   * cannot know it (the browser fallback). Electron: `webUtils.getPathForFile`.
   */
  pathForFile(file: File): string | null;
}

/** Name of the global the preload exposes with contextBridge. */
export const API_GLOBAL = 'servedir';
