/**
 * The log batch, in one module: its layout, the writer the utility host fills as entries
 * arrive (so it keeps no object per request while a batch fills), the validator the shell
 * and the window check every batch with, and the reader.
 *
 * Runs in: the utility host (the writer), the shell and the window (validator and reader,
 * through electron/ipc-contract.ts), and tests. Pure: no Node API, no Electron.
 */
import type { LogKind, LogOutcome, RequestLogEntry } from '../log.js';
import { isPlainObject } from '../share-settings.js';

// ---------------------------------------------------------------------------------------
// The layout

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
 * - `numbers[i * 12 + n]` for the fields of {@link LogNumberLayout} (`status`,
 *   `durationMs` and `expectedBytes` are -1 when null; `kind` is a code of
 *   {@link LogKindCodes}, `outcome` one of {@link LogOutcomeCodes});
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
  /** `count × 12` numbers, entry after entry ({@link LogNumberLayout}). */
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
  readonly bodyBytes: 8;
  readonly headerBytes: 9;
  readonly expectedBytes: 10;
  readonly outcome: 11;
  /** Numbers per entry. */
  readonly stride: 12;
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
  readonly event: 4;
  readonly upload: 5;
}

/**
 * `outcome` as a number. An `in-progress` entry is an update: the reader replaces the row
 * with the same `id` (server/log.ts {@link LogOutcome}).
 */
export interface LogOutcomeCodes {
  readonly done: 0;
  readonly 'in-progress': 1;
  readonly incomplete: 2;
  readonly failed: 3;
}

/** Special values of a string reference. */
export interface LogRefCodes {
  readonly null: -1;
  /** `message` only: the usual `log_request` line, rebuilt from method, path, protocol and status. */
  readonly usualMessage: -2;
}


/** The layout of a batch, as values (the shell and the window import them through electron/ipc-contract.ts). */
export const LOG_NUMBER_LAYOUT: LogNumberLayout = {
  id: 0,
  kind: 1,
  time: 2,
  connectionId: 3,
  clientPort: 4,
  status: 5,
  bytesSent: 6,
  durationMs: 7,
  bodyBytes: 8,
  headerBytes: 9,
  expectedBytes: 10,
  outcome: 11,
  stride: 12,
};
export const LOG_STRING_LAYOUT: LogStringLayout = {
  clientAddress: 0,
  method: 1,
  path: 2,
  protocol: 3,
  userAgent: 4,
  referer: 5,
  message: 6,
  stride: 7,
};
export const LOG_KIND_CODES: LogKindCodes = { request: 0, error: 1, 'cgi-stderr': 2, message: 3, event: 4, upload: 5 };
export const LOG_OUTCOME_CODES: LogOutcomeCodes = { done: 0, 'in-progress': 1, incomplete: 2, failed: 3 };
export const LOG_REF_CODES: LogRefCodes = { null: -1, usualMessage: -2 };

const N = LOG_NUMBER_LAYOUT;
const S = LOG_STRING_LAYOUT;
const NS = N.stride;
const SS = S.stride;

// ---------------------------------------------------------------------------------------
// Writing a batch

function kindCode(kind: LogKind): number {
  return LOG_KIND_CODES[kind] ?? LOG_KIND_CODES.message;
}

/**
 * True when `message` is exactly what `log_request` writes for this entry,
 * `"<method> <path> <protocol>" <status> -`, checked in place (no string is built).
 * Anything else (odd spacing in the request line, HTTP/0.9, a size) keeps its message.
 */
export function isUsualRequestMessage(e: RequestLogEntry): boolean {
  const { method, path, protocol, status, message: m } = e;
  if (e.kind !== 'request' || method === null || path === null || protocol === null || status === null) return false;
  const code = String(status);
  const ml = method.length;
  const pl = path.length;
  const vl = protocol.length;
  if (m.length !== ml + pl + vl + code.length + 7) return false;
  let at = 0;
  if (m.charCodeAt(at++) !== 34 /* " */ || !m.startsWith(method, at)) return false;
  at += ml;
  if (m.charCodeAt(at++) !== 32 || !m.startsWith(path, at)) return false;
  at += pl;
  if (m.charCodeAt(at++) !== 32 || !m.startsWith(protocol, at)) return false;
  at += vl;
  if (m.charCodeAt(at++) !== 34 || m.charCodeAt(at++) !== 32 || !m.startsWith(code, at)) return false;
  at += code.length;
  return m.charCodeAt(at) === 32 && m.charCodeAt(at + 1) === 45 /* - */;
}

/** Fills one batch; {@link take} hands it over and starts the next. */
export class LogColumnsWriter {
  private numbers: Float64Array;
  private refs: Int32Array;
  private rows = 0;
  private strings: string[] = [];
  private readonly index = new Map<string, number>();

