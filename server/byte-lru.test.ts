/** Tests for byte-lru.ts: the budget, least-recently-used eviction, replacement. */
import { describe, expect, it } from 'vitest';
import { ByteLru } from './byte-lru.js';

describe('ByteLru', () => {
  it('keeps values within the budget, dropping the least recently used first', () => {
    const lru = new ByteLru<string>(10);
    lru.set('a', 'A', 4);
    lru.set('b', 'B', 4);
    expect(lru.get('a')).toBe('A'); // a is now the most recent
    lru.set('c', 'C', 4); // 12 > 10: b goes
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe('A');
    expect(lru.get('c')).toBe('C');
    expect(lru.bytes).toBe(8);
    expect(lru.count).toBe(2);
  });

  it('replacing a key counts its cost once; a value over the whole budget is not kept', () => {
    const lru = new ByteLru<string>(10);
    lru.set('a', 'A', 6);
    lru.set('a', 'A2', 7);
    expect(lru.bytes).toBe(7);
    expect(lru.get('a')).toBe('A2');
    lru.set('a', 'huge', 11);
    expect(lru.get('a')).toBeUndefined();
    expect(lru.bytes).toBe(0);
  });

  it('delete and clear give the bytes back', () => {
    const lru = new ByteLru<number>(100);
    lru.set('x', 1, 30);
    lru.set('y', 2, 30);
    lru.delete('x');
    lru.delete('missing');
    expect(lru.bytes).toBe(30);
    lru.clear();
    expect(lru.bytes).toBe(0);
    expect(lru.count).toBe(0);
  });
});
