import { describe, expect, it } from 'vitest';
import { compileFilter, EMPTY_FILTER, isFilterEmpty, statusClassOf } from './filters';
import { entry } from './test-entries';

describe('compileFilter', () => {
  it('hides message rows unless asked, and shows every request by default', () => {
    const p = compileFilter(EMPTY_FILTER);
    expect(p(entry())).toBe(true);
    expect(p(entry({ kind: 'error', status: null, message: 'code 404, message File not found' }))).toBe(false);
    expect(compileFilter({ ...EMPTY_FILTER, showMessages: true })(entry({ kind: 'cgi-stderr' }))).toBe(true);
  });

  it('filters by status class', () => {
    const p = compileFilter({ ...EMPTY_FILTER, statusClasses: [4, 5] });
    expect(p(entry({ status: 200 }))).toBe(false);
    expect(p(entry({ status: 304 }))).toBe(false);
    expect(p(entry({ status: 404 }))).toBe(true);
    expect(p(entry({ status: 501 }))).toBe(true);
    expect(p(entry({ status: null }))).toBe(false);
  });

  it('filters by exact method', () => {
    const p = compileFilter({ ...EMPTY_FILTER, method: 'POST' });
    expect(p(entry({ method: 'POST' }))).toBe(true);
    expect(p(entry({ method: 'GET' }))).toBe(false);
    expect(p(entry({ method: null }))).toBe(false);
  });

  it('matches text case-insensitively in path, client, status, user agent and message', () => {
    const f = (text: string) => compileFilter({ ...EMPTY_FILTER, text });
    const e = entry({ path: '/Docs/Report.PDF', clientAddress: '10.0.0.7', userAgent: 'Mozilla/5.0 Firefox', status: 206 });
    expect(f('report.pdf')(e)).toBe(true);
    expect(f('10.0.0.7')(e)).toBe(true);
    expect(f('firefox')(e)).toBe(true);
    expect(f('206')(e)).toBe(true);
    expect(f('  docs ')(e)).toBe(true);
    expect(f('nothing-like-this')(e)).toBe(false);
  });

  it('Problems: only 4xx/5xx, cut-short and failed-script rows, and the share\'s events; message rows still follow Messages', () => {
    const p = compileFilter({ ...EMPTY_FILTER, problemsOnly: true });
    expect(p(entry({ status: 200 }))).toBe(false);
    expect(p(entry({ status: 304 }))).toBe(false);
    expect(p(entry({ status: 404 }))).toBe(true);
    expect(p(entry({ status: 503 }))).toBe(true);
    expect(p(entry({ status: 200, outcome: 'incomplete' }))).toBe(true);
    expect(p(entry({ status: 200, outcome: 'failed' }))).toBe(true);
    expect(p(entry({ status: 200, outcome: 'in-progress' }))).toBe(false);
    expect(p(entry({ kind: 'event', status: null, message: 'The shared folder is gone' }))).toBe(true);
    expect(p(entry({ kind: 'error', status: null, message: 'code 404, message File not found' }))).toBe(false);
    expect(compileFilter({ ...EMPTY_FILTER, problemsOnly: true, showMessages: true })(entry({ kind: 'cgi-stderr' }))).toBe(true);
    expect(isFilterEmpty({ ...EMPTY_FILTER, problemsOnly: true })).toBe(false);
  });

  it('combines all conditions', () => {
    const p = compileFilter({ text: 'a', statusClasses: [2], method: 'GET', showMessages: false, problemsOnly: false });
    expect(p(entry({ path: '/a', status: 200, method: 'GET' }))).toBe(true);
    expect(p(entry({ path: '/a', status: 200, method: 'HEAD' }))).toBe(false);
    expect(p(entry({ path: '/b', status: 200, method: 'GET', userAgent: null, message: 'x' }))).toBe(false);
  });
});

describe('helpers', () => {
  it('statusClassOf', () => {
    expect(statusClassOf(200)).toBe(2);
    expect(statusClassOf(599)).toBe(5);
    expect(statusClassOf(101)).toBeNull();
    expect(statusClassOf(null)).toBeNull();
  });
  it('isFilterEmpty ignores whitespace-only text', () => {
    expect(isFilterEmpty({ ...EMPTY_FILTER, text: '  ' })).toBe(true);
    expect(isFilterEmpty({ ...EMPTY_FILTER, method: 'GET' })).toBe(false);
  });
});
