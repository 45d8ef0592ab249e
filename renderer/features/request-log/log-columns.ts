/**
 * The request log's rows, column by column: typed arrays for the numbers and one
 * reference-counted table of the session's distinct strings.
 *
 * Runs in: the renderer (pure; no DOM).
 *
 * Why columns: at 5,000 requests/s, a row kept as a JS object lives long enough in the
 * 100,000-row ring to be promoted to the old generation and dies there when evicted, so
 * the old generation churns and major collections make frames long. Here a batch is
 * decoded straight into preallocated typed arrays (no heap object per row), repeated
 * strings (client, method, path, user agent, error text) are stored once, and a request's
 * usual message is rebuilt on demand instead of kept. Row objects are made only for the
 * rows on screen, the details panel and exports ({@link ColumnsView.entry}), and the filter
 * reads the columns through one reused {@link RowCursor}.
 */
import {
  LOG_KINDS,
  LOG_NUMBER_LAYOUT as N,
  LOG_OUTCOME_CODES,
  LOG_OUTCOMES,
  LOG_REF_CODES,
  LOG_STRING_LAYOUT as S,
  usualRequestMessage,
  type LogBatchColumns,
  type RequestLogEntry,
} from '../../../electron/ipc-contract';

const NS = N.stride;
const SS = S.stride;
const USUAL = LOG_REF_CODES.usualMessage;
const IN_PROGRESS = LOG_OUTCOME_CODES['in-progress'];
/** Rows still in progress whose id is remembered (beyond it, the oldest ids are forgotten). */
const MAX_IN_PROGRESS = 20_000;

/** What {@link LiveColumns.append} did with a batch. */
export interface AppendResult {
  /** Seq of the batch's first new row; new rows are seqs `first .. nextSeq - 1`. */
  readonly first: number;
  /** Seqs of rows already held that the batch updated in place (progress, then final). */
  readonly updated: readonly number[];
}

/**
 * The session's distinct strings, each with the number of held rows referring to it. A
 * string whose count drops to 0 is forgotten and its id reused, so the table never holds
 * more than the rows do (clients choose these strings: paths, user agents).
 */
export class StringTable {
  private strs: Array<string | undefined> = [];
  private counts = new Int32Array(1024);
  private readonly ids = new Map<string, number>();
  private free: number[] = [];

  /** Distinct strings held. */
  get size(): number {
    return this.ids.size;
  }

  /** The id of `s` (added when new), with one reference taken for the caller. */
  acquire(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.free.pop() ?? this.strs.length;
      if (id === this.strs.length) this.strs.push(s);
      else this.strs[id] = s;
      if (id >= this.counts.length) {
        const grown = new Int32Array(this.counts.length * 2);
        grown.set(this.counts);
        this.counts = grown;
      }
      this.ids.set(s, id);
    }
    this.counts[id]!++;
    return id;
  }

  retain(id: number): void {
    this.counts[id]!++;
  }

  release(id: number): void {
    if (--this.counts[id]! === 0) {
      this.ids.delete(this.strs[id]!);
      this.strs[id] = undefined;
      this.free.push(id);
    }
  }

  get(id: number): string | undefined {
    return this.strs[id];
  }

  /** The strings by id, copied: a frozen view keeps reading them after ids are reused. */
  copy(): ReadonlyArray<string | undefined> {
    return this.strs.slice();
  }

  clear(): void {
    this.strs = [];
    this.counts.fill(0);
    this.ids.clear();
    this.free = [];
  }
}

/** Rows held in columns, addressed by seq (a number that never repeats, for React keys). */
export abstract class ColumnsView {
  readonly kind: Uint8Array;
  readonly id: Float64Array;
  readonly time: Float64Array;
  readonly connectionId: Float64Array;
  readonly clientPort: Int32Array;
  /** -1 = none. */
  readonly status: Int32Array;
  readonly bytesSent: Float64Array;
  /** -1 = unknown. */
  readonly durationMs: Float64Array;
  readonly bodyBytes: Float64Array;
  readonly headerBytes: Float64Array;
  /** -1 = not announced. */
  readonly expectedBytes: Float64Array;
  /** A code of LOG_OUTCOME_CODES. */
  readonly outcome: Uint8Array;
  /** 7 per slot ({@link LOG_STRING_LAYOUT}): string ids, -1 = null, -2 = the usual request line. */
  readonly refs: Int32Array;
  /** Seq of the oldest row held. */
  protected head = 0;
  /** Seq the next row will get. */
  protected tail = 0;

