/**
 * Exports of the request log: CSV for spreadsheets and CPython-style text.
 *
 * Runs in: the renderer (pure string building; the download itself is in request-log.tsx).
 * Log fields are chosen by whoever sends requests, so CSV cells are guarded against
 * formula injection (OWASP "CSV injection"): a cell starting with = + - @ (or a tab or
 * carriage return, which some spreadsheets strip first) gets a leading single quote.
 */
import type { RequestLogEntry } from '../../../server/log';
import { formatCpythonLine } from './cpython-format';

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
] as const;

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: formula guard first, then RFC 4180 quoting. null becomes an empty cell. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let s = value;
  if (FORMULA_START.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
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
  ]
    .map(csvCell)
    .join(',');
}

/** A whole CSV document with a header row and CRLF line endings (RFC 4180). */
export function toCsv(entries: Iterable<RequestLogEntry>): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const e of entries) lines.push(csvRow(e));
  return lines.join('\r\n') + '\r\n';
}

/** The entries as the lines CPython's http.server would have written to stderr. */
export function toCpythonText(entries: Iterable<RequestLogEntry>): string {
  const parts: string[] = [];
  for (const e of entries) parts.push(formatCpythonLine(e));
  return parts.join('');
}
