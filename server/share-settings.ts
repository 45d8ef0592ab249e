/**
 * Pure data and checks: no Node or Electron imports, so the shell and the window use it too
 * (the window through electron/ipc-contract.ts).
 *
 * THE table of share settings. One row per setting: its type and guard, its value in the app
 * and in the CLI (CPython's behaviour), its plain-words label and help, the window field its
 * errors attach to, its command-line flag where it has one, and where the engine takes it.
 * Everything else is derived from it:
 * - the types `ServeSettings` and `SettingsField`, and the handler options of each row;
 * - `checkServeSettings` (what `serve()` and the utility host accept), the IPC and web
 *   control API guards (`isSettingsPatch`/`isSettings` in electron/ipc-contract.ts), the
 *   window's own checks of a toggle;
 * - the app's defaults and the settings file's migration (`migrateStoredSettings`);
 * - the CLI's extra flags and their `--help` lines (server/cli.ts);
 * - the handler options `serve()` and the CLI build (`handlerSettingsOf`);
 * - the Settings pane's switches and choices (renderer/features/settings/).
 *
 * Adding an opt-in setting: a row here, its behaviour in the handler, and tests.
 */

export type ProtocolVersion = 'HTTP/1.0' | 'HTTP/1.1';

/** How a folder without an index page is shown: CPython's list of names, or the page made for phones. */
export type ListingStyle = 'classic' | 'modern';

/** Why a start failed, in terms the window can place next to a field. */
export type ServeErrorCode =
  | 'SRV_ERR_PORT_IN_USE'
  | 'SRV_ERR_PORT_PRIVILEGED'
  | 'SRV_ERR_PORT_INVALID'
  | 'SRV_ERR_ADDRESS_UNAVAILABLE'
  | 'SRV_ERR_ADDRESS_INVALID'
  | 'SRV_ERR_DIRECTORY_MISSING'
  | 'SRV_ERR_DIRECTORY_NOT_A_DIRECTORY'
  | 'SRV_ERR_DIRECTORY_UNREADABLE'
  | 'SRV_ERR_BAD_SETTINGS'
  | 'SRV_ERR_INTERNAL';

/** CPython's `CGIHTTPRequestHandler.cgi_directories`. */
export const DEFAULT_CGI_DIRECTORIES: readonly string[] = ['/cgi-bin', '/htbin'];

/** Longest path we accept from outside; anything longer is not a real path. */
export const MAX_PATH_LENGTH = 4096;

// ---------------------------------------------------------------------------------------
// Guards the rows use (exported: the window's input checks end with them too)

/** A plain object (`{...}` or JSON), not an array, a class instance or null. */
export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

export const isPathString = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= MAX_PATH_LENGTH && !v.includes('\0');

/** A port the app stores and shows (1–65535); the engine also takes 0 (any free port). */
export const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;

const isListenPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;

const BIND_RE = /^(?:|[0-9.]{7,15}|[0-9A-Fa-f:.]{2,45}(?:%[A-Za-z0-9_.-]{1,64})?)$/;
/** '' (every interface) or something shaped like an IPv4 or IPv6 address, with an optional zone. */
export const isBindAddress = (v: unknown): v is string => typeof v === 'string' && BIND_RE.test(v);

const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';

const isProtocolVersion = (v: unknown): v is ProtocolVersion => v === 'HTTP/1.0' || v === 'HTTP/1.1';

const isListingStyle = (v: unknown): v is ListingStyle => v === 'classic' || v === 'modern';

/**
 * A size as people and the command line write it: a whole number with an optional unit K, M,
 * G or T (1024-based; `100M`, `4G`, `512K`), or bytes alone (`1048576`). At least 1 byte, at
 * most 1 PiB.
 */
export type SizeText = string;

const SIZE_RE = /^([0-9]{1,16})([KMGT]?)$/;
const SIZE_UNIT: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };
const MAX_SIZE = 1024 ** 5;