  protected constructor(
    readonly capacity: number,
    from?: ColumnsView,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.kind = from ? from.kind.slice() : new Uint8Array(capacity);
    this.id = from ? from.id.slice() : new Float64Array(capacity);
    this.time = from ? from.time.slice() : new Float64Array(capacity);
    this.connectionId = from ? from.connectionId.slice() : new Float64Array(capacity);
    this.clientPort = from ? from.clientPort.slice() : new Int32Array(capacity);
    this.status = from ? from.status.slice() : new Int32Array(capacity);
    this.bytesSent = from ? from.bytesSent.slice() : new Float64Array(capacity);
    this.durationMs = from ? from.durationMs.slice() : new Float64Array(capacity);
    this.bodyBytes = from ? from.bodyBytes.slice() : new Float64Array(capacity);
    this.headerBytes = from ? from.headerBytes.slice() : new Float64Array(capacity);
    this.expectedBytes = from ? from.expectedBytes.slice() : new Float64Array(capacity);
    this.outcome = from ? from.outcome.slice() : new Uint8Array(capacity);
    this.refs = from ? from.refs.slice() : new Int32Array(capacity * SS);
    if (from) {
      this.head = from.head;
      this.tail = from.tail;
    }
  }

  /** The string with this id (ids come from {@link refs}). */
  abstract str(id: number): string | null;

  /** Seq of the oldest row held (equals {@link nextSeq} when empty). */
  get oldestSeq(): number {
    return this.head;
  }

  /** Seq the next row gets. */
  get nextSeq(): number {
    return this.tail;
  }

  /** Rows held. */
  get size(): number {
    return this.tail - this.head;
  }

  has(seq: number): boolean {
    return seq >= this.head && seq < this.tail;
  }

  /** Where the row with this seq lives in the arrays (valid while {@link has} is true). */
  slotOf(seq: number): number {
    return seq % this.capacity;
  }

  /** The string field `field` ({@link LOG_STRING_LAYOUT}) of a slot; the message rebuilt when usual. */
  field(slot: number, field: number): string | null {
    const ref = this.refs[slot * SS + field]!;
    if (ref >= 0) return this.str(ref);
    if (ref === USUAL) {
      const r = slot * SS;
      return usualRequestMessage(
        this.str(this.refs[r + S.method]!) ?? '',
        this.str(this.refs[r + S.path]!) ?? '',
        this.str(this.refs[r + S.protocol]!) ?? '',
        this.status[slot]!,
      );
    }
    return null;
  }

  /** The row with this seq as an object, or undefined when it is not held. */
  entry(seq: number): RequestLogEntry | undefined {
    if (!this.has(seq)) return undefined;
    const s = this.slotOf(seq);
    const status = this.status[s]!;
    const duration = this.durationMs[s]!;
    const expected = this.expectedBytes[s]!;
    return {
      id: this.id[s]!,
      kind: LOG_KINDS[this.kind[s]!]!,
      time: this.time[s]!,
      connectionId: this.connectionId[s]!,
      clientAddress: this.field(s, S.clientAddress) ?? '',
      clientPort: this.clientPort[s]!,
      method: this.field(s, S.method),
      path: this.field(s, S.path),
      protocol: this.field(s, S.protocol),
      status: status < 0 ? null : status,
      bytesSent: this.bytesSent[s]!,
      durationMs: duration < 0 ? null : duration,
      bodyBytes: this.bodyBytes[s]!,
      headerBytes: this.headerBytes[s]!,
      expectedBytes: expected < 0 ? null : expected,
      outcome: LOG_OUTCOMES[this.outcome[s]!]!,
      userAgent: this.field(s, S.userAgent),
      referer: this.field(s, S.referer),
      message: this.field(s, S.message) ?? '',
    };
  }
}

