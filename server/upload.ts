/**
 * Pure Node. Files sent by visitors (the `upload` setting; not in CPython: PORT NOTE 33).
 *
 * CPython's `http.server` only serves. With the setting, `SimpleHTTPRequestHandler` takes
 * `PUT /folder/name` (curl -T) and `POST /folder/` of a `multipart/form-data` form (the modern
 * listing's "Add files"), and this module does the work:
 *  - the request body, framed by `Content-Length` or chunked `Transfer-Encoding`, read in
 *    bounded chunks (`RequestBody`);
 *  - the form, parsed while it streams (`MultipartReader`: bounded part headers, the boundary
 *    from `Content-Type`, `filename*=` before `filename=`), never a whole file in memory;
 *  - names checked like GET paths and a little more (`uploadNameProblem`);
 *  - each file written to a temporary file in the target folder (`.servedir-upload-….part`),
 *    flushed to the disk, then put in place under its name without ever replacing a file
 *    (a hard link, which fails when the name is taken, then the temporary name removed; where
 *    the file system has no hard links, the final name is created exclusively and the
 *    temporary file renamed over it), or replacing it in one rename with `uploadReplace`
 *    (`receiveFile`). A cut connection, a full disk or any error removes the temporary file, so
 *    nothing partial ever appears under the real name.
 *
 * Only `node:*` and the engine's own modules: the handler (simple-handler.ts) decides the
 * folder and answers; this module never writes anything but the temporary file and its
 * final name, both in the folder it is given.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import path from 'node:path';
import type { SocketReader } from './connection-io.js';
import { uploadProblem, uploadProblemForWrite, UploadProblem } from './errors.js';
import { MAX_UPLOAD_NAME_TRIES, MAX_UPLOAD_PART_HEADER_BYTES, UPLOAD_CHUNK_BYTES } from './limits.js';
import { htmlEscape, unquote } from './py-text.js';

// ---------------------------------------------------------------------------------------
// Names

/** Windows device names, reserved in every folder and with any extension (refused on every OS: the share may be copied there). */
const RESERVED_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;

/** The temporary files of uploads in progress: never on the modern listing (a dot-name: hidden with showHidden off), never taken as a name. */
export const UPLOAD_TEMP_PREFIX = '.servedir-upload-';
const TEMP_NAME = /^\.servedir-upload-[0-9a-f]{16}\.part$/;

/** True for the name of an upload's temporary file. */
export const isUploadTempName = (name: string): boolean => TEMP_NAME.test(name);

/**
 * What is wrong with `name` as the name of a new file, or null when it may be used: no `/`,
 * `\` or NUL, no control character, not `.` or `..` (nor only dots), no Windows device name
 * (`CON`, `nul.txt`, `COM1`…), not ending in a dot or a space, at most 255 bytes of UTF-8,
 * no lone surrogate; with `showHidden` off, not starting with a dot; on Windows also none of
 * `<>:"|?*`. `name` is the decoded name as sent.
 */
