import { describe, expect, it } from 'vitest';
import { LiveColumns, RowCursor, StringTable } from './log-columns';
import { entry } from './test-entries';
import type { RequestLogEntry } from '../../../server/log';
import type { LogBatchColumns } from '../../../electron/ipc-contract';
import { LogColumnsWriter } from '../../../server/host/log-columns';

/** Columns as the utility host writes them (its real writer). */
function cols(entries: readonly RequestLogEntry[]): LogBatchColumns {
  const w = new LogColumnsWriter(Math.max(1, entries.length));
  for (const e of entries) w.add(e);
  return w.take();
}

const held = (c: LiveColumns): RequestLogEntry[] => {
  const out: RequestLogEntry[] = [];
  for (let s = c.oldestSeq; s < c.nextSeq; s++) out.push(c.entry(s)!);
  return out;
};

describe('LiveColumns', () => {
  it('decodes a batch field for field, nulls and the rebuilt request line included', () => {
    const c = new LiveColumns(10);
    const es = [
      entry(),
      entry({ kind: 'error', status: null, durationMs: null, method: null, path: null, protocol: null, message: 'code 400, message Bad request syntax' }),
      entry({ referer: 'http://h/', userAgent: null, message: '"GET  /x HTTP/1.1" 200 -' }),
    ];
    expect(c.append(cols(es))).toEqual({ first: 0, updated: [] });
    expect(held(c)).toEqual(es);
  });

  it('keeps at most `capacity` rows, evicts the oldest, and counts them; seqs never repeat, even across clear()', () => {
    const c = new LiveColumns(3);
    const es = Array.from({ length: 5 }, () => entry());
    c.append(cols(es.slice(0, 2)));
    c.append(cols(es.slice(2)));
    expect(c.size).toBe(3);
    expect(c.droppedCount).toBe(2);
    expect(c.oldestSeq).toBe(2);
    expect(c.nextSeq).toBe(5);
    expect(c.entry(1)).toBeUndefined();
    expect(held(c)).toEqual(es.slice(2));
    c.clear();
    expect(c.size).toBe(0);
    expect(c.droppedCount).toBe(0);
    expect(c.entry(4)).toBeUndefined();
    expect(c.append(cols([es[0]!])).first).toBe(5);
  });

  it('an in-progress row is updated in place by its id (same time), then made final; the final entry frees the id', () => {
    const c = new LiveColumns(10);
    const start = entry({ id: 500, outcome: 'in-progress', bodyBytes: 1000, expectedBytes: 50_000, durationMs: 300, userAgent: 'slow/1' });
    expect(c.append(cols([entry({ id: 499 }), start]))).toEqual({ first: 0, updated: [] });
    const later = { ...start, bodyBytes: 20_000, durationMs: 600, userAgent: 'slow/2' };
    const other = entry({ id: 501 });
    expect(c.append(cols([later, other]))).toEqual({ first: 2, updated: [1] });
    expect(c.size).toBe(3);
    expect(c.entry(1)).toEqual(later);
    const final = { ...start, outcome: 'incomplete' as const, bodyBytes: 30_000, durationMs: 900, userAgent: 'slow/2' };
    expect(c.append(cols([final]))).toEqual({ first: 3, updated: [1] });
    expect(c.entry(1)).toEqual(final);
    // The old user agent's string was released when the row changed.
    expect(c.distinctStrings).toBe(held(c).reduce((set, e) => (e.userAgent && set.add(e.userAgent), set.add(e.path!), set), new Set<string>(['192.168.1.20', 'GET', 'HTTP/1.1'])).size);
    // Final: another entry with that id is a new row (an id is not in progress any more).
    expect(c.append(cols([{ ...final, outcome: 'in-progress' }])).updated).toEqual([]);
    expect(c.size).toBe(4);
  });

  it('an id reused with another time (a restarted server) or whose row was evicted makes a new row', () => {
    const c = new LiveColumns(2);
    const a = entry({ id: 7, outcome: 'in-progress' });
    c.append(cols([a]));
    expect(c.append(cols([{ ...a, time: a.time + 1, outcome: 'done' }])).updated).toEqual([]);
    expect(c.size).toBe(2);
    const b = entry({ id: 8, outcome: 'in-progress' });
    c.append(cols([b, entry(), entry()])); // b evicted
    const r = c.append(cols([{ ...b, outcome: 'done' }]));
    expect(r.updated).toEqual([]);
    expect(c.entry(c.nextSeq - 1)!.outcome).toBe('done');
  });

  it('wraps around many times without losing order or leaking strings', () => {
    const c = new LiveColumns(7);
    for (let i = 0; i < 200; i++) c.append(cols([entry({ path: `/p${i}`, userAgent: `ua${i % 3}`, message: `"GET /p${i} HTTP/1.1" 200 -` })]));
    expect(held(c).map((e) => e.path)).toEqual([193, 194, 195, 196, 197, 198, 199].map((i) => `/p${i}`));
    // 7 paths + 3 user agents + client, method, protocol (usual messages are not stored):
    // evicted rows' strings are forgotten.
    expect(c.distinctStrings).toBe(7 + 3 + 3);
  });

  it('a batch larger than the ring keeps its newest rows; its strings survive their own eviction', () => {
    const c = new LiveColumns(2);
    // The first row's path is evicted by the third row, then used again by the fourth.
    const es = [entry({ path: '/same' }), entry({ path: '/b' }), entry({ path: '/c' }), entry({ path: '/same' })];
    c.append(cols(es));
    expect(held(c).map((e) => e.path)).toEqual(['/c', '/same']);
    expect(c.droppedCount).toBe(2);
  });

  it('a frozen copy keeps its rows and strings while the live ring evicts and reuses string ids', () => {
    const c = new LiveColumns(2);
    const first = [entry({ path: '/old-1' }), entry({ path: '/old-2' })];
    c.append(cols(first));
    const frozen = c.freeze();
    c.append(cols([entry({ path: '/new-1' }), entry({ path: '/new-2' })])); // evicts both, reuses their ids
    expect(frozen.entry(0)).toEqual(first[0]);
    expect(frozen.entry(1)).toEqual(first[1]);
    expect(held(c).map((e) => e.path)).toEqual(['/new-1', '/new-2']);
  });

  it('RowCursor reads a row without making it, and matches the row object', () => {
    const c = new LiveColumns(4);
    const e = entry({ status: 404, message: '"GET /file HTTP/1.1" 404 -', path: '/file' });
    c.append(cols([e]));
    const cur = new RowCursor().at(c, c.slotOf(0));
    const fields = Object.keys(e) as Array<keyof RequestLogEntry>;
    expect(Object.fromEntries(fields.map((k) => [k, cur[k]]))).toEqual(e);
  });
});

describe('StringTable', () => {
  it('forgets a string when its last reference goes and reuses its id', () => {
    const t = new StringTable();
    const a = t.acquire('a');
    t.retain(a);
    t.release(a);
    expect(t.get(a)).toBe('a');
    t.release(a);
    expect(t.get(a)).toBeUndefined();
    expect(t.size).toBe(0);
    expect(t.acquire('b')).toBe(a);
    for (let i = 0; i < 5000; i++) t.acquire(`s${i}`); // grows past its first counts array
    expect(t.size).toBe(5001);
  });
});
