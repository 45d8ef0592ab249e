/**
 * Pure Node. Port of CPython v3.13.0 `HTTPServer` / `ThreadingHTTPServer`
 * (`Lib/http/server.py` over `socketserver.TCPServer` + `ThreadingMixIn`) onto `node:net`.
 *
 * Each connection gets its own handler whose `handle()` runs concurrently with every other
 * (the behaviour of ThreadingHTTPServer: a slow client never blocks another). After
 * `handle()` the connection is shut down and closed, as `shutdown_request()` does.
 */
import net from 'node:net';
import dns from 'node:dns';
import os from 'node:os';
import type { BaseHTTPRequestHandler, HandlerClass, HandlerOptions, HandlerServer, LogEntryDraft } from './base-handler.js';
import { HandlerAbort } from './errors.js';
import { policyFor } from './handler-policy.js';
import { DEFAULT_MAX_CONNECTIONS } from './limits.js';
import { PyUnicodeError, PyValueError } from './py-text.js';
import { entryWithoutRequest, unmapIPv4, type LogSink } from './log.js';

/** Options of an `HTTPServer`. */
export interface HTTPServerOptions {
  /** Passed to every handler (directory, protocol version, CGI directories, ...). */
  readonly handlerOptions?: HandlerOptions;
  /** Receives every log entry. Called synchronously; must be cheap and never throw. */
  readonly onLog?: LogSink;
  /**
   * Every this many ms, each response still going out after at least this long is reported to
   * `onLog` as an `in-progress` update (server/log.ts `LogOutcome`). 0 or absent: none (the
   * CLI: CPython writes one line per request). Not a CPython feature: the app's live log.
   */
  readonly logProgressMs?: number;
  /**
   * Connections served at once; the next ones get a 503 and are closed. 0 = no limit
   * (CPython has none). PORT NOTE: default `DEFAULT_MAX_CONNECTIONS`.
   */
  readonly maxConnections?: number;
  /**
   * Connections one client address may hold at once; its next ones get the 503 (0 = no limit).
   * PORT NOTE 31: default the handlers' `policy.maxConnectionsPerAddress`:
   * `DEFAULT_MAX_CONNECTIONS_PER_ADDRESS` when they are hardened (the app, `--hardened`), none
   * otherwise (CPython has none).
   */
  readonly maxConnectionsPerAddress?: number;
}

/** The address a per-address count is kept under: an IPv4 client of a dual-stack server as IPv4. */
function addressKey(socket: net.Socket): string {
  return unmapIPv4(socket.remoteAddress ?? '');
}

/**
 * `socket.getfqdn(name)`: for an empty or wildcard address the host name, then the name the
 * resolver gives for it (the first one containing a dot, else the primary name).
 */
export async function getfqdn(name: string): Promise<string> {
  let target = name.trim();
  if (!target || target === '0.0.0.0' || target === '::') target = os.hostname();
  try {
    const addr = net.isIP(target) ? target : (await dns.promises.lookup(target)).address;
    const { hostname } = await dns.promises.lookupService(addr, 0);
    return hostname || target;
  } catch {
    return target;
  }
}

/** `HTTPServer` (threading flavour): binds, listens and runs one handler per connection. */
export class HTTPServer implements HandlerServer {
  /** `server_name`: `getfqdn()` of the bound host. */
  serverName = '';
  /** `server_port`: the bound port. */
  serverPort = 0;
  readonly handlerClass: HandlerClass;
  private readonly options: HTTPServerOptions;
  /** What every handler gets as its options: one object, so they share one policy (handler-policy.ts). */
  private readonly handlerOptions: HandlerOptions;
  /** Connections one client address may hold at once, 0 = no limit (PORT NOTE 31), resolved once. */
  private readonly perAddress: number;
  private readonly netServer: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** The open connections of each client address (PORT NOTE 31). */
  private readonly byAddress = new Map<string, Set<net.Socket>>();
  private readonly children = new Set<() => void>();
  private readonly active = new Set<Promise<void>>();
  /** `handlerState`'s instances, by class. */
  private readonly handlerStates = new Map<new () => object, object>();
  private nextLogId = 1;
  private nextConnectionId = 1;
  private closing = false;
  /** The handlers of open connections, kept only when progress is reported (`logProgressMs`). */
  private readonly progressHandlers: Set<BaseHTTPRequestHandler> | null;
  private progressTimer: NodeJS.Timeout | null = null;

