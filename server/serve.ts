/**
 * Pure Node. The engine API the shell (utility host, browser fallback) codes against:
 * `serve(settings, options)` validates the settings, binds, and returns a running server, or
 * rejects with a `ServeError` whose message is one plain sentence for a non-technical user.
 */
import fs from 'node:fs';
import { CGIHTTPRequestHandler } from './cgi-handler.js';
import { ServeError, serveErrorForListen } from './errors.js';
import type { ServeSettings } from './host/protocol.js';
import { HTTPServer } from './http-server.js';
import type { LogSink } from './log.js';
import { SimpleHTTPRequestHandler } from './simple-handler.js';

/** Default `readTimeoutMs` of `serve()` (the CLI keeps CPython's none). */
export const DEFAULT_READ_TIMEOUT_MS = 120_000;

/** Options of `serve()`; may grow (limits etc.). */
export interface ServeOptions {
  /** Receives every log entry; called synchronously, so it must be cheap and never throw. */
  readonly onLog?: LogSink;
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
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new ServeError('SRV_ERR_DIRECTORY_UNREADABLE', `The folder ${directory} cannot be opened: this computer does not allow it to be read.`, 'directory', { cause: err });
    }
    throw new ServeError('SRV_ERR_DIRECTORY_MISSING', `The folder ${directory} does not exist.`, 'directory', { cause: err });
  }
  if (!st.isDirectory()) {
    throw new ServeError('SRV_ERR_DIRECTORY_NOT_A_DIRECTORY', `${directory} is a file, not a folder; choose a folder to share.`, 'directory');
  }
  try {
    await fs.promises.access(directory, fs.constants.R_OK | fs.constants.X_OK);
  } catch (err) {
    throw new ServeError('SRV_ERR_DIRECTORY_UNREADABLE', `The folder ${directory} cannot be opened: this computer does not allow it to be read.`, 'directory', { cause: err });
  }
}

function validateSettings(settings: ServeSettings): void {
  if (!settings || typeof settings !== 'object') {
    throw new ServeError('SRV_ERR_BAD_SETTINGS', 'The sharing settings are missing.');
  }
  if (!Number.isInteger(settings.port) || settings.port < 0 || settings.port > 65535) {
    throw new ServeError('SRV_ERR_PORT_INVALID', 'The port must be a whole number from 0 to 65535.', 'port');
  }
  if (settings.protocolVersion !== 'HTTP/1.0' && settings.protocolVersion !== 'HTTP/1.1') {
    throw new ServeError('SRV_ERR_BAD_SETTINGS', 'The protocol must be HTTP/1.0 or HTTP/1.1.', 'protocolVersion');
  }
  if (typeof settings.bind !== 'string' || /[\s/]/.test(settings.bind)) {
    throw new ServeError('SRV_ERR_ADDRESS_INVALID', `"${String(settings.bind)}" is not an address this computer can share on.`, 'bind');
  }
  if (!Array.isArray(settings.cgiDirectories) || settings.cgiDirectories.some((d) => typeof d !== 'string' || !d.startsWith('/'))) {
    throw new ServeError('SRV_ERR_BAD_SETTINGS', 'Each CGI folder must be a web path starting with "/".', 'cgi');
  }
}

/**
 * Share `settings.directory`. Rejects with a `ServeError` (code, plain message, field).
 * `bind: ''` means dual-stack `::` (falling back to `0.0.0.0` without IPv6).
 */
export async function serve(settings: ServeSettings, options: ServeOptions = {}): Promise<RunningServer> {
  validateSettings(settings);
  await validateDirectory(settings.directory);
  const handlerClass = settings.cgi ? CGIHTTPRequestHandler : SimpleHTTPRequestHandler;
  const makeServer = (): HTTPServer =>
    new HTTPServer(handlerClass, {
      onLog: options.onLog,
      maxConnections: options.maxConnections,
      handlerOptions: {
        directory: settings.directory,
        protocolVersion: settings.protocolVersion,
        cgiDirectories: [...settings.cgiDirectories],
        followSymlinks: settings.followSymlinks,
        readTimeoutMs: options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS,
        idleTimeoutMs: options.idleTimeoutMs,
        headerTimeoutMs: options.headerTimeoutMs,
        cgiTimeoutMs: options.cgiTimeoutMs,
        maxBodyBytes: options.maxBodyBytes,
        // PORT NOTE: the app always runs the hardening profile (see HandlerOptions.hardened).
        hardened: true,
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
