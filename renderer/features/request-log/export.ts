/**
 * Exports of the request log: CSV for spreadsheets and CPython-style text.
 *
 * Runs in: the renderer (pure string building; the download itself is in request-log.tsx).
 * Log fields are chosen by whoever sends requests, and a spreadsheet may run a cell as a
 * formula (OWASP "CSV injection"), so every text cell is, in this order:
 *  1. made visible: control characters as `\xHH`, backslashes as `\\`, bidirectional
 *     overrides as `\u202e` (displayText: the same text the window shows), so no raw
 *     control byte reaches the file;
 *  2. neutralised: where a spreadsheet may begin a cell (the start of the text, and after
 *     every `,` and `;`, since a reader whose list separator is the other one splits
 *     there), a formula character `= + - @` (or tab or CR) gets a `'` before it, spaces
 *     and quotes in between passed over;
 *  3. quoted (RFC 4180): every cell, numbers and empty cells included, `"` doubled.
 * test/attack/csv-export.test.ts reads the file back with Python's `csv` module in the
 * `,` and the `;` dialect.
 */
import type { RequestLogEntry } from '../../../server/log';
import { formatCpythonLine } from './cpython-format';
import { displayText } from './format';

/** Column titles, in order. */
export const CSV_COLUMNS = [
  'time',
  'client',
  'client port',
  'method',
  'path',
  'protocol',
  'status',
  'bytes sent',
  'duration ms',
  'user agent',
  'referer',
  'kind',
  'connection',
  'message',
  'body bytes',
  'header bytes',
  'expected body bytes',
  'state',
] as const;

/**
 * A place a spreadsheet may start a cell (text start, or after `,` or `;`), any spaces or
 * quotes it may skip, then a character that starts a formula.
 */
const FORMULA_AT_CELL_START = /(^|[,;])([ "]*)(?=[=+\-@\t\r])/g;

/** `'` before each formula character a spreadsheet could see at the start of a cell. */
export function neutraliseFormulas(text: string): string {
  return text.replace(FORMULA_AT_CELL_START, "$1$2'");
}

/** What a cell holds once read back: visible, neutralised text; null is empty. */
export function csvCellText(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return neutraliseFormulas(displayText(value));
}

/** One CSV cell: always quoted (RFC 4180), holding {@link csvCellText}. */
export function csvCell(value: string | number | null): string {
  return `"${csvCellText(value).replace(/"/g, '""')}"`;
}

/** The CSV row of one entry (no line ending). */
export function csvRow(e: RequestLogEntry): string {
  return [
    new Date(e.time).toISOString(),
    e.clientAddress,
    e.clientPort,
    e.method,
    e.path,
    e.protocol,
    e.status,
    e.bytesSent,
    e.durationMs,
    e.userAgent,
    e.referer,
    e.kind,
    e.connectionId,
    e.message,
    e.bodyBytes,
    e.headerBytes,
    e.expectedBytes,
    e.outcome,
  ]
    .map(csvCell)
    .join(',');
}

/** A whole CSV document with a header row and CRLF line endings (RFC 4180). */
export function toCsv(entries: Iterable<RequestLogEntry>): string {
  const lines = [CSV_COLUMNS.map(csvCell).join(',')];
  for (const e of entries) lines.push(csvRow(e));
  return lines.join('\r\n') + '\r\n';
}

/**
 * The entries as the lines CPython's http.server would have written to stderr. A request
 * still in progress is one line already (CPython writes it when the status is sent); the
 * app's own events are not CPython lines and are left out.
 */
export function toCpythonText(entries: Iterable<RequestLogEntry>): string {
  const parts: string[] = [];
  for (const e of entries) parts.push(formatCpythonLine(e));
  return parts.join('');
}
