import { describe, expect, it } from 'vitest';
import { displayPath, displayText, formatBytes, formatClock, formatDuration, statusText } from './format';
import { compileFilter, EMPTY_FILTER } from './filters';
import { entry } from './test-entries';

describe('display formatting', () => {
  it('displayText shows control and bidi characters instead of obeying them', () => {
    expect(displayText('/a\nb')).toBe('/a\\x0ab');
    expect(displayText('/invoice\u202Efdp.exe')).toBe('/invoice\\u202efdp.exe');
    expect(displayText('/\u2066x\u2069')).toBe('/\\u2066x\\u2069');
    expect(displayText('<script>alert(1)</script>')).toBe('<script>alert(1)</script>'); // React renders it as text
    expect(displayText(null)).toBe('');
  });
  it('formatBytes uses decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.5 kB');
    expect(formatBytes(12_345_678)).toBe('12 MB');
  });
  it('formatDuration', () => {
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(0.42)).toBe('0.4 ms');
    expect(formatDuration(12.6)).toBe('13 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
  });
  it('formatClock is HH:MM:SS local', () => {
    expect(formatClock(new Date(2026, 0, 1, 7, 5, 9).getTime())).toBe('07:05:09');
  });
  it('statusText adds the phrase when known', () => {
    expect(statusText(404)).toBe('404 Not Found');
    expect(statusText(299)).toBe('299');
    expect(statusText(null)).toBe('–');
  });

  it('displayPath decodes valid UTF-8 for reading, keeps meaning-changing escapes, and stays inert', () => {
    expect(displayPath('/2026%20Lisbon/caf%C3%A9.jpg?q=a%20b')).toBe('/2026 Lisbon/café.jpg?q=a b');
    expect(displayPath('/a%2Fb%3Fc%23d%25e')).toBe('/a%2Fb%3Fc%23d%25e');
    expect(displayPath('/bad%FF%C3.txt')).toBe('/bad%FF%C3.txt'); // not UTF-8: as sent
    expect(displayPath('/%1b%5b31m%E2%80%AEfdp.exe')).toBe('/\\x1b[31m\\u202efdp.exe');
    expect(displayPath('/a%E2%80%8Bb')).toBe('/a\\u200bb');
    expect(displayPath('/%3Cscript%3E')).toBe('/<script>');
    expect(displayPath('/plain\x1b')).toBe('/plain\\x1b');
    expect(displayPath(null)).toBe('');
  });
  it('the text filter also matches the path as shown', () => {
    const match = compileFilter({ ...EMPTY_FILTER, text: 'lisbon/day 2' });
    expect(match(entry({ path: '/2026%20Lisbon/day%202/IMG.jpg' }))).toBe(true);
    expect(match(entry({ path: '/2026%20Lisbon/day%203/IMG.jpg' }))).toBe(false);
  });
});
