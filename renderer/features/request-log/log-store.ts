/**
 * The live request log's store: a ring buffer outside React, published to React at most
 * once per animation frame through `useSyncExternalStore`.
 *
 * Runs in: the renderer. Pure apart from the injected frame scheduler, so the unit tests
 * drive it in Node with a manual scheduler.
 *
 * Why this shape (style.md "Renderer state" / "Log rendering"): at thousands of requests
 * per second, per-row React state or copying arrays per batch would make frames long and
 * memory grow. Here a batch costs O(batch): each entry goes into the ring, bumps the
 * counters and is tested once against the compiled filter; matching seqs go into a
 * bounded index. A publish allocates one small snapshot object; the table reads only
 * the rows it shows through {@link LogSnapshot.entryAt}.
 */
import { useSyncExternalStore } from 'react';
import type { LogBatch, RequestLogEntry } from '../../../electron/ipc-contract';
import { RingBuffer, SeqIndex } from './ring-buffer';
import { compileFilter, EMPTY_FILTER, type LogFilter } from './filters';

/** Most rows the window keeps; older rows are dropped (and counted). */
export const LOG_CAPACITY = 100_000;
/** Most distinct methods offered in the method filter (clients can invent methods). */
const MAX_METHODS = 24;
/** Most entries listed in a row's details (same connection). */
const MAX_RELATED = 200;

export interface LogCounters {
  /** Answered requests since the last clear. */
  readonly requests: number;
  /** Requests answered with a 4xx or 5xx status. */
  readonly errors: number;
  /** Bytes of responses sent (headers and bodies). */
  readonly bytesSent: number;
}

/** Where the shown rows come from: the live ring, or a copy frozen by Pause. */
interface RowSource {
  get(seq: number): RequestLogEntry | undefined;
}

class FrozenSource implements RowSource {
  constructor(
    private readonly base: number,
    private readonly rows: readonly RequestLogEntry[],
  ) {}
  get(seq: number): RequestLogEntry | undefined {
    return this.rows[seq - this.base];
  }
  get startSeq(): number {
    return this.base;
  }
  get endSeq(): number {
    return this.base + this.rows.length;
  }
}

/**
 * A log entry as the ring keeps it. Under load every kept entry lives long enough to be
 * promoted to the old generation, and each one evicted is old-space garbage, so fewer
 * heap objects per entry means shorter garbage-collection pauses. Repeated strings are
 * shared, and a request's message is not stored when it is exactly the one CPython's
 * `log_request` writes (`"<method> <path> <protocol>" <status> -`): the getter rebuilds
 * it, byte for byte. Anything else (odd spacing, HTTP/0.9, errors, script output) keeps
 * the message as received.
 */
class KeptEntry implements RequestLogEntry {
  readonly id: number;
  readonly kind: RequestLogEntry['kind'];
  readonly time: number;
  readonly connectionId: number;
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly method: string | null;
  readonly path: string | null;
  readonly protocol: string | null;
  readonly status: number | null;
  readonly bytesSent: number;
  readonly durationMs: number | null;
  readonly userAgent: string | null;
  readonly referer: string | null;
  private readonly rawMessage: string | null;

  constructor(e: RequestLogEntry, intern: (s: string) => string) {
    this.id = e.id;
    this.kind = e.kind;
    this.time = e.time;
    this.connectionId = e.connectionId;
    this.clientAddress = intern(e.clientAddress);
    this.clientPort = e.clientPort;
    this.method = e.method === null ? null : intern(e.method);
    this.path = e.path;
    this.protocol = e.protocol === null ? null : intern(e.protocol);
    this.status = e.status;
    this.bytesSent = e.bytesSent;
    this.durationMs = e.durationMs;
    this.userAgent = e.userAgent === null ? null : intern(e.userAgent);
    this.referer = e.referer === null ? null : intern(e.referer);
    this.rawMessage = e.message === KeptEntry.usualMessage(e) ? null : e.message;
  }

  get message(): string {
    return this.rawMessage ?? KeptEntry.usualMessage(this)!;
  }

  private static usualMessage(e: RequestLogEntry): string | null {
    if (e.kind !== 'request' || e.method === null || e.path === null || e.protocol === null || e.status === null)
      return null;
    return `"${e.method} ${e.path} ${e.protocol}" ${e.status} -`;
  }
}

/** What React sees: immutable between publishes. */
export class LogSnapshot {
  constructor(
    /** Increases with every publish. */
    readonly version: number,
    private readonly source: RowSource,
    private readonly index: SeqIndex,
    /** Logical position of the first shown row; grows as old rows are dropped. */
    readonly startPos: number,
    /** Rows in the (filtered) view. */
    readonly count: number,
    /** Rows held in memory (unfiltered). */
    readonly held: number,
    /** Older rows removed to stay under {@link LOG_CAPACITY}. */
    readonly droppedOld: number,
    /** Entries the app could not deliver to the window (LogBatch.dropped), counted apart. */
    readonly notReceived: number,
    readonly counters: LogCounters,
    readonly paused: boolean,
    /** Entries that arrived since Pause was pressed. */
    readonly arrivedWhilePaused: number,
    /** Methods seen so far, for the method filter. */
    readonly methods: readonly string[],
    readonly filter: LogFilter,
  ) {}

