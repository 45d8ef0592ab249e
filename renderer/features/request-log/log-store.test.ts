import { describe, expect, it } from 'vitest';
import { LogStore, type LogSnapshot } from './log-store';
import { EMPTY_FILTER } from './filters';
import { entry } from './test-entries';
import type { RequestLogEntry } from '../../../server/log';
import type { LogBatch } from '../../../electron/ipc-contract';
import { LogColumnsWriter } from '../../../server/host/log-columns';

/** A batch as the utility host writes it (its real writer), from entry objects. */
function batch(entries: readonly RequestLogEntry[], dropped = 0): LogBatch {
  const w = new LogColumnsWriter(Math.max(1, entries.length));
  for (const e of entries) w.add(e);
  return { columns: w.take(), dropped };
}

/** A store whose frames are stepped by hand. */
function setup(capacity = 5) {
  const frames: Array<() => void> = [];
  const store = new LogStore({ capacity, schedule: (cb) => frames.push(cb) });
  let publishes = 0;
  store.subscribe(() => publishes++);
  const frame = () => frames.splice(0).forEach((f) => f());
  return { store, frame, publishes: () => publishes };
}

/** A kept entry as a plain object (its message is a getter), for deep equality. */
const FIELDS = Object.keys(entry()) as Array<keyof RequestLogEntry>;
const plain = (e: RequestLogEntry | undefined): RequestLogEntry | undefined =>
  e === undefined ? undefined : (Object.fromEntries(FIELDS.map((k) => [k, e[k]])) as unknown as RequestLogEntry);

const rows = (s: LogSnapshot): Array<RequestLogEntry | undefined> =>
  Array.from({ length: s.count }, (_, i) => plain(s.entryAt(i)));

describe('LogStore', () => {
  it('publishes at most once per frame however many batches arrive', () => {
    const { store, frame, publishes } = setup(100);
    const before = store.getSnapshot();
    for (let i = 0; i < 10; i++) store.append(batch([entry(), entry()], 0));
    expect(store.getSnapshot()).toBe(before); // nothing published yet
    frame();
    expect(publishes()).toBe(1);
    expect(store.getSnapshot().count).toBe(20);
    frame();
    expect(publishes()).toBe(1); // no change, no publish
  });

  it('caps the rows, reports dropped older rows and not-received entries separately', () => {
    const { store, frame } = setup(5);
    const es = Array.from({ length: 8 }, () => entry());
    store.append(batch(es, 3));
    frame();
    const s = store.getSnapshot();
    expect(s.count).toBe(5);
    expect(s.held).toBe(5);
    expect(s.droppedOld).toBe(3);
    expect(s.notReceived).toBe(3);
    expect(rows(s)).toEqual(es.slice(3));
    expect(s.counters.requests).toBe(8); // counters survive the cap
  });

  it('gives rows stable seqs as keys while older rows are dropped', () => {
    const { store, frame } = setup(3);
    store.append(batch([entry(), entry(), entry()], 0));
    frame();
    const s1 = store.getSnapshot();
    expect([s1.seqAt(0), s1.seqAt(1), s1.seqAt(2)]).toEqual([0, 1, 2]);
    store.append(batch([entry()], 0));
    // The old snapshot must not silently shift: its dropped first row reads as undefined.
    expect(s1.entryAt(0)).toBeUndefined();
    frame();
    const s2 = store.getSnapshot();
    expect([s2.seqAt(0), s2.seqAt(1), s2.seqAt(2)]).toEqual([1, 2, 3]);
  });

  it('filters new rows incrementally and re-filters held rows on change', () => {
    const { store, frame } = setup(10);
    store.setFilter({ ...EMPTY_FILTER, statusClasses: [4] });
    store.append(batch([entry({ status: 200 }), entry({ status: 404 }), entry({ status: 403 })], 0));
    frame();
    expect(rows(store.getSnapshot()).map((e) => e?.status)).toEqual([404, 403]);
    store.setFilter(EMPTY_FILTER);
    frame();
    expect(rows(store.getSnapshot()).map((e) => e?.status)).toEqual([200, 404, 403]);
    expect(store.getSnapshot().filter).toBe(EMPTY_FILTER);
  });

  it('counts requests, errors (4xx/5xx) and bytes, ignoring message entries', () => {
    const { store, frame } = setup(10);
    store.append(batch([
        entry({ status: 200, bytesSent: 1000 }),
        entry({ kind: 'error', status: null, bytesSent: 0, message: 'code 404, message File not found' }),
        entry({ status: 404, bytesSent: 300 }),
        entry({ status: 500, bytesSent: 200 }),
      ], 0));
    frame();
    expect(store.getSnapshot().counters).toEqual({ requests: 3, errors: 2, bytesSent: 1500 });
    expect(store.getSnapshot().count).toBe(3); // message row hidden by default
  });

  it('pause freezes the view, keeps buffering, and counts what arrived', () => {
    const { store, frame } = setup(4);
    const first = [entry(), entry()];
    store.append(batch(first, 0));
    store.pause();
    store.append(batch([entry(), entry(), entry(), entry()], 0)); // evicts both shown rows
    frame();
    const s = store.getSnapshot();
    expect(s.paused).toBe(true);
    expect(s.arrivedWhilePaused).toBe(4);
    expect(rows(s)).toEqual(first); // still readable although the ring dropped them
    store.resume();
    frame();
    expect(store.getSnapshot().paused).toBe(false);
    expect(store.getSnapshot().count).toBe(4);
  });

  it('clear empties rows and counters but keeps seqs unique', () => {
    const { store, frame } = setup(4);
    store.append(batch([entry(), entry()], 1));
    store.clear();
    store.append(batch([entry()], 0));
    frame();
    const s = store.getSnapshot();
    expect(s.count).toBe(1);
    expect(s.seqAt(0)).toBe(2);
    expect(s.counters.requests).toBe(1);
    expect(s.notReceived).toBe(0);
  });

  it('details group the entries of the same connection', () => {
    const { store, frame } = setup(10);
    const err = entry({ kind: 'error', connectionId: 77, clientPort: 5, status: null, message: 'code 404, message File not found' });
    const req = entry({ connectionId: 77, clientPort: 5, status: 404 });
    const other = entry({ connectionId: 78, clientPort: 6 });
    const stderr = entry({ kind: 'cgi-stderr', connectionId: 77, clientPort: 5, message: 'Traceback' });
    store.append(batch([err, req, other, stderr], 0));
    frame();
    const seq = store.getSnapshot().seqAt(0)!; // row 0 is `req` (err hidden)
    const d = store.details(seq)!;
    expect(plain(d.entry)).toEqual(req);
    expect(d.connection.map(plain)).toEqual([err, req, stderr]);
  });

  it('stays flat: 1,000,000 entries through a 100,000-row store', () => {
    const store = new LogStore({ schedule: () => {} });
    // Every entry has its own path (and so its own message): the string table must
    // forget the strings of evicted rows, or it would grow with every request.
    for (let i = 0; i < 1000; i++) store.append(batch(Array.from({ length: 1000 }, () => entry()), 0));
    store.flush();
    const s = store.getSnapshot();
    expect(s.held).toBe(100_000);
    expect(s.count).toBe(100_000);
    expect(s.droppedOld).toBe(900_000);
    expect(s.seqAt(99_999)).toBe(999_999);
    expect(s.counters.requests).toBe(1_000_000);
    // 100,000 paths held + the shared client, method, protocol and user agent.
    expect(store.distinctStrings).toBe(100_004);
    expect(s.entryAt(99_999)?.path).toMatch(/^\/file-\d+\.txt$/);
  });
});