/** A copy of the rows at one moment (Pause): its own arrays and its own copy of the strings. */
export class FrozenColumns extends ColumnsView {
  private readonly strs: ReadonlyArray<string | undefined>;

  constructor(from: LiveColumns, strs: ReadonlyArray<string | undefined>) {
    super(from.capacity, from);
    this.strs = strs;
  }

  str(id: number): string | null {
    return this.strs[id] ?? null;
  }
}

/** The live ring: batches are decoded into it; the oldest rows are evicted beyond the capacity. */
export class LiveColumns extends ColumnsView {
  private readonly table = new StringTable();
  private evicted = 0;
  /**
   * Rows in progress by entry id: a later entry with the same id (and the same time, so an id
   * reused by a restarted server never matches) replaces the row instead of adding one.
   */
  private readonly inProgress = new Map<number, number>();

  constructor(capacity: number) {
    super(capacity);
  }

  str(id: number): string | null {
    return this.table.get(id) ?? null;
  }

  /** Rows evicted to stay under the capacity since creation or the last clear. */
  get droppedCount(): number {
    return this.evicted;
  }

  /** Distinct strings held (bounded by the rows held). */
  get distinctStrings(): number {
    return this.table.size;
  }

  /**
   * Decodes checked columns (electron/ipc-contract.ts `checkLogBatch`) into the ring. An entry
   * whose id is that of a row still in progress updates that row in place (server/log.ts
   * `LogOutcome`); every other entry is a new row.
   * @returns the seq of the batch's first new row (its new rows are seqs `first .. nextSeq - 1`,
   * the oldest of them already evicted when the batch was larger than the capacity) and the
   * seqs updated in place.
   */
  append(c: LogBatchColumns): AppendResult {
    const first = this.tail;
    const count = c.count;
    const updated: number[] = [];
    if (count === 0) return { first, updated };
    const table = this.table;
    // Each batch string is pinned while its rows are written: evicting an old row must not
    // free an id this batch is about to use.
    const ids = new Int32Array(c.strings.length);
    for (let i = 0; i < ids.length; i++) ids[i] = table.acquire(c.strings[i]!);
    const nums = c.numbers;
    const inRefs = c.refs;
    const cap = this.capacity;
    const refs = this.refs;
    const inProgress = this.inProgress;
    for (let i = 0; i < count; i++) {
      const n = i * NS;
      const id = nums[n + N.id]!;
      const outcome = nums[n + N.outcome]!;
      let slot: number;
      const held = inProgress.size > 0 ? inProgress.get(id) : undefined;
      if (held !== undefined && this.has(held) && this.time[this.slotOf(held)] === nums[n + N.time]) {
        // An update of a row in progress: same slot, its old strings released.
        slot = this.slotOf(held);
        const o = slot * SS;
        for (let f = 0; f < SS; f++) {
          const old = refs[o + f]!;
          if (old >= 0) table.release(old);
        }
        if (outcome !== IN_PROGRESS) inProgress.delete(id);
        updated.push(held);
      } else {
        if (held !== undefined) inProgress.delete(id);
        if (this.tail - this.head === cap) this.evictOldest();
        slot = this.tail % cap;
        if (outcome === IN_PROGRESS) {
          if (inProgress.size >= MAX_IN_PROGRESS) inProgress.delete(inProgress.keys().next().value!);
          inProgress.set(id, this.tail);
        }
        this.tail++;
      }
      this.id[slot] = id;
      this.kind[slot] = nums[n + N.kind]!;
      this.time[slot] = nums[n + N.time]!;
      this.connectionId[slot] = nums[n + N.connectionId]!;
      this.clientPort[slot] = nums[n + N.clientPort]!;
      this.status[slot] = nums[n + N.status]!;
      this.bytesSent[slot] = nums[n + N.bytesSent]!;
      this.durationMs[slot] = nums[n + N.durationMs]!;
      this.bodyBytes[slot] = nums[n + N.bodyBytes]!;
      this.headerBytes[slot] = nums[n + N.headerBytes]!;
      this.expectedBytes[slot] = nums[n + N.expectedBytes]!;
      this.outcome[slot] = outcome;
      const r = i * SS;
      const o = slot * SS;
      for (let f = 0; f < SS; f++) {
        const ref = inRefs[r + f]!;
        if (ref >= 0) {
          const id = ids[ref]!;
          table.retain(id);
          refs[o + f] = id;
        } else refs[o + f] = ref;
      }
    }
    for (let i = 0; i < ids.length; i++) table.release(ids[i]!);
    return { first, updated };
  }