  /** Stable key (seq) of the i-th shown row, or undefined when it has since been dropped. */
  seqAt(i: number): number | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return this.index.at(this.startPos + i);
  }

  /** The i-th shown row, or undefined when it has since been dropped. */
  entryAt(i: number): RequestLogEntry | undefined {
    const seq = this.seqAt(i);
    return seq === undefined ? undefined : this.source.get(seq);
  }

  /** Identity of the row index: changes when the filter or pause state changes. */
  get viewKey(): object {
    return this.index;
  }

  /** Position of the row with this seq in the view, or -1 (binary search: seqs ascend). */
  indexOfSeq(seq: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.seqAt(mid);
      if (s === undefined) lo = mid + 1; // dropped since: older than everything held
      else if (s < seq) lo = mid + 1;
      else if (s > seq) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  /** The shown rows in order (for export): one pass, no intermediate copies. */
  *entries(): IterableIterator<RequestLogEntry> {
    for (let i = 0; i < this.count; i++) {
      const e = this.entryAt(i);
      if (e !== undefined) yield e;
    }
  }
}

/** Runs a callback before the next frame; injected so tests can step frames by hand. */
export type FrameScheduler = (callback: () => void) => void;

const defaultScheduler: FrameScheduler = (cb) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => cb());
  else setTimeout(cb, 16);
};

export interface LogStoreOptions {
  readonly capacity?: number;
  readonly schedule?: FrameScheduler;
}

/** Details of one row: the row and the other entries of its connection still held. */
export interface RowDetails {
  readonly entry: RequestLogEntry;
  /** Entries with the same connectionId, oldest first, the row itself included. */
  readonly connection: readonly RequestLogEntry[];
  /** True when more entries of this connection exist than are listed. */
  readonly truncated: boolean;
}

export class LogStore {
  private readonly ring: RingBuffer<RequestLogEntry>;
  private liveIndex: SeqIndex;
  private filter: LogFilter = EMPTY_FILTER;
  private predicate = compileFilter(EMPTY_FILTER);
  private requests = 0;
  private errors = 0;
  private bytesSent = 0;
  private notReceived = 0;
  private readonly methodSet = new Set<string>();
  private methods: readonly string[] = [];
  private frozen: { source: FrozenSource; index: SeqIndex; arrivedFrom: number } | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly strings = new Map<string, string>();
  private readonly schedule: FrameScheduler;
  private scheduled = false;
  private version = 0;
  private snapshot: LogSnapshot;

  constructor(options: LogStoreOptions = {}) {
    const capacity = options.capacity ?? LOG_CAPACITY;
    this.ring = new RingBuffer(capacity);
    this.liveIndex = new SeqIndex(capacity);
    this.schedule = options.schedule ?? defaultScheduler;
    this.snapshot = this.makeSnapshot();
  }

  /** Adds a batch from the `log:batch` channel. Cheap: no React work until the next frame. */
  append(batch: LogBatch): void {
    if (batch.dropped > 0) this.notReceived += batch.dropped;
    const ring = this.ring;
    const index = this.liveIndex;
    const predicate = this.predicate;
    for (const raw of batch.entries) {
      const e = this.compact(raw);
      const seq = ring.push(e);
      if (e.kind === 'request') {
        this.requests++;
        if (e.status !== null && e.status >= 400) this.errors++;
        this.bytesSent += e.bytesSent;
      }
      if (e.method !== null && !this.methodSet.has(e.method) && this.methodSet.size < MAX_METHODS) {
        this.methodSet.add(e.method);
        this.methods = [...this.methodSet].sort();
      }
      if (predicate(e)) index.push(seq);
    }
    index.dropBelow(ring.oldestSeq);
    if (batch.entries.length > 0 || batch.dropped > 0) this.requestPublish();
  }

  /**
   * Changes the filter from the current one (not from the last published snapshot, which
   * can be a frame old: two quick clicks must both count).
   */
  updateFilter(update: (current: LogFilter) => LogFilter): void {
    this.setFilter(update(this.filter));
  }

  /** Changes the filter: re-tests the held rows once (bounded by the capacity). */
  setFilter(filter: LogFilter): void {
    this.filter = filter;
    this.predicate = compileFilter(filter);
    this.liveIndex = this.buildIndex(this.ring, this.ring.oldestSeq, this.ring.nextSeq);
    if (this.frozen !== null) {
      const src = this.frozen.source;
      this.frozen = { ...this.frozen, index: this.buildIndex(src, src.startSeq, src.endSeq) };
    }
    this.requestPublish();
  }

  /** Freezes the display; entries keep arriving into the buffer and are counted. */
  pause(): void {
    if (this.frozen !== null) return;
    const source = new FrozenSource(this.ring.oldestSeq, this.ring.toArray());
    this.frozen = {
      source,
      index: this.buildIndex(source, source.startSeq, source.endSeq),
      arrivedFrom: this.ring.nextSeq,
    };
    this.requestPublish();
  }

