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

/**
 * The shared folder vanished while sharing (deleted, renamed, its drive removed) or came back:
 * what the sharing card and the log say (server/host/folder-watch.ts notices it).
 */
export const msgSharedFolderGone = (directory: string): string =>
  `The shared folder is gone (${directory} was deleted, renamed or its drive removed): visitors get errors until it comes back.`;
export const msgSharedFolderBack = (directory: string): string => `The shared folder is back (${directory}): visitors can open it again.`;

// ---------------------------------------------------------------------------------------
// Uploads (PORT NOTE 33): why a file was not added, in words for the visitor who sent it.

/** Why an upload was refused or failed. */
export type UploadProblemCode =
  | 'UPLOAD_NO_NAME'
  | 'UPLOAD_BAD_NAME'
  | 'UPLOAD_CLIMB'
  | 'UPLOAD_RESERVED_NAME'
  | 'UPLOAD_LONG_NAME'
  | 'UPLOAD_HIDDEN_NAME'
  | 'UPLOAD_NO_FOLDER'
  | 'UPLOAD_TOO_BIG'
  | 'UPLOAD_DISK_FULL'
  | 'UPLOAD_NOT_ALLOWED'
  | 'UPLOAD_READ_ONLY'
  | 'UPLOAD_NAME_TAKEN'
  | 'UPLOAD_IS_FOLDER'
  | 'UPLOAD_NEED_LENGTH'
  | 'UPLOAD_BAD_FORM'
  | 'UPLOAD_NOT_A_FORM'
  | 'UPLOAD_FAILED';

/** An upload refused or failed: the HTTP status and one plain sentence for the visitor. */
export class UploadProblem extends ServerError {
  declare readonly code: UploadProblemCode;
  readonly status: number;
  constructor(code: UploadProblemCode, status: number, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'UploadProblem';
    this.status = status;
  }
}

const quoted = (name: string): string => `“${name}”`;

/** The one place upload problems are put in words. `name` is the file's name as sent, `limit` a size in words. */
export function uploadProblem(code: UploadProblemCode, detail: { name?: string; limit?: string; cause?: unknown } = {}): UploadProblem {
  const n = detail.name === undefined ? 'the file' : quoted(detail.name);
  const opts = detail.cause === undefined ? undefined : { cause: detail.cause };
  switch (code) {
    case 'UPLOAD_NO_NAME':
      return new UploadProblem(code, 400, 'The file has no name. Give it a name and send it again.', opts);
    case 'UPLOAD_BAD_NAME':
      return new UploadProblem(code, 400, `The name ${n} cannot be used: names cannot contain slashes, control characters or nothing but dots, and cannot end with a dot or a space. Rename the file and send it again.`, opts);
    case 'UPLOAD_CLIMB':
      return new UploadProblem(code, 400, 'Files can only be added to a folder inside the shared folder, not above it.', opts);
    case 'UPLOAD_RESERVED_NAME':
      return new UploadProblem(code, 400, `The name ${n} is reserved by Windows (like CON, NUL or COM1) and cannot be used. Rename the file and send it again.`, opts);
    case 'UPLOAD_LONG_NAME':
      return new UploadProblem(code, 400, `The name ${n} is too long (at most 255 bytes). Give the file a shorter name and send it again.`, opts);
    case 'UPLOAD_HIDDEN_NAME':
      return new UploadProblem(code, 400, `Names starting with a dot, like ${n}, are not accepted here. Rename the file and send it again.`, opts);
    case 'UPLOAD_NO_FOLDER':
      return new UploadProblem(code, 404, 'That folder is not here any more, so nothing was added. Go back and open the folder again.', opts);
    case 'UPLOAD_TOO_BIG':
      return new UploadProblem(code, 413, `${n === 'the file' ? 'The file' : n} is too big: the largest file this computer accepts is ${detail.limit ?? 'smaller'}. Nothing of it was kept.`, opts);
    case 'UPLOAD_DISK_FULL':
      return new UploadProblem(code, 507, `The disk of the computer sharing this folder is full, so ${n} could not be saved. Nothing of it was kept; ask its owner to make some room.`, opts);
    case 'UPLOAD_NOT_ALLOWED':
      return new UploadProblem(code, 403, `The computer sharing this folder does not allow files to be written there, so ${n} was not saved.`, opts);
    case 'UPLOAD_READ_ONLY':
      return new UploadProblem(code, 403, `The shared folder is on a disk that cannot be written to, so ${n} was not saved.`, opts);
    case 'UPLOAD_NAME_TAKEN':
      return new UploadProblem(code, 409, `Too many files are already named like ${n}. Rename the file and send it again.`, opts);
    case 'UPLOAD_IS_FOLDER':
      return new UploadProblem(code, 409, `A folder named ${n} is already here, so a file cannot take its place. Rename the file and send it again.`, opts);
    case 'UPLOAD_NEED_LENGTH':
      return new UploadProblem(code, 411, 'The size of the file was not sent (Content-Length or chunked Transfer-Encoding is needed).', opts);
    case 'UPLOAD_BAD_FORM':
      return new UploadProblem(code, 400, 'What was sent is not a complete form of files. Try again.', opts);
    case 'UPLOAD_NOT_A_FORM':
      return new UploadProblem(code, 415, 'Files are added with a form (multipart/form-data), or one at a time with PUT to the new file’s address.', opts);
    case 'UPLOAD_FAILED':
      return new UploadProblem(code, 500, `${n === 'the file' ? 'The file' : n} could not be saved because of a problem on the computer sharing this folder. Nothing of it was kept.`, opts);
  }
}