describe('LogSnapshot.indexOfSeq', () => {
  it('finds a row position by seq', () => {
    const { store, frame } = setup(10);
    store.setFilter({ ...EMPTY_FILTER, statusClasses: [2] });
    store.append(batch([entry({ status: 200 }), entry({ status: 404 }), entry({ status: 201 })], 0));
    frame();
    const s = store.getSnapshot();
    expect(s.indexOfSeq(2)).toBe(1);
    expect(s.indexOfSeq(1)).toBe(-1);
  });
});

describe('LogStore.updateFilter', () => {
  it('applies quick successive changes to the current filter, not to a stale snapshot', () => {
    const { store, frame } = setup(10);
    store.updateFilter((f) => ({ ...f, statusClasses: [4] }));
    store.updateFilter((f) => ({ ...f, statusClasses: f.statusClasses.filter((c) => c !== 4) })); // same frame
    store.updateFilter((f) => ({ ...f, method: 'GET' }));
    frame();
    expect(store.getSnapshot().filter).toEqual({ ...EMPTY_FILTER, method: 'GET' });
  });
});

describe('LogStore memory', () => {
  it('keeps each entry as given (field for field) while sharing repeated strings', () => {
    const { store, frame } = setup(10);
    // Distinct string objects with the same text, as JSON.parse gives per entry.
    const ua = () => ['Mozilla/5.0', '(X11)'].join(' ');
    const a = entry({ userAgent: ua() });
    const b = entry({ userAgent: ua() });
    store.append(batch([a, b], 0));
    frame();
    const s = store.getSnapshot();
    expect(plain(s.entryAt(0))).toEqual(a);
    expect(plain(s.entryAt(1))).toEqual(b);
  });

  it('rebuilds the usual request message exactly, and keeps any other message as received', () => {
    const { store, frame } = setup(10);
    const usual = entry({ method: 'GET', path: '/a b?x=1', protocol: 'HTTP/1.1', status: 404, message: '"GET /a b?x=1 HTTP/1.1" 404 -' });
    const spaced = entry({ method: 'GET', path: '/', protocol: 'HTTP/1.1', status: 200, message: '"GET  /  HTTP/1.1" 200 -' });
    const http09 = entry({ method: 'GET', path: '/', protocol: 'HTTP/0.9', status: 200, message: '"GET /" 200 -' });
    const err = entry({ kind: 'error', status: null, message: 'code 404, message File not found' });
    store.setFilter({ ...EMPTY_FILTER, showMessages: true });
    store.append(batch([usual, spaced, http09, err], 0));
    frame();
    const got = rows(store.getSnapshot()).map((e) => e?.message);
    expect(got).toEqual([usual.message, spaced.message, http09.message, err.message]);
  });

  it('text export keeps the error lines of the shown requests while Messages is off, in arrival order', () => {
    const { store, frame } = setup(100);
    const ok = entry({ path: '/ok.txt', message: '"GET /ok.txt HTTP/1.1" 200 -' });
    const err = entry({ kind: 'error', connectionId: 42, clientPort: 4242, method: null, path: null, protocol: null, status: null, message: 'code 404, message File not found' });
    const miss = entry({ connectionId: 42, clientPort: 4242, path: '/missing', status: 404, message: '"GET /missing HTTP/1.1" 404 -' });
    const otherErr = entry({ kind: 'error', connectionId: 43, clientPort: 4343, method: null, path: null, protocol: null, status: null, message: 'code 501, message Unsupported method' });
    const other = entry({ connectionId: 43, clientPort: 4343, method: 'POST', path: '/x', status: 501, message: '"POST /x HTTP/1.1" 501 -' });
    store.append(batch([ok, err, miss, otherErr, other], 0));
    store.updateFilter((f) => ({ ...f, text: 'missing' }));
    frame();
    expect(store.getSnapshot().count).toBe(1); // the table shows only the request row
    expect([...store.textExportEntries()].map((e) => e.message)).toEqual([err.message, miss.message]);
    store.updateFilter((f) => ({ ...f, text: '' }));
    store.pause();
    frame();
    expect([...store.textExportEntries()].map((e) => e.message)).toEqual([ok, err, miss, otherErr, other].map((e) => e.message));
  });
});