  /** Shows the live rows again. */
  resume(): void {
    if (this.frozen === null) return;
    this.frozen = null;
    this.requestPublish();
  }

  /** Forgets every row and resets the counters (and un-pauses nothing: a paused view empties). */
  clear(): void {
    this.ring.clear();
    this.liveIndex = new SeqIndex(this.ring.capacity);
    this.requests = 0;
    this.errors = 0;
    this.bytesSent = 0;
    this.notReceived = 0;
    if (this.frozen !== null) {
      const source = new FrozenSource(this.ring.nextSeq, []);
      this.frozen = { source, index: new SeqIndex(1), arrivedFrom: this.ring.nextSeq };
    }
    this.requestPublish();
  }

  /**
   * The entries for the text export, in arrival order: the shown rows, plus the messages
   * (errors, notes, script output) of the connections of the shown requests even while
   * the Messages filter hides them. CPython writes "code 404, message File not found"
   * before the request line of a 404; without those lines the file would not be what
   * `python -m http.server` prints, which is the point of this export.
   */
  *textExportEntries(): IterableIterator<RequestLogEntry> {
    const shown = new Set<RequestLogEntry>();
    const connections = new Set<string>();
    for (const e of this.snapshot.entries()) {
      shown.add(e);
      if (e.kind === 'request') connections.add(`${e.connectionId}:${e.clientPort}`);
    }
    const f = this.frozen;
    const source: RowSource = f?.source ?? this.ring;
    const from = f !== null ? f.source.startSeq : this.ring.oldestSeq;
    const to = f !== null ? f.source.endSeq : this.ring.nextSeq;
    for (let s = from; s < to; s++) {
      const e = source.get(s);
      if (e === undefined) continue;
      if (shown.has(e) || (e.kind !== 'request' && connections.has(`${e.connectionId}:${e.clientPort}`))) yield e;
    }
  }

  /** The row with this seq and the entries of its connection that are still held. */
  details(seq: number): RowDetails | null {
    const source: RowSource = this.frozen?.source ?? this.ring;
    const entry = source.get(seq) ?? this.ring.get(seq);
    if (entry === undefined) return null;
    const connection: RequestLogEntry[] = [];
    let truncated = false;
    // Scan newest to oldest so the entries nearest the newest are the ones kept.
    for (let s = this.ring.nextSeq - 1; s >= this.ring.oldestSeq; s--) {
      const e = this.ring.get(s)!;
      if (e.connectionId !== entry.connectionId || e.clientPort !== entry.clientPort) continue;
      if (connection.length === MAX_RELATED) {
        truncated = true;
        break;
      }
      connection.push(e);
    }
    connection.reverse();
    if (!connection.includes(entry)) connection.push(entry);
    return { entry, connection, truncated };
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): LogSnapshot => this.snapshot;

  /** Publishes now instead of at the next frame (tests, and after user actions). */
  flush(): void {
    this.scheduled = false;
    this.snapshot = this.makeSnapshot();
    for (const l of this.listeners) l();
  }

  /**
   * The entry as the ring keeps it (see {@link KeptEntry}): repeated strings (client,
   * method, protocol, user agent, referer) shared between entries, and the usual request
   * message rebuilt on demand instead of stored.
   */
  private compact(e: RequestLogEntry): RequestLogEntry {
    return new KeptEntry(e, (s) => this.intern(s));
  }

  private intern(s: string): string {
    if (s.length > 512) return s; // not worth a slot; such values are rarely repeated
    const hit = this.strings.get(s);
    if (hit !== undefined) return hit;
    // Bounded: clients choose these strings, so never let the table grow without limit.
    if (this.strings.size >= 4096) this.strings.clear();
    this.strings.set(s, s);
    return s;
  }

  private requestPublish(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      if (this.scheduled) this.flush();
    });
  }

  private buildIndex(source: RowSource, fromSeq: number, toSeq: number): SeqIndex {
    const index = new SeqIndex(this.ring.capacity);
    const predicate = this.predicate;
    for (let s = fromSeq; s < toSeq; s++) {
      const e = source.get(s);
      if (e !== undefined && predicate(e)) index.push(s);
    }
    return index;
  }

  private makeSnapshot(): LogSnapshot {
    const f = this.frozen;
    const source: RowSource = f?.source ?? this.ring;
    const index = f?.index ?? this.liveIndex;
    return new LogSnapshot(
      ++this.version,
      source,
      index,
      index.start,
      index.length,
      this.ring.size,
      this.ring.droppedCount,
      this.notReceived,
      { requests: this.requests, errors: this.errors, bytesSent: this.bytesSent },
      f !== null,
      f !== null ? this.ring.nextSeq - f.arrivedFrom : 0,
      this.methods,
      this.filter,
    );
  }
}

/** Subscribes a component to the store's per-frame snapshot. */
export function useLogSnapshot(store: LogStore): LogSnapshot {
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