/** The bytes of a `SizeText` (`'100M'` → 104857600; case and a trailing `B`/`iB` ignored), or undefined when it is not one. */
export function parseSizeText(text: string): number | undefined {
  const m = SIZE_RE.exec(text.trim().toUpperCase().replace(/I?B$/, ''));
  if (!m) return undefined;
  const bytes = Number(m[1]) * SIZE_UNIT[m[2]!]!;
  return bytes >= 1 && bytes <= MAX_SIZE ? bytes : undefined;
}

/** A size the app stores: the canonical form `parseSizeText` reads (`4G`, `100M`, `1048576`). */
export const isSizeText = (v: unknown): v is SizeText => typeof v === 'string' && SIZE_RE.test(v) && parseSizeText(v) !== undefined;

/** `text` in its canonical form (`2g` → `2G`, `100MiB` → `100M`), or undefined when it is not a size. */
const canonicalSize = (text: string): SizeText | undefined => {
  if (parseSizeText(text) === undefined) return undefined;
  const canon = text.trim().toUpperCase().replace(/I?B$/, '').replace(/^0+(?=[0-9])/, '');
  return isSizeText(canon) ? canon : undefined;
};

/** What closing the window while sharing does: ask the first time, keep sharing, or stop. */
export type CloseWhileSharing = 'ask' | 'keep' | 'stop';

const isCloseWhileSharing = (v: unknown): v is CloseWhileSharing => v === 'ask' || v === 'keep' || v === 'stop';

/**
 * What the app keeps of a share's password (server/auth.ts): scrypt of it with a random salt,
 * the parameters in the record. Never the password itself.
 */
export interface PasswordVerifier {
  readonly scheme: 'scrypt';
  readonly N: number;
  readonly r: number;
  readonly p: number;
  /** Base64. */
  readonly salt: string;
  /** Base64, 32 bytes. */
  readonly hash: string;
}

/**
 * What the engine takes: the verifier, and (the app only) the secret of this run that its
 * one-time login keys are minted with. The secret is never stored.
 */
export interface PasswordSetting extends PasswordVerifier {
  readonly keySecret?: string;
}

const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const VERIFIER_KEYS = ['scheme', 'N', 'r', 'p', 'salt', 'hash'];
const isIntIn = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** A verifier as server/auth.ts makes it: scrypt, N a power of two from 2^10 to 2^20, a salt and a 32-byte hash. */
export const isPasswordVerifier = (v: unknown): v is PasswordVerifier =>
  isPlainObject(v) &&
  Object.keys(v).length === VERIFIER_KEYS.length &&
  VERIFIER_KEYS.every((k) => Object.hasOwn(v, k)) &&
  v.scheme === 'scrypt' &&
  isIntIn(v.N, 1024, 1 << 20) &&
  (v.N & (v.N - 1)) === 0 &&
  isIntIn(v.r, 1, 32) &&
  isIntIn(v.p, 1, 16) &&
  typeof v.salt === 'string' &&
  v.salt.length >= 16 &&
  v.salt.length <= 88 &&
  BASE64_RE.test(v.salt) &&
  typeof v.hash === 'string' &&
  v.hash.length === 44 &&
  BASE64_RE.test(v.hash);

/** A verifier, with or without this run's key secret (43 base64url characters: 32 bytes). */
export const isPasswordSetting = (v: unknown): v is PasswordSetting => {
  if (!isPlainObject(v)) return false;
  const { keySecret, ...verifier } = v;
  return (keySecret === undefined || (typeof keySecret === 'string' && /^[A-Za-z0-9_-]{43}$/.test(keySecret))) && isPasswordVerifier(verifier);
};

/**
 * A CGI directory as the engine matches it (`CGIHTTPRequestHandler.is_cgi` compares whole
 * collapsed URL paths): `/seg(/seg)*`, no empty, `.` or `..` segment, no trailing slash. A
 * folder like `/cgi-bin/../x` or `/a//b` could never match, and its scripts would quietly be
 * served as downloadable files instead.
 */
