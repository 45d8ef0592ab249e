/**
 * Structured request log for the engine.
 *
 * CPython's `log_request` / `log_error` / `log_message` write one NCSA-style line to
 * stderr. Here every such call becomes a {@link RequestLogEntry} handed to a sink
 * callback; the CLI's stderr text is one formatter of it (byte for byte CPython's line)
 * and the desktop window's live log is another consumer.
 *
 * The sink is called synchronously on the serving path, so it must be cheap and must
 * never throw or block: consumers batch (the utility host sends batches at most every
 * ~50 ms) and never do I/O per entry.
 */

/** What produced the entry. */
export type LogKind =
  /** `log_request`: one per answered request, emitted when the response is complete. */
  | 'request'
  /** `log_error`: e.g. `code 404, message File not found`, `CGI script exit code 1`. */
  | 'error'
  /** A CGI script's stderr output (one entry per line, bounded). */
  | 'cgi-stderr'
  /** Any other `log_message` call. */
  | 'message'
  /**
   * Not a CPython line: a file a visitor sent (PORT NOTE 33, the `upload` setting), one entry
   * per file: `path` is where it went (the saved file's URL path), `bodyBytes` what arrived of
   * `expectedBytes` (a PUT's Content-Length; null in a form), `outcome` `in-progress` while it
   * arrives (servers given `logProgressMs`), `done` once saved, `incomplete` when the connection
   * was cut, `failed` when it was refused or could not be saved (`message` says why).
   */
  | 'upload'
  /**
   * Not a CPython line: something the app's host noticed about the share itself (e.g. the
   * shared folder vanished or came back), in plain words in `message`. Never printed by the
   * CLI, never in the CPython-format export.
   */
  | 'event';

/**
 * Where a row stands (every kind has one; only `request` rows, and later kinds that move
 * bytes, ever leave `done`):
 * - `in-progress`: an update of a response still going out (same `id` as the final entry,
 *   which replaces it). Sent only by servers given `logProgressMs` (the app's host), at most
 *   once per response per interval, never for a response that ends within its first interval.
 *   Never a CPython line: the CLI never gets one.
 * - `done`: the final entry, everything expected went out.
 * - `incomplete`: the final entry of a response cut short (client gone, file truncated under
 *   it, stream error): `bodyBytes` of `expectedBytes` went out.
 * - `failed`: the final entry of a response that went out but whose producer failed (a CGI
 *   script that exited non-zero or wrote to stderr): the window shows it as an error.
 *
 * Adding a kind that moves bytes the other way (an upload: bytes received of expected) needs
 * no new field: `bodyBytes` is the body moved so far (received, for an upload),
 * `expectedBytes` the length announced, `outcome` the same four states, and `id` the key its
 * progress updates share with its final entry. Add the kind to {@link LogKind}, its code to
 * `LOG_KIND_CODES` (server/host/log-columns.ts) and a label to the window's row and details.
 */
export type LogOutcome = 'done' | 'in-progress' | 'incomplete' | 'failed';

export interface RequestLogEntry {
  /** Increases by one per entry within one server run; stable id for list rendering. */
  readonly id: number;
  readonly kind: LogKind;
  /** Milliseconds since the epoch when CPython would have written the line. */
  readonly time: number;
  /** Identifies the connection, so errors and requests of one exchange can be grouped. */
  readonly connectionId: number;
  /** Client address as `address_string()` gives it (IPv4-mapped IPv6 unwrapped). */
  readonly clientAddress: string;
  readonly clientPort: number;
  /** Parsed request method, or null when the request line never parsed. */
  readonly method: string | null;
  /** Raw request path as sent (percent-encoded, with query), or null. */
  readonly path: string | null;
  /** Request version (`HTTP/1.1`, `HTTP/0.9`), or null. */
  readonly protocol: string | null;
  /** The status sent, or null for entries that are not tied to a response. */
  readonly status: number | null;
  /** Bytes of the response written to the socket (headers and body), 0 when none. */
  readonly bytesSent: number;
  /** Of {@link bytesSent}, the bytes of the body (what the Size column shows). */
  readonly bodyBytes: number;
  /** Of {@link bytesSent}, the bytes of the status line and headers. */
  readonly headerBytes: number;
  /**
   * Body bytes the response announced (its Content-Length; 0 for HEAD, 204, 304), or null
   * when it announced none (a ZIP stream, a CGI script's output).
   */
  readonly expectedBytes: number | null;
  /** See {@link LogOutcome}; `done` for every entry that is not about bytes moving. */
  readonly outcome: LogOutcome;
  /** From the first byte of the request line to the end of the response, or null. */
  readonly durationMs: number | null;
  readonly userAgent: string | null;
  readonly referer: string | null;
  /**
   * The message CPython formats before escaping, e.g. `"GET / HTTP/1.1" 200 -` or
   * `code 404, message File not found`. Unescaped: every text sink must escape control
   * characters itself (see the formatter).
   */
  readonly message: string;
}

