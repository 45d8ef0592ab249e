/**
 * CPython-style log text for the "Export as text" action.
 *
 * Runs in: the renderer (pure). A small re-implementation, on purpose: the renderer must
 * not import server/ runtime code. Mirrors `BaseHTTPRequestHandler.log_message` of
 * CPython's Lib/http/server.py:
 *
 *     "%s - - [%s] %s\n" % (address_string(), log_date_time_string(),
 *                            message.translate(_control_char_table))
 *
 * where `_control_char_table` maps C0 controls (0x00–0x1f) and DEL/C1 (0x7f–0x9f) to
 * `\xHH`, and a backslash to `\\` (gh-100001), and `log_date_time_string()` is
 * `dd/Mon/YYYY HH:MM:SS` in local time.
 */
import type { RequestLogEntry } from '../../../server/log';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** CPython's `log_date_time_string()` for a time in ms since the epoch, in local time. */
export function formatLogDate(timeMs: number): string {
  const d = new Date(timeMs);
  const year = String(d.getFullYear()).padStart(4, '0');
  return `${pad2(d.getDate())}/${MONTHS[d.getMonth()]}/${year} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Escapes control characters as `\xHH` and a backslash as `\\`, like `_control_char_table`. */
export function escapeControlChars(message: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i);
    let rep: string | null = null;
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) rep = `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c === 0x5c) rep = '\\\\';
    if (rep !== null) {
      out += message.slice(from, i) + rep;
      from = i + 1;
    }
  }
  return from === 0 ? message : out + message.slice(from);
}

/**
 * One log line as CPython writes it to stderr, including the trailing newline. A CGI
 * script's stderr line has no prefix: the CPython child inherits stderr and writes it
 * itself (same rule as the engine's `formatNcsaLine` in server/log.ts). An `event` (not a
 * CPython line) gives ''.
 */
export function formatCpythonLine(entry: RequestLogEntry): string {
  // The app's own events (the shared folder gone or back) are not lines CPython writes.
  if (entry.kind === 'event') return '';
  if (entry.kind === 'cgi-stderr') return `${escapeControlChars(entry.message)}\n`;
  return `${entry.clientAddress} - - [${formatLogDate(entry.time)}] ${escapeControlChars(entry.message)}\n`;
}