const isCgiDirectory = (d: unknown): boolean =>
  typeof d === 'string' &&
  d.length >= 2 &&
  d.length <= 256 &&
  d.startsWith('/') &&
  d
    .slice(1)
    .split('/')
    .every((seg) => seg !== '' && seg !== '.' && seg !== '..' && !/[\0\\?#]/.test(seg));

export const isCgiDirectories = (v: unknown): v is readonly string[] =>
  Array.isArray(v) && v.length >= 1 && v.length <= 16 && v.every(isCgiDirectory);

// ---------------------------------------------------------------------------------------
// The shape of a row

/** How the command line sets a setting. */
export type CliSpec<T> =
  /** One of CPython's own arguments (`-d`, `-b`, `-p`, `--cgi`, the port): argparse-exact in cli.ts. */
  | { readonly kind: 'cpython'; readonly argument: string }
  /**
   * A switch of ours: absent, the CLI behaves as CPython (`cpython`); given, it takes `value`.
   * `hardened`: `--hardened` implies it too.
   */
  | {
      readonly kind: 'switch';
      readonly flag: `--${string}`;
      readonly value: T;
      readonly cpython: T;
      readonly help: string;
      readonly hardened?: boolean;
    }
  /** An option of ours with a value (`--flag VALUE`); absent, the CLI behaves as CPython. */
  | {
      readonly kind: 'option';
      readonly flag: `--${string}`;
      readonly metavar: string;
      /** The value for the text given, or undefined when it is not one (argparse's "invalid choice"). */
      readonly parse: (text: string) => T | undefined;
      /** argparse's `choices`: a text outside them gets its "invalid choice: … (choose from …)". */
      readonly choices?: readonly string[];
      readonly cpython: T;
      readonly help: string;
    }
  /**
   * An option of ours naming a file the CLI reads when it starts (`--flag FILE`; cli.ts turns
   * its content into the value). Absent, the CLI behaves as CPython.
   */
  | { readonly kind: 'file'; readonly flag: `--${string}`; readonly metavar: string; readonly cpython: T; readonly help: string }
  /** No flag: the CLI always has CPython's value. */
  | { readonly kind: 'none'; readonly cpython: T };

/** Where the window lets the user change a setting. */
export type UiSpec =
  /** A field of its own in the Share panel, or a custom section (CGI), made by hand. */
  | { readonly kind: 'custom' }
  /** A switch in the Settings pane, under the section `section`, made from `label` and `help`. */
  | { readonly kind: 'switch'; readonly section: string }
  /**
   * One of a few values in the Settings pane, under the section `section`: a button per
   * choice, with the row's `label` and `help`, and the chosen one's own `help` below.
   */
  | { readonly kind: 'choice'; readonly section: string; readonly choices: readonly ChoiceOption[] };

/** One value of a `choice` setting, in plain words. */
export interface ChoiceOption {
  readonly value: string;
  readonly label: string;
  readonly help: string;
}

/** Where the engine takes the value. */
export type EngineUse =
  /** Passed to every handler as the handler option of the same name. */
  | 'handler'
  /** Where `serve()` listens (port, address). */
  | 'listen'
  /** Which handler class `serve()` uses. */
  | 'class'
  /**
   * The server's access gate (server/auth.ts): `serve()` and the CLI build one per server from
   * the value and hand it to every handler as `HandlerOptions.access`.
   */
  | 'access'
  /**
   * Not the engine's at all: the app's shell reads it (electron/keep-running.ts), `serve()`
   * and the host check it like any row but ignore it, and the CLI has no flag for it.
   */
  | 'app';

export interface SettingRow<T, F extends string = string, E extends EngineUse = EngineUse, C extends CliSpec<T> = CliSpec<T>, U extends UiSpec = UiSpec> {
  /** What the engine accepts (`serve()`, the utility host). */
  readonly check: (v: unknown) => v is T;
  /** What the app stores and takes over IPC, when it differs from `check`. */
  readonly checkStored?: (v: unknown) => v is T;
  /** The value of a first start of the app (not a source of `T`: the guard alone gives it). */
  readonly appDefault: NoInfer<T>;
  /** The window field an error about this setting belongs to. */
  readonly field: F;
  /** The error code when `check` fails (default SRV_ERR_BAD_SETTINGS). */
  readonly errorCode?: ServeErrorCode;
  /** One plain sentence when `check` fails. */
  readonly invalid: (value: unknown) => string;
  /** Plain words, for the window and the docs. */
  readonly label: string;
  readonly help: string;
  readonly engine: E;
  readonly cli: C;
  readonly ui: U;
}

/** A row with its value type inferred from its guard (and its field, engine use, CLI and UI kinds kept literal). */
function setting<T, F extends string, E extends EngineUse, C extends CliSpec<T>, U extends UiSpec>(
  row: SettingRow<T, F, E, C, U>,
): SettingRow<T, F, E, C, U> {
  return row;
}

// ---------------------------------------------------------------------------------------
// The table

export const SHARE_SETTINGS = {
  directory: setting({
    check: isPathString,
    checkStored: (v): v is string => v === '' || isPathString(v),
    appDefault: '',
    field: 'directory',
    errorCode: 'SRV_ERR_DIRECTORY_MISSING',
    invalid: () => 'Choose a folder to share.',
    label: 'Folder',
    help: 'The folder whose files visitors can open.',
    engine: 'handler',
    cli: { kind: 'cpython', argument: '-d/--directory' },
    ui: { kind: 'custom' },
  }),
  port: setting({
    check: isListenPort,
    checkStored: isPort,
    appDefault: 8000,
    field: 'port',
    errorCode: 'SRV_ERR_PORT_INVALID',
    invalid: () => 'The port must be a whole number from 0 to 65535.',
    label: 'Port',
    help: 'The number after the colon in the address, like 8000.',
    engine: 'listen',
    cli: { kind: 'cpython', argument: 'port' },
    ui: { kind: 'custom' },
  }),
  bind: setting({
    check: isBindAddress,
    appDefault: '',
    field: 'bind',
    errorCode: 'SRV_ERR_ADDRESS_INVALID',
    invalid: (v) => `The address "${String(v)}" is not one this computer can share on.`,
    label: 'Network',
    help: 'Which of this computer’s networks can reach the folder: all of them, or only this computer.',
    engine: 'listen',
    cli: { kind: 'cpython', argument: '-b/--bind' },
    ui: { kind: 'custom' },
  }),
  protocolVersion: setting({
    check: isProtocolVersion,
    appDefault: 'HTTP/1.0',
    field: 'protocolVersion',
    invalid: () => 'The protocol must be HTTP/1.0 or HTTP/1.1.',
    label: 'Protocol',
    help: 'HTTP/1.1 keeps connections open between requests, which is faster for pages with many files.',
    engine: 'handler',
    cli: { kind: 'cpython', argument: '-p/--protocol' },
    ui: { kind: 'custom' },
  }),
  cgi: setting({
    check: isBoolean,
    appDefault: false,
    field: 'cgi',
    invalid: () => 'Running scripts must be on or off.',
    label: 'Run scripts in the script folders',
    help: 'Visitors can then run programs on this computer, with your user’s rights. Only turn this on for scripts you wrote or trust.',
    engine: 'class',
    cli: { kind: 'cpython', argument: '--cgi' },
    ui: { kind: 'custom' },
  }),
  cgiDirectories: setting({
    check: isCgiDirectories,
    appDefault: DEFAULT_CGI_DIRECTORIES,
    field: 'cgi',
    invalid: () => 'Each script folder must be a web path starting with "/", like /cgi-bin.',
    label: 'Script folders',
    help: 'Web paths inside the shared folder, like /cgi-bin. Files there run instead of being downloaded.',
    engine: 'handler',
    cli: { kind: 'none', cpython: DEFAULT_CGI_DIRECTORIES },
    ui: { kind: 'custom' },
  }),
  followSymlinks: setting({
    check: isBoolean,
    appDefault: false,
    field: 'followSymlinks',
    invalid: () => 'Following links must be on or off.',
    label: 'Follow links that leave the shared folder',
    help: 'When off, shortcuts (symbolic links) that point outside the folder are not opened, so visitors only ever see what is inside the folder you chose.',
    engine: 'handler',
    cli: {
      kind: 'switch',
      flag: '--no-follow-symlinks',
      value: false,
      cpython: true,
      help: 'do not follow symbolic links that lead out of the directory',
      hardened: true,
    },
    ui: { kind: 'switch', section: 'Links' },
  }),
  range: setting({
    check: isBoolean,
    appDefault: true,
    field: 'range',
    invalid: () => 'Resuming downloads must be on or off.',
    label: 'Let visitors skip through videos and resume downloads',
    help: 'Visitors’ browsers can ask for part of a file, so a video can jump to any point and a download that was cut off carries on where it stopped. Browsers are also told when a file has not changed, so they need not fetch it again.',
    engine: 'handler',
    cli: {
      kind: 'switch',
      flag: '--range',
      value: true,
      cpython: false,
      help: 'answer Range requests (206, 416) and send ETag and Accept-Ranges; honour If-None-Match and If-Range',
    },
    ui: { kind: 'switch', section: 'Visitors' },
  }),
  folderZip: setting({
    check: isBoolean,
    appDefault: true,
    field: 'folderZip',
    invalid: () => 'Downloading whole folders must be on or off.',
    label: 'Let visitors download a whole folder as one file',
    help: 'A folder’s page gets a “Download all” link that packs everything in it, subfolders too, into one .zip file. Hidden files and shortcuts that lead out of the shared folder stay out, as they do on the pages.',
    engine: 'handler',
    cli: {
      kind: 'switch',
      flag: '--zip',
      value: true,
      cpython: false,
      help: 'answer GET of a directory with ?download=zip with the directory as one ZIP file (stored, ZIP64, UTF-8 names)',
    },
    ui: { kind: 'switch', section: 'Visitors' },
  }),
  listing: setting({
    check: isListingStyle,
    appDefault: 'modern',
    field: 'listing',
    invalid: () => 'The style of folder pages must be modern or classic.',
    label: 'Folder pages',
    help: 'What visitors see when they open a folder that has no index.html page of its own.',
    engine: 'handler',
    cli: {
      kind: 'option',
      flag: '--listing',
      metavar: 'STYLE',
      parse: (text) => (isListingStyle(text) ? text : undefined),
      choices: ['classic', 'modern'],
      cpython: 'classic',
      help: "directory listing style: classic (CPython's page, the default) or modern (folders first, sizes, dates, sorting; made for phones)",
    },
    ui: {
      kind: 'choice',
      section: 'Visitors',
      choices: [
        {
          value: 'modern',
          label: 'Modern',
          help: 'Easy to use on a phone: folders first, the size and date of each file, and sorting by name, size or date.',
        },
        {
          value: 'classic',
          label: 'Classic',
          help: 'A plain list of names, exactly as Python’s built-in web server shows it.',
        },
      ],
    },
  }),
  showHidden: setting({
    check: isBoolean,
    appDefault: false,
    field: 'showHidden',
    invalid: () => 'Showing hidden files must be on or off.',
    label: 'Show hidden files',
    help: 'Files and folders whose names start with a dot, like .git or .env, usually hold settings or private data. When this is off, visitors can neither see them on folder pages nor open them.',
    engine: 'handler',
    cli: {
      kind: 'switch',
      flag: '--hide-dotfiles',
      value: false,
      cpython: true,
      help: 'neither list nor serve files and folders whose names start with a dot (they get 404, like missing files)',
    },
    ui: { kind: 'switch', section: 'Visitors' },
  }),
  upload: setting({
    check: isBoolean,
    appDefault: false,
    field: 'upload',
    invalid: () => 'Letting visitors add files must be on or off.',
    label: 'Let visitors add files',
    help: 'Folder pages get an “Add files” button, so a phone can send its photos to this folder. Files are only ever added: one with the same name as a file already here gets a number, like “photo (1).jpg”.',
    engine: 'handler',
    cli: {
      kind: 'switch',
      flag: '--upload',
      value: true,
      cpython: false,
      help: 'accept files sent by POST of a form (multipart/form-data) to a directory or by PUT to a new file name; an existing name gets " (1)" (modern listing: an "Add files" form)',
    },
    ui: { kind: 'switch', section: 'Adding files' },
  }),
  uploadReplace: setting({
    check: isBoolean,
    appDefault: false,
    field: 'uploadReplace',
    invalid: () => 'Replacing files must be on or off.',
    label: 'Allow replacing files',
    help: 'When a visitor adds a file with the same name as one already here, the old file is replaced instead of the new one getting a number. Only matters when visitors can add files.',
    engine: 'handler',
    cli: {
      kind: 'switch',
      flag: '--upload-replace',
      value: true,
      cpython: false,
      help: 'with --upload, a file sent with the name of an existing file replaces it',
    },
    ui: { kind: 'switch', section: 'Adding files' },
  }),
  uploadMaxSize: setting({
    check: isSizeText,
    appDefault: '4G',
    field: 'uploadMaxSize',
    invalid: () => 'The largest file visitors can add must be a size like 100M or 4G.',
    label: 'Largest file a visitor can add',
    help: 'A bigger file is refused with a message saying so. Only matters when visitors can add files.',
    engine: 'handler',
    cli: {
      kind: 'option',
      flag: '--upload-max',
      metavar: 'SIZE',
      parse: canonicalSize,
      cpython: '4G',
      help: 'with --upload, the largest file accepted (default 4G; units K, M, G, T of 1024)',
    },
    ui: {
      kind: 'choice',
      section: 'Adding files',
      choices: [
        { value: '100M', label: 'Up to 100 MB', help: 'Enough for photos and short videos.' },
        { value: '1G', label: 'Up to 1 GB', help: 'Enough for most videos from a phone.' },
        { value: '4G', label: 'Up to 4 GB', help: 'Enough for long videos.' },
        { value: '64G', label: 'Up to 64 GB', help: 'Nearly anything; watch the free space on this computer.' },
      ],
    },
  }),
  password: setting({
    check: (v): v is PasswordSetting | null => v === null || isPasswordSetting(v),
    // The settings file and the window: the verifier only, never a key secret.
    checkStored: (v): v is PasswordSetting | null => v === null || isPasswordVerifier(v),
    appDefault: null,
    field: 'password',
    invalid: () => 'The saved password cannot be used. Set a password again.',
    label: 'Require a password',
    help: 'Visitors type a password before they see anything. People you give the QR code or a copied link get in without typing it.',
    engine: 'access',
    cli: {
      kind: 'file',
      flag: '--password-file',
      metavar: 'FILE',
      cpython: null,
      help: 'ask visitors for the password on the first line of FILE (a login page for browsers, HTTP Basic with any user name for scripts)',
    },
    ui: { kind: 'custom' },
  }),
  // App-only rows (engine 'app'): the shell keeps sharing in the background with them.
  preventSleep: setting({
    check: isBoolean,
    appDefault: true,
    field: 'preventSleep',
    invalid: () => 'Keeping the computer awake must be on or off.',
    label: 'Keep this computer awake while sharing',
    help: 'While the folder is shared, the computer does not go to sleep by itself, so a visitor’s download is not cut off. The screen can still turn off.',
    engine: 'app',
    cli: { kind: 'none', cpython: false },
    ui: { kind: 'switch', section: 'This computer' },
  }),
  shareOnOpen: setting({
    check: isBoolean,
    appDefault: false,
    field: 'shareOnOpen',
    invalid: () => 'Sharing when Servedir opens must be on or off.',
    label: 'Share the folder when Servedir opens',
    help: 'When Servedir starts, it shares the folder you chose last time right away, without you pressing Share.',
    engine: 'app',
    cli: { kind: 'none', cpython: false },
    ui: { kind: 'switch', section: 'This computer' },
  }),
  closeWhileSharing: setting({
    check: isCloseWhileSharing,
    appDefault: 'ask',
    field: 'closeWhileSharing',
    invalid: () => 'What closing the window does must be ask, keep sharing or stop sharing.',
    label: 'When you close the window while sharing',
    help: 'Servedir can keep sharing with its window closed; its icon stays next to the clock (in the menu bar on a Mac) to show the window again or stop.',
    engine: 'app',
    cli: { kind: 'none', cpython: 'stop' },
    ui: {
      kind: 'choice',
      section: 'This computer',
      choices: [
        { value: 'ask', label: 'Ask me', help: 'Servedir asks the next time you close the window while sharing, and remembers your answer.' },
        { value: 'keep', label: 'Keep sharing', help: 'The folder stays shared until you choose Stop sharing or Quit from Servedir’s icon.' },
        { value: 'stop', label: 'Stop sharing', help: 'Closing the window stops sharing.' },
      ],
    },
  }),
} as const;

// ---------------------------------------------------------------------------------------
// Derived types

export type ShareSettingsTable = typeof SHARE_SETTINGS;
export type SettingKey = keyof ShareSettingsTable;
type ValueOf<R> = R extends { readonly check: (v: unknown) => v is infer T } ? T : never;

/** Everything the engine needs to share a folder: one field per row of the table. */
export type ServeSettings = { readonly [K in SettingKey]: ValueOf<ShareSettingsTable[K]> };

/** Which window field an error is about, so the window can show it next to that field. */
export type SettingsField = ShareSettingsTable[SettingKey]['field'];

/** The keys of the rows the engine passes to its handlers. */
export type HandlerSettingKey = { [K in SettingKey]: ShareSettingsTable[K]['engine'] extends 'handler' ? K : never }[SettingKey];

/** The handler options that come from settings (`HandlerOptions` extends this). */
export type HandlerSettings = { readonly [K in HandlerSettingKey]?: ServeSettings[K] };

/** The keys of the rows the Settings pane shows as switches. */
export type SwitchSettingKey = {
  [K in SettingKey]: ShareSettingsTable[K]['ui'] extends { kind: 'switch' } ? (ServeSettings[K] extends boolean ? K : never) : never;
}[SettingKey];

/** The keys of the rows the Settings pane shows as a choice of a few values. */
export type ChoiceSettingKey = {
  [K in SettingKey]: ShareSettingsTable[K]['ui'] extends { kind: 'choice' } ? (ServeSettings[K] extends string ? K : never) : never;
}[SettingKey];

/** The table's keys in table order. */
export const SETTING_KEYS = Object.keys(SHARE_SETTINGS) as readonly SettingKey[];

const rowOf = (key: SettingKey): SettingRow<unknown> => SHARE_SETTINGS[key] as SettingRow<unknown>;

// ---------------------------------------------------------------------------------------
// Derived values and checks

/** The app's settings of a first start. */
export function appDefaults(): ServeSettings {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) out[key] = rowOf(key).appDefault;
  return out as ServeSettings;
}

/** True when `key` names a row of the table. */
export const isSettingKey = (key: string): key is SettingKey => Object.hasOwn(SHARE_SETTINGS, key);

/** True when `v` is a value the app may store for `key` (the settings file, IPC, the web API). */
export function isStoredValue(key: SettingKey, v: unknown): boolean {
  const row = rowOf(key);
  return (row.checkStored ?? row.check)(v);
}

/** A problem with one setting: the row's error code, its plain sentence and its field. */
export interface SettingProblem {
  readonly code: ServeErrorCode;
  readonly message: string;
  readonly field: SettingsField;
}

/**
 * What `serve()` and the utility host accept: an object with every setting of the table
 * valid for the engine. Returns null when it is, else the first problem in table order.
 */
export function checkServeSettings(v: unknown): SettingProblem | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return { code: 'SRV_ERR_BAD_SETTINGS', message: 'The sharing settings are missing.', field: 'directory' };
  }
  const rec = v as Record<string, unknown>;
  for (const key of SETTING_KEYS) {
    const row = rowOf(key);
    const value = rec[key];
    if (!row.check(value)) {
      return { code: row.errorCode ?? 'SRV_ERR_BAD_SETTINGS', message: row.invalid(value), field: row.field as SettingsField };
    }
  }
  return null;
}

