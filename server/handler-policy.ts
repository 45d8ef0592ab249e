/**
 * Pure Node. Not in CPython: what a server's handlers decide once from their options and the
 * platform, instead of testing `options.hardened`, `options.showHidden`, `process.platform`
 * inside each method (style.md I, "Options resolved once": as sirv picks
 * `lookup = dev ? viaLocal : viaCache` at start-up).
 *
 * `resolvePolicy(options, platform)` names each decision for what it does; `policyFor(options)`
 * resolves it once per options object (every handler of one server shares that object, so
 * they share one policy). The CLI's default resolves to CPython's choices (`CPYTHON_POLICY` on
 * POSIX); the app (`serve()`, always hardened) and `--hardened` to the app's.
 */
import type { HandlerOptions } from './base-handler.js';
import { DEFAULT_MAX_CONNECTIONS_PER_ADDRESS } from './limits.js';
import { parseSizeText, SHARE_SETTINGS } from './share-settings.js';

/**
 * Variables of the server's own environment a hardened server's CGI script still gets: where
 * to find programs (a `#!/usr/bin/env python3` line needs PATH) and what Windows needs to
 * start a process (PORT NOTE 18).
 */
export const CGI_INHERITED_ENV: readonly string[] = Object.freeze(['PATH', 'SYSTEMROOT', 'SystemRoot', 'COMSPEC', 'PATHEXT', 'WINDIR']);

/** The decisions of one server's handlers, resolved once (frozen). */
export interface HandlerPolicy {
  /**
   * PORT NOTE 14: a request with `Transfer-Encoding`, several `Content-Length`s or one that is
   * not a plain number gets 400 and the connection is closed (`checkFraming`). CPython accepts
   * any framing headers. Hardened.
   */
  readonly refuseAmbiguousFraming: boolean;
  /**
   * PORT NOTE 14: after an answer, a body the handler did not read is read and thrown away
   * (or, when large, the connection is closed) instead of being parsed as the next request, as
   * CPython does. Hardened.
   */
  readonly discardUnreadBody: boolean;
  /**
   * PORT NOTE 3: a response whose body fell short of what it announced closes its connection
   * (the client could not tell where the next answer starts); CPython keeps it open. Hardened.
   */
  readonly closeAfterIncomplete: boolean;
  /**
   * PORT NOTE 16: a backslash separates path components in `translatePath`, `urlCollapsePath`,
   * `refusesPath`, `hidesPath`, uploads and breadcrumbs, as CPython's `os.path` does on
   * Windows. Hardened, and on Windows; the CLI's default on POSIX takes it as part of a name.
   */
  readonly backslashSeparates: boolean;
  /**
   * PORT NOTE 15: a control character in a path component that names something gets 404.
   * Hardened, and on Windows (where no file can have one); CPython on POSIX serves such a file.
   */
  readonly refuseControlCharsInNames: boolean;
  /**
   * PORT NOTEs 14-15: `refusesPath` checks every component of the decoded path, also those a
   * `..` removes (`/%0a/../x`: a control character anywhere → 404); otherwise only the
   * components left after normalising, so CPython's CVE-2021-28861 case still serves. Hardened.
   */
  readonly checkComponentsDotDotRemoves: boolean;
  /**
   * PORT NOTE 15: any `:`, a name ending in a dot or a space, and device names (`CON`,
   * `NUL`, ...) get 404: on Windows they name another file than the one asked for. Windows.
   */
  readonly refuseWindowsNames: boolean;
  /**
   * PORT NOTE 21: with `followSymlinks` off, one lstat per component below the shared folder
   * proves a path inside it when none is a link (no `realpath`). POSIX only: on Windows every
   * such check goes through `realpath`.
   */
  readonly lstatWalkProvesContainment: boolean;
  /**
   * PORT NOTE 17: a directory redirect's absolute-form or scheme-like target
   * (`http://evil.com` naming a folder) becomes an absolute path in `Location`; the CLI's
   * default keeps CPython's answer (conformance case redirect/cve-2021-28861-absolute-uri).
   * Hardened.
   */
  readonly refuseSchemeInLocation: boolean;
  /**
   * PORT NOTE 25: a CGI server answers a path climbing above the root (`/..`) with 404, where
   * CPython's `_url_collapse_path` raises IndexError and the connection drops. Hardened.
   */
  readonly cgiRefusesClimbAbove: boolean;
  /**
   * PORT NOTE 18: the names of the server's own environment a CGI script gets
   * (`CGI_INHERITED_ENV`), or null for all of it, as CPython copies `os.environ`. Hardened:
   * the allow-list.
   */
  readonly cgiInheritedEnv: readonly string[] | null;
  /**
   * PORT NOTE 14: a CGI script gets exactly `Content-Length` bytes as its input; CPython's child
   * reads whatever the client sends on the connection (here: piped while it runs). Hardened.
   */
  readonly cgiInputIsContentLength: boolean;
  /**
   * PORT NOTE 14: the connection closes after a CGI script's output (which carries no length);
   * CPython keeps an HTTP/1.1 connection open. Hardened.
   */
  readonly cgiClosesAfterScript: boolean;
  /**
   * PORT NOTE 31: connections one client address may hold at once (0 = no limit, as CPython);
   * `HTTPServerOptions.maxConnectionsPerAddress` overrides it. Hardened:
   * `DEFAULT_MAX_CONNECTIONS_PER_ADDRESS`.
   */
  readonly maxConnectionsPerAddress: number;
  /**
   * PORT NOTE 28: names starting with a dot are not there (404, left out of listings, ZIP
   * files and CGI). `showHidden: false` (the app's default; the CLI's `--hide-dotfiles`).
   */
  readonly hideDotfiles: boolean;
  /**
   * PORT NOTE 7: symbolic links are followed wherever they lead, as CPython does. Off
   * (`followSymlinks: false`, the app's default): a link out of the shared folder is 404.
   */
  readonly followSymlinks: boolean;
  /** PORT NOTE 27: folders are listed with the modern page (`listing: 'modern'`) instead of CPython's. */
  readonly modernListing: boolean;
  /**
   * PORT NOTE 33: `PUT` and `POST` save files in the shared folder (the `upload` setting; the
   * CLI's `--upload`), and a modern listing shows the "Add files" form. Off: CPython's 501.
   */
  readonly acceptUploads: boolean;
  /**
   * PORT NOTE 33: an uploaded file with the name of an existing file replaces it
   * (`uploadReplace`); otherwise it is saved under a new name.
   */
  readonly uploadReplaces: boolean;
  /**
   * PORT NOTE 33: the largest file an upload may save, in bytes: `uploadMaxSize` parsed once
   * (its settings-table default, 4 GiB, when unset or not a size).
   */
  readonly uploadMaxBytes: number;
  /**
   * PORT NOTE 29: a modern listing offers "Download all" and `?download=zip` answers a folder
   * as one ZIP file (the `folderZip` setting).
   */
  readonly folderZip: boolean;
}