export function uploadNameProblem(name: string, showHidden: boolean): UploadProblem | null {
  if (name === '') return uploadProblem('UPLOAD_NO_NAME');
  const shown = name.replace(/[\x00-\x1f\x7f]/g, '?');
  if (/^\.+$/.test(name)) return uploadProblem('UPLOAD_CLIMB');
  if (/[/\\\x00-\x1f\x7f]/.test(name) || /[\ud800-\udfff]/.test(name.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) {
    return uploadProblem('UPLOAD_BAD_NAME', { name: shown });
  }
  if (/[. ]$/.test(name)) return uploadProblem('UPLOAD_BAD_NAME', { name: shown });
  if (process.platform === 'win32' && /[<>:"|?*]/.test(name)) return uploadProblem('UPLOAD_BAD_NAME', { name: shown });
  if (RESERVED_NAME.test(name)) return uploadProblem('UPLOAD_RESERVED_NAME', { name: shown });
  if (Buffer.byteLength(name, 'utf8') > 255) return uploadProblem('UPLOAD_LONG_NAME', { name: shown.slice(0, 40) + '…' });
  if (!showHidden && name.startsWith('.')) return uploadProblem('UPLOAD_HIDDEN_NAME', { name: shown });
  if (isUploadTempName(name)) return uploadProblem('UPLOAD_BAD_NAME', { name: shown });
  return null;
}

/** The `n`th name tried for `name` when it is taken: `photo.jpg` → `photo (1).jpg`, `notes` → `notes (1)`. */
export function numberedName(name: string, n: number): string {
  if (n === 0) return name;
  const dot = name.lastIndexOf('.');
  // A leading dot is part of the name (`.profile`), not an extension.
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

/** A size in words for a visitor: `4 GB`, `100 MB`, `1.5 GB` (1 KB = 1024 bytes, as the listing counts). */
export function sizeWords(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

// ---------------------------------------------------------------------------------------
// The request body

/** Raised when the client stopped sending before the body was complete (the connection was cut). */
export class UploadCut extends Error {
  override readonly name = 'UploadCut';
  constructor() {
    super('the connection closed before the whole file arrived');
  }
}

/** A source of body bytes: the next chunk of at most `max` bytes, or null at the end. */
export interface ChunkSource {
  next(max: number): Promise<Buffer | null>;
}

/** How a request body is framed. */
export type BodyFraming = { readonly kind: 'length'; readonly length: number } | { readonly kind: 'chunked' };

/**
 * The framing of a request's body from its headers: chunked `Transfer-Encoding` (exactly
 * `chunked`, without a `Content-Length`: both at once is how requests are smuggled), a plain
 * `Content-Length`, or null when neither (411) or something else (400).
 */
export function bodyFraming(transferEncodings: readonly string[], contentLengths: readonly string[]): BodyFraming | 'bad' | null {
  if (transferEncodings.length > 0) {
    if (transferEncodings.length !== 1 || transferEncodings[0]!.trim().toLowerCase() !== 'chunked' || contentLengths.length > 0) return 'bad';
    return { kind: 'chunked' };
  }
  if (contentLengths.length === 0) return null;
  if (contentLengths.length > 1 || !/^[0-9]{1,15}$/.test(contentLengths[0]!.trim())) return 'bad';
  return { kind: 'length', length: Number(contentLengths[0]!.trim()) };
}

/**
 * The body of a request, read from the connection in chunks: exactly `Content-Length` bytes,
 * or chunked transfer coding decoded (chunk extensions and trailers read and ignored). A body
 * that ends early throws `UploadCut`; a malformed chunked body throws an `UploadProblem`.
 * `received` counts the body bytes handed out.
 */
export class RequestBody implements ChunkSource {
  received = 0;
  private left: number;
  private done = false;

  constructor(
    private readonly rfile: SocketReader,
    private readonly framing: BodyFraming,
  ) {
    this.left = framing.kind === 'length' ? framing.length : 0;
  }

  /** The length announced (`Content-Length`), or null for a chunked body. */
  get expected(): number | null {
    return this.framing.kind === 'length' ? this.framing.length : null;
  }

  /** True once the whole body was read. */
  get complete(): boolean {
    return this.done || (this.framing.kind === 'length' && this.left === 0);
  }

  async next(max: number): Promise<Buffer | null> {
    if (this.framing.kind === 'length') {
      if (this.left === 0) return null;
      const got = await this.rfile.readSome(Math.min(max, this.left));
      if (got.length === 0) throw new UploadCut();
      this.left -= got.length;
      this.received += got.length;
      return got;
    }
    if (this.done) return null;
    if (this.left === 0) {
      const size = await this.chunkSize();
      if (size === 0) {
        await this.readTrailers();
        this.done = true;
        return null;
      }
      this.left = size;
    }
    const got = await this.rfile.readSome(Math.min(max, this.left));
    if (got.length === 0) throw new UploadCut();
    this.left -= got.length;
    this.received += got.length;
    if (this.left === 0) {
      const crlf = await this.rfile.readline(3);
      if (crlf.length === 0) throw new UploadCut();
      if (crlf.toString('latin1') !== '\r\n' && crlf.toString('latin1') !== '\n') throw uploadProblem('UPLOAD_BAD_FORM');
    }
    return got;
  }

  /**
   * Read and drop the rest of the body (the end of a form after its closing delimiter), at
   * most `limit` bytes: false when more was left (the caller then closes the connection).
   */
  async drain(limit: number): Promise<boolean> {
    let dropped = 0;
    for (let c = await this.next(UPLOAD_CHUNK_BYTES); c !== null; c = await this.next(UPLOAD_CHUNK_BYTES)) {
      if ((dropped += c.length) > limit) return false;
    }
    return true;
  }

  private async chunkSize(): Promise<number> {
    const line = await this.rfile.readline(1026);
    if (line.length === 0) throw new UploadCut();
    if (line[line.length - 1] !== 0x0a) throw uploadProblem('UPLOAD_BAD_FORM');
    const m = /^([0-9A-Fa-f]{1,13})[ \t]*(?:;[^\r\n]*)?\r?\n$/.exec(line.toString('latin1'));
    if (!m) throw uploadProblem('UPLOAD_BAD_FORM');
    return parseInt(m[1]!, 16);
  }

  private async readTrailers(): Promise<void> {
    for (let i = 0; i < 64; i++) {
      const line = await this.rfile.readline(8192);
      if (line.length === 0) throw new UploadCut();
      if (line[line.length - 1] !== 0x0a) throw uploadProblem('UPLOAD_BAD_FORM');
      if (line.length <= 2 && (line.length === 1 || line[0] === 0x0d)) return;
    }
    throw uploadProblem('UPLOAD_BAD_FORM');
  }
}

// ---------------------------------------------------------------------------------------
// multipart/form-data (RFC 7578), streamed

/** The boundary of a `multipart/form-data` Content-Type, or null when it is not one. */
export function formBoundary(contentType: string | undefined): string | null {
  if (contentType === undefined) return null;
  const semi = contentType.indexOf(';');
  const type = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (type !== 'multipart/form-data' || semi < 0) return null;
  const b = headerParams(contentType.slice(semi)).get('boundary');
  // RFC 2046: 1 to 70 characters, and none that would make the delimiter ambiguous.
  return b !== undefined && b.length >= 1 && b.length <= 70 && !/[\r\n]/.test(b) ? b : null;
}

/**
 * The `; name=value` parameters of a header value (names lower-cased), values unquoted
 * (`\"` and `\\` inside quotes). RFC 8187 `name*=UTF-8''%E2%82%AC` values are decoded and
 * stored under `name*`.
 */
export function headerParams(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const key = m[1]!.toLowerCase();
    // Browsers send a name's own backslashes as they are (only `"`, CR and LF are written as
    // %22, %0D, %0A); some clients escape `"` and `\` with a backslash. Only those two are
    // unescaped, so `a\b.txt` keeps its backslash (and is refused as a name, not silently changed).
    let value = m[2] !== undefined ? m[2].replace(/\\(["\\])/g, '$1') : m[3]!.trim();
    if (key.endsWith('*')) {
      const ext = /^([A-Za-z0-9_-]+)'[^']*'(.*)$/.exec(value);
      if (!ext) continue;
      const bytes = percentBytes(ext[2]!);
      if (bytes === null) continue;
      const charset = ext[1]!.toLowerCase();
      if (charset === 'utf-8') value = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
      else if (charset === 'iso-8859-1') value = bytes.toString('latin1');
      else continue;
    }
    if (!out.has(key)) out.set(key, value);
  }
  return out;
}

function percentBytes(s: string): Buffer | null {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) bytes.push(c);
    else return null;
  }
  return Buffer.from(bytes);
}

/** One part of a form, as its headers describe it. */
export interface FormPart {
  /** The field's name. */
  readonly field: string;
  /** The file's name as sent (`filename*` before `filename`), or null for a field that is not a file. */
  readonly filename: string | null;
}

/**
 * A `multipart/form-data` body read part by part while it streams: `nextPart()` gives the next
 * part's names (skipping what is left of the current one), `readData()` the current part's
 * bytes in chunks (null at its end). What it holds is at most one chunk plus the delimiter.
 * A form that ends before its closing delimiter, part headers longer than
 * `MAX_UPLOAD_PART_HEADER_BYTES`, or a part without `Content-Disposition: form-data` throws
 * `UploadProblem` (400).
 */
export class MultipartReader {
  private buf: Buffer;
  private readonly delimiter: Buffer;
  private state: 'preamble' | 'headers' | 'data' | 'end' = 'preamble';
  private sourceDone = false;

  constructor(
    private readonly source: ChunkSource,
    boundary: string,
  ) {
    this.delimiter = Buffer.from('\r\n--' + boundary, 'latin1');
    // The first delimiter may begin the body without the CRLF the others have.
    this.buf = Buffer.from('\r\n');
  }

  /** Pull more of the body; false at its end. */
  private async fill(): Promise<boolean> {
    if (this.sourceDone) return false;
    const chunk = await this.source.next(UPLOAD_CHUNK_BYTES);
    if (chunk === null) {
      this.sourceDone = true;
      return false;
    }
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    return true;
  }

  /** The next part, or null after the closing delimiter. */
  async nextPart(): Promise<FormPart | null> {
    if (this.state === 'data') while ((await this.readData()) !== null);
    if (this.state === 'preamble') await this.skipPreamble();
    if (this.state === 'end') return null;
    // After a delimiter: `--` closes the form; otherwise optional padding and CRLF, then headers.
    while (this.buf.length < 2) if (!(await this.fill())) throw uploadProblem('UPLOAD_BAD_FORM');
    if (this.buf[0] === 0x2d && this.buf[1] === 0x2d) {
      this.state = 'end';
      return null;
    }
    let end = this.buf.indexOf('\r\n\r\n');
    let start = this.buf.indexOf('\r\n');
    while (end < 0) {
      if (this.buf.length > MAX_UPLOAD_PART_HEADER_BYTES) throw uploadProblem('UPLOAD_BAD_FORM');
      if (!(await this.fill())) throw uploadProblem('UPLOAD_BAD_FORM');
      start = this.buf.indexOf('\r\n');
      // A part with no header lines at all: its CRLF follows the delimiter's line at once.
      end = this.buf.indexOf('\r\n\r\n');
    }
    if (start < 0 || !/^[ \t]*$/.test(this.buf.subarray(0, start).toString('latin1'))) throw uploadProblem('UPLOAD_BAD_FORM');
    if (end > MAX_UPLOAD_PART_HEADER_BYTES) throw uploadProblem('UPLOAD_BAD_FORM');
    const headerText = end > start ? this.buf.subarray(start + 2, end).toString('utf8') : '';
    this.buf = this.buf.subarray(end + 4);
    this.state = 'data';
    let disposition: string | undefined;
    for (const line of headerText.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === 'content-disposition') disposition = line.slice(colon + 1);
    }
    if (disposition === undefined || !/^\s*form-data\s*(;|$)/i.test(disposition)) throw uploadProblem('UPLOAD_BAD_FORM');
    const params = headerParams(disposition.replace(/^\s*form-data\s*/i, ''));
    const filename = params.get('filename*') ?? params.get('filename') ?? null;
    return { field: params.get('name') ?? '', filename };
  }

  /** The next bytes of the current part, or null at its end. */
  async readData(): Promise<Buffer | null> {
    if (this.state !== 'data') return null;
    for (;;) {
      const at = this.buf.indexOf(this.delimiter);
      if (at === 0) {
        this.buf = this.buf.subarray(this.delimiter.length);
        this.state = 'headers';
        return null;
      }
      if (at > 0) {
        const data = this.buf.subarray(0, at);
        this.buf = this.buf.subarray(at);
        return data;
      }
      // The end of the buffer may hold the start of a delimiter: keep that much back.
      const safe = this.buf.length - (this.delimiter.length - 1);
      if (safe > 0) {
        const data = this.buf.subarray(0, safe);
        this.buf = this.buf.subarray(safe);
        return data;
      }
      if (!(await this.fill())) throw uploadProblem('UPLOAD_BAD_FORM');
    }
  }

  private async skipPreamble(): Promise<void> {
    let skipped = 0;
    for (;;) {
      const at = this.buf.indexOf(this.delimiter);
      if (at >= 0) {
        this.buf = this.buf.subarray(at + this.delimiter.length);
        this.state = 'headers';
        return;
      }
      const keep = Math.min(this.buf.length, this.delimiter.length - 1);
      skipped += this.buf.length - keep;
      this.buf = this.buf.subarray(this.buf.length - keep);
      if (skipped > MAX_UPLOAD_PART_HEADER_BYTES) throw uploadProblem('UPLOAD_BAD_FORM');
      if (!(await this.fill())) throw uploadProblem('UPLOAD_BAD_FORM');
    }
  }
}

// ---------------------------------------------------------------------------------------
// Writing a file

/** Where a received file went. */
export interface PlacedFile {
  /** The name asked for. */
  readonly asked: string;
  /** The name it was saved under (`asked`, or a numbered name when `asked` was taken). */
  readonly name: string;
  /** The full path it was saved at. */
  readonly path: string;
  readonly bytes: number;
  /** True when it replaced a file of the same name (`uploadReplace`). */
  readonly replaced: boolean;
}

export interface ReceiveOptions {
  /** The largest file accepted, in bytes: one more byte and the upload fails with 413. */
  readonly maxBytes: number;
  /** Replace a file of the same name (`uploadReplace`) instead of taking a numbered name. */
  readonly replace: boolean;
  /** Called as bytes are written (total so far). */
  readonly onProgress?: (bytes: number) => void;
  /** Joins the folder and a name (the handler's `os.path`). */
  readonly join: (dir: string, name: string) => string;
}

/** Errors of `link` meaning the file system has no hard links (FAT, exFAT, some network and FUSE file systems). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK', 'ENOSYS', 'EINVAL']);

/**
 * Receive one file into `dir` under `name` (already checked with `uploadNameProblem`): its
 * bytes, from `next()` until null, go to a new temporary file in `dir`, which is flushed to
 * the disk and then put in place (see the module comment). Throws `UploadProblem` (too big,
 * disk full, no permission, the name taken too often, a folder of that name with replace),
 * `UploadCut`, or the reader's errors; in every case the temporary file is removed and
 * nothing appears under the real name.
 */
export async function receiveFile(dir: string, name: string, next: () => Promise<Buffer | null>, opts: ReceiveOptions): Promise<PlacedFile> {
  const temp = opts.join(dir, UPLOAD_TEMP_PREFIX + randomBytes(8).toString('hex') + '.part');
  let handle: fsp.FileHandle;
  try {
    // O_EXCL|O_NOFOLLOW: never an existing file, never through a link.
    handle = await fsp.open(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | (fsConstants.O_NOFOLLOW ?? 0), 0o644);
  } catch (err) {
    throw uploadProblemForWrite(err, name);
  }
  let open = true;
  let kept = false;
  // Chunks are gathered up to UPLOAD_CHUNK_BYTES and written with one writev while the next
  // ones arrive (the disk and the network overlap); at most one batch is in flight and one is
  // being gathered, so a slow disk holds the reader, which holds the client (backpressure).
  let inFlight: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  const flush = async (): Promise<void> => {
    await inFlight;
    if (failure !== null) throw uploadProblemForWrite(failure, name);
    if (batch.length === 0) return;
    const pieces = batch;
    batch = [];
    batchBytes = 0;
    inFlight = writeAll(handle, pieces).catch((err: unknown) => {
      failure = err;
    });
  };
  try {
    let bytes = 0;
    for (let chunk = await next(); chunk !== null; chunk = await next()) {
      bytes += chunk.length;
      if (bytes > opts.maxBytes) throw uploadProblem('UPLOAD_TOO_BIG', { name, limit: sizeWords(opts.maxBytes) });
      batch.push(chunk);
      batchBytes += chunk.length;
      if (batchBytes >= UPLOAD_CHUNK_BYTES) await flush();
      opts.onProgress?.(bytes);
    }
    await flush();
    await inFlight;
    if (failure !== null) throw uploadProblemForWrite(failure, name);
    try {
      // Flushed before it gets its name: a power cut never leaves a name on a file with holes.
      await handle.sync();
      open = false;
      await handle.close();
    } catch (err) {
      throw uploadProblemForWrite(err, name);
    }
    const placed = opts.replace ? await replaceInto(temp, dir, name, opts) : await placeNew(temp, dir, name, opts);
    kept = true;
    return { ...placed, asked: name, bytes };
  } finally {
    // A write still running (the upload failed meanwhile) ends before the file is closed and removed.
    await inFlight;
    if (open) await handle.close().catch(() => undefined);
    if (!kept) await fsp.unlink(temp).catch(() => undefined);
  }
}

/** Write every byte of `pieces` at the file's position (one writev; the rest after a short write). */
async function writeAll(handle: fsp.FileHandle, pieces: Buffer[]): Promise<void> {
  const total = pieces.reduce((n, b) => n + b.length, 0);
  const { bytesWritten } = await handle.writev(pieces);
  if (bytesWritten === total) return;
  const rest = Buffer.concat(pieces).subarray(bytesWritten);
  for (let off = 0; off < rest.length; ) off += (await handle.write(rest, off, rest.length - off)).bytesWritten;
}

/** Give the temporary file `name`, or the first free numbered name; never replaces anything. */
async function placeNew(temp: string, dir: string, name: string, opts: ReceiveOptions): Promise<{ name: string; path: string; replaced: false }> {
  for (let n = 0; n < MAX_UPLOAD_NAME_TRIES; n++) {
    const candidate = numberedName(name, n);
    if (Buffer.byteLength(candidate, 'utf8') > 255) throw uploadProblem('UPLOAD_NAME_TAKEN', { name });
    const target = opts.join(dir, candidate);
    try {
      // link() fails with EEXIST when the name is taken, whatever is there (a file, a folder,
      // a link): the check and the creation are one step, so two uploads never race.
      await fsp.link(temp, target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code !== undefined && NO_HARD_LINKS.has(code)) {
        if (await claimAndRename(temp, target)) return { name: candidate, path: target, replaced: false };
        continue;
      }
      throw uploadProblemForWrite(err, name);
    }
    await fsp.unlink(temp).catch(() => undefined);
    return { name: candidate, path: target, replaced: false };
  }
  throw uploadProblem('UPLOAD_NAME_TAKEN', { name });
}

/**
 * Without hard links: create `target` exclusively (so no one else's file is ever replaced),
 * then rename the complete temporary file over that empty placeholder. False when the name is
 * taken.
 */
async function claimAndRename(temp: string, target: string): Promise<boolean> {
  try {
    const h = await fsp.open(target, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | (fsConstants.O_NOFOLLOW ?? 0), 0o644);
    await h.close();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw uploadProblemForWrite(err);
  }
  try {
    await fsp.rename(temp, target);
  } catch (err) {
    await fsp.unlink(target).catch(() => undefined);
    throw uploadProblemForWrite(err);
  }
  return true;
}

/** `uploadReplace`: the temporary file takes `name` in one rename (a file there is replaced whole, never a folder). */
async function replaceInto(temp: string, dir: string, name: string, opts: ReceiveOptions): Promise<{ name: string; path: string; replaced: boolean }> {
  const target = opts.join(dir, name);
  let replaced = false;
  try {
    const st = await fsp.lstat(target);
    if (st.isDirectory()) throw uploadProblem('UPLOAD_IS_FOLDER', { name });
    replaced = true;
  } catch (err) {
    if (err instanceof UploadProblem) throw err;
  }
  try {
    await fsp.rename(temp, target);
  } catch (err) {
    throw uploadProblemForWrite(err, name);
  }
  return { name, path: target, replaced };
}

// ---------------------------------------------------------------------------------------
// Where a request uploads to, and the answers

/** Where an upload goes: the folder's names below the shared folder, and the file's name (PUT) or null (a form). */
export interface UploadTarget {
  readonly folder: readonly string[];
  readonly name: string | null;
}

/**
 * The folder (and, for PUT, the file name) a request path names, decoded as `translatePath`
 * decodes it, but strictly: a `.` or `..` component (also as `%2e%2e`) is refused, not
 * dropped, so `PUT /../x` or `/a/../../y` says why instead of writing somewhere else; a NUL
 * anywhere is refused; with `showHidden` off a hidden folder is a missing folder (as GET
 * answers it). `backslashSeparates`: `\` splits names too (hardened, Windows).
 */
export function uploadTarget(urlPath: string, method: 'PUT' | 'POST', backslashSeparates: boolean, showHidden: boolean): UploadTarget | UploadProblem {
  let p = urlPath.split('?', 1)[0]!.split('#', 1)[0]!;
  p = unquote(p); // errors='replace': invalid UTF-8 becomes U+FFFD
  if (p.includes('\0')) return uploadProblem('UPLOAD_BAD_NAME', { name: p.replace(/[\x00-\x1f\x7f]/g, '?').replace(/^.*\//, '') });
  if (backslashSeparates) p = p.replace(/\\/g, '/');
  const words = p.split('/').filter((w) => w !== '');
  if (words.some((w) => w === '.' || w === '..')) return uploadProblem('UPLOAD_CLIMB');
  let name: string | null = null;
  if (method === 'PUT') {
    if (p.endsWith('/') || words.length === 0) return uploadProblem('UPLOAD_NO_NAME');
    name = words.pop()!;
  }
  if (!showHidden && words.some((w) => w.startsWith('.'))) return uploadProblem('UPLOAD_NO_FOLDER');
  return { folder: words, name };
}

/** The answer to a refused or failed upload: a small page for a form, a line of text for PUT. */
export interface UploadAnswerPage {
  readonly type: string;
  readonly csp: string | null;
  readonly body: Buffer;
}

/**
 * The page (a form: `folderUrl` is where "Back to the folder" leads, already quoted) or the
 * text (PUT: `folderUrl` null) saying why nothing, or not everything, was added. The sentence
 * is in `<p id="problem">`, which the listing's script shows in place when it sent the form.
 */
export function uploadAnswerPage(sentence: string, folderUrl: string | null, addedBefore: number): UploadAnswerPage {
  const before =
    addedBefore === 0 ? '' : addedBefore === 1 ? ' The file sent before it was added.' : ` The ${addedBefore} files sent before it were added.`;
  if (folderUrl === null) return { type: 'text/plain; charset=utf-8', csp: null, body: Buffer.from(sentence + before + '\n', 'utf8') };
  const html =
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<title>The files were not added</title>\n</head>\n<body>\n<h1>The files were not added</h1>\n' +
    `<p id="problem">${htmlEscape(sentence + before)}</p>\n<p><a href="${htmlEscape(folderUrl)}">Back to the folder</a></p>\n</body>\n</html>\n`;
  return { type: 'text/html; charset=utf-8', csp: "default-src 'none'; base-uri 'none'; form-action 'none'", body: Buffer.from(html, 'utf8') };
}

// ---------------------------------------------------------------------------------------
// For the window: where an upload went, as a folder on this computer

/**
 * The folder on this computer that `urlPath` (a URL path of the share, as an upload's log
 * entry names the saved file) is in, or null when it is not an existing folder inside
 * `directory`: decoded like the engine decodes it, `.`/`..` refused, a file's path giving its
 * folder, the real path inside the shared folder's real path. What the window's "Open folder"
 * opens; nothing here opens anything.
 */
export async function localFolderOf(directory: string, urlPath: string): Promise<string | null> {
  if (!urlPath.startsWith('/') || urlPath.length > 4096) return null;
  const target = uploadTarget(urlPath.endsWith('/') ? urlPath : urlPath + '/', 'POST', process.platform === 'win32', true);
  if (target instanceof UploadProblem) return null;
  let root: string;
  try {
    root = await fsp.realpath(directory);
  } catch {
    return null;
  }
  const inside = root.endsWith(path.sep) ? root : root + path.sep;
  for (let words = [...target.folder]; ; words = words.slice(0, -1)) {
    const candidate = path.join(root, ...words);
    try {
      const real = await fsp.realpath(candidate);
      if (real !== root && !real.startsWith(inside)) return null;
      if ((await fsp.stat(real)).isDirectory()) return real;
    } catch {
      // gone: its folder, if that is still there, is the next best place
    }
    if (words.length === 0) return null;
  }
}
