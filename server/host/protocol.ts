/**
 * The message protocol between the shell (Electron main, or the browser-fallback control
 * server) and the utility host that runs the engine (`server/host/utility-entry.ts`).
 *
 * Plain, structured-cloneable data only: the same messages travel over Electron's
 * `utilityProcess` (structured clone) and Node's `child_process.fork` with
 * `serialization: 'advanced'` in tests. No MessagePort transfer.
 *
 * Types plus one constant: no Node or Electron imports, so the renderer may import it too.
 */
import type { RequestLogEntry } from '../log.js';

export type ProtocolVersion = 'HTTP/1.0' | 'HTTP/1.1';

/** Everything the engine needs to share a folder. */
export interface ServeSettings {
  /** Absolute path of the folder to share. */
  readonly directory: string;
  /** 0 asks the system for a free port. */
  readonly port: number;
  /**
   * Address to bind. `''` means every interface, IPv4 and IPv6 (CPython's CLI default:
   * dual-stack `::`); `'127.0.0.1'` this computer only; or one interface address.
   */
  readonly bind: string;
  readonly protocolVersion: ProtocolVersion;
  readonly cgi: boolean;
  /** CGI directories as URL paths, CPython's default `['/cgi-bin', '/htbin']`. */
  readonly cgiDirectories: readonly string[];
  /**
   * Follow symbolic links that lead outside the shared folder. CPython does; the app
   * turns it off by default (PORT NOTE in server/README.md).
   */
  readonly followSymlinks: boolean;
}

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

/** Which settings field an error is about, so the window can show it next to that field. */
export type SettingsField = 'directory' | 'port' | 'bind' | 'protocolVersion' | 'cgi';

export interface ServeFailure {
  readonly code: ServeErrorCode;
  /** One plain sentence for a person who has never opened a terminal. */
  readonly message: string;
  readonly field?: SettingsField;
}

/** One address the server can be reached at. */
export interface ShareUrl {
  readonly url: string;
  /** Plain label: "Local network (wlan0)", "This computer". */
  readonly label: string;
  /** LAN URLs first in every list; loopback last. */
  readonly scope: 'lan' | 'loopback';
  readonly family: 'IPv4' | 'IPv6';
}

export type MainToHost =
  /** Start serving (or restart with new settings when already serving). */
  | { readonly type: 'start'; readonly settings: ServeSettings }
  /** Stop serving; the host answers `stopped` and stays alive for another `start`. */
  | { readonly type: 'stop' }
  /** Stop serving and exit the process cleanly. */
  | { readonly type: 'shutdown' };

export type HostToMain =
  /** Sent once when the host process is up and listening for messages. */
  | { readonly type: 'ready'; readonly pid: number }
  | {
      readonly type: 'listening';
      readonly port: number;
      /** The address actually bound (`::`, `0.0.0.0`, `127.0.0.1`, ...). */
      readonly address: string;
      /** Reachable URLs, LAN first. */
      readonly urls: readonly ShareUrl[];
    }
  | ({ readonly type: 'failed' } & ServeFailure)
  | { readonly type: 'stopped' }
  /**
   * Log entries, batched: at most one message every ~50 ms, never one per request.
   * `dropped` counts entries the host discarded because the shell could not keep up.
   */
  | { readonly type: 'log'; readonly entries: readonly RequestLogEntry[]; readonly dropped: number };

export const DEFAULT_CGI_DIRECTORIES: readonly string[] = ['/cgi-bin', '/htbin'];
