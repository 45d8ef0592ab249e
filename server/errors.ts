/**
 * Pure Node. Internal error types of the engine (never protocol errors: those are answered
 * through `sendError`, as in CPython) and the one place that maps file-system errors to HTTP.
 */
import type { ServeErrorCode, SettingsField } from './share-settings.js';

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

// ---------------------------------------------------------------------------------------
// System errors in plain words: the one place that turns an errno into a sentence for a person
// who has never opened a terminal. The CLI, `serve()`, the utility host and the shell all
// come here.

function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The error codes `serveErrorForListen` knows: what `listen()` fails with. */
const LISTEN_ERRNOS = new Set(['EADDRINUSE', 'EACCES', 'EPERM', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_NONAME', 'EAI_AGAIN', 'EINVAL', 'EAFNOSUPPORT']);

/** Map a listen() failure to a ServeError with a plain sentence. */
export function serveErrorForListen(err: unknown, port: number, bind: string): ServeError {
  const code = errnoOf(err);
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
    case 'EAFNOSUPPORT':
      return new ServeError('SRV_ERR_ADDRESS_INVALID', `The address "${bind}" is not one this computer can share on.`, 'bind', { cause: err });
    default:
      return internalServeError(err);
  }
}

/**
 * Map a failure to open or read the folder to share (`stat`, `access`, `readdir`) to a
 * ServeError with a plain sentence naming the folder.
 */
export function serveErrorForFolder(err: unknown, directory: string): ServeError {
  switch (errnoOf(err)) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'ENAMETOOLONG':
    case 'ELOOP':
      return new ServeError('SRV_ERR_DIRECTORY_MISSING', `The folder ${directory} does not exist. It may have been moved or deleted.`, 'directory', { cause: err });
    default:
      return new ServeError('SRV_ERR_DIRECTORY_UNREADABLE', `The folder ${directory} cannot be opened: this computer does not allow it to be read.`, 'directory', { cause: err });
  }
}

/** The folder to share is a file. */
export function notAFolderError(directory: string): ServeError {
  return new ServeError('SRV_ERR_DIRECTORY_NOT_A_DIRECTORY', `${directory} is a file, not a folder; choose a folder to share.`, 'directory');
}

/**
 * A failure to write a file of ours (the settings file): a full disk, a read-only disk or a
 * folder we may not write say so; anything else is one general sentence.
 */
export function serveErrorForWrite(err: unknown, what: string): ServeError {
  switch (errnoOf(err)) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new ServeError('SRV_ERR_INTERNAL', `Servedir could not save ${what}: the disk is full. Make some room and try again.`, undefined, { cause: err });
    case 'EROFS':
      return new ServeError('SRV_ERR_INTERNAL', `Servedir could not save ${what}: the disk is read-only.`, undefined, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new ServeError('SRV_ERR_INTERNAL', `Servedir could not save ${what}: this computer does not allow it to write there.`, undefined, { cause: err });
    default:
      return new ServeError('SRV_ERR_INTERNAL', `Servedir could not save ${what}.`, undefined, { cause: err });
  }
}

function internalServeError(err: unknown): ServeError {
  return new ServeError('SRV_ERR_INTERNAL', 'The server could not start because of an unexpected problem.', undefined, { cause: err });
}

/**
 * Whatever starting to share threw, as a ServeError: the engine's own ServeError (or one that
 * crossed a process boundary: a `SRV_ERR_*` code and a message) unchanged; an errno from
 * listening or from the folder in plain words; anything else one general sentence with no
 * technical detail.
 */
export function serveErrorForStart(err: unknown, settings: { readonly port: number; readonly bind: string; readonly directory: string }): ServeError {
  if (err instanceof ServeError) return err;
  const code = errnoOf(err);
  const message = err instanceof Error ? err.message : '';
  if (code?.startsWith('SRV_ERR_') && message) {
    return new ServeError(code as ServeErrorCode, message, (err as { field?: SettingsField }).field, { cause: err });
  }
  if (code === 'ENOENT' || code === 'ENOTDIR') return serveErrorForFolder(err, settings.directory);
  if (code !== undefined && LISTEN_ERRNOS.has(code)) return serveErrorForListen(err, settings.port, settings.bind);
  return internalServeError(err);
}