/** A write failure while saving an upload, in words (a full disk is 507 Insufficient Storage). */
export function uploadProblemForWrite(err: unknown, name?: string): UploadProblem {
  if (err instanceof UploadProblem) return err;
  switch (errnoOf(err)) {
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
      return uploadProblem('UPLOAD_DISK_FULL', { name, cause: err });
    case 'EACCES':
    case 'EPERM':
      return uploadProblem('UPLOAD_NOT_ALLOWED', { name, cause: err });
    case 'EROFS':
      return uploadProblem('UPLOAD_READ_ONLY', { name, cause: err });
    case 'ENOENT':
    case 'ENOTDIR':
      return uploadProblem('UPLOAD_NO_FOLDER', { name, cause: err });
    case 'ENAMETOOLONG':
      return uploadProblem('UPLOAD_LONG_NAME', { name, cause: err });
    case 'EISDIR':
    case 'ENOTEMPTY':
      return uploadProblem('UPLOAD_IS_FOLDER', { name, cause: err });
    default:
      return uploadProblem('UPLOAD_FAILED', { name, cause: err });
  }
}

// ---------------------------------------------------------------------------------------
// The password of a share (server/auth.ts): what visitors, the window and the CLI read

/** The login page's first words. */
export const MSG_LOGIN_NEEDED = 'This folder needs a password. Ask the person who shared it.';
export const MSG_LOGIN_WRONG = 'That password is not right. Check it and try again.';
export const MSG_LOGIN_KEY_REFUSED =
  'This link has already been used or has expired. Type the password, or ask for a new link.';
export const MSG_LOGIN_TOO_MANY = (seconds: number): string => {
  const wait = seconds >= 90 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `Too many wrong passwords from this device. Wait ${wait}, then try again.`;
};
export const msgPasswordTooShort = (min: number): string => `A password needs at least ${min} characters.`;
export const MSG_PASSWORD_TOO_LONG = 'That password is too long; use at most 256 characters.';
export const MSG_PASSWORD_BAD_CHARACTERS = 'A password cannot contain tabs, line breaks or other control characters.';
/** `--password-file FILE` could not give a password. */
export const msgPasswordFile = (file: string, why: 'missing' | 'not-a-file' | 'unreadable' | 'empty'): string =>
  why === 'missing'
    ? `The password file ${file} does not exist.`
    : why === 'not-a-file'
      ? `The password file ${file} is not a file.`
      : why === 'unreadable'
        ? `The password file ${file} cannot be read (check its permissions).`
        : `The password file ${file} is empty: put the password on its first line.`;
