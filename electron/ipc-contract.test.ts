// Runtime validators of the IPC contract (electron/ipc-contract.ts): what the shell lets
// through to a service function.
import { describe, expect, it } from 'vitest';
import {
  checkLogBatch,
  decodeLogColumns,
  entriesClaimedBy,
  invokeValidators,
  isCgiDirectories,
  isSettings,
  isSettingsPatch,
  type LogBatch,
} from './ipc-contract';
import { LogColumnsWriter } from '../server/host/log-columns';
import type { RequestLogEntry } from '../server/log';

describe('ipc-contract validators', () => {
  it('isCgiDirectories: only folders the engine can match', () => {
    expect(isCgiDirectories(['/cgi-bin', '/htbin'])).toBe(true);
    expect(isCgiDirectories(['/scripts/perl'])).toBe(true);
    for (const bad of ['', '/', 'cgi-bin', '/cgi-bin/', '/a//b', '/cgi-bin/../x', '/./x', '/..', '/a/.', '/a\\b', '/a?b', '/a#b', '/a\0b', '/' + 'x'.repeat(300)]) {
      expect(isCgiDirectories([bad]), JSON.stringify(bad)).toBe(false);
    }
    expect(isCgiDirectories([])).toBe(false);
    expect(isCgiDirectories('/cgi-bin')).toBe(false);
    expect(isCgiDirectories(Array.from({ length: 17 }, (_, i) => `/d${i}`))).toBe(false);
  });

  it('isSettingsPatch: known fields with valid values only, never an empty or foreign object', () => {
    expect(isSettingsPatch({ port: 8080 })).toBe(true);
    expect(isSettingsPatch({ port: 0 })).toBe(false);
    expect(isSettingsPatch({})).toBe(false);
    expect(isSettingsPatch({ recentFolders: [] })).toBe(false);
    expect(isSettingsPatch(JSON.parse('{"__proto__": {"cgi": true}}'))).toBe(false);
    expect(isSettingsPatch(Object.create({ port: 8080 }))).toBe(false);
  });

  it('isSettings: a complete saved file', () => {
    const ok = {
      directory: '', port: 8000, bind: '', protocolVersion: 'HTTP/1.0', cgi: false,
      cgiDirectories: ['/cgi-bin', '/htbin'], followSymlinks: false, range: true, folderZip: true, listing: 'modern', showHidden: false,
      preventSleep: true, shareOnOpen: false, closeWhileSharing: 'ask', recentFolders: [],
      password: null, upload: false, uploadReplace: false, uploadMaxSize: '4G',
    };
    expect(isSettings(ok)).toBe(true);
    expect(isSettings({ ...ok, uploadMaxSize: 'lots' })).toBe(false);
    expect(isSettings({ ...ok, cgiDirectories: ['/cgi-bin/../x'] })).toBe(false);
    const { followSymlinks: _, ...missing } = ok;
    expect(isSettings(missing)).toBe(false);
  });

  it('invokeValidators: argument count and shape per channel', () => {
    expect(invokeValidators['server:start']([])).toBe(true);
    expect(invokeValidators['server:start']([1])).toBe(false);
    expect(invokeValidators['folder:check'](['/tmp'])).toBe(true);
    expect(invokeValidators['folder:check'](['/tmp\0x'])).toBe(false);
    expect(invokeValidators['settings:update']([{ cgiDirectories: ['/a//b'] }])).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------
// Log batches: the host's writer (server/host/log-columns.ts) and this contract's reader
// must agree, and the one validator both the shell and the window use must refuse bad input.


const logEntry = (over: Partial<RequestLogEntry>): RequestLogEntry => ({
  id: 7,
  kind: 'request',
  time: 1_763_820_000_123,
  connectionId: 12,
  clientAddress: '::1',
  clientPort: 51234,
  method: 'GET',
  path: '/2026%20Lisbon/',
  protocol: 'HTTP/1.1',
  status: 200,
  bytesSent: 1234,
  bodyBytes: 1000,
  headerBytes: 234,
  expectedBytes: 1000,
  outcome: 'done',
  durationMs: 0.512,
  userAgent: 'Mozilla/5.0',
  referer: 'http://[::1]:8000/',
  message: '"GET /2026%20Lisbon/ HTTP/1.1" 200 -',
  ...over,
});

const SAMPLE: RequestLogEntry[] = [
  logEntry({}),
  logEntry({ id: 8, kind: 'error', status: 404, durationMs: null, message: 'code 404, message File not found' }),
  logEntry({ id: 9, method: null, path: null, protocol: null, status: 400, userAgent: null, referer: null, message: '"\x16\x03" 400 -' }),
  logEntry({ id: 10, kind: 'cgi-stderr', status: null, bytesSent: 0, message: 'Traceback (most recent call last):' }),
  logEntry({ id: 11, kind: 'message', status: null, message: 'note' }),
  logEntry({ id: 12, protocol: 'HTTP/0.9', message: '"GET /2026%20Lisbon/" 200 -' }),
  logEntry({ id: 13, message: '"GET  /2026%20Lisbon/  HTTP/1.1" 200 -' }),
];

function written(entries: readonly RequestLogEntry[], dropped = 0): LogBatch {
  const w = new LogColumnsWriter(100);
  for (const e of entries) w.add(e);
  return { columns: w.take(), dropped };
}

/** The batch as the browser fallback's JSON carries it (typed arrays → arrays of numbers). */
const viaJson = (b: LogBatch): unknown =>
  JSON.parse(JSON.stringify({ columns: { ...b.columns, numbers: Array.from(b.columns.numbers), refs: Array.from(b.columns.refs) }, dropped: b.dropped }));

describe('log batches', () => {
  it('round trip: what the host writes decodes to the same entries, as typed arrays and as JSON', () => {
    const b = written(SAMPLE);
    expect(checkLogBatch(b)).toBeNull();
    expect(decodeLogColumns(b.columns)).toEqual(SAMPLE);
    const j = viaJson(b) as LogBatch;
    expect(checkLogBatch(j)).toBeNull();
    expect(decodeLogColumns(j.columns)).toEqual(SAMPLE);
  });

  it('an empty batch that only reports dropped entries is valid', () => {
    expect(checkLogBatch({ columns: { count: 0, numbers: [], refs: [], strings: [] }, dropped: 5 })).toBeNull();
  });

  it('refuses malformed batches with a sentence saying what is wrong', () => {
    const good = viaJson(written(SAMPLE.slice(0, 2))) as { columns: Record<string, unknown>; dropped: number };
    const nums = good.columns.numbers as number[];
    const refs = good.columns.refs as number[];
    const bad: Array<[string, unknown, RegExp]> = [
      ['not an object', 'garbage', /object/],
      ['entries instead of columns (the old format)', { entries: [SAMPLE[0]], dropped: 0 }, /columns/],
      ['negative dropped', { ...good, dropped: -1 }, /dropped/],
      ['fractional count', { ...good, columns: { ...good.columns, count: 1.5 } }, /count/],
      ['count larger than the columns', { ...good, columns: { ...good.columns, count: 3 } }, /numbers/],
      ['numbers as an object', { ...good, columns: { ...good.columns, numbers: { 0: 1 } } }, /numbers/],
      ['refs one short', { ...good, columns: { ...good.columns, refs: refs.slice(1) } }, /string references/],
      ['a string that is not a string', { ...good, columns: { ...good.columns, strings: [1, ...(good.columns.strings as string[])] } }, /string 0/],
      ['NaN time', { ...good, columns: { ...good.columns, numbers: nums.map((x, i) => (i === 2 ? Number.NaN : x)) } }, /finite/],
      ['text where a number goes', { ...good, columns: { ...good.columns, numbers: nums.map((x, i) => (i === 2 ? '5' : x)) } }, /finite/],
      ['unknown kind', { ...good, columns: { ...good.columns, numbers: nums.map((x, i) => (i === 1 ? 9 : x)) } }, /kind/],
      ['status too large for a 32-bit column', { ...good, columns: { ...good.columns, numbers: nums.map((x, i) => (i === 5 ? 2 ** 31 : x)) } }, /status/],
      ['port out of range', { ...good, columns: { ...good.columns, numbers: nums.map((x, i) => (i === 4 ? 70000 : x)) } }, /port/],
      ['reference past the strings', { ...good, columns: { ...good.columns, refs: refs.map((x, i) => (i === 2 ? 99 : x)) } }, /refers to a string/],
      ['usual-message marker on a path', { ...good, columns: { ...good.columns, refs: refs.map((x, i) => (i === 2 ? -2 : x)) } }, /refers to a string/],
      ['usual-message marker on an error entry', { ...good, columns: { ...good.columns, refs: refs.map((x, i) => (i === 7 + 6 ? -2 : x)) } }, /usual request line/],
      ['no message', { ...good, columns: { ...good.columns, refs: refs.map((x, i) => (i === 6 ? -1 : x)) } }, /no message/],
    ];
    for (const [what, v, why] of bad) {
      const problem = checkLogBatch(v);
      expect(problem, what).toMatch(why);
    }
  });

  it('entriesClaimedBy counts what a refused batch said it carried, so it can be shown as not received', () => {
    expect(entriesClaimedBy({ columns: { count: 40 }, dropped: 2 })).toBe(42);
    expect(entriesClaimedBy({ columns: 'x', dropped: 3 })).toBe(3);
    expect(entriesClaimedBy('garbage')).toBe(0);
  });
});
