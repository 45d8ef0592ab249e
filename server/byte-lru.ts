/**
 * Pure Node. A map bounded by the bytes its values cost, dropping the least recently used
 * first: the bookkeeping shared by the engine's caches (file-cache.ts, listing-cache.ts),
 * which each decide what may be kept and when a kept value is still valid.
 */

/** Values by key, at most `maxBytes` of them by their declared cost. */
export class ByteLru<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly cost: number }>();
  private held = 0;

  constructor(readonly maxBytes: number) {}

  /** Total cost of the values held. */
  get bytes(): number {
    return this.held;
  }

  /** Number of values held. */
  get count(): number {
    return this.entries.size;
  }

  /** The value for `key`, made the most recently used; undefined when absent. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // Most recently used last: a Map keeps insertion order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /**
   * Keep `value` under `key` (replacing what was there), dropping the least recently used
   * values until it fits. A value costing more than the whole budget is not kept.
   */
  set(key: string, value: V, cost: number): void {
    this.delete(key);
    if (cost > this.maxBytes) return;
    while (this.held + cost > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    this.entries.set(key, { value, cost });
    this.held += cost;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.held -= entry.cost;
  }

  clear(): void {
    this.entries.clear();
    this.held = 0;
  }
}
