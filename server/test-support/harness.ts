/**
 * Test support (vitest only). Two harnesses, as CPython's test_httpservers.py has:
 *  - socketless: `sendTypicalRequest()` drives a handler over an in-memory duplex stream and
 *    returns the raw bytes it wrote, plus a count of writes (the auditable writer);
 *  - live: `startServer()` listens on 127.0.0.1 port 0 and `rawRequest()` talks to it over a
 *    real socket.
 */
import { Duplex } from 'node:stream';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BaseHTTPRequestHandler, HandlerClass, HandlerOptions, HandlerServer, LogEntryDraft } from '../base-handler.js';
import { HTTPServer } from '../http-server.js';
import { formatNcsaLine, type RequestLogEntry } from '../log.js';

/** Set SERVEDIR_VERBOSE_TESTS=1 to see every live server's log lines on stderr. */
const VERBOSE = Boolean(process.env['SERVEDIR_VERBOSE_TESTS']);

/** In-memory socket: the client's bytes are readable, the handler's writes are recorded. */
export class FakeSocket extends Duplex {
  readonly writes: Buffer[] = [];
  constructor(input: Buffer | string, endInput = true) {
    super({ allowHalfOpen: true });
    this.push(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
    if (endInput) this.push(null);
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.writes.push(Buffer.from(chunk));
    cb();
  }
  /** Everything written, as latin-1 text. */
  get output(): string {
    return Buffer.concat(this.writes).toString('latin1');
  }
}

/** A stand-in for `self.server` that records log entries. */
export class FakeServer implements HandlerServer {
  readonly serverName = 'localhost';
  readonly serverPort = 8000;
  readonly logs: LogEntryDraft[] = [];
  emitLog(entry: LogEntryDraft): void {
    this.logs.push(entry);
  }
}

export interface SocketlessResult<H extends BaseHTTPRequestHandler> {
  readonly handler: H;
  readonly socket: FakeSocket;
  readonly server: FakeServer;
  /** Raw output as latin-1 text. */
  readonly output: string;
  /** Output split into lines (CRLF kept out). */
  readonly lines: string[];
}

/**
 * Drive a handler over in-memory streams (CPython's SocketlessRequestHandler): `handle()`
 * (every request of the input), or with `drive: 'handleOneRequest'` one request only, as
 * `BaseHTTPRequestHandlerTestCase.send_typical_request` does.
 */
export async function sendTypicalRequest<H extends BaseHTTPRequestHandler>(
  cls: new (...args: ConstructorParameters<HandlerClass>) => H,
  input: Buffer | string,
  options: HandlerOptions = {},
  drive: 'handle' | 'handleOneRequest' = 'handle',
): Promise<SocketlessResult<H>> {
  const socket = new FakeSocket(input);
  const server = new FakeServer();
  const handler = new cls({ socket, clientAddress: ['127.0.0.1', 12345], server, connectionId: 1, options });
  handler.setup();
  await (drive === 'handle' ? handler.handle() : handler.handleOneRequest());
  handler.finish();
  const output = socket.output;
  return { handler, socket, server, output, lines: output.split('\r\n') };
}

export interface LiveServer {
  readonly server: HTTPServer;
  readonly port: number;
  readonly logs: RequestLogEntry[];
  close(): Promise<void>;
}

/** Listen on 127.0.0.1:0 with the given handler class (sirv's `http()` helper). */
export async function startServer(cls: HandlerClass, handlerOptions: HandlerOptions = {}): Promise<LiveServer> {
  const logs: RequestLogEntry[] = [];
  const server = new HTTPServer(cls, {
    handlerOptions,
    onLog: (e) => {
      logs.push(e);
      if (VERBOSE) process.stderr.write(formatNcsaLine(e));
    },
  });
  await server.listen(0, '127.0.0.1');
  return { server, port: server.address().port, logs, close: () => server.close() };
}

/** Send raw bytes; resolve with everything received until the server closes (or `idleMs`). */
export function rawRequest(port: number, data: Buffer | string, opts: { idleMs?: number; halfClose?: boolean } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = net.connect(port, '127.0.0.1', () => {
      sock.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
      if (opts.halfClose) sock.end();
    });
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      if (!opts.idleMs) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        sock.destroy();
        resolve(Buffer.concat(chunks));
      }, opts.idleMs);
    };
    arm();
    sock.on('data', (c) => {
      chunks.push(c);
      arm();
    });
    sock.on('close', () => {
      if (timer) clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET') return;
      reject(e);
    });
  });
}

/** A fresh world-readable temp directory (CGI children run as nobody when we are root). */
export function makeTempDir(prefix = 'servedir-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** Write a file, creating parents, world-readable (and executable when `mode` says so). */
export function writeFile(root: string, rel: string, content: string | Buffer, mode = 0o644): string {
  const full = path.join(root, rel);
  fs.mkdirSync(path.dirname(full), { recursive: true, mode: 0o755 });
  fs.writeFileSync(full, content);
  fs.chmodSync(full, mode);
  return full;
}

/**
 * The status lines of the responses in `raw`, one after another on one connection: each
 * response's body is skipped by its Content-Length (1xx have none; a response without a
 * length runs to the end).
 */
export function statusLines(raw: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < raw.length) {
    const end = raw.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const { status, headers } = parseResponse(raw.subarray(at, end + 4));
    out.push(status);
    const length = headers.get('content-length');
    if (/^HTTP\/\S+ 1\d\d /.test(status)) at = end + 4;
    else if (length !== undefined) at = end + 4 + Number(length);
    else break;
  }
  return out;
}

/** Split a raw HTTP response into status line, headers (lower-cased names) and body. */
export function parseResponse(raw: Buffer): { status: string; headers: Map<string, string>; body: Buffer } {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end).toString('latin1').split('\r\n');
  const headers = new Map<string, string>();
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  return { status: head[0] ?? '', headers, body: raw.subarray(end + 4) };
}
