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
 * one object per entry: see its comment for why and for the exact layout.
 */
import type { RequestLogEntry } from '../log.js';

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
   * Log entries, batched: at most one message every ~50 ms, never one per request, as
   * columns (see {@link LogColumns}). `dropped` counts entries the host discarded because
   * more arrived in one interval than a batch holds.
   */
  | { readonly type: 'log'; readonly columns: LogColumns; readonly dropped: number };

// ---------------------------------------------------------------------------------------
// The log batch, column by column

/**
 * A batch of {@link RequestLogEntry} values as columns: what the host sends, what the shell
 * forwards unchanged, and what the window decodes straight into its own columns.
 *
 * Why not an array of entry objects: at ~20,000 requests/s the host would keep one object
 * per request alive until the batch is sent (long enough to be copied by the young-generation
 * collector), structured clone would write every key of every object, and the window would
 * get one long-lived heap object per row. Here the host copies each entry's fields into two
 * typed arrays as it arrives (the entry object dies young), a batch clones as two memory
 * blocks plus the distinct strings, and the window keeps rows without per-row objects.
 *
 * Layout, for entry `i` of `count`:
 * - `numbers[i * 8 + n]` for the fields of {@link LogNumberLayout} (`status` and
 *   `durationMs` are -1 when null; `kind` is a code of {@link LogKindCodes});
 * - `refs[i * 7 + s]` for the string fields of {@link LogStringLayout}: an index into
 *   `strings`, or -1 for null, or (for `message` only) -2 for "the line `log_request`
 *   writes": `"<method> <path> <protocol>" <status> -`, rebuilt by the reader byte for
 *   byte instead of sent (only when the entry is a request with all four fields set).
 * - `strings`: each distinct string of the batch once (interned per batch, so a batch
 *   decodes on its own: nothing depends on batches that were dropped or queued).
 *
 * Over Electron IPC and `child_process.fork` (`serialization: 'advanced'`) the typed
 * arrays arrive as typed arrays; the browser fallback sends them as JSON arrays of numbers,
 * which readers accept too (electron/ipc-contract.ts `checkLogColumns`).
 */
export interface LogColumns {
  readonly count: number;
  /** `count × 8` numbers, entry after entry ({@link LogNumberLayout}). */
  readonly numbers: Float64Array;
  /** `count × 7` string references, entry after entry ({@link LogStringLayout}). */
  readonly refs: Int32Array;
  readonly strings: readonly string[];
}

/**
 * Position of each number field within an entry's slice of {@link LogColumns.numbers}.
 * A type, so the writer (server/host/log-columns.ts) and the reader (electron/ipc-contract.ts)
 * each hold a constant of this exact type: the compiler refuses any drift between them.
 */
export interface LogNumberLayout {
  readonly id: 0;
  readonly kind: 1;
  readonly time: 2;
  readonly connectionId: 3;
  readonly clientPort: 4;
  readonly status: 5;
  readonly bytesSent: 6;
  readonly durationMs: 7;
  /** Numbers per entry. */
  readonly stride: 8;
}

/** Position of each string field within an entry's slice of {@link LogColumns.refs}. */
export interface LogStringLayout {
  readonly clientAddress: 0;
  readonly method: 1;
  readonly path: 2;
  readonly protocol: 3;
  readonly userAgent: 4;
  readonly referer: 5;
  readonly message: 6;
  /** References per entry. */
  readonly stride: 7;
}

/** `kind` as a number in {@link LogColumns.numbers}. */
export interface LogKindCodes {
  readonly request: 0;
  readonly error: 1;
  readonly 'cgi-stderr': 2;
  readonly message: 3;
}

/** Special values of a string reference. */
export interface LogRefCodes {
  readonly null: -1;
  /** `message` only: the usual `log_request` line, rebuilt from method, path, protocol and status. */
  readonly usualMessage: -2;
}