/** The handler options that come from `settings` (the rows the engine passes to handlers). */
export function handlerSettingsOf(settings: ServeSettings): HandlerSettings {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) if (rowOf(key).engine === 'handler') out[key] = settings[key];
  return out as HandlerSettings;
}

/** What `migrateStoredSettings` made of a saved file. */
export interface MigratedSettings {
  /** Every setting: the saved value where it is valid, the app's default elsewhere. */
  readonly settings: ServeSettings;
  /** Settings the file had with a value that is not valid (reset to the default). */
  readonly rejected: readonly SettingKey[];
  /** Settings the file did not have (a file of an older version): given the default. */
  readonly added: readonly SettingKey[];
}

/**
 * Brings the settings of a saved file up to this version's table: a setting the file lacks
 * (saved before the setting existed) gets the app's default silently; a setting whose saved
 * value is not valid gets the default too and is reported in `rejected` (the store then keeps
 * the old file aside). Names the table does not have are left out.
 */
export function migrateStoredSettings(raw: Record<string, unknown>): MigratedSettings {
  const out: Record<string, unknown> = {};
  const rejected: SettingKey[] = [];
  const added: SettingKey[] = [];
  for (const key of SETTING_KEYS) {
    if (!Object.hasOwn(raw, key)) {
      added.push(key);
      out[key] = rowOf(key).appDefault;
    } else if (isStoredValue(key, raw[key])) {
      out[key] = raw[key];
    } else {
      rejected.push(key);
      out[key] = rowOf(key).appDefault;
    }
  }
  return { settings: out as ServeSettings, rejected, added };
}

