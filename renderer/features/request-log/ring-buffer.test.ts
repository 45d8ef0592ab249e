import { describe, expect, it } from 'vitest';
import { RingBuffer, SeqIndex } from './ring-buffer';

describe('RingBuffer', () => {
  it('keeps at most `capacity` items and counts the ones it dropped', () => {
    const r = new RingBuffer<string>(3);
    for (const s of ['a', 'b', 'c', 'd', 'e']) r.push(s);
    expect(r.size).toBe(3);
    expect(r.droppedCount).toBe(2);
    expect(r.toArray()).toEqual(['c', 'd', 'e']);
    expect(r.oldestSeq).toBe(2);
    expect(r.nextSeq).toBe(5);
  });

  it('gives every item a seq that never repeats, even across clear()', () => {
    const r = new RingBuffer<number>(2);
    const seqs = [r.push(10), r.push(11), r.push(12)];
    expect(seqs).toEqual([0, 1, 2]);
    expect(r.get(0)).toBeUndefined(); // dropped
    expect(r.get(1)).toBe(11);
    expect(r.get(2)).toBe(12);
    expect(r.get(3)).toBeUndefined(); // not yet
    r.clear();
    expect(r.size).toBe(0);
    expect(r.droppedCount).toBe(0);
    expect(r.get(2)).toBeUndefined();
    expect(r.push(13)).toBe(3);
    expect(r.toArray()).toEqual([13]);
  });

  it('wraps around many times without losing order', () => {
    const r = new RingBuffer<number>(7);
    for (let i = 0; i < 1000; i++) r.push(i);
    expect(r.toArray()).toEqual([993, 994, 995, 996, 997, 998, 999]);
    expect(r.droppedCount).toBe(993);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});

describe('SeqIndex', () => {
  it('addresses seqs by logical position and forgets dropped ones', () => {
    const q = new SeqIndex(4);
    for (const s of [1, 3, 5, 7]) q.push(s);
    expect(q.length).toBe(4);
    expect(q.at(q.start + 1)).toBe(3);
    q.dropBelow(4);
    expect(q.length).toBe(2);
    expect(q.at(0)).toBeUndefined();
    expect(q.at(2)).toBe(5);
    q.push(9);
    q.push(11);
    q.push(13); // full: drops 5
    expect(q.at(2)).toBeUndefined();
    expect([q.at(3), q.at(4), q.at(5), q.at(6)]).toEqual([7, 9, 11, 13]);
  });
});
