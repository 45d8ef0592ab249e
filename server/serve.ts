/**
 * Pure Node. The engine API the shell (utility host, browser fallback) codes against:
 * `serve(settings, options)` validates the settings, binds, and returns a running server, or
 * rejects with a `ServeError` whose message is one plain sentence for a non-technical user.
 */
import fs from 'node:fs';
import { AccessGate } from './auth.js';
import { CGIHTTPRequestHandler } from './cgi-handler.js';
import { notAFolderError, ServeError, serveErrorForFolder, serveErrorForListen } from './errors.js';
import { HTTPServer } from './http-server.js';
import type { LogSink } from './log.js';
import { LOG_PROGRESS_INTERVAL_MS } from './limits.js';
import { checkServeSettings, handlerSettingsOf, type ServeSettings } from './share-settings.js';
import { SimpleHTTPRequestHandler } from './simple-handler.js';

/** Default `readTimeoutMs` of `serve()` (the CLI keeps CPython's none). */
export const DEFAULT_READ_TIMEOUT_MS = 120_000;

/** Options of `serve()`; may grow (limits etc.). */
export interface ServeOptions {
  /** Receives every log entry; called synchronously, so it must be cheap and never throw. */
  readonly onLog?: LogSink;
  /**
   * How often responses still going out are reported to `onLog` as `in-progress` updates,
   * in ms (0 = never). Default `LOG_PROGRESS_INTERVAL_MS` (server/limits.ts).
   */
  readonly logProgressMs?: number;
  /**
   * Longest wait for request bytes, in ms (0 = forever, as CPython). Default 120 000, so an
   * idle or stalled client cannot hold a connection forever (PORT NOTE).
   */
  readonly readTimeoutMs?: number;
  /**
   * Most connections served at once; the next get a 503 (0 = no limit, as CPython).
   * Default `DEFAULT_MAX_CONNECTIONS` (server/limits.ts).
   */
  readonly maxConnections?: number;
  /**
   * Most connections one client address may hold at once; its next get a 503 (0 = no limit).
   * Default `DEFAULT_MAX_CONNECTIONS_PER_ADDRESS` (server/limits.ts; PORT NOTE 31).
   */
  readonly maxConnectionsPerAddress?: number;
  /** Longest wait for the first byte of a request, in ms. Default `DEFAULT_IDLE_TIMEOUT_MS`. */
  readonly idleTimeoutMs?: number;
  /** Longest time to receive a request line and its headers, in ms (slowloris). Default `DEFAULT_HEADER_TIMEOUT_MS`. */
  readonly headerTimeoutMs?: number;
  /** Longest a CGI script may run, in ms. Default `DEFAULT_CGI_TIMEOUT_MS`. */
  readonly cgiTimeoutMs?: number;
  /** Largest request body passed to a CGI script (413 above). Default `DEFAULT_MAX_BODY_BYTES`. */
  readonly maxBodyBytes?: number;
}

/** A server started by `serve()`. */
export interface RunningServer {
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  /** The bound address: '::' for dual-stack, '0.0.0.0', '127.0.0.1', ... */
  readonly address: string;
  /** Stop accepting; end idle and active connections; kill CGI children. */
  close(): Promise<void>;
}

/** Check the folder before listening, with a plain sentence for each way it can be wrong. */
export async function validateDirectory(directory: string): Promise<void> {
  if (typeof directory !== 'string' || directory === '') {
    throw new ServeError('SRV_ERR_DIRECTORY_MISSING', 'Choose a folder to share.', 'directory');
  }
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(directory);
  } catch (err) {
    throw serveErrorForFolder(err, directory);
  }
  if (!st.isDirectory()) throw notAFolderError(directory);
  try {
    await fs.promises.access(directory, fs.constants.R_OK | fs.constants.X_OK);
  } catch (err) {
    throw serveErrorForFolder(err, directory);
  }
}

/** The table's check of every setting (server/share-settings.ts), as a `ServeError` on its field. */
function validateSettings(settings: ServeSettings): void {
  const problem = checkServeSettings(settings);
  if (problem) throw new ServeError(problem.code, problem.message, problem.field);
}

/**
 * Share `settings.directory`. Rejects with a `ServeError` (code, plain message, field).
 * `bind: ''` means dual-stack `::` (falling back to `0.0.0.0` without IPv6).
 */
export async function serve(settings: ServeSettings, options: ServeOptions = {}): Promise<RunningServer> {
  validateSettings(settings);
  await validateDirectory(settings.directory);
  const handlerClass = settings.cgi ? CGIHTTPRequestHandler : SimpleHTTPRequestHandler;
  // The password gate, one per server (PORT NOTE 32): none without a password.
  const access = settings.password ? new AccessGate(settings.password) : undefined;
  const makeServer = (): HTTPServer =>
    new HTTPServer(handlerClass, {
      onLog: options.onLog,
      logProgressMs: options.logProgressMs ?? LOG_PROGRESS_INTERVAL_MS,
      maxConnections: options.maxConnections,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress,
      handlerOptions: {
        ...handlerSettingsOf(settings),
        readTimeoutMs: options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS,
        idleTimeoutMs: options.idleTimeoutMs,
        headerTimeoutMs: options.headerTimeoutMs,
        cgiTimeoutMs: options.cgiTimeoutMs,
        maxBodyBytes: options.maxBodyBytes,
        // PORT NOTE: the app always runs the hardening profile (see HandlerOptions.hardened).
        hardened: true,
        ...(access ? { access } : {}),
      },
    });
  let server = makeServer();
  try {
    await server.listen(settings.port, settings.bind === '' ? '::' : settings.bind);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (settings.bind === '' && (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL' || code === 'EINVAL')) {
      // No IPv6 on this machine: every IPv4 interface instead.
      server = makeServer();
      try {
        await server.listen(settings.port, '0.0.0.0');
      } catch (err2) {
        throw serveErrorForListen(err2, settings.port, settings.bind);
      }
    } else {
      throw serveErrorForListen(err, settings.port, settings.bind);
    }
  }
  const addr = server.address();
  const running = server;
  return {
    port: addr.port,
    address: addr.address,
    close: () => running.close(),
  };
}
