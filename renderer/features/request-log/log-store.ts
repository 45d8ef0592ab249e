/**
 * The live request log's store: rows kept column by column (log-columns.ts), published to
 * React at most once per animation frame through `useSyncExternalStore`.
 *
 * Runs in: the renderer. Pure apart from the injected frame scheduler, so the unit tests
 * drive it in Node with a manual scheduler.
 *
 * Why this shape (style.md "Renderer state" / "Log rendering"): at thousands of requests
 * per second, per-row React state, copying arrays per batch, or one long-lived object per
 * row would make frames long and memory churn. Here a batch is checked, then decoded
 * straight into the columns; each new row bumps the counters and is tested once against
 * the compiled filter (through a reused cursor, no row object); matching seqs go into a
 * bounded index. A publish allocates one small snapshot object; the table makes row objects
 * only for the rows it shows, through {@link LogSnapshot.entryAt}.
 */
import { useSyncExternalStore } from 'react';
import {
  checkLogBatch,
  entriesClaimedBy,
  LOG_KIND_CODES,
  LOG_NUMBER_LAYOUT as N,
  LOG_OUTCOME_CODES,
  LOG_STRING_LAYOUT as S,
  type LogBatch,
  type RequestLogEntry,
} from '../../../electron/ipc-contract';
import { SeqIndex } from './ring-buffer';
import { compileFilter, EMPTY_FILTER, type LogFilter } from './filters';
import { LiveColumns, RowCursor, type ColumnsView, type FrozenColumns } from './log-columns';

/** Most rows the window keeps; older rows are dropped (and counted). */
export const LOG_CAPACITY = 100_000;
/** Most distinct methods offered in the method filter (clients can invent methods). */
const MAX_METHODS = 24;
/** Most entries listed in a row's details (same connection). */
const MAX_RELATED = 200;
/** Row objects kept for reuse, so rows on screen keep their identity between frames. */
const MAX_CACHED_ROWS = 2048;
const NS = N.stride;
const SS = S.stride;

export interface LogCounters {
  /** Answered requests since the last clear (counted when final, not while in progress). */
  readonly requests: number;
  /**
   * Requests answered with a 4xx or 5xx status, cut short (`incomplete`) or whose script
   * failed (`failed`).
   */
  readonly errors: number;
  /** Bytes of responses sent (headers and bodies). */
  readonly bytesSent: number;
}

/** Where the shown rows come from: the live columns, or a copy frozen by Pause. */
interface RowSource {
  /** The row as an object; the same object for the same seq while it stays cached. */
  get(seq: number): RequestLogEntry | undefined;
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
  private readonly live: LiveColumns;
  private liveIndex: SeqIndex;
  private filter: LogFilter = EMPTY_FILTER;
  private predicate = compileFilter(EMPTY_FILTER);
  private readonly cursor = new RowCursor();
  private requests = 0;
  private errors = 0;
  private bytesSent = 0;
  private notReceived = 0;
  private readonly methodSet = new Set<string>();
  private methods: readonly string[] = [];
  private frozen: { columns: FrozenColumns; index: SeqIndex; arrivedFrom: number } | null = null;
  private readonly listeners = new Set<() => void>();
  /** Row objects made for display, by seq (dropped when the row is updated in place). */
  private readonly rowCache = new Map<number, RequestLogEntry>();
  private readonly schedule: FrameScheduler;
  private scheduled = false;
  private version = 0;
  private snapshot: LogSnapshot;
  private readonly liveSource: RowSource;

  constructor(options: LogStoreOptions = {}) {
    const capacity = options.capacity ?? LOG_CAPACITY;
    this.live = new LiveColumns(capacity);
    this.liveIndex = new SeqIndex(capacity);
    this.schedule = options.schedule ?? defaultScheduler;
    this.liveSource = this.sourceOf(this.live);
    this.snapshot = this.makeSnapshot();
  }