/**
 * True when changing these settings changes how the engine shares (a running share is then
 * restarted with them); false when only the app's own rows (`engine: 'app'`) change.
 */
export function changeRestartsSharing(keys: readonly string[]): boolean {
  return keys.some((k) => isSettingKey(k) && rowOf(k).engine !== 'app');
}

/** A row of the Settings pane's switches: key, section, label and help, in table order. */
export interface SwitchRow {
  readonly key: SwitchSettingKey;
  readonly section: string;
  readonly label: string;
  readonly help: string;
  readonly field: SettingsField;
}

/** The switches of the Settings pane, in table order. */
export const SETTING_SWITCHES: readonly SwitchRow[] = SETTING_KEYS.flatMap((key) => {
  const row = rowOf(key);
  return row.ui.kind === 'switch'
    ? [{ key: key as SwitchSettingKey, section: row.ui.section, label: row.label, help: row.help, field: row.field as SettingsField }]
    : [];
});

/** A row of the Settings pane's choices: key, section, label, help and the values to choose from. */
export interface ChoiceRow {
  readonly key: ChoiceSettingKey;
  readonly section: string;
  readonly label: string;
  readonly help: string;
  readonly field: SettingsField;
  readonly choices: readonly ChoiceOption[];
}

/**
 * What the Settings pane shows for one setting: a switch or a choice. `desktopOnly`: a
 * setting of the desktop app itself (`engine: 'app'`: the tray, sleep), meaningless in the
 * browser mode.
 */
