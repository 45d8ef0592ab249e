/**
 * Pure Node. Port of CPython v3.13.0 `Lib/http/server.py` — `BaseHTTPRequestHandler`.
 *
 * Same flow as CPython: `handle()` loops `handleOneRequest()` until `closeConnection`;
 * `handleOneRequest()` reads the request line (65536-byte limit → 414), `parseRequest()`
 * parses it and the headers (failures answer through `sendError` and return false: protocol
 * errors are never exceptions), then the method named `do_<COMMAND>` runs. Output goes to a
 * header buffer that `flushHeaders()` writes once (`_headers_buffer`).
 *
 * Blocking I/O becomes async: `rfile.readline()`/`read()` await only when the bytes are not
 * buffered yet, and `do_<COMMAND>` may return a promise.
 */
import type { Duplex } from 'node:stream';
import type { AccessGate } from './auth.js';
import { SocketReader, SocketWriter, ReadTimeoutError } from './connection-io.js';
import { HandlerAbort } from './errors.js';
import type { HandlerFs } from './handler-fs.js';
import { HTTPMessage, readHeaders } from './http-message.js';
import { HTTP_STATUS } from './http-status.js';
import { policyFor, type HandlerPolicy } from './handler-policy.js';
import { DEFAULT_HEADER_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, MAX_DISCARDED_BODY_BYTES } from './limits.js';
import type { LogKind, RequestLogEntry } from './log.js';
import { logDateTimeString, unmapIPv4 } from './log.js';
import { encodeLatin1Strict, htmlEscape, pyRepr, pyRstrip, pySplit, PyUnicodeError } from './py-text.js';
import type { HandlerSettings } from './share-settings.js';

/** `http.server.__version__`. */
export const VERSION = '0.6';

/** CPython's `DEFAULT_ERROR_MESSAGE` (3.13.0). */
export const DEFAULT_ERROR_MESSAGE = `<!DOCTYPE HTML>
<html lang="en">
    <head>
        <meta charset="utf-8">
        <title>Error response</title>
    </head>
    <body>
        <h1>Error response</h1>
        <p>Error code: %(code)d</p>
        <p>Message: %(message)s.</p>
        <p>Error code explanation: %(code)s - %(explain)s.</p>
    </body>
</html>
`;

export const DEFAULT_ERROR_CONTENT_TYPE = 'text/html;charset=utf-8';

/**
 * A log entry as the handler makes it: `id` is 0 until the server numbers it in `emitLog` (in
 * place, no copy); an entry that already has one (a request whose progress was reported) keeps it.
 */
export type LogEntryDraft = Omit<RequestLogEntry, 'id'> & { id: number };
/** A draft being filled in by its handler (it is this handler's own object until emitted). */
type MutableDraft = { -readonly [K in keyof LogEntryDraft]: LogEntryDraft[K] };

/** What a handler needs from its server (`self.server` in CPython). */
export interface HandlerServer {
  /** `server_name`: `socket.getfqdn(host)` of the bound address. */
  readonly serverName: string;
  readonly serverPort: number;
  /** Hand a log entry to the sink. Must not throw. */
  emitLog(entry: LogEntryDraft): void;
  /** Track a child process so closing the server can kill it (CGI). */
  trackChild?(kill: () => void): () => void;
  /**
   * The server's one instance of `kind`, made on first use: what a handler class keeps
   * between requests and connections (caches), kept where CPython keeps such things, on
   * `self.server`. Optional: without it a handler keeps such state for its connection only.
   */
  handlerState?<T extends object>(kind: new () => T): T;
}

/**
 * Per-server options every handler of that server receives. The share settings the engine
 * passes to handlers come from the settings table (`HandlerSettings`, server/share-settings.ts:
 * `directory` for `SimpleHTTPRequestHandler(directory=...)`, `cgiDirectories` for
 * `CGIHTTPRequestHandler.cgi_directories`, `followSymlinks`, ...); absent, a handler behaves
 * as CPython's.
 */