  /**
   * Adds a batch from the `log:batch` channel. Cheap: no React work until the next frame.
   * A batch that fails the contract's check is not read: its entries are counted as not
   * received, and the reason goes to the console for developers.
   */
  append(batch: LogBatch): void {
    const problem = checkLogBatch(batch);
    if (problem !== null) {
      const lost = entriesClaimedBy(batch);
      console.error(`Servedir: a log batch could not be read (${problem}); ${lost} entries counted as not received.`);
      if (lost > 0) {
        this.notReceived += lost;
        this.requestPublish();
      }
      return;
    }
    if (batch.dropped > 0) this.notReceived += batch.dropped;
    this.count(batch.columns);
    const live = this.live;
    const { first, updated } = live.append(batch.columns);
    const rebuild = this.changedInPlace(updated);
    const index = this.liveIndex;
    const predicate = this.predicate;
    const cursor = this.cursor;
    // Rows of this batch already evicted (a batch larger than the capacity) are only counted.
    for (let seq = Math.max(first, live.oldestSeq); seq < live.nextSeq; seq++) {
      if (predicate(cursor.at(live, live.slotOf(seq)))) index.push(seq);
    }
    index.dropBelow(live.oldestSeq);
    if (rebuild) this.liveIndex = this.buildIndex(live);
    if (batch.columns.count > 0 || batch.dropped > 0) this.requestPublish();
  }

  /**
   * The server went away (any status but running): rows still in progress will get no final
   * entry, so they are shown `incomplete` and counted now (as errors).
   */
  settleInProgress(): void {
    const live = this.live;
    const changed = live.settleInProgress();
    if (changed.length === 0) return;
    for (const seq of changed) {
      const slot = live.slotOf(seq);
      if (live.kind[slot] === LOG_KIND_CODES.request) {
        this.requests++;
        this.errors++;
        this.bytesSent += live.bytesSent[slot]!;
      }
    }
    // Now incomplete: a filter of problems shows them.
    if (this.changedInPlace(changed)) this.liveIndex = this.buildIndex(live);
    this.requestPublish();
  }

  /**
   * Rows of the live buffer changed in place (progress, then final; or settled): they get new
   * row objects. True when a change altered whether the filter shows one of them (rare, e.g. a
   * row turned incomplete under Problems): the index must then be rebuilt.
   */
  private changedInPlace(seqs: Iterable<number>): boolean {
    const live = this.live;
    const index = this.liveIndex;
    const predicate = this.predicate;
    const cursor = this.cursor;
    let rebuild = false;
    for (const seq of seqs) {
      this.rowCache.delete(seq);
      if (!rebuild && live.has(seq) && predicate(cursor.at(live, live.slotOf(seq))) !== index.includes(seq)) rebuild = true;
    }
    return rebuild;
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
    this.liveIndex = this.buildIndex(this.live);
    if (this.frozen !== null) this.frozen = { ...this.frozen, index: this.buildIndex(this.frozen.columns) };
    this.requestPublish();
  }