  /**
   * Marks every row still in progress `incomplete`: its server is gone (stopped, restarted or
   * crashed), so no final entry will come. @returns the seqs changed.
   */
  settleInProgress(): number[] {
    const changed: number[] = [];
    for (const seq of this.inProgress.values()) {
      if (!this.has(seq)) continue;
      const slot = this.slotOf(seq);
      if (this.outcome[slot] !== IN_PROGRESS) continue;
      this.outcome[slot] = LOG_OUTCOME_CODES.incomplete;
      changed.push(seq);
    }
    this.inProgress.clear();
    return changed;
  }

  /** A frozen copy of the rows held now. */
  freeze(): FrozenColumns {
    return new FrozenColumns(this, this.table.copy());
  }

  /** Forgets every row. Seqs keep increasing, so keys never collide with old rows. */
  clear(): void {
    this.head = this.tail;
    this.evicted = 0;
    this.table.clear();
    this.inProgress.clear();
  }

  private evictOldest(): void {
    const o = (this.head % this.capacity) * SS;
    const refs = this.refs;
    for (let f = 0; f < SS; f++) {
      const id = refs[o + f]!;
      if (id >= 0) this.table.release(id);
    }
    this.head++;
    this.evicted++;
  }
}

/**
 * One reused object that reads a row's fields straight from the columns, so a filter
 * (written against {@link RequestLogEntry}) tests a row without a row object being made.
 * Valid only until the next {@link at}: never keep it.
 */
export class RowCursor implements RequestLogEntry {
  private c: ColumnsView | null = null;
  private s = 0;

  at(c: ColumnsView, slot: number): this {
    this.c = c;
    this.s = slot;
    return this;
  }

  get id(): number {
    return this.c!.id[this.s]!;
  }
  get kind(): RequestLogEntry['kind'] {
    return LOG_KINDS[this.c!.kind[this.s]!]!;
  }
  get time(): number {
    return this.c!.time[this.s]!;
  }
  get connectionId(): number {
    return this.c!.connectionId[this.s]!;
  }
  get clientAddress(): string {
    return this.c!.field(this.s, S.clientAddress) ?? '';
  }
  get clientPort(): number {
    return this.c!.clientPort[this.s]!;
  }
  get method(): string | null {
    return this.c!.field(this.s, S.method);
  }
  get path(): string | null {
    return this.c!.field(this.s, S.path);
  }
  get protocol(): string | null {
    return this.c!.field(this.s, S.protocol);
  }
  get status(): number | null {
    const v = this.c!.status[this.s]!;
    return v < 0 ? null : v;
  }
  get bytesSent(): number {
    return this.c!.bytesSent[this.s]!;
  }
  get durationMs(): number | null {
    const v = this.c!.durationMs[this.s]!;
    return v < 0 ? null : v;
  }
  get bodyBytes(): number {
    return this.c!.bodyBytes[this.s]!;
  }
  get headerBytes(): number {
    return this.c!.headerBytes[this.s]!;
  }
  get expectedBytes(): number | null {
    const v = this.c!.expectedBytes[this.s]!;
    return v < 0 ? null : v;
  }
  get outcome(): RequestLogEntry['outcome'] {
    return LOG_OUTCOMES[this.c!.outcome[this.s]!]!;
  }
  get userAgent(): string | null {
    return this.c!.field(this.s, S.userAgent);
  }
  get referer(): string | null {
    return this.c!.field(this.s, S.referer);
  }
  get message(): string {
    return this.c!.field(this.s, S.message) ?? '';
  }
}
