/**
 * The message protocol between the shell (Electron main, or the browser-fallback control
 * server) and the utility host that runs the engine (`server/host/utility-entry.ts`).
 *
 * Plain, structured-cloneable data only: the same messages travel over Electron's
 * `utilityProcess` (structured clone) and Node's `child_process.fork` with
 * `serialization: 'advanced'` in tests. No MessagePort transfer.
 *
 * Types only: no Node or Electron imports, so the renderer may import it too.
 * The log travels as {@link LogColumns} (columns of numbers plus a string table), not as
 * one object per entry: server/host/log-columns.ts has the layout, why, its writer, its
 * validator and its reader.
 */
import type { LogColumns } from './log-columns.js';

import type { ServeErrorCode, ServeSettings, SettingsField } from '../share-settings.js';

// The settings and their error codes are the engine's (server/share-settings.ts, the table
// every layer derives from); re-exported for the shell and the window.
export type { ProtocolVersion, ServeErrorCode, ServeSettings, SettingsField } from '../share-settings.js';

export interface ServeFailure {
  readonly code: ServeErrorCode;
  /** One plain sentence for a person who has never opened a terminal. */
  readonly message: string;
  readonly field?: SettingsField;
}

/**
 * Who can open an address: `lan` other devices on the same network (Wi-Fi, cable);
 * `vpn` only devices on the same VPN (or behind the same provider NAT); `link-local` only
 * a device plugged straight into this one; `loopback` this computer; `virtual` only this
 * computer's containers and virtual machines (Docker, WSL, Hyper-V, VirtualBox…).
 */
export type ShareUrlKind = 'lan' | 'vpn' | 'link-local' | 'loopback' | 'virtual';

/**
 * One address the server can be reached at. Lists of them are ranked by the host
 * (server/host/net-info.ts): the first is the one to show a person (LAN IPv4 on the
 * interface that carries the default route, when there is one).
 */
export interface ShareUrl {
  readonly url: string;
  /** Plain label: "Local network (wlan0)", "Docker (docker0)", "This computer". */
  readonly label: string;
  /** `loopback` for this computer only, `lan` for every other address. */
  readonly scope: 'lan' | 'loopback';
  readonly family: 'IPv4' | 'IPv6';
  /** Who can open it; absent from hosts before the ranking (then: judge by `scope`). */
  readonly kind?: ShareUrlKind;
  /** One short plain sentence on who can reach it, when that is not everyone on the LAN. */
  readonly note?: string;
}

/** Who can open an address (a host before the ranking sends no `kind`: judged by scope). */
export type Reach = ShareUrlKind;

export function reachOf(u: ShareUrl): Reach {
  return u.kind ?? (u.scope === 'loopback' ? 'loopback' : 'lan');
}

/** Addresses other devices can open, then this computer's, then its containers' and VMs'. */
const GROUP: Record<Reach, number> = { lan: 0, vpn: 0, 'link-local': 0, loopback: 1, virtual: 2 };

/**
 * The address to show big (and to check reaches: the window's self-check), and the others in
 * order. Keeps the host's order within each group (a stable sort): only an older host's list,
 * loopback first, is reordered.
 */
export function mainAndOthers(urls: readonly ShareUrl[]): { main: ShareUrl | null; others: ShareUrl[] } {
  const sorted = [...urls].sort((a, b) => GROUP[reachOf(a)] - GROUP[reachOf(b)]);
  return { main: sorted[0] ?? null, others: sorted.slice(1) };
}

export type MainToHost =
  /** Start serving (or restart with new settings when already serving). */
  | { readonly type: 'start'; readonly settings: ServeSettings }
  /** Stop serving; the host answers `stopped` and stays alive for another `start`. */
  | { readonly type: 'stop' }
  /** Stop serving and exit the process cleanly. */
  | { readonly type: 'shutdown' }
  /**
   * The supervisor's heartbeat while the host serves: answered with `pong` at once, ahead of
   * any start or stop still in progress. A host that stops answering is frozen (stopped,
   * stuck in a loop): the supervisor replaces it without waiting for the next Stop or Share.
   */
  | { readonly type: 'ping'; readonly n: number };

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
   * Log entries, batched: at most one message every ~50 ms, never one per request, as
   * columns (see {@link LogColumns}). `dropped` counts entries the host discarded because
   * more arrived in one interval than a batch holds.
   */
  | { readonly type: 'log'; readonly columns: LogColumns; readonly dropped: number }
  /**
   * While serving: the shared folder vanished (`present: false`: deleted, renamed, its drive
   * removed) or came back; `message` says so in plain words (also sent as an `event` log entry).
   */
  | { readonly type: 'folder'; readonly present: boolean; readonly message: string }
  /** The answer to `ping`, with its number. */
  | { readonly type: 'pong'; readonly n: number };

export type { LogColumns } from './log-columns.js';