export interface HandlerOptions extends Omit<HandlerSettings, 'protocolVersion'> {
  /**
   * Overrides `protocolVersion` (what `test(protocol=...)` sets on the class): any string, as
   * CPython's `-p` takes; the app's setting is one of the two versions.
   */
  readonly protocolVersion?: string;
  /** File-system calls of the file-serving handlers (default: the real disk). */
  readonly fs?: HandlerFs;
  /** Longest wait for request bytes, in ms; 0 = forever (CPython's default). PORT NOTE: new. */
  readonly readTimeoutMs?: number;
  /**
   * Longest wait for the first byte of a request, in ms (0 = forever, as CPython).
   * PORT NOTE: new; default `DEFAULT_IDLE_TIMEOUT_MS` (minutes) in every mode.
   */
  readonly idleTimeoutMs?: number;
  /**
   * Longest time from the first byte of a request to the end of its headers, in ms (0 =
   * forever, as CPython). PORT NOTE: new (slowloris); default `DEFAULT_HEADER_TIMEOUT_MS`.
   */
  readonly headerTimeoutMs?: number;
  /**
   * The hardening profile (the app always; the CLI with `--hardened`). PORT NOTE: CPython
   * parses an unread request body as the next request and accepts any framing headers.
   * Hardened: a request with `Transfer-Encoding`, several `Content-Length`s or one that is
   * not a plain number gets 400 and the connection is closed; an unread body is read and
   * thrown away (or, when large, the connection is closed); a path with any control
   * character is refused; a CGI script gets exactly `Content-Length` bytes as its input; a
   * CGI server answers a path that climbs above the root with 404 (PORT NOTE 25). Handlers
   * read none of this here: each is a named decision of `this.policy` (handler-policy.ts).
   */
  readonly hardened?: boolean;
  /** CGI: longest a script may run, in ms (0 = forever, as CPython). PORT NOTE: new. */
  readonly cgiTimeoutMs?: number;
  /** CGI: largest request body passed to a script (413 above). PORT NOTE: new. */
  readonly maxBodyBytes?: number;
  /**
   * The server's password gate (server/auth.ts), built once per server from the `password`
   * setting; absent (CPython's behaviour), every request goes straight to its method.
   * PORT NOTE 32.
   */
  readonly access?: AccessGate;
}

/** The arguments CPython passes to a handler: request socket, client address, server. */
export interface HandlerContext {
  readonly socket: Duplex;
  /** `(host, port)` as the socket reports them. */
  readonly clientAddress: readonly [string, number];
  readonly server: HandlerServer;
  readonly connectionId: number;
  readonly options: HandlerOptions;
}

/** The constructor type of a handler class (what `HTTPServer` instantiates per connection). */
export type HandlerClass = new (context: HandlerContext) => BaseHTTPRequestHandler;

/** A `do_<METHOD>` implementation. */
type DoMethod = () => void | Promise<void>;

/**
 * Python `%` formatting for the conversions http.server uses: `%s %d %r %#x %%`.
 * `%r` of a string is Python's `repr()`.
 */
export function pyFormat(format: string, args: readonly unknown[]): string {
  // A scan instead of a regex replace: every request's log line goes through here.
  let out = '';
  let from = 0;
  let i = 0;
  for (let at = format.indexOf('%'); at >= 0; at = format.indexOf('%', from)) {
    let k = at + 1;
    const alt = format[k] === '#';
    if (alt) k++;
    const conv = format[k];
    if (conv !== 's' && conv !== 'd' && conv !== 'r' && conv !== 'x' && conv !== '%') {
      // Not a conversion this port knows: kept as written.
      out += format.slice(from, at + 1);
      from = at + 1;
      continue;
    }
    out += format.slice(from, at);
    from = k + 1;
    if (conv === '%') {
      out += '%';
      continue;
    }
    const arg = args[i++];
    switch (conv) {
      case 'd':
        out += String(Math.trunc(Number(arg)));
        break;
      case 'r':
        out += typeof arg === 'string' ? pyRepr(arg) : String(arg);
        break;
      case 'x': {
        const n = Math.trunc(Number(arg));
        out += (n < 0 ? '-' : '') + (alt ? '0x' : '') + Math.abs(n).toString(16);
        break;
      }
      default:
        out += String(arg);
    }
  }
  return out + format.slice(from);
}


/**
 * HTTP request handler base class. Subclasses answer a method `SPAM` by defining `do_SPAM()`
 * (case-sensitive), exactly as in CPython; see `SimpleHTTPRequestHandler`.
 */
