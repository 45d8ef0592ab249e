/**
 * Pure Node. Internal error types of the engine (never protocol errors: those are answered
 * through `sendError`, as in CPython) and the one place that maps file-system errors to HTTP.
 */
import type { ServeErrorCode, SettingsField } from './host/protocol.js';

/** Base of every error the engine throws on purpose. `code` is SCREAMING_SNAKE with a prefix. */
export class ServerError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServerError';
    this.code = code;
  }
}

/**
 * A start failure of `serve()`: `message` is one plain sentence for a person who has never
 * opened a terminal; `field` names the setting at fault so the window can show it there.
 */
export class ServeError extends ServerError {
  declare readonly code: ServeErrorCode;
  readonly field: SettingsField | undefined;
  constructor(code: ServeErrorCode, message: string, field?: SettingsField, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ServeError';
    this.field = field;
  }
}

/**
 * Thrown inside a handler where CPython's handler raises an uncaught exception (for example
 * `_url_collapse_path` on `/..`, or a status line that cannot be encoded as latin-1): the
 * server then closes the connection without any answer, as `socketserver` does after
 * `handle_error`.
 */
export class HandlerAbort extends ServerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SRV_ERR_HANDLER_ABORT', message, options);
    this.name = 'HandlerAbort';
  }
}

/**
 * Status for a failed file-system call while serving a request. CPython turns every OSError
 * at `open()` into 404 "File not found" and at `listdir()` into 404 "No permission to list
 * directory", so this mapping is deliberately flat: the handler chooses the message.
 */
export function statusForFsError(err: unknown): 404 | 500 {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && (code.startsWith('E') || code === 'ERR_INVALID_ARG_VALUE')) return 404;
  return 500;
}

/** Map a listen() failure to a ServeError with a plain sentence. */
export function serveErrorForListen(err: unknown, port: number, bind: string): ServeError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const where = bind === '' ? 'every network address' : `the address ${bind}`;
  switch (code) {
    case 'EADDRINUSE':
      return new ServeError('SRV_ERR_PORT_IN_USE', `Port ${port} is already in use by another program; choose another port.`, 'port', { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new ServeError('SRV_ERR_PORT_PRIVILEGED', `This computer does not allow port ${port} to be used without special rights; choose a port above 1023.`, 'port', { cause: err });
    case 'EADDRNOTAVAIL':
      return new ServeError('SRV_ERR_ADDRESS_UNAVAILABLE', `This computer does not have ${where}, so the folder cannot be shared there.`, 'bind', { cause: err });
    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_AGAIN':
    case 'EINVAL':
      return new ServeError('SRV_ERR_ADDRESS_INVALID', `"${bind}" is not an address this computer can share on.`, 'bind', { cause: err });
    default:
      return new ServeError('SRV_ERR_INTERNAL', `The server could not start (${(err as Error)?.message ?? String(err)}).`, undefined, { cause: err });
  }
}
