import { describe, expect, it } from 'vitest';
import { SeqIndex } from './ring-buffer';

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
