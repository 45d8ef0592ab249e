// Tests for log-columns.ts: the host's writer of log batches (the wire format is in
// protocol.ts; the reader's round trip is tested in electron/ipc-contract.test.ts).
import { describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../log.js';
import { checkLogColumns, decodeLogColumns, isUsualRequestMessage, LOG_NUMBER_LAYOUT as N, LOG_REF_CODES, LOG_STRING_LAYOUT as S, LogColumnsWriter } from './log-columns.js';

const entry = (over: Partial<RequestLogEntry> = {}): RequestLogEntry => ({
  id: 1,
  kind: 'request',
  time: 1_700_000_000_000,
  connectionId: 3,
  clientAddress: '10.0.0.2',
  clientPort: 40000,
  method: 'GET',
  path: '/a%20b?x=1',
  protocol: 'HTTP/1.1',
  status: 404,
  bytesSent: 512,
  bodyBytes: 400,
  headerBytes: 112,
  expectedBytes: 400,
  outcome: 'done',
  durationMs: 0.25,
  userAgent: 'curl/8',
  referer: null,
  message: '"GET /a%20b?x=1 HTTP/1.1" 404 -',
  ...over,
});

describe('isUsualRequestMessage', () => {
  it('is true only for exactly "<method> <path> <protocol>" <status> -', () => {
    expect(isUsualRequestMessage(entry())).toBe(true);
    expect(isUsualRequestMessage(entry({ message: '"GET  /a%20b?x=1 HTTP/1.1" 404 -' }))).toBe(false); // odd spacing
    expect(isUsualRequestMessage(entry({ message: '"GET /a%20b?x=1 HTTP/1.1" 404 512' }))).toBe(false); // a size
    expect(isUsualRequestMessage(entry({ message: '"GET /a%20b?x=1 HTTP/1.1" 200 -' }))).toBe(false); // other status
    expect(isUsualRequestMessage(entry({ message: '"GET /a%20b?x=1 HTTP/1.0" 404 -' }))).toBe(false);
    expect(isUsualRequestMessage(entry({ message: '"GET /a%20b?x=1 HTTP/1.1" 404 --' }))).toBe(false);
    expect(isUsualRequestMessage(entry({ protocol: 'HTTP/0.9', message: '"GET /a%20b?x=1" 404 -' }))).toBe(false);
    expect(isUsualRequestMessage(entry({ kind: 'error' }))).toBe(false);
    expect(isUsualRequestMessage(entry({ status: null }))).toBe(false);
  });
});

describe('LogColumnsWriter', () => {
  it('writes every field into the columns and each distinct string once per batch', () => {
    const w = new LogColumnsWriter(10);
    w.add(entry({ id: 1 }));
    w.add(entry({ id: 2, kind: 'error', status: null, durationMs: null, message: 'code 404, message File not found' }));
    w.add(entry({ id: 3, userAgent: null, referer: 'http://x/' }));
    const c = w.take();
    expect(c.count).toBe(3);
    expect(Array.from(c.numbers.subarray(0, N.stride))).toEqual([1, 0, 1_700_000_000_000, 3, 40000, 404, 512, 0.25, 400, 112, 400, 0]);
    expect(c.numbers[N.stride + N.status]).toBe(-1);
    expect(c.numbers[N.stride + N.durationMs]).toBe(-1);
    expect(c.numbers[N.stride + N.kind]).toBe(1);
    expect(c.strings).toEqual(['10.0.0.2', 'GET', '/a%20b?x=1', 'HTTP/1.1', 'curl/8', 'code 404, message File not found', 'http://x/']);
    expect(c.refs[S.message]).toBe(LOG_REF_CODES.usualMessage);
    expect(c.refs[S.referer]).toBe(LOG_REF_CODES.null);
    expect(c.refs[S.stride + S.message]).toBe(5);
    expect(c.refs[2 * S.stride + S.referer]).toBe(6);
  });

  it('writes the body, header and expected byte counts and the outcome; an unknown length as -1', () => {
    const w = new LogColumnsWriter(4);
    w.add(entry({ id: 1, outcome: 'in-progress', bodyBytes: 10, expectedBytes: null, kind: 'request' }));
    w.add(entry({ id: 2, outcome: 'incomplete', bodyBytes: 7, expectedBytes: 6_000_000 }));
    w.add(entry({ id: 3, outcome: 'failed' }));
    w.add(entry({ id: 4, kind: 'event', status: null, message: 'The shared folder is gone' }));
    const c = w.take();
    expect([0, 1, 2, 3].map((i) => c.numbers[i * N.stride + N.outcome])).toEqual([1, 2, 3, 0]);
    expect(c.numbers[N.expectedBytes]).toBe(-1);
    expect(c.numbers[N.stride + N.expectedBytes]).toBe(6_000_000);
    expect(c.numbers[N.stride + N.bodyBytes]).toBe(7);
    expect(c.numbers[3 * N.stride + N.kind]).toBe(4);
    expect(checkLogColumns(c)).toBeNull();
    const back = decodeLogColumns(c);
    expect(back.map((e) => e.outcome)).toEqual(['in-progress', 'incomplete', 'failed', 'done']);
    expect(back[0]!.expectedBytes).toBeNull();
    expect(back[3]!.kind).toBe('event');
    // The validator refuses an outcome or a count it does not know.
    const bad = { ...c, numbers: c.numbers.slice() };
    bad.numbers[N.outcome] = 4;
    expect(checkLogColumns(bad)).toMatch(/unknown outcome/);
    bad.numbers[N.outcome] = 0;
    bad.numbers[N.expectedBytes] = -2;
    expect(checkLogColumns(bad)).toMatch(/expected byte count/);
  });

  it('refuses entries beyond its capacity, grows up to it, and starts afresh after take()', () => {
    const w = new LogColumnsWriter(600); // grows past its first 256 rows
    for (let i = 0; i < 600; i++) expect(w.add(entry({ id: i, path: `/p${i}`, message: 'x' }))).toBe(true);
    expect(w.full).toBe(true);
    expect(w.add(entry())).toBe(false);
    const c = w.take();
    expect(c.count).toBe(600);
    expect(c.numbers.length).toBe(600 * N.stride); // exactly sized: clone sends the whole buffer
    expect(c.refs.length).toBe(600 * S.stride);
    expect(c.numbers[599 * N.stride + N.id]).toBe(599);
    expect(w.count).toBe(0);
    w.add(entry({ path: '/p599' }));
    const next = w.take();
    expect(next.strings).toContain('/p599'); // per batch: nothing refers to the previous one
    expect(next.refs[S.path]).toBe(next.strings.indexOf('/p599'));
  });
});