export class BaseHTTPRequestHandler {
  /** `sys_version`: the runtime and its version (PORT NOTE: `Node/20.x`, not `Python/3.x`). */
  sysVersion = 'Node/' + process.versions.node;
  /** `server_version`. */
  serverVersion = 'BaseHTTP/' + VERSION;
  errorMessageFormat = DEFAULT_ERROR_MESSAGE;
  errorContentType = DEFAULT_ERROR_CONTENT_TYPE;
  /**
   * `default_request_version`: the version assumed until the request line is parsed, so a
   * malformed request line gets a bare HTTP/0.9-style answer (no status line).
   */
  defaultRequestVersion = 'HTTP/0.9';
  /** The HTTP version this server speaks; `HTTP/1.1` enables keep-alive. */
  protocolVersion = 'HTTP/1.0';
  /** `responses`: code → [shortmessage, longmessage]. */
  responses: ReadonlyMap<number, readonly [string, string]> = HTTP_STATUS;
  weekdayname = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  monthname = [null, 'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  /** `request`: the connection socket. */
  readonly request: Duplex;
  readonly clientAddress: readonly [string, number];
  readonly server: HandlerServer;
  readonly connectionId: number;
  protected readonly options: HandlerOptions;
  /** The server's policy once `policy` has resolved it (set at construction). */
  private resolvedPolicy: HandlerPolicy | undefined;
  /** Buffered reader over the socket (`rfile`). */
  readonly rfile: SocketReader;
  /** Coalescing writer over the socket (`wfile`). */
  readonly wfile: SocketWriter;

  rawRequestline: Buffer = Buffer.alloc(0);
  requestline = '';
  command: string | null = null;
  path = '';
  requestVersion = '';
  headers: HTTPMessage = new HTTPMessage();
  closeConnection = true;

  /** `_headers_buffer`: the header lines, checked latin-1 when added, encoded once at flush. */
  private headersBuffer: string | null = null;
  /** The request log entry of the current request, sent when its response is complete. */
  private pendingRequestEntry: LogEntryDraft | null = null;
  /** Entries logged after the pending request entry; emitted right after it. */
  private deferredEntries: LogEntryDraft[] = [];
  private requestStart = 0;
  private requestBytesStart = 0;
  private logKind: LogKind = 'message';
  private logStatus: number | null = null;
  /**
   * How much of the request fields log entries may take as the current request's: 0 none
   * (`command`, `path`, `requestVersion` and `headers` still hold the previous request's,
   * kept as CPython keeps them, until `parseRequest` replaces them), 1 the request line,
   * 2 the headers too. A handler used outside `handleOneRequest` logs what its fields hold.
   */
  private parsedSoFar: 0 | 1 | 2 = 2;

  constructor(context: HandlerContext) {
    this.request = context.socket;
    this.clientAddress = context.clientAddress;
    this.server = context.server;
    this.connectionId = context.connectionId;
    this.options = context.options;
    this.resolvedPolicy = policyFor(context.options);
    this.rfile = new SocketReader(context.socket);
    this.wfile = new SocketWriter(context.socket);
    // Anything written is sent before the handler waits for more input (CPython's wfile is
    // unbuffered; here small writes are only held while no input is awaited).
    this.rfile.onBeforeWait = () => {
      this.wfile.flush();
    };
  }

  /**
   * What this server's handlers decide from their options, resolved once per server
   * (handler-policy.ts): methods read `this.policy.x` instead of testing options or the
   * platform. Resolved on first use on a bare instance (tests make one without a server).
   */
  get policy(): HandlerPolicy {
    return (this.resolvedPolicy ??= policyFor(this.options));
  }

  /** `StreamRequestHandler.setup()`: apply the server's options (after subclass fields). */
  setup(): void {
    if (this.options.protocolVersion !== undefined) this.protocolVersion = this.options.protocolVersion;
    if (this.options.readTimeoutMs) this.rfile.timeoutMs = this.options.readTimeoutMs;
  }

  /** Handle multiple requests if necessary. */
  async handle(): Promise<void> {
    this.closeConnection = true;
    await this.handleOneRequest();
    while (!this.closeConnection) {
      await this.handleOneRequest();
    }
  }

  /** `StreamRequestHandler.finish()`: send what is left. */
  finish(): void {
    this.wfile.flush();
  }

  /**
   * Handle a single HTTP request. You normally don't need to override this method; define
   * `do_<METHOD>` methods instead.
   */
  async handleOneRequest(): Promise<void> {
    try {
      this.rfile.deadline = 0;
      this.parsedSoFar = 0;
      // The duration counts from the first byte of the request line.
      const hadData = this.rfile.buffered > 0;
      const before = performance.now();
      // PORT NOTE: idle timeout before a request starts, then a deadline for the request line
      // and headers together (CPython waits forever for both).
      const idle = this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
      const perRead = this.rfile.timeoutMs;
      if (this.rfile.buffered === 0) await this.rfile.waitForInput(idle > 0 && perRead > 0 ? Math.min(idle, perRead) : idle || perRead);
      const headerTimeout = this.options.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS;
      if (headerTimeout > 0) this.rfile.deadline = performance.now() + headerTimeout;
      this.rawRequestline = this.rfile.tryReadline(65537) ?? (await this.rfile.readline(65537));
      this.parsedSoFar = 1;
      this.requestStart = hadData ? before : this.rfile.firstByteTime || before;
      this.requestBytesStart = this.wfile.bytesWritten;
      if (this.rawRequestline.length > 65536) {
        this.requestline = '';
        this.requestVersion = '';
        this.command = '';
        this.sendError(414);
        this.completeRequest();
        return;
      }
      if (this.rawRequestline.length === 0) {
        this.closeConnection = true;
        return;
      }
      const parsed = await this.parseRequest();
      this.rfile.deadline = 0;
      if (!parsed || (this.policy.refuseAmbiguousFraming && !this.checkFraming())) {
        // An error code has been sent, just exit.
        this.completeRequest();
        return;
      }
      this.rfile.markBodyStart();
      // PORT NOTE 32: with a password, whoever has not logged in is answered here, before
      // any file, script or upload is looked at.
      if (this.options.access && !(await this.options.access.admit(this))) {
        this.wfile.flush();
        this.completeRequest();
        if (this.policy.discardUnreadBody && !this.closeConnection) await this.discardUnreadBody();
        return;
      }
      const mname = 'do_' + this.command;
      const method = (this as unknown as Record<string, unknown>)[mname];
      if (typeof method !== 'function') {
        this.sendError(501, `Unsupported method (${pyRepr(this.command!)})`);
        this.completeRequest();
        return;
      }
      await (method as DoMethod).call(this);
      // Actually send the response if not already done.
      this.wfile.flush();
      this.completeRequest();
      if (this.policy.discardUnreadBody && !this.closeConnection) await this.discardUnreadBody();
    } catch (err) {
      this.rfile.deadline = 0;
      if (err instanceof ReadTimeoutError) {
        // A read timed out: discard this connection.
        this.logError('Request timed out: %r', { toString: () => `${err.name}('${err.message}')` });
        this.closeConnection = true;
        this.completeRequest(true);
        return;
      }
      this.completeRequest(true);
      throw err;
    }
  }

  /**
   * Parse a request (internal). The request should be stored in `rawRequestline`; the results
   * are in `command`, `path`, `requestVersion` and `headers`. Returns true for success, false
   * for failure; on failure, any relevant error response has already been sent back.
   */
  async parseRequest(): Promise<boolean> {
    this.command = null; // set in case of error on the first line
    let version = this.defaultRequestVersion;
    this.requestVersion = version;
    this.closeConnection = true;
    let requestline = this.rawRequestline.toString('latin1');
    requestline = pyRstrip(requestline, '\r\n');
    this.requestline = requestline;
    const words = pySplit(requestline);
    if (words.length === 0) return false;

    if (words.length >= 3) {
      // Enough to determine protocol version.
      version = words[words.length - 1]!;
      let versionNumber: [number, number] | null = null;
      let baseVersionNumber = '';
      if (version === 'HTTP/1.1' || version === 'HTTP/1.0') {
        // The two versions every client sends (what the general parse below gives them).
        baseVersionNumber = version.slice(5);
        versionNumber = [1, version === 'HTTP/1.1' ? 1 : 0];
      } else if (version.startsWith('HTTP/')) {
        baseVersionNumber = version.split('/').slice(1).join('/');
        const parts = baseVersionNumber.split('.');
        // RFC 2145 section 3.1 says there can be only one "." and
        //   - major and minor numbers MUST be treated as separate integers;
        //   - HTTP/2.4 is a lower version than HTTP/2.13, which in turn is lower than HTTP/12.3;
        //   - Leading zeros MUST be ignored by recipients.
        if (parts.length === 2 && parts.every((c) => /^[0-9]+$/.test(c)) && parts.every((c) => c.length <= 10)) {
          versionNumber = [parseInt(parts[0]!, 10), parseInt(parts[1]!, 10)];
        }
      }
      if (versionNumber === null) {
        this.sendError(400, `Bad request version (${pyRepr(version)})`);
        return false;
      }
      if (compareVersion(versionNumber, [1, 1]) >= 0 && this.protocolVersion >= 'HTTP/1.1') {
        this.closeConnection = false;
      }
      if (compareVersion(versionNumber, [2, 0]) >= 0) {
        this.sendError(505, `Invalid HTTP version (${baseVersionNumber})`);
        return false;
      }
      this.requestVersion = version;
    }

    if (!(words.length >= 2 && words.length <= 3)) {
      this.sendError(400, `Bad request syntax (${pyRepr(requestline)})`);
      return false;
    }
    const command = words[0]!;
    const path = words[1]!;
    if (words.length === 2) {
      this.closeConnection = true;
      if (command !== 'GET') {
        this.sendError(400, `Bad HTTP/0.9 request type (${pyRepr(command)})`);
        return false;
      }
    }
    this.command = command;
    this.path = path;

    // gh-87389: The purpose of replacing '//' with '/' is to protect against open redirect
    // attacks possibly triggered if the path starts with '//' because http clients treat
    // //path as an absolute URI without scheme (similar to http://path) rather than a path.
    if (this.path.startsWith('//')) {
      this.path = '/' + this.path.replace(/^\/+/, ''); // Reduce to a single /
    }

    // Examine the headers and look for a Connection directive.
    const result = await readHeaders(this.rfile);
    if (!result.ok) {
      this.sendError(431, result.kind === 'line-too-long' ? 'Line too long' : 'Too many headers', result.explain);
      return false;
    }
    this.headers = result.message;
    this.parsedSoFar = 2;

    const conntype = this.headers.get('Connection', '');
    if (conntype.toLowerCase() === 'close') {
      this.closeConnection = true;
    } else if (conntype.toLowerCase() === 'keep-alive' && this.protocolVersion >= 'HTTP/1.1') {
      this.closeConnection = false;
    }
    // Examine the headers and look for an Expect directive.
    const expect = this.headers.get('Expect', '');
    if (expect.toLowerCase() === '100-continue' && this.protocolVersion >= 'HTTP/1.1' && this.requestVersion >= 'HTTP/1.1') {
      if (!(await this.handleExpect100())) return false;
    }
    return true;
  }

  /**
   * Hardened profile only: refuse framing a request smuggler could exploit, with 400 and a
   * closed connection. Returns false when an error was sent. PORT NOTE: CPython accepts all.
   */
  protected checkFraming(): boolean {
    if (this.headers.getAll('transfer-encoding').length > 0) {
      this.sendError(400, 'Transfer-Encoding is not supported');
      return false;
    }
    const lengths = this.headers.getAll('content-length');
    if (lengths.length > 1) {
      this.sendError(400, 'More than one Content-Length');
      return false;
    }
    if (lengths.length === 1 && !/^[0-9]{1,15}$/.test(lengths[0]!.trim())) {
      this.sendError(400, 'Bad Content-Length');
      return false;
    }
    return true;
  }

  /** The request's Content-Length as checked by `checkFraming()`, or 0. */
  protected declaredBodyLength(): number {
    const value = this.headers.get('content-length');
    return value !== undefined && /^[0-9]{1,15}$/.test(value.trim()) ? Number(value.trim()) : 0;
  }

  /**
   * Hardened profile only: throw away the part of the request body nobody read (the reader
   * counts what was consumed since the headers, however it was read), so it is never parsed
   * as the next request; a large one closes the connection instead.
   */
  protected async discardUnreadBody(): Promise<void> {
    const left = this.declaredBodyLength() - this.rfile.bodyBytesRead;
    if (left <= 0) return;
    if (left > MAX_DISCARDED_BODY_BYTES) {
      this.closeConnection = true;
      return;
    }
    const dropped = await this.rfile.discard(left);
    if (dropped < left) this.closeConnection = true;
  }

  /**
   * Decide what to do with an "Expect: 100-continue" header. Either return true (possibly
   * after sending a 100 Continue response) or send an error response and return false.
   * The default always sends 100 Continue.
   */
  async handleExpect100(): Promise<boolean> {
    this.sendResponseOnly(100);
    this.endHeaders();
    // The client waits for this interim answer before sending the body: send it now.
    this.wfile.flush();
    return true;
  }

  /**
   * Send and log an error reply. `message` is a one-line reason phrase (defaults to the
   * short entry for the code), `explain` a detailed message (defaults to the long entry).
   * Must be called before any output has been generated; sends `Connection: close` and,
   * except for 1xx/204/205/304 and HEAD, an HTML page (HTML-escaped: bug #1100201).
   * PORT NOTE 26: `headers` (not in CPython) are sent after `Connection`, before the body's
   * own: a 416 carries its `Content-Range` this way.
   */
  sendError(code: number, message?: string, explain?: string, headers?: readonly (readonly [string, string])[]): void {
    const entry = this.responses.get(code);
    const [shortmsg, longmsg] = entry ?? ['???', '???'];
    if (message === undefined) message = shortmsg;
    if (explain === undefined) explain = longmsg;
    this.logStatus = code;
    this.logError('code %d, message %s', code, message);
    this.sendResponse(code, message);
    this.sendHeader('Connection', 'close');
    if (headers) for (const [keyword, value] of headers) this.sendHeader(keyword, value);

    // Message body is omitted for cases described in:
    //  - RFC7230: 3.3. 1xx, 204(No Content), 304(Not Modified)
    //  - RFC7231: 6.3.6. 205(Reset Content)
    let body: Buffer | null = null;
    if (code >= 200 && code !== 204 && code !== 205 && code !== 304) {
      const content = formatErrorMessage(this.errorMessageFormat, code, htmlEscape(message, false), htmlEscape(explain, false));
      body = Buffer.from(content, 'utf8');
      this.sendHeader('Content-Type', this.errorContentType);
      this.sendHeader('Content-Length', String(body.length));
    }
    this.endHeaders();
    if (this.command !== 'HEAD' && body) this.wfile.write(body);
  }

  /**
   * Add the response line to the headers buffer and log the response code; also send the
   * `Server` and `Date` headers.
   */
  sendResponse(code: number, message?: string): void {
    this.logRequest(code);
    this.sendResponseOnly(code, message);
    this.sendHeader('Server', this.versionString());
    this.sendHeader('Date', this.dateTimeString());
  }

  /** Send the response line only (nothing for an HTTP/0.9 request). */
  sendResponseOnly(code: number, message?: string): void {
    if (this.requestVersion !== 'HTTP/0.9') {
      if (message === undefined) message = this.responses.get(code)?.[0] ?? '';
      this.headersBuffer = (this.headersBuffer ?? '') + latin1OrAbort(`${this.protocolVersion} ${code} ${message}\r\n`);
    }
  }

  /** Add a MIME header to the headers buffer; `Connection` also updates `closeConnection`. */
  sendHeader(keyword: string, value: string): void {
    if (this.requestVersion !== 'HTTP/0.9') {
      this.headersBuffer = (this.headersBuffer ?? '') + latin1OrAbort(`${keyword}: ${value}\r\n`);
    }
    const lower = keyword.toLowerCase();
    if (lower === 'connection') {
      if (value.toLowerCase() === 'close') this.closeConnection = true;
      else if (value.toLowerCase() === 'keep-alive') this.closeConnection = false;
    } else if (lower === 'content-length' && this.pendingRequestEntry !== null) {
      // What the body should come to, so a response cut short can say "N of M bytes".
      const n = Number(value.trim());
      if (Number.isSafeInteger(n) && n >= 0) (this.pendingRequestEntry as MutableDraft).expectedBytes = n;
    }
  }

  /** Send the blank line ending the MIME headers. */
  endHeaders(): void {
    if (this.requestVersion !== 'HTTP/0.9') {
      this.headersBuffer = (this.headersBuffer ?? '') + '\r\n';
      this.flushHeaders();
    }
  }

  /** Write the buffered header lines in one piece. */
  flushHeaders(): void {
    if (this.headersBuffer) {
      const block = Buffer.from(this.headersBuffer, 'latin1');
      this.wfile.write(block);
      this.headersBuffer = '';
      // Headers are counted apart from the body (the log's Size column is the body).
      if (this.pendingRequestEntry !== null) (this.pendingRequestEntry as MutableDraft).headerBytes += block.length;
    }
  }

  /** Log an accepted request. Called by `sendResponse()`. */
  logRequest(code: number | string = '-', size: number | string = '-'): void {
    if (typeof code === 'number') this.logStatus = code;
    this.logKind = 'request';
    try {
      this.logMessage('"%s" %s %s', this.requestline, String(code), String(size));
    } finally {
      this.logKind = 'message';
    }
  }

  /** Log an error (CPython passes it on to `logMessage`). */
  logError(format: string, ...args: unknown[]): void {
    this.logKind = 'error';
    try {
      this.logMessage(format, ...args);
    } finally {
      this.logKind = 'message';
    }
  }

  /**
   * Log an arbitrary message. Every log call ends here, so override this to silence or
   * redirect logging. Produces a structured entry for the server's sink; the CLI's sink
   * prints CPython's `"%s - - [%s] %s\n"` line (control characters escaped).
   */
  logMessage(format: string, ...args: unknown[]): void {
    const kind = this.logKind;
    const status = kind === 'request' || kind === 'error' ? this.logStatus : null;
    const entry = this.draftLogEntry(kind, pyFormat(format, args), status);
    if (kind === 'request') {
      // PORT NOTE: CPython writes the request line when the status is sent; the entry is
      // emitted when the response is complete so it can carry bytes sent and duration.
      this.completeRequest();
      this.pendingRequestEntry = entry;
    } else {
      this.emitLogEntry(entry);
    }
  }

  /** A log entry about the current request, as it stands now (bytes and duration come later). */
  protected draftLogEntry(kind: LogEntryDraft['kind'], message: string, status: number | null = null): LogEntryDraft {
    const command = this.parsedSoFar > 0 ? this.command : null;
    const headers = this.parsedSoFar === 2 ? this.headers : null;
    const entry: LogEntryDraft = {
      id: 0,
      kind,
      time: Date.now(),
      connectionId: this.connectionId,
      clientAddress: unmapIPv4(this.addressString()),
      clientPort: this.clientAddress[1],
      method: command,
      path: command ? this.path : null,
      protocol: command ? this.requestVersion : null,
      status,
      bytesSent: 0,
      bodyBytes: 0,
      headerBytes: 0,
      expectedBytes: null,
      outcome: 'done',
      durationMs: null,
      userAgent: headers?.get('User-Agent') ?? null,
      referer: headers?.get('Referer') ?? null,
      message,
    };
    // PORT NOTE 32: with a password, a one-time login key never reaches the log.
    this.options.access?.redact(entry);
    return entry;
  }

  /**
   * Hand an entry to the server's sink, in CPython's order: while this request's entry is
   * pending (its status line was sent, the response is not complete), later entries of the
   * request (a CGI script's stderr and exit code, an error while streaming) wait and follow
   * it, as they follow CPython's request line.
   */
  protected emitLogEntry(entry: LogEntryDraft): void {
    if (this.pendingRequestEntry) this.deferredEntries.push(entry);
    else this.server.emitLog(entry);
  }

  /**
   * Emit the pending request entry with its final byte count and duration (then the entries
   * that waited for it). `cutShort`: the response ended by an error while it was going out.
   * A response whose body fell short of what it announced (client gone, file truncated under
   * it, stream error) is logged `incomplete`. PORT NOTE 3: hardened, its connection is not
   * reused (the client could not tell where the next answer starts); CPython keeps it open.
   */
  protected completeRequest(cutShort = false): void {
    const entry = this.pendingRequestEntry;
    if (!entry) return;
    this.pendingRequestEntry = null;
    // The draft is this handler's own object, never shared yet: fill it in place (no copy).
    const draft = entry as MutableDraft;
    this.measureResponse(draft, performance.now());
    if (draft.outcome !== 'failed') {
      const short = draft.expectedBytes !== null ? draft.bodyBytes < draft.expectedBytes : !this.wfile.writable;
      if (cutShort || short) {
        draft.outcome = 'incomplete';
        if (this.policy.closeAfterIncomplete) this.closeConnection = true;
      }
    }
    this.server.emitLog(draft);
    if (this.deferredEntries.length > 0) {
      const deferred = this.deferredEntries;
      this.deferredEntries = [];
      for (const e of deferred) this.server.emitLog(e);
    }
  }

  /**
   * Fills in what went out of the current response so far: bytes (body, headers) and time.
   * `unsent`: bytes written but still waiting in this process, left out of a progress report.
   */
  private measureResponse(draft: MutableDraft, now: number, unsent = 0): void {
    const sent = Math.max(0, this.wfile.bytesWritten - this.requestBytesStart - unsent);
    draft.bytesSent = sent;
    draft.bodyBytes = Math.max(0, sent - draft.headerBytes);
    draft.durationMs = Math.round((now - this.requestStart) * 1000) / 1000;
    // No body is due for HEAD, 1xx, 204 and 304, whatever Content-Length says.
    const status = draft.status;
    if (this.command === 'HEAD' || (status !== null && (status < 200 || status === 204 || status === 304))) draft.expectedBytes = 0;
  }

  /**
   * Hand the server an `in-progress` copy of the current response's entry (bytes so far, time
   * so far) when it has been going out for at least `minAgeMs`; the final entry later reuses
   * its `id`, so a reader replaces the row. Called by the server's timer (`logProgressMs`), so
   * nothing on the serving path pays for it, and a response shorter than `minAgeMs` never
   * makes an extra entry. Not a CPython line: the CLI never turns this on.
   */
  reportProgress(minAgeMs: number): void {
    const entry = this.pendingRequestEntry;
    if (entry === null) return;
    const now = performance.now();
    if (now - this.requestStart < minAgeMs) return;
    const update: MutableDraft = { ...entry, outcome: 'in-progress' };
    // What the connection has taken, not what is queued for it: a chunk of a slow download
    // counts as it leaves, not all at once.
    this.measureResponse(update, now, this.wfile.unsent);
    this.server.emitLog(update);
    // Numbered by the server: the final entry keeps the number, so it replaces this row.
    (entry as MutableDraft).id = update.id;
  }

  /**
   * Marks the current response as failed though it went out (a CGI script that exited
   * non-zero or wrote to stderr): the window shows its row as an error. No effect on the
   * CLI's lines.
   */
  protected markResponseFailed(): void {
    if (this.pendingRequestEntry !== null) (this.pendingRequestEntry as MutableDraft).outcome = 'failed';
  }

  /**
   * PORT NOTE: after an unexpected error (a bug, not a protocol error) answer 500 when nothing
   * of the current response has been sent; otherwise the caller just closes the connection.
   */
  answerInternalError(): void {
    if (this.wfile.bytesWritten !== this.requestBytesStart || !this.wfile.writable) return;
    this.headersBuffer = null;
    this.sendError(500);
    this.wfile.flush();
    this.completeRequest();
  }

  /** Return the server software version string. */
  versionString(): string {
    return this.serverVersion + ' ' + this.sysVersion;
  }

  /** Return the current (or given, in seconds) date and time formatted for a message header. */
  dateTimeString(timestamp?: number): string {
    if (timestamp === undefined) return NOW_DATE.get(Math.floor(Date.now() / 1000));
    return FILE_DATE.get(Math.floor(timestamp));
  }

  /** Return the current time formatted for logging. */
  logDateTimeString(): string {
    return logDateTimeString(Date.now());
  }

  /** Return the client address. */
  addressString(): string {
    return this.clientAddress[0];
  }
}

/**
 * The last HTTP date formatted, by whole second (the `Date` header changes once a second and
 * most `Last-Modified` values repeat): formatting costs more than the rest of the header.
 */
class HttpDateCache {
  private seconds = NaN;
  private text = '';
  get(seconds: number): string {
    if (seconds !== this.seconds) {
      this.text = new Date(seconds * 1000).toUTCString();
      this.seconds = seconds;
    }
    return this.text;
  }
}
const NOW_DATE = new HttpDateCache();
const FILE_DATE = new HttpDateCache();

function compareVersion(a: [number, number], b: [number, number]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

/**
 * The header line itself when `str.encode('latin-1', 'strict')` would succeed; otherwise
 * CPython's handler dies of the UnicodeEncodeError, and this throws HandlerAbort.
 */
function latin1OrAbort(line: string): string {
  // A loop beats a regex test on these short lines (several per response).
  for (let i = 0; i < line.length; i++) {
    if (line.charCodeAt(i) > 0xff) {
      try {
        encodeLatin1Strict(line);
      } catch (err) {
        if (err instanceof PyUnicodeError) throw new HandlerAbort(`UnicodeEncodeError: ${err.message}`, { cause: err });
        throw err;
      }
    }
  }
  return line;
}

/** `error_message_format % {'code': ..., 'message': ..., 'explain': ...}`. */
function formatErrorMessage(format: string, code: number, message: string, explain: string): string {
  return format.replace(/%(?:\((code|message|explain)\)([sd])|%)/g, (m, key: string | undefined) => {
    if (m === '%%') return '%';
    if (key === 'code') return String(code);
    if (key === 'message') return message;
    return explain;
  });
}
