/**
 * Writes log entries into a {@link LogColumns} batch as they arrive, so the utility host
 * keeps no object per request while a batch fills (the wire format is described in
 * protocol.ts).
 *
 * Runs in: the utility host process (host-core.ts's batcher), and in tests. Pure: no Node
 * API, no Electron.
 */
import type { LogKind, RequestLogEntry } from '../log.js';
import type { LogColumns, LogKindCodes, LogNumberLayout, LogRefCodes, LogStringLayout } from './protocol.js';

/** The layout of a batch (the shell and the window import it through electron/ipc-contract.ts). */
export const LOG_NUMBER_LAYOUT: LogNumberLayout = {
  id: 0,
  kind: 1,
  time: 2,
  connectionId: 3,
  clientPort: 4,
  status: 5,
  bytesSent: 6,
  durationMs: 7,
  stride: 8,
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
export const LOG_KIND_CODES: LogKindCodes = { request: 0, error: 1, 'cgi-stderr': 2, message: 3 };
export const LOG_REF_CODES: LogRefCodes = { null: -1, usualMessage: -2 };

const N = LOG_NUMBER_LAYOUT;
const S = LOG_STRING_LAYOUT;
const NS = N.stride;
const SS = S.stride;

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