describe('LogStore and malformed batches', () => {
  it('refuses a batch that fails the contract check, counts its entries as not received, and keeps working', () => {
    const { store, frame } = setup(10);
    const errors: unknown[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => void errors.push(a.join(' '));
    try {
      const good = batch([entry(), entry()]);
      const numbers = Array.from(good.columns.numbers);
      numbers[1] = 9; // an unknown kind
      store.append({ columns: { ...good.columns, numbers }, dropped: 1 });
      store.append({ entries: [entry()], dropped: 0 } as never); // the old format
      store.append(batch([entry()]));
      frame();
    } finally {
      console.error = orig;
    }
    const s = store.getSnapshot();
    expect(s.notReceived).toBe(3); // 2 entries + 1 dropped from the first; the second claims none it can prove
    expect(s.count).toBe(1);
    expect(s.counters.requests).toBe(1);
    expect(errors).toHaveLength(2);
    expect(String(errors[0])).toMatch(/could not be read \(log entry 0 has an unknown kind \(9\)\); 3 entries counted as not received/);
  });
});

describe('LogStore: rows in progress (the truthful log)', () => {
  it('updates a row in place by id: one row, a new row object, the final state; counted once, when final', () => {
    const { store, frame } = setup(10);
    const start = entry({ id: 900, outcome: 'in-progress', bodyBytes: 1_000, expectedBytes: 50_000_000, bytesSent: 1_200, headerBytes: 200 });
    store.append(batch([start]));
    frame();
    let snap = store.getSnapshot();
    expect(snap.count).toBe(1);
    const first = snap.entryAt(0)!;
    expect(first.outcome).toBe('in-progress');
    expect(snap.counters).toEqual({ requests: 0, errors: 0, bytesSent: 0 });
    store.append(batch([{ ...start, bodyBytes: 9_000_000, bytesSent: 9_000_200 }, entry({ id: 901 })]));
    frame();
    snap = store.getSnapshot();
    expect(snap.count).toBe(2);
    const updated = snap.entryAt(0)!;
    expect(updated).not.toBe(first); // a memoized row re-renders
    expect(updated.bodyBytes).toBe(9_000_000);
    const final = { ...start, outcome: 'incomplete' as const, bodyBytes: 12_000_000, bytesSent: 12_000_200 };
    store.append(batch([final]));
    frame();
    snap = store.getSnapshot();
    expect(snap.count).toBe(2);
    expect(plain(snap.entryAt(0))).toEqual(final);
    // The final entry counts the request (incomplete: an error), the in-progress ones never.
    expect(snap.counters).toEqual({ requests: 2, errors: 1, bytesSent: 12_000_200 + 100 });
    expect(store.details(snap.seqAt(0)!)!.entry.outcome).toBe('incomplete');
  });

  it('a failed script counts as an error; the share\'s events are rows in the default view, never in the text export', () => {
    const { store, frame } = setup(10);
    const failed = entry({ id: 1, connectionId: 5, clientPort: 1, outcome: 'failed', path: '/cgi-bin/boom.py', message: '"GET /cgi-bin/boom.py HTTP/1.1" 200 -' });
    const stderr = entry({ id: 2, connectionId: 5, clientPort: 1, kind: 'cgi-stderr', status: null, message: 'ValueError: the script broke' });
    const gone = entry({ id: 0, kind: 'event', connectionId: 0, clientPort: 0, clientAddress: '', method: null, path: null, protocol: null, status: null, message: 'The shared folder is gone' });
    store.append(batch([failed, stderr, gone]));
    frame();
    const snap = store.getSnapshot();
    expect(snap.counters.errors).toBe(1);
    expect(rows(snap).map((e) => e!.kind)).toEqual(['request', 'event']); // stderr in the details, the event shown
    const text = [...store.textExportEntries()].map((e) => e.kind);
    expect(text).toEqual(['request', 'cgi-stderr', 'event']); // the event's line is '' (cpython-format.ts)
  });

  it('stays bounded: rows that never finish are evicted like any row, and a late final entry is a new row', () => {
    const { store, frame } = setup(3);
    const slow = Array.from({ length: 5 }, (_, i) => entry({ id: 100 + i, outcome: 'in-progress' }));
    store.append(batch(slow));
    frame();
    expect(store.getSnapshot().held).toBe(3);
    store.append(batch([{ ...slow[0]!, outcome: 'done' }])); // its row was evicted
    frame();
    const snap = store.getSnapshot();
    expect(snap.held).toBe(3);
    expect(snap.entryAt(2)!.id).toBe(100);
    expect(snap.entryAt(2)!.outcome).toBe('done');
  });

  it('an update that changes whether the filter shows the row re-indexes the view', () => {
    const { store, frame } = setup(10);
    store.setFilter({ ...EMPTY_FILTER, text: 'slow.bin' });
    const a = entry({ id: 50, outcome: 'in-progress', path: '/other', message: '"GET /other HTTP/1.1" 200 -' });
    store.append(batch([a, entry({ id: 51, path: '/slow.bin' })]));
    frame();
    expect(store.getSnapshot().count).toBe(1);
    // Contrived (a real update keeps its path): the row now matches and must appear, in order.
    store.append(batch([{ ...a, path: '/slow.bin', outcome: 'done', message: '"GET /slow.bin HTTP/1.1" 200 -' }]));
    frame();
    expect(rows(store.getSnapshot()).map((e) => e!.id)).toEqual([50, 51]);
  });
});

describe('LogStore.settleInProgress (the server went away)', () => {
  it('marks the rows still in progress incomplete and counts them as errors; a late entry is a new row', () => {
    const { store, frame } = setup(10);
    const a = entry({ id: 1, outcome: 'in-progress', bytesSent: 500 });
    const b = entry({ id: 2 });
    store.append(batch([a, b]));
    frame();
    const first = store.getSnapshot().entryAt(0);
    store.settleInProgress();
    frame();
    const snap = store.getSnapshot();
    expect(snap.entryAt(0)!.outcome).toBe('incomplete');
    expect(snap.entryAt(0)).not.toBe(first);
    expect(snap.counters).toEqual({ requests: 2, errors: 1, bytesSent: 600 });
    store.settleInProgress(); // nothing left: nothing changes
    store.append(batch([{ ...a, outcome: 'done' }]));
    frame();
    expect(store.getSnapshot().count).toBe(3);
  });

  it('a row settled incomplete appears under Problems at once (its filter result changed)', () => {
    const { store, frame } = setup(10);
    store.setFilter({ ...EMPTY_FILTER, problemsOnly: true });
    store.append(batch([entry({ id: 1, outcome: 'in-progress', bytesSent: 500 }), entry({ id: 2 })]));
    frame();
    expect(store.getSnapshot().count).toBe(0);
    store.settleInProgress();
    frame();
    expect(store.getSnapshot().count).toBe(1);
    expect(store.getSnapshot().entryAt(0)!.outcome).toBe('incomplete');
  });
});
