/**
 * The filtered view's index of row seqs (the rows themselves live in log-columns.ts, a
 * ring of columns whose seqs never repeat, even across a clear, so they serve as React keys).
 *
 * Runs in: the renderer (pure; no DOM). Lives outside React: the request log appends
 * thousands of entries per second and React only ever sees a small snapshot object.
 */
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

  /** True when `seq` is held (binary search: seqs are pushed in ascending order). */
  includes(seq: number): boolean {
    let lo = this.first;
    let hi = this.end - 1;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const s = this.buf[mid % this.capacity]!;
      if (s < seq) lo = mid + 1;
      else if (s > seq) hi = mid - 1;
      else return true;
    }
    return false;
  }

  /** The seq at a logical position, or undefined when it is no longer held. */
  at(position: number): number | undefined {
    if (position < this.first || position >= this.end) return undefined;
    return this.buf[position % this.capacity];
  }
}
