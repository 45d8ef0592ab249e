import { describe, expect, it } from 'vitest';
import { escapeControlChars, formatCpythonLine, formatLogDate } from './cpython-format';
import { entry } from './test-entries';
import { formatNcsaLine } from '../../../server/log';

describe('formatLogDate (log_date_time_string)', () => {
  it('uses dd/Mon/YYYY HH:MM:SS in local time, zero-padded', () => {
    expect(formatLogDate(new Date(2024, 0, 5, 3, 4, 5).getTime())).toBe('05/Jan/2024 03:04:05');
    expect(formatLogDate(new Date(1999, 11, 31, 23, 59, 59).getTime())).toBe('31/Dec/1999 23:59:59');
  });
});

describe('escapeControlChars (_control_char_table)', () => {
  it('escapes C0, DEL and C1 controls as \\xHH and doubles backslashes', () => {
    expect(escapeControlChars('a\nb')).toBe('a\\x0ab');
    expect(escapeControlChars('\x00\x1b[31m')).toBe('\\x00\\x1b[31m');
    expect(escapeControlChars('\x7f\x85\x9f')).toBe('\\x7f\\x85\\x9f');
    expect(escapeControlChars('C:\\dir')).toBe('C:\\\\dir');
  });
  it('leaves printable text, including non-ASCII from U+00A0, unchanged', () => {
    expect(escapeControlChars('GET /caf\u00e9 \u00a0ok ✓')).toBe('GET /caf\u00e9 \u00a0ok ✓');
  });
});

describe('formatCpythonLine (log_message)', () => {
  it('formats "%s - - [%s] %s\\n" with the escaped message', () => {
    const e = entry({
      clientAddress: '10.1.2.3',
      time: new Date(2026, 10, 22, 9, 8, 7).getTime(),
      message: '"GET /\x1b]0;pwned\x07 HTTP/1.1" 404 -',
    });
    expect(formatCpythonLine(e)).toBe('10.1.2.3 - - [22/Nov/2026 09:08:07] "GET /\\x1b]0;pwned\\x07 HTTP/1.1" 404 -\n');
  });
  it('writes a CGI script\'s stderr line without the prefix, as the inheriting child does, like the engine', () => {
    const e = entry({ kind: 'cgi-stderr', method: null, path: null, status: null, message: 'debug: \x1b[1mhi' });
    expect(formatCpythonLine(e)).toBe('debug: \\x1b[1mhi\n');
    for (const x of [e, entry(), entry({ kind: 'error', message: 'code 404, message File not found' })]) {
      expect(formatCpythonLine(x)).toBe(formatNcsaLine(x));
    }
  });
});