/** The decisions of `HandlerPolicy`, each for what it does: the keys tests check are all documented. */
export const POLICY_DECISIONS = [
  'refuseAmbiguousFraming',
  'discardUnreadBody',
  'closeAfterIncomplete',
  'backslashSeparates',
  'refuseControlCharsInNames',
  'checkComponentsDotDotRemoves',
  'refuseWindowsNames',
  'lstatWalkProvesContainment',
  'refuseSchemeInLocation',
  'cgiRefusesClimbAbove',
  'cgiInheritedEnv',
  'cgiInputIsContentLength',
  'cgiClosesAfterScript',
  'maxConnectionsPerAddress',
  'hideDotfiles',
  'followSymlinks',
  'modernListing',
  'acceptUploads',
  'uploadReplaces',
  'uploadMaxBytes',
  'folderZip',
] as const satisfies readonly (keyof HandlerPolicy)[];

/** The largest upload when `uploadMaxSize` is unset: the settings table's default ('4G'). */
const DEFAULT_UPLOAD_MAX = SHARE_SETTINGS.uploadMaxSize.appDefault;
const DEFAULT_UPLOAD_MAX_BYTES = 4 * 1024 ** 3;

/** The decisions for `options` on `platform`, frozen. Absent options: CPython's handler there. */
export function resolvePolicy(options: HandlerOptions | undefined, platform: NodeJS.Platform = process.platform): HandlerPolicy {
  const hardened = options?.hardened === true;
  const windows = platform === 'win32';
  return Object.freeze({
    refuseAmbiguousFraming: hardened,
    discardUnreadBody: hardened,
    closeAfterIncomplete: hardened,
    backslashSeparates: hardened || windows,
    refuseControlCharsInNames: hardened || windows,
    checkComponentsDotDotRemoves: hardened,
    refuseWindowsNames: windows,
    lstatWalkProvesContainment: !windows,
    refuseSchemeInLocation: hardened,
    cgiRefusesClimbAbove: hardened,
    cgiInheritedEnv: hardened ? CGI_INHERITED_ENV : null,
    cgiInputIsContentLength: hardened,
    cgiClosesAfterScript: hardened,
    maxConnectionsPerAddress: hardened ? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS : 0,
    hideDotfiles: options?.showHidden === false,
    followSymlinks: options?.followSymlinks !== false,
    modernListing: options?.listing === 'modern',
    acceptUploads: options?.upload === true,
    uploadReplaces: options?.uploadReplace === true,
    uploadMaxBytes: parseSizeText(options?.uploadMaxSize ?? DEFAULT_UPLOAD_MAX) ?? DEFAULT_UPLOAD_MAX_BYTES,
    folderZip: options?.folderZip === true,
  });
}

/** CPython's handler on this machine: what a handler without options (a bare test instance) decides. */
const DEFAULT_POLICY = resolvePolicy(undefined);

const resolved = new WeakMap<HandlerOptions, HandlerPolicy>();

/**
 * The policy of `options`, resolved on its first use and kept for that options object: every
 * handler of one server gets the same object, so a server resolves its policy once. Options
 * are read-only, so the policy stays true to them.
 */
export function policyFor(options: HandlerOptions | undefined): HandlerPolicy {
  if (options === undefined) return DEFAULT_POLICY;
  let policy = resolved.get(options);
  if (policy === undefined) {
    policy = resolvePolicy(options);
    resolved.set(options, policy);
  }
  return policy;
}
