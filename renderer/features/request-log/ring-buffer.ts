/**
 * Fixed-capacity ring buffer with monotonic sequence numbers.
 *
 * Runs in: the renderer (pure; no DOM). Lives outside React: the request log appends
 * thousands of entries per second and React only ever sees a small snapshot object.
 *
 * Every pushed item gets a sequence number (`seq`) that never repeats for the life of
 * the buffer, even across {@link RingBuffer.clear}, so it can serve as a stable React key.
 */
export class RingBuffer<T> {
  private readonly slots: Array<T | undefined>;
  /** Seq of the oldest item still held. */
  private head = 0;
  /** Seq the next pushed item will get. */
  private tail = 0;
  private evicted = 0;

  /** @param capacity most items held at once; older ones are dropped first. */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.slots = new Array<T | undefined>(capacity);
  }

  /** Items held right now. */
  get size(): number {
    return this.tail - this.head;
  }

  /** Seq of the oldest item held (equals {@link nextSeq} when empty). */
  get oldestSeq(): number {
    return this.head;
  }

  /** Seq the next {@link push} will return. */
  get nextSeq(): number {
    return this.tail;
  }

  /** Items dropped to stay under the capacity since creation or the last clear. */
  get droppedCount(): number {
    return this.evicted;
  }

  /** Appends an item, dropping the oldest when full; returns the new item's seq. */
  push(item: T): number {
    if (this.tail - this.head === this.capacity) {
      this.slots[this.head % this.capacity] = undefined;
      this.head++;
      this.evicted++;
    }
    const seq = this.tail++;
    this.slots[seq % this.capacity] = item;
    return seq;
  }

  /** The item with this seq, or undefined when it was dropped or never existed. */
  get(seq: number): T | undefined {
    if (seq < this.head || seq >= this.tail) return undefined;
    return this.slots[seq % this.capacity];
  }

  /** Drops every item. Seqs keep increasing, so keys never collide with old rows. */
  clear(): void {
    for (let s = this.head; s < this.tail; s++) this.slots[s % this.capacity] = undefined;
    this.head = this.tail;
    this.evicted = 0;
  }

  /** A copy of the held items, oldest first (one array, for pause and export). */
  toArray(): T[] {
    const out = new Array<T>(this.size);
    for (let s = this.head, i = 0; s < this.tail; s++, i++) out[i] = this.slots[s % this.capacity] as T;
    return out;
  }
}

/**
 * A bounded FIFO of seqs (numbers), used as the filtered view's index into the ring.
 * Positions are logical and monotonic, so a published snapshot can keep addressing
 * "its" rows while new ones arrive; a position that has since been dropped reads as
 * undefined instead of silently shifting to another row.
 */
export class SeqIndex {
  private readonly buf: Float64Array;
  /** Logical position of the first held seq. */
  private first = 0;
  /** Logical position one past the last held seq. */
  private end = 0;

  constructor(readonly capacity: number) {
    this.buf = new Float64Array(capacity);
  }

  get start(): number {
    return this.first;
  }

  get length(): number {
    return this.end - this.first;
  }

  /** Logical position one past the newest seq. */
  get endPosition(): number {
    return this.end;
  }

  push(seq: number): void {
    if (this.end - this.first === this.capacity) this.first++;
    this.buf[this.end % this.capacity] = seq;
    this.end++;
  }

  /** Forgets seqs below `minSeq` (they were dropped from the ring). Seqs are pushed in order. */
  dropBelow(minSeq: number): void {
    while (this.first < this.end && this.buf[this.first % this.capacity]! < minSeq) this.first++;
  }

  /** The seq at a logical position, or undefined when it is no longer held. */
  at(position: number): number | undefined {
    if (position < this.first || position >= this.end) return undefined;
    return this.buf[position % this.capacity];
  }
}
