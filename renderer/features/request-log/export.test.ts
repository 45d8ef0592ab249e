import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvCell, toCpythonText, toCsv } from './export';
import { entry } from './test-entries';

describe('csvCell', () => {
  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
  });

  it('guards against formula injection with a leading single quote', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('a=b')).toBe('a=b');
  });
});

describe('toCsv', () => {
  it('writes a header and one CRLF-terminated row per entry', () => {
    const e = entry({ path: '/a,b', userAgent: '=cmd|calc', status: 404, bytesSent: 12, durationMs: 3 });
    const csv = toCsv([e]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines[2]).toBe('');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('"/a,b"');
    expect(lines[1]).toContain(",'=cmd|calc,");
    expect(lines[1]!.startsWith(new Date(e.time).toISOString() + ',192.168.1.20,')).toBe(true);
    expect(lines[1]).toContain(',404,12,3,');
  });
});

describe('toCpythonText', () => {
  it('writes one CPython log line per entry', () => {
    const t = new Date(2026, 0, 9, 8, 7, 6).getTime();
    const text = toCpythonText([
      entry({ clientAddress: '127.0.0.1', time: t, message: '"GET / HTTP/1.1" 200 -' }),
      entry({ clientAddress: '::1', time: t, message: 'code 404, message File not found' }),
    ]);
    expect(text).toBe(
      '127.0.0.1 - - [09/Jan/2026 08:07:06] "GET / HTTP/1.1" 200 -\n' +
        '::1 - - [09/Jan/2026 08:07:06] code 404, message File not found\n',
    );
  });
});
