import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvCell, csvCellText, neutraliseFormulas, toCpythonText, toCsv } from './export';
import { entry } from './test-entries';

describe('csvCell', () => {
  it('quotes every cell (RFC 4180), numbers and empty cells included', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('plain')).toBe('"plain"');
    expect(csvCell(null)).toBe('""');
    expect(csvCell(42)).toBe('"42"');
    expect(csvCell(Number.NaN)).toBe('""');
  });

  it('escapes control characters visibly, so none reaches the file raw', () => {
    expect(csvCell('line1\nline2')).toBe('"line1\\x0aline2"');
    expect(csvCell('cr\rhere')).toBe('"cr\\x0dhere"');
    expect(csvCell('\x1b[31mred\x00\x7f\x85')).toBe('"\\x1b[31mred\\x00\\x7f\\x85"');
    expect(csvCell('C:\\dir')).toBe('"C:\\\\dir"');
    expect(csvCell('evil\u202etxt.exe')).toBe('"evil\\u202etxt.exe"');
  });

  it('guards against formula injection with a leading single quote', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe(`"'+1"`);
    expect(csvCell('-2+3')).toBe(`"'-2+3"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    // A tab is escaped first, so what starts the cell is text.
    expect(csvCell('\t=1')).toBe('"\\x09=1"');
    expect(csvCell('a=b')).toBe('"a=b"');
  });

  it('neutralises formulas after every , and ; too (where a reader with the other separator starts a cell)', () => {
    expect(csvCellText("x;=cmd|' /C calc'!A0;")).toBe("x;'=cmd|' /C calc'!A0;");
    expect(csvCellText('a,+1;-2;;@3')).toBe("a,'+1;'-2;;'@3");
    expect(csvCellText('a; "=1')).toBe(`a; "'=1`);
    expect(csvCellText('  =1')).toBe("  '=1");
    // Ordinary text is left alone: a space or a letter after the separator starts no formula.
    expect(csvCellText('Mozilla/5.0 (X11; Linux x86_64; rv:128.0)')).toBe('Mozilla/5.0 (X11; Linux x86_64; rv:128.0)');
    expect(neutraliseFormulas('code 404, message File not found')).toBe('code 404, message File not found');
  });
});

describe('toCsv', () => {
  it('writes a quoted header and one CRLF-terminated row per entry', () => {
    const e = entry({ path: '/a,b', userAgent: '=cmd|calc', status: 404, bytesSent: 12, durationMs: 3 });
    const csv = toCsv([e]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.map((c) => `"${c}"`).join(','));
    expect(lines[2]).toBe('');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('"/a,b"');
    expect(lines[1]).toContain(`,"'=cmd|calc",`);
    expect(lines[1]!.startsWith(`"${new Date(e.time).toISOString()}","192.168.1.20",`)).toBe(true);
    expect(lines[1]).toContain(',"404","12","3",');
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

describe('the truthful log in the exports', () => {
  it('the CPython text has one line per request whatever its state, and none for the share\'s events', () => {
    const t = Date.UTC(2026, 10, 22, 14, 0, 0);
    const text = toCpythonText([
      entry({ time: t, outcome: 'in-progress', path: '/a', message: '"GET /a HTTP/1.1" 200 -' }),
      entry({ time: t, outcome: 'incomplete', path: '/b', message: '"GET /b HTTP/1.1" 200 -' }),
      entry({ time: t, outcome: 'failed', path: '/c', message: '"GET /c HTTP/1.1" 200 -' }),
      entry({ time: t, kind: 'event', status: null, message: 'The shared folder is gone' }),
    ]);
    expect(text.split('\n').filter(Boolean).map((l) => l.replace(/^.*\] /, ''))).toEqual(['"GET /a HTTP/1.1" 200 -', '"GET /b HTTP/1.1" 200 -', '"GET /c HTTP/1.1" 200 -']);
  });

  it('the CSV says body and header bytes, the expected body and the state', () => {
    const csv = toCsv([entry({ bodyBytes: 6, headerBytes: 184, expectedBytes: null, outcome: 'incomplete' })]);
    const [head, row] = csv.split('\r\n');
    expect(head!.endsWith('"body bytes","header bytes","expected body bytes","state"')).toBe(true);
    expect(row!.endsWith('"6","184","","incomplete"')).toBe(true);
  });
});