  constructor(handlerClass: HandlerClass, options: HTTPServerOptions = {}) {
    this.handlerClass = handlerClass;
    this.options = options;
    this.handlerOptions = options.handlerOptions ?? {};
    this.perAddress = options.maxConnectionsPerAddress ?? policyFor(this.handlerOptions).maxConnectionsPerAddress;
    this.progressHandlers = options.onLog && (options.logProgressMs ?? 0) > 0 ? new Set() : null;
    // allowHalfOpen: a client may half-close after sending (HTTP/0.9 style) and still read.
    this.netServer = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.onConnection(socket));
  }

  /**
   * `server_bind()` + `server_activate()`: listen on `host:port`. `host` '::' is dual-stack
   * (IPv4 and IPv6, CPython's CLI default). Rejects with the system error (`code` set).
   */
  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        this.netServer.off('listening', onListening);
        reject(err);
      };
      const onListening = (): void => {
        this.netServer.off('error', onError);
        resolve();
      };
      this.netServer.once('error', onError);
      this.netServer.once('listening', onListening);
      this.netServer.listen({ port, host, ipv6Only: false, exclusive: true });
    });
    const addr = this.netServer.address() as net.AddressInfo;
    this.serverPort = addr.port;
    const handlers = this.progressHandlers;
    const every = this.options.logProgressMs ?? 0;
    if (handlers !== null && this.progressTimer === null) {
      // One timer per server, not one per response: the serving path pays nothing for it.
      this.progressTimer = setInterval(() => {
        for (const h of handlers) h.reportProgress(every);
      }, every).unref();
    }
    this.serverName = await getfqdn(addr.address);
  }

  /** The bound address as `getsockname()` gives it. */
  address(): net.AddressInfo {
    return this.netServer.address() as net.AddressInfo;
  }

  /** Number of open connections. */
  get connectionCount(): number {
    return this.sockets.size;
  }

  emitLog(draft: LogEntryDraft): void {
    const sink = this.options.onLog;
    if (!sink) return;
    try {
      // Numbered in place: no copy per entry. A request already numbered by a progress update
      // keeps its number, so its final entry replaces that row.
      if (draft.id === 0) draft.id = this.nextLogId++;
      sink(draft);
    } catch {
      // A sink must never break serving.
    }
  }

  trackChild(kill: () => void): () => void {
    this.children.add(kill);
    return () => this.children.delete(kill);
  }

  /**
   * This server's one instance of `kind` (made on first use): the handlers' per-server state,
   * such as `SimpleHTTPRequestHandler`'s caches (CPython keeps such things on `self.server`).
   */
  handlerState<T extends object>(kind: new () => T): T {
    let state = this.handlerStates.get(kind) as T | undefined;
    if (state === undefined) {
      state = new kind();
      this.handlerStates.set(kind, state);
    }
    return state;
  }

  private onConnection(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const key = addressKey(socket);
    let own = this.byAddress.get(key);
    const ownCount = own?.size ?? 0;
    const perAddress = this.perAddress;
    if (perAddress > 0 && ownCount >= perAddress) {
      this.refuse(socket);
      return;
    }
    const max = this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if (max > 0 && this.sockets.size >= max && !this.makeRoomFor(ownCount)) {
      this.refuse(socket);
      return;
    }
    this.sockets.add(socket);
    if (own === undefined) {
      own = new Set();
      this.byAddress.set(key, own);
    }
    own.add(socket);
    const mine = own;
    socket.on('close', () => {
      this.sockets.delete(socket);
      mine.delete(socket);
      if (mine.size === 0 && this.byAddress.get(key) === mine) this.byAddress.delete(key);
    });
    // Errors (resets, broken pipes) surface as 'close'; reads and writes check for it.
    socket.on('error', () => {});
    const connectionId = this.nextConnectionId++;
    let handler: BaseHTTPRequestHandler;
    try {
      handler = new this.handlerClass({
        socket,
        clientAddress: [socket.remoteAddress ?? '', socket.remotePort ?? 0],
        server: this,
        connectionId,
        options: this.handlerOptions,
      });
    } catch (err) {
      this.logException(connectionId, socket, err);
      socket.destroy();
      return;
    }
    const done = this.processRequest(handler, socket, connectionId);
    this.active.add(done);
    const handlers = this.progressHandlers;
    if (handlers !== null) handlers.add(handler);
    void done.finally(() => {
      this.active.delete(done);
      handlers?.delete(handler);
    });
  }

  /** `process_request` → `finish_request` → `shutdown_request`, never rejecting. */
  private async processRequest(handler: BaseHTTPRequestHandler, socket: net.Socket, connectionId: number): Promise<void> {
    try {
      handler.setup();
      await handler.handle();
      handler.finish();
    } catch (err) {
      this.handleError(handler, socket, connectionId, err);
    }
    this.shutdownRequest(socket);
  }

  /**
   * `handle_error`: CPython prints the traceback and closes the connection without an answer.
   * PORT NOTE: an unexpected error (not one CPython also raises) answers 500 first when
   * nothing of the response was sent yet; the process never dies.
   */
  private handleError(handler: BaseHTTPRequestHandler, socket: net.Socket, connectionId: number, err: unknown): void {
    this.logException(connectionId, socket, err);
    // Errors CPython raises too (UnicodeError, ValueError) close without an answer, like it.
    if (!(err instanceof HandlerAbort || err instanceof PyUnicodeError || err instanceof PyValueError)) {
      try {
        handler.answerInternalError();
      } catch {
        // Nothing more can be done for this connection.
      }
    }
  }

  /** PORT NOTE: one 'error' log entry instead of CPython's traceback block on stderr. */
  private logException(connectionId: number, socket: net.Socket, err: unknown): void {
    const host = socket.remoteAddress ?? '';
    const port = socket.remotePort ?? 0;
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.emitLog(
      entryWithoutRequest('error', `Exception occurred during processing of request from ('${host}', ${port}): ${detail}`, {
        time: Date.now(),
        connectionId,
        clientAddress: unmapIPv4(host),
        clientPort: port,
      }),
    );
  }

  /**
   * PORT NOTE 31: at the connection cap, a newcomer whose address holds `ownCount` connections
   * is let in when another address holds at least two more: that address's newest connection
   * is closed to make room. One address (or a few) filling the cap then cannot lock the others
   * out; only a client holding as many as the busiest gets the 503. Returns true if room was made.
   */
  private makeRoomFor(ownCount: number): boolean {
    let busiest: Set<net.Socket> | null = null;
    for (const set of this.byAddress.values()) if (busiest === null || set.size > busiest.size) busiest = set;
    if (busiest === null || busiest.size < ownCount + 2) return false;
    let newest: net.Socket | undefined;
    for (const s of busiest) newest = s;
    // Counted out now (its 'close' comes later), so the newcomer takes its place at once.
    busiest.delete(newest!);
    this.sockets.delete(newest!);
    newest!.destroy();
    return true;
  }

  /**
   * PORT NOTE: over the connection cap, a client gets a complete 503 answer (it can tell
   * "busy" from "broken") and the connection is closed; what it sends is read and dropped
   * meanwhile so the close does not turn into a reset that loses the answer.
   */
  private refuse(socket: net.Socket): void {
    socket.on('error', () => {});
    socket.on('data', () => {});
    const body = 'Too many connections: try again in a moment.\n';
    socket.end(
      'HTTP/1.0 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${body.length}\r\n\r\n${body}`,
    );
    setTimeout(() => socket.destroy(), 2000).unref();
  }

  /** `shutdown_request`: send what is queued, half-close, then close. */
  private shutdownRequest(socket: net.Socket): void {
    if (socket.destroyed) return;
    socket.end(() => socket.destroy());
    // A peer that never reads must not keep the descriptor forever. The timer is cleared
    // on close: left pending, it would keep every finished connection (socket, handler,
    // buffers: ~6 KiB) reachable for 30 s, hundreds of MiB under a stream of connections.
    const timer = setTimeout(() => socket.destroy(), 30_000).unref();
    socket.once('close', () => clearTimeout(timer));
  }

  /** Stop accepting, close every connection and kill running CGI children. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.progressTimer !== null) clearInterval(this.progressTimer);
    this.progressTimer = null;
    const closed = new Promise<void>((resolve) => this.netServer.close(() => resolve()));
    for (const kill of this.children) kill();
    this.children.clear();
    for (const socket of this.sockets) socket.destroy();
    await closed;
    // Let handlers finish their bookkeeping (final log entries), but never wait long.
    await Promise.race([Promise.allSettled([...this.active]), new Promise((r) => setTimeout(r, 2000).unref())]);
    // Per-server state holding something outside the heap (a folder's watch) lets it go.
    for (const state of this.handlerStates.values()) (state as { close?: () => void }).close?.();
  }
}
