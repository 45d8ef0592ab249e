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
import type { LogColumns, LogRefCodes, ShareUrl } from '../server/host/protocol.js';
import {
  isPathString,
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
// The settings table (server/share-settings.ts; pure, no runtime dependencies), for the shell
// and the window: the guards their own checks end with, and the switches of the Settings pane.
export {
  appDefaults,
  isBindAddress,
  isCgiDirectories,
  isPort,
  MAX_PATH_LENGTH,
  SETTING_SWITCHES,
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
}

export type AppErrorCode =
  | 'APP_ERR_INVALID_PAYLOAD'
  | 'APP_ERR_UNSUPPORTED'
  | 'APP_ERR_URL_NOT_ALLOWED'
  | 'APP_ERR_HOST_CRASHED'
  | 'APP_ERR_NO_FOLDER';

export type Result<T> = { readonly ok: true; readonly value: T } | Failure;

export type ServerStatus =
  | { readonly state: 'stopped' }
  | { readonly state: 'starting'; readonly settings: Settings }
  | {
      readonly state: 'running';
      readonly settings: Settings;
      readonly port: number;
      /** Reachable URLs, LAN first. */
      readonly urls: readonly ShareUrl[];
      readonly since: number;
    }
  /** Start failed: the error belongs next to a field. */
  | { readonly state: 'failed'; readonly error: Failure }
  /** The utility process died while sharing; the window offers Restart. */
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

/** Checked folder, for the path field and drag-and-drop. */
export interface FolderInfo {
  readonly path: string;
  /** Entries directly inside, for "12 items" feedback. */
  readonly entries: number;
}

/**
 * Log entries as the host wrote them ({@link LogColumns}, server/host/protocol.ts), passed
 * through the shell unchanged. Over Electron IPC the number columns are typed arrays; the
 * browser fallback's JSON turns them into arrays of numbers. Check with {@link checkLogBatch}
 * before reading: it is the one validator both the shell and the window use.
 */
export interface LogBatchColumns {
  readonly count: number;
  readonly numbers: Float64Array | readonly number[];
  readonly refs: Int32Array | readonly number[];
  readonly strings: readonly string[];
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
  /** Start sharing with the saved settings. */
  'server:start': () => Promise<Result<ServerStatus>>;
  'server:stop': () => Promise<ServerStatus>;
  'server:status': () => Promise<ServerStatus>;
  /** Bind-address choices, the two special ones first. */
  'net:interfaces': () => Promise<readonly NetInterface[]>;
  /** A port that is free right now on the chosen bind address. */
  'net:free-port': () => Promise<number>;
  /** Native folder picker; `{ok:true, value:null}` when cancelled; APP_ERR_UNSUPPORTED in the browser. */
  'dialog:choose-folder': () => Promise<Result<string | null>>;
  /** Check that a typed or dropped path is a readable folder. */
  'folder:check': (path: string) => Promise<Result<FolderInfo>>;
  /** Open one of our own server's http(s) URLs in the default browser. */
  'shell:open-url': (url: string) => Promise<Result<null>>;
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

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

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

export const invokeValidators: { readonly [K in InvokeChannel]: ArgsGuard<K> } = {
  'app:info': noArgs,
  'app:ready': noArgs,
  'settings:get': noArgs,
  'settings:update': (args): args is [SettingsPatch] => args.length === 1 && isSettingsPatch(args[0]),
  'server:start': noArgs,
  'server:stop': noArgs,
  'server:status': noArgs,
  'net:interfaces': noArgs,
  'net:free-port': noArgs,
  'dialog:choose-folder': noArgs,
  'folder:check': (args): args is [string] => args.length === 1 && isPathString(args[0]),
  'shell:open-url': (args): args is [string] =>
    args.length === 1 && typeof args[0] === 'string' && args[0].length <= MAX_PATH_LENGTH,
};

export const INVOKE_CHANNELS = Object.keys(invokeValidators) as readonly InvokeChannel[];
export const EVENT_CHANNELS: readonly EventChannel[] = ['log:batch', 'server:status'];

// ---------------------------------------------------------------------------------------
// Log batches: the column layout (one definition, the writer's in
// server/host/log-columns.ts, re-exported here for the shell and the window), the
// validator and a decoder.

import { LOG_KIND_CODES, LOG_NUMBER_LAYOUT, LOG_REF_CODES, LOG_STRING_LAYOUT } from '../server/host/log-columns.js';
export { LOG_KIND_CODES, LOG_NUMBER_LAYOUT, LOG_REF_CODES, LOG_STRING_LAYOUT };
/** Kind names by code (`LOG_KIND_CODES` inverted). */
export const LOG_KINDS: readonly RequestLogEntry['kind'][] = ['request', 'error', 'cgi-stderr', 'message'];

/** Most entries one batch may carry (the host sends at most 5,000). */
export const MAX_LOG_BATCH_ENTRIES = 100_000;
/** Longest string a batch may carry (request lines are capped at 64 KiB by the engine). */
export const MAX_LOG_STRING_LENGTH = 1 << 20;

const isNumberColumn = (v: unknown, typed: typeof Float64Array | typeof Int32Array): v is ArrayLike<number> =>
  v instanceof typed || Array.isArray(v);

/**
 * Checks a `log:batch` payload (or a host `log` message's columns and count) completely:
 * shape, lengths, every number and every string reference.
 * @returns null when the batch can be read, else one sentence saying what is wrong.
 */
export function checkLogBatch(v: unknown): string | null {
  if (!isPlainObject(v)) return 'a log batch must be an object with columns and dropped';
  if (!isCount(v.dropped)) return 'a log batch\'s dropped count must be a whole number of 0 or more';
  return checkLogColumns(v.columns);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** {@link checkLogBatch} for the columns alone. */
export function checkLogColumns(c: unknown): string | null {
  if (!isPlainObject(c)) return 'the log columns must be an object';
  const count = c.count;
  if (!isCount(count) || count > MAX_LOG_BATCH_ENTRIES)
    return `the log batch's count must be a whole number from 0 to ${MAX_LOG_BATCH_ENTRIES}`;
  const { numbers, refs, strings } = c;
  const NS = LOG_NUMBER_LAYOUT.stride;
  const SS = LOG_STRING_LAYOUT.stride;
  if (!isNumberColumn(numbers, Float64Array) || numbers.length !== count * NS)
    return `the log batch's numbers must be ${count * NS} numbers (${NS} for each of ${count} entries)`;
  if (!isNumberColumn(refs, Int32Array) || refs.length !== count * SS)
    return `the log batch's string references must be ${count * SS} numbers (${SS} for each of ${count} entries)`;
  if (!Array.isArray(strings) || strings.length > count * SS) return "the log batch's strings must be a list no longer than its references";
  for (let i = 0; i < strings.length; i++) {
    const str: unknown = strings[i];
    if (typeof str !== 'string' || str.length > MAX_LOG_STRING_LENGTH) return `log string ${i} is not a string of at most ${MAX_LOG_STRING_LENGTH} characters`;
  }
  const N = LOG_NUMBER_LAYOUT;
  const S = LOG_STRING_LAYOUT;
  const nStrings = strings.length;
  for (let i = 0; i < count; i++) {
    const n = i * NS;
    for (let f = 0; f < NS; f++) {
      const x = numbers[n + f];
      if (typeof x !== 'number' || !Number.isFinite(x)) return `log entry ${i} has a number field (${f}) that is not a finite number`;
    }
    const kind = numbers[n + N.kind]!;
    if (!Number.isInteger(kind) || kind < 0 || kind >= LOG_KINDS.length) return `log entry ${i} has an unknown kind (${kind})`;
    const status = numbers[n + N.status]!;
    // Readers keep statuses in 32-bit integers: a larger number is not a status.
    if (!Number.isInteger(status) || status < -1 || status > 0x7fffffff) return `log entry ${i} has an invalid status (${status})`;
    const port = numbers[n + N.clientPort]!;
    if (!Number.isInteger(port) || port < 0 || port > 65535) return `log entry ${i} has an invalid client port (${port})`;
    if (!(numbers[n + N.bytesSent]! >= 0)) return `log entry ${i} has a negative byte count`;
    if (!(numbers[n + N.durationMs]! >= -1)) return `log entry ${i} has an invalid duration`;
    const r = i * SS;
    for (let f = 0; f < SS; f++) {
      const ref = refs[r + f];
      if (typeof ref !== 'number' || !Number.isInteger(ref) || ref >= nStrings || ref < -1) {
        if (ref === LOG_REF_CODES.usualMessage && f === S.message) continue;
        return `log entry ${i} refers to a string (${f}: ${String(ref)}) the batch does not have`;
      }
    }
    if (refs[r + S.message] === LOG_REF_CODES.usualMessage) {
      if (kind !== LOG_KIND_CODES.request || status < 0 || refs[r + S.method]! < 0 || refs[r + S.path]! < 0 || refs[r + S.protocol]! < 0)
        return `log entry ${i} asks for the usual request line but is not a request with method, path, protocol and status`;
    } else if (refs[r + S.message] === LOG_REF_CODES.null) {
      return `log entry ${i} has no message`;
    }
    if (refs[r + S.clientAddress] === LOG_REF_CODES.null) return `log entry ${i} has no client address`;
  }
  return null;
}

/**
 * How many entries a batch that failed {@link checkLogBatch} claimed to carry (its count
 * and its dropped count where those are readable), so they can be counted as not received.
 */
export function entriesClaimedBy(v: unknown): number {
  if (!isPlainObject(v)) return 0;
  const dropped = isCount(v.dropped) ? v.dropped : 0;
  const count = isPlainObject(v.columns) && isCount(v.columns.count) ? v.columns.count : 0;
  return Math.min(Number.MAX_SAFE_INTEGER, dropped + count);
}

/** The line `log_request` writes, which batches send as {@link LogRefCodes.usualMessage}. */
export function usualRequestMessage(method: string, path: string, protocol: string, status: number): string {
  return `"${method} ${path} ${protocol}" ${status} -`;
}

/**
 * Entry `i` of checked columns as an object (for tests, tools and the few rows a window
 * shows; the window's store keeps columns, not these objects).
 */
export function logEntryAt(c: LogBatchColumns, i: number): RequestLogEntry {
  const N = LOG_NUMBER_LAYOUT;
  const S = LOG_STRING_LAYOUT;
  const n = i * N.stride;
  const r = i * S.stride;
  const str = (f: number): string | null => {
    const ref = c.refs[r + f]!;
    return ref >= 0 ? c.strings[ref]! : null;
  };
  const status = c.numbers[n + N.status]!;
  const duration = c.numbers[n + N.durationMs]!;
  const method = str(S.method);
  const path = str(S.path);
  const protocol = str(S.protocol);
  const messageRef = c.refs[r + S.message]!;
  return {
    id: c.numbers[n + N.id]!,
    kind: LOG_KINDS[c.numbers[n + N.kind]!]!,
    time: c.numbers[n + N.time]!,
    connectionId: c.numbers[n + N.connectionId]!,
    clientAddress: str(S.clientAddress) ?? '',
    clientPort: c.numbers[n + N.clientPort]!,
    method,
    path,
    protocol,
    status: status < 0 ? null : status,
    bytesSent: c.numbers[n + N.bytesSent]!,
    durationMs: duration < 0 ? null : duration,
    userAgent: str(S.userAgent),
    referer: str(S.referer),
    message:
      messageRef === LOG_REF_CODES.usualMessage
        ? usualRequestMessage(method!, path!, protocol!, status)
        : (str(S.message) ?? ''),
  };
}

/** Every entry of checked columns as objects, in order. */
export function decodeLogColumns(c: LogBatchColumns): RequestLogEntry[] {
  const out: RequestLogEntry[] = [];
  for (let i = 0; i < c.count; i++) out.push(logEntryAt(c, i));
  return out;
}

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