  /** @param capacity most entries one batch holds (the arrays grow up to it). */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    const initial = Math.min(capacity, 256);
    this.numbers = new Float64Array(initial * NS);
    this.refs = new Int32Array(initial * SS);
  }

  /** Entries written since the last {@link take}. */
  get count(): number {
    return this.rows;
  }

  get full(): boolean {
    return this.rows >= this.capacity;
  }

  /**
   * Copies the entry's fields into the batch; the entry itself is not kept.
   * @returns false (and writes nothing) when the batch is full.
   */
  add(e: RequestLogEntry): boolean {
    const row = this.rows;
    if (row >= this.capacity) return false;
    if ((row + 1) * NS > this.numbers.length) this.grow();
    const nums = this.numbers;
    const n = row * NS;
    nums[n + N.id] = e.id;
    nums[n + N.kind] = kindCode(e.kind);
    nums[n + N.time] = e.time;
    nums[n + N.connectionId] = e.connectionId;
    nums[n + N.clientPort] = e.clientPort;
    nums[n + N.status] = e.status ?? -1;
    nums[n + N.bytesSent] = e.bytesSent;
    nums[n + N.durationMs] = e.durationMs ?? -1;
    nums[n + N.bodyBytes] = e.bodyBytes;
    nums[n + N.headerBytes] = e.headerBytes;
    nums[n + N.expectedBytes] = e.expectedBytes ?? -1;
    nums[n + N.outcome] = LOG_OUTCOME_CODES[e.outcome] ?? LOG_OUTCOME_CODES.done;
    const refs = this.refs;
    const r = row * SS;
    refs[r + S.clientAddress] = this.ref(e.clientAddress);
    refs[r + S.method] = this.ref(e.method);
    refs[r + S.path] = this.ref(e.path);
    refs[r + S.protocol] = this.ref(e.protocol);
    refs[r + S.userAgent] = this.ref(e.userAgent);
    refs[r + S.referer] = this.ref(e.referer);
    refs[r + S.message] = isUsualRequestMessage(e) ? LOG_REF_CODES.usualMessage : this.ref(e.message);
    this.rows = row + 1;
    return true;
  }

  /**
   * The batch written so far (exactly sized copies: structured clone sends a typed array's
   * whole buffer), and a fresh start for the next one.
   */
  take(): LogColumns {
    const count = this.rows;
    const batch: LogColumns = {
      count,
      numbers: this.numbers.slice(0, count * NS),
      refs: this.refs.slice(0, count * SS),
      strings: this.strings,
    };
    this.rows = 0;
    this.strings = [];
    this.index.clear();
    return batch;
  }

  private ref(s: string | null): number {
    if (s === null) return LOG_REF_CODES.null;
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.index.set(s, i);
    }
    return i;
  }

  private grow(): void {
    const rows = Math.min(this.capacity, (this.numbers.length / NS) * 2);
    const nums = new Float64Array(rows * NS);
    nums.set(this.numbers);
    const refs = new Int32Array(rows * SS);
    refs.set(this.refs);
    this.numbers = nums;
    this.refs = refs;
  }
}

/**
 * Log entries as the host wrote them ({@link LogColumns}, above), passed
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

// ---------------------------------------------------------------------------------------
// Reading a batch: the validator (the shell and the window both check every batch with it)
// and the decoder.

/** Kind names by code (`LOG_KIND_CODES` inverted). */
export const LOG_KINDS: readonly RequestLogEntry['kind'][] = ['request', 'error', 'cgi-stderr', 'message', 'event', 'upload'];
/** Outcome names by code (`LOG_OUTCOME_CODES` inverted). */
export const LOG_OUTCOMES: readonly LogOutcome[] = ['done', 'in-progress', 'incomplete', 'failed'];

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
    if (!(numbers[n + N.bodyBytes]! >= 0) || !(numbers[n + N.headerBytes]! >= 0)) return `log entry ${i} has a negative byte count`;
    if (!(numbers[n + N.expectedBytes]! >= -1)) return `log entry ${i} has an invalid expected byte count`;
    const outcome = numbers[n + N.outcome]!;
    if (!Number.isInteger(outcome) || outcome < 0 || outcome >= LOG_OUTCOMES.length) return `log entry ${i} has an unknown outcome (${outcome})`;
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
  const expected = c.numbers[n + N.expectedBytes]!;
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
    bodyBytes: c.numbers[n + N.bodyBytes]!,
    headerBytes: c.numbers[n + N.headerBytes]!,
    expectedBytes: expected < 0 ? null : expected,
    outcome: LOG_OUTCOMES[c.numbers[n + N.outcome]!]!,
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