export type SettingControl = (({ readonly kind: 'switch' } & SwitchRow) | ({ readonly kind: 'choice' } & ChoiceRow)) & {
  readonly desktopOnly: boolean;
};

/**
 * Every setting the Settings pane makes from the table (switches and choices), in table
 * order: the pane groups them by `section`, sections in the order of their first row.
 */
export const SETTING_CONTROLS: readonly SettingControl[] = SETTING_KEYS.flatMap((key): SettingControl[] => {
  const row = rowOf(key);
  const common = { section: '', label: row.label, help: row.help, field: row.field as SettingsField, desktopOnly: row.engine === 'app' };
  if (row.ui.kind === 'switch') return [{ kind: 'switch', key: key as SwitchSettingKey, ...common, section: row.ui.section }];
  if (row.ui.kind === 'choice') return [{ kind: 'choice', key: key as ChoiceSettingKey, ...common, section: row.ui.section, choices: row.ui.choices }];
  return [];
});

/** The choices of the Settings pane, in table order. */
export const SETTING_CHOICES: readonly ChoiceRow[] = SETTING_CONTROLS.flatMap((c) => (c.kind === 'choice' ? [c] : []));

/** A flag of ours on the command line, from a row with a `switch` or `option` CLI spec. */
export type CliExtraFlag = { readonly key: SettingKey } & Extract<CliSpec<unknown>, { kind: 'switch' | 'option' | 'file' }>;

/** The CLI's flags beyond CPython's, in table order. */
export const CLI_EXTRA_FLAGS: readonly CliExtraFlag[] = SETTING_KEYS.flatMap((key) => {
  const cli = rowOf(key).cli;
  return cli.kind === 'switch' || cli.kind === 'option' || cli.kind === 'file' ? [{ key, ...cli }] : [];
});