  /** Freezes the display; entries keep arriving into the buffer and are counted. */
  pause(): void {
    if (this.frozen !== null) return;
    const columns = this.live.freeze();
    this.frozen = { columns, index: this.buildIndex(columns), arrivedFrom: this.live.nextSeq };
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
    this.live.clear();
    this.liveIndex = new SeqIndex(this.live.capacity);
    this.rowCache.clear();
    this.requests = 0;
    this.errors = 0;
    this.bytesSent = 0;
    this.notReceived = 0;
    if (this.frozen !== null) {
      const columns = this.live.freeze();
      this.frozen = { columns, index: new SeqIndex(1), arrivedFrom: this.live.nextSeq };
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
    const view: ColumnsView = this.frozen?.columns ?? this.live;
    const shown = new Set<number>();
    const connections = new Set<string>();
    const snap = this.snapshot;
    for (let i = 0; i < snap.count; i++) {
      const seq = snap.seqAt(i);
      if (seq === undefined || !view.has(seq)) continue;
      shown.add(seq);
      const slot = view.slotOf(seq);
      if (view.kind[slot] === 0) connections.add(`${view.connectionId[slot]}:${view.clientPort[slot]}`);
    }
    for (let seq = view.oldestSeq; seq < view.nextSeq; seq++) {
      const slot = view.slotOf(seq);
      if (shown.has(seq) || (view.kind[slot] !== 0 && connections.has(`${view.connectionId[slot]}:${view.clientPort[slot]}`)))
        yield view.entry(seq)!;
    }
  }

  /** The row with this seq and the entries of its connection that are still held. */
  details(seq: number): RowDetails | null {
    const source = this.frozen !== null ? this.sourceOf(this.frozen.columns) : this.liveSource;
    const entry = source.get(seq) ?? this.liveSource.get(seq);
    if (entry === undefined) return null;
    const live = this.live;
    const connection: RequestLogEntry[] = [];
    let truncated = false;
    // Scan newest to oldest so the entries nearest the newest are the ones kept.
    for (let s = live.nextSeq - 1; s >= live.oldestSeq; s--) {
      const slot = live.slotOf(s);
      if (live.connectionId[slot] !== entry.connectionId || live.clientPort[slot] !== entry.clientPort) continue;
      if (connection.length === MAX_RELATED) {
        truncated = true;
        break;
      }
      connection.push(s === seq ? entry : this.liveSource.get(s)!);
    }
    connection.reverse();
    if (!connection.includes(entry)) connection.push(entry);
    return { entry, connection, truncated };
  }

  /** Distinct strings the live rows hold (for tests: bounded by the rows held). */
  get distinctStrings(): number {
    return this.live.distinctStrings;
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

  /** Counters and the method list, from the batch itself (so rows evicted at once still count). */
  private count(c: LogBatch['columns']): void {
    const nums = c.numbers;
    const refs = c.refs;
    const seen = new Uint8Array(c.strings.length);
    for (let i = 0; i < c.count; i++) {
      const n = i * NS;
      const outcome = nums[n + N.outcome]!;
      // A request counts once, by its final entry (its progress updates carry the same id).
      if (nums[n + N.kind] === LOG_KIND_CODES.request && outcome !== LOG_OUTCOME_CODES['in-progress']) {
        this.requests++;
        if (nums[n + N.status]! >= 400 || outcome === LOG_OUTCOME_CODES.incomplete || outcome === LOG_OUTCOME_CODES.failed) this.errors++;
        this.bytesSent += nums[n + N.bytesSent]!;
      }
      const m = refs[i * SS + S.method]!;
      if (m >= 0 && seen[m] === 0) {
        seen[m] = 1;
        const method = c.strings[m]!;
        if (!this.methodSet.has(method) && this.methodSet.size < MAX_METHODS) {
          this.methodSet.add(method);
          this.methods = [...this.methodSet].sort();
        }
      }
    }
  }

  /** Rows of `view` as objects, cached by seq so a row on screen keeps its identity. */
  private sourceOf(view: ColumnsView): RowSource {
    const cache = this.rowCache;
    return {
      get: (seq) => {
        const hit = cache.get(seq);
        if (hit !== undefined) return view.has(seq) ? hit : undefined;
        const e = view.entry(seq);
        if (e === undefined) return undefined;
        if (cache.size >= MAX_CACHED_ROWS) cache.delete(cache.keys().next().value!);
        cache.set(seq, e);
        return e;
      },
    };
  }

  private requestPublish(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      if (this.scheduled) this.flush();
    });
  }

  private buildIndex(view: ColumnsView): SeqIndex {
    const index = new SeqIndex(this.live.capacity);
    const predicate = this.predicate;
    const cursor = this.cursor;
    for (let s = view.oldestSeq; s < view.nextSeq; s++) {
      if (predicate(cursor.at(view, view.slotOf(s)))) index.push(s);
    }
    return index;
  }

  private makeSnapshot(): LogSnapshot {
    const f = this.frozen;
    const source = f !== null ? this.sourceOf(f.columns) : this.liveSource;
    const index = f?.index ?? this.liveIndex;
    return new LogSnapshot(
      ++this.version,
      source,
      index,
      index.start,
      index.length,
      this.live.size,
      this.live.droppedCount,
      this.notReceived,
      { requests: this.requests, errors: this.errors, bytesSent: this.bytesSent },
      f !== null,
      f !== null ? this.live.nextSeq - f.arrivedFrom : 0,
      this.methods,
      this.filter,
    );
  }
}

/** Subscribes a component to the store's per-frame snapshot. */
export function useLogSnapshot(store: LogStore): LogSnapshot {
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