/**
 * The sink the engine calls for every entry. Must not throw; must not block. A sink of a
 * server given `logProgressMs` also gets `in-progress` updates (same `id` as the final entry).
 */
export type LogSink = (entry: RequestLogEntry) => void;

/**
 * Unwrap an IPv4-mapped IPv6 address (`::ffff:10.0.0.2` → `10.0.0.2`): how a client is named in
 * the log, and the key per-client counts are kept under (one person, whichever socket family).
 * PORT NOTE: log entries (and so the CLI's log lines) show IPv4 clients of a dual-stack server
 * as `10.0.0.2`, where CPython prints `::ffff:10.0.0.2`. `addressString()` and REMOTE_ADDR keep
 * CPython's value.
 */
export function unmapIPv4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * An entry tied to no request (an error outside any request, the host's own events): no
 * method, path or status, nothing sent. Id 0: the server numbers entries as they go out.
 */
export function entryWithoutRequest(
  kind: LogKind,
  message: string,
  at: { readonly time: number; readonly connectionId: number; readonly clientAddress: string; readonly clientPort: number },
): RequestLogEntry {
  return {
    id: 0,
    kind,
    time: at.time,
    connectionId: at.connectionId,
    clientAddress: at.clientAddress,
    clientPort: at.clientPort,
    method: null,
    path: null,
    protocol: null,
    status: null,
    bytesSent: 0,
    bodyBytes: 0,
    headerBytes: 0,
    expectedBytes: null,
    outcome: 'done',
    durationMs: null,
    userAgent: null,
    referer: null,
    message,
  };
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * CPython's `log_date_time_string()`: local time as `DD/Mon/YYYY hh:mm:ss`
 * (`"%02d/%3s/%04d %02d:%02d:%02d"`).
 */
export function logDateTimeString(time: number): string {
  // Local time changes only at whole seconds (zone offsets are whole seconds too), so the
  // text of the last second formatted is reused: one formatting per second, not per line.
  const seconds = Math.floor(time / 1000);
  if (seconds === lastLogSeconds) return lastLogText;
  const d = new Date(seconds * 1000);
  lastLogText = `${pad(d.getDate())}/${MONTH_NAMES[d.getMonth()]}/${pad(d.getFullYear(), 4)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  lastLogSeconds = seconds;
  return lastLogText;
}

let lastLogSeconds = NaN;
let lastLogText = '';

const CONTROL_OR_BACKSLASH = /[\x00-\x1f\x7f-\x9f\\]/;

/**
 * CPython 3.12+ `_control_char_table`: C0 controls, DEL and C1 controls become `\xHH`, and a
 * backslash is doubled, so a log line can never carry terminal escapes or fake line breaks.
 */
export function escapeControlChars(message: string): string {
  if (!CONTROL_OR_BACKSLASH.test(message)) return message;
  return message.replace(/[\x00-\x1f\x7f-\x9f\\]/g, (c) =>
    c === '\\' ? '\\\\' : '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'),
  );
}

/**
 * One NCSA-style log line exactly as CPython 3.13's `log_message` writes it to stderr:
 * `"%s - - [%s] %s\n" % (address_string(), log_date_time_string(), escaped message)`.
 * For 'cgi-stderr' entries the message is the script's own line, without the prefix, as the
 * CPython child (which inherits stderr) writes it. PORT NOTE: escaped like every other line,
 * because a script may echo what a client sent (CPython writes it raw to the terminal).
 */
export function formatNcsaLine(entry: RequestLogEntry): string {
  // Not CPython lines: a host's own events, and progress updates (a CLI server sends none).
  if (entry.kind === 'event' || entry.outcome === 'in-progress') return '';
  if (entry.kind === 'cgi-stderr') return escapeControlChars(entry.message) + '\n';
  return `${entry.clientAddress} - - [${logDateTimeString(entry.time)}] ${escapeControlChars(entry.message)}\n`;
}
