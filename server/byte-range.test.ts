/** Tests for byte-range.ts: Range parsing (RFC 9110 §14), entity tags and their comparisons. */
import { describe, expect, it } from 'vitest';
import { fileETag, ifRangeHolds, noneMatchHits, parseETagList, parseRange } from './byte-range.js';

describe('parseRange (RFC 9110 §14.1.1, §14.2)', () => {
  const size = 1000;
  const cases: [string, ReturnType<typeof parseRange>][] = [
    ['bytes=0-99', { kind: 'partial', range: { start: 0, end: 99 } }],
    ['bytes=500-', { kind: 'partial', range: { start: 500, end: 999 } }],
    ['bytes=-100', { kind: 'partial', range: { start: 900, end: 999 } }],
    ['bytes=-5000', { kind: 'partial', range: { start: 0, end: 999 } }],
    ['bytes=990-5000', { kind: 'partial', range: { start: 990, end: 999 } }],
    ['bytes=999-999', { kind: 'partial', range: { start: 999, end: 999 } }],
    ['BYTES = 1-2', { kind: 'partial', range: { start: 1, end: 2 } }],
    ['bytes=0-9, 10-19', { kind: 'partial', range: { start: 0, end: 19 } }],
    ['bytes=5-20,0-9', { kind: 'partial', range: { start: 0, end: 20 } }],
    ['bytes=0-9,,', { kind: 'partial', range: { start: 0, end: 9 } }],
    ['bytes=0-9,2000-', { kind: 'partial', range: { start: 0, end: 9 } }],
    ['bytes=0-9,20-29', { kind: 'whole' }],
    ['bytes=1000-', { kind: 'unsatisfiable' }],
    ['bytes=1000-2000', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=5-1', { kind: 'whole' }],
    ['bytes=-', { kind: 'whole' }],
    ['bytes=a-b', { kind: 'whole' }],
    ['bytes=0-1-2', { kind: 'whole' }],
    ['bytes= ', { kind: 'whole' }],
    ['items=0-9', { kind: 'whole' }],
    ['0-9', { kind: 'whole' }],
    ['bytes=99999999999999999999-', { kind: 'whole' }],
    ['bytes=' + Array.from({ length: 65 }, (_, i) => `${i}-${i}`).join(','), { kind: 'whole' }],
  ];
  it.each(cases)('%s', (header, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });

  it('an empty file is sent whole (200), whatever the range', () => {
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'whole' });
    expect(parseRange('bytes=-1', 0)).toEqual({ kind: 'whole' });
  });
});

describe('entity tags', () => {
  const st = { dev: 2049, ino: 123456, size: 1000, mtimeMs: 1_600_000_000_123.456 };

  it('fileETag is strong and changes with identity, size and time', () => {
    const tag = fileETag(st);
    expect(tag).toMatch(/^"[0-9a-z-]+"$/);
    expect(fileETag({ ...st })).toBe(tag);
    expect(fileETag({ ...st, ino: 1 })).not.toBe(tag);
    expect(fileETag({ ...st, size: 1001 })).not.toBe(tag);
    expect(fileETag({ ...st, mtimeMs: st.mtimeMs + 0.001 })).not.toBe(tag);
  });

  it('parseETagList reads lists with weak tags, spaces and *', () => {
    expect(parseETagList('"a", W/"b" ,"c"')).toEqual(['"a"', 'W/"b"', '"c"']);
    expect(parseETagList('*')).toEqual(['*']);
    expect(parseETagList('garbage')).toEqual([]);
  });

  it('If-None-Match compares weakly; * matches', () => {
    expect(noneMatchHits('"x", "a"', '"a"')).toBe(true);
    expect(noneMatchHits('W/"a"', '"a"')).toBe(true);
    expect(noneMatchHits('*', '"a"')).toBe(true);
    expect(noneMatchHits('"b"', '"a"')).toBe(false);
  });

  it('If-Range needs a strong match of the tag, or the exact Last-Modified date', () => {
    const lm = 'Sun, 13 Sep 2020 12:26:40 GMT';
    expect(ifRangeHolds('"a"', '"a"', lm)).toBe(true);
    expect(ifRangeHolds('W/"a"', '"a"', lm)).toBe(false);
    expect(ifRangeHolds('"b"', '"a"', lm)).toBe(false);
    expect(ifRangeHolds(lm, '"a"', lm)).toBe(true);
    expect(ifRangeHolds('Sun, 13 Sep 2020 12:26:41 GMT', '"a"', lm)).toBe(false);
  });
});
