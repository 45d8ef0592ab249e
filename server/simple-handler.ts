/**
 * Pure Node. Port of CPython v3.13.0 `Lib/http/server.py` — `SimpleHTTPRequestHandler`:
 * GET and HEAD of files under `directory`, directory listings, the 301 for a directory
 * without a trailing slash, If-Modified-Since → 304, `translate_path` (`..`, `//`, query and
 * fragment handling, Issue17324 trailing slash, gh-87389) and `guess_type`.
 *
 * `sendHead` follows `send_head` line by line, and its two halves are seams: `openFile()`
 * reaches a file's bytes (the small-file cache; synchronous calls for a regular file that fits
 * in one chunk, since a page-cache hit takes microseconds and a hop through libuv's thread pool
 * costs more; a stream of chunks with backpressure for anything bigger: `response-body.ts`),
 * and `sendFileHeaders()` decides a file response's status and headers. What a server keeps
 * between requests (caches, the shared folder's real path) lives on the server
 * (`file-server-state.ts`).
 */
import type fs from 'node:fs';
import net from 'node:net';
import { BaseHTTPRequestHandler, VERSION, type LogEntryDraft } from './base-handler.js';
import type { SocketWriter } from './connection-io.js';
import { nodeFs, type HandlerFileHandle, type HandlerFs, type HandlerSyncFileHandle } from './handler-fs.js';
import type { FileCache } from './file-cache.js';
import { FileServerState, type PathMemo } from './file-server-state.js';
import type { ListingCache } from './listing-cache.js';
import { quoteName, renderListingEntries, type ListingEntries } from './listing.js';
import {
  LISTING_CSP, parseListingQuery, renderPageHead, renderPageTail, UPLOAD_LISTING_CSP, uploadNotice, type UploadForm,
} from './modern-listing.js';
import { renderModernListing, type ModernListingCache, type RenderedListing } from './modern-listing-cache.js';
import { DEFAULT_EXTENSIONS_MAP, guessFileType } from './mime.js';
import { imsEpochSeconds } from './parsedate.js';
import { fileETag, ifRangeHolds, noneMatchHits, parseRange } from './byte-range.js';
import { contentDisposition, FolderZipBody, walkFolder, wantsZip, ZIP_QUERY } from './folder-zip.js';
import { isdirSync, isInside, islinkSync, osPath, statSyncOrNull, type PathFlavour } from './py-path.js';
import {
  encodeUtf8, fsEncode, htmlEscape, normpath, pyRepr, splitext, unquoteSurrogatePassOrReplace, urlsplit, urlunsplit,
} from './py-text.js';
import { BufferBody, CHUNK_SIZE, FileBody, SmallFileBody, type ResponseBody } from './response-body.js';
import { uploadProblem, UploadProblem } from './errors.js';
import {
  bodyFraming, formBoundary, MultipartReader, receiveFile, RequestBody, sizeWords, UploadCut, uploadNameProblem, uploadTarget,
  uploadAnswerPage, type PlacedFile,
} from './upload.js';
import { MAX_UPLOAD_FIELD_BYTES, MAX_UPLOAD_FILES_PER_REQUEST, UPLOAD_CHUNK_BYTES } from './limits.js';

/**
 * A URL path that may name something hidden: a `.` (or `%2e`) at the start of a component
 * (after `/`, `\`, `%2f`, `%5c`, or at the very start). Anything else cannot, and is not
 * decoded to be sure.
 */
const MAY_BE_HIDDEN = /(?:^|[/\\]|%2f|%5c)(?:\.|%2e)/i;

/** Windows device names, reserved in every folder and with any extension. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/**
 * The `Location` of a directory redirect, made safe. PORT NOTE: CPython sends the request
 * path back as is, and only collapses a leading `//` (gh-87389). Here a leading run of `/`
 * and `\` becomes one `/` (the `/\host` variant of CVE-2021-28861: browsers read `/\host`
 * as `//host`), and control characters are percent-encoded. In the hardened profile an
 * absolute-form or scheme-like target (`http://host/dir`, which translatePath serves as a
 * path) also becomes an absolute path; the CLI's default keeps CPython's `Location:
 * http://host/dir/` there (conformance case redirect/cve-2021-28861-absolute-uri; browsers
 * never send such a target to a server, so a link cannot trigger it). A plain relative path
 * (`dir/`) stays as CPython sends it.
 */
export function safeLocation(url: string, hardened = true): string {
  let out = url;
  if (/^[/\\]/.test(out) || (hardened && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(out))) out = '/' + out.replace(/^[/\\]+/, '');
  return out.replace(/[\x00-\x1f\x7f]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

/** What `SimpleHTTPRequestHandler.openFile` opened: the body, and the fstat of the open file. */
export interface OpenedFile {
  readonly body: ResponseBody;
  readonly stat: fs.Stats;
}

/**
 * A path as `SimpleHTTPRequestHandler.lookUp` found it: its stat (undefined: nothing there;
 * null: the stat failed otherwise), or `refused` (PORT NOTE 7), which has no stat.
 */
export interface PathLookup {
  readonly refused: boolean;
  readonly stat: fs.Stats | undefined | null;
}

const REFUSED: PathLookup = { refused: true, stat: undefined };

/**
 * Simple HTTP request handler with GET and HEAD commands: serves files from `directory` and
 * its subdirectories; the MIME type comes from `guessType()`. HEAD is GET without the body.
 */
export class SimpleHTTPRequestHandler extends BaseHTTPRequestHandler {
  override serverVersion = 'SimpleHTTP/' + VERSION;
  /** `index_pages`: tried in order when a directory is requested. */
  indexPages: readonly string[] = ['index.html', 'index.htm'];
  /** `extensions_map`: overrides consulted before `mimetypes`. */
  extensionsMap: Record<string, string> = { ...DEFAULT_EXTENSIONS_MAP };
  /** The folder served (`directory=None` → the current directory). */
  directory: string = process.cwd();
  /**
   * True when a backslash separates path components (PORT NOTE 16): in the hardened profile
   * and on Windows (`policy.backslashSeparates`). The CLI's default on POSIX takes it as part
   * of a name, as CPython does. A seam: a subclass may swap it with `pathFlavour`.
   */
  get backslashSeparates(): boolean {
    return this.policy.backslashSeparates;
  }

  /**
   * The `os.path` that `translatePath` and `sendHead` name files with: `ntpath` on Windows,
   * `posixpath` elsewhere, as CPython's `os.path` (a subclass may swap it, as CPython's
   * test_windows_colon swaps in `ntpath`).
   */
  protected get pathFlavour(): PathFlavour {
    return osPath;
  }

  /** File-system calls (`options.fs`, default the real disk). */
  protected fs: HandlerFs = nodeFs;

  /** This server's `FileServerState` once `serverState()` has found it. */
  private state: FileServerState | undefined = undefined;

  /** PORT NOTE 33: the file an upload is receiving now (its log entry, bytes so far, start), for the log's progress rows. */
  private receiving: { readonly entry: LogEntryDraft; bytes: number; readonly start: number } | null = null;

  override setup(): void {
    super.setup();
    if (this.options.directory !== undefined) this.directory = this.options.directory;
    if (this.options.fs !== undefined) this.fs = this.options.fs;
  }

  /** Serve a GET request. */
  async do_GET(): Promise<void> {
    const f = await this.sendHead();
    if (f) {
      try {
        await this.copyfile(f, this.wfile);
      } finally {
        await f.close();
      }
    }
  }

  /** Serve a HEAD request. */
  async do_HEAD(): Promise<void> {
    const f = await this.sendHead();
    if (f) await f.close();
  }

  /**
   * PORT NOTE 33: with the `upload` setting, `PUT /folder/name` saves the request body as a new
   * file (upload.ts). Without it, CPython's answer to a method it has no `do_PUT` for.
   */
  async do_PUT(): Promise<void> {
    if (!this.policy.acceptUploads) {
      this.sendError(501, `Unsupported method (${pyRepr(this.command!)})`);
      return;
    }
    await this.receiveUpload('PUT');
  }

  /**
   * PORT NOTE 33: with the `upload` setting, `POST /folder/` of a `multipart/form-data` form
   * saves each file of it in the folder. Without it, CPython's 501 (a CGI server answers a
   * POST to a script before this).
   */
  async do_POST(): Promise<void> {
    if (!this.policy.acceptUploads) {
      this.sendError(501, `Unsupported method (${pyRepr(this.command!)})`);
      return;
    }
    await this.receiveUpload('POST');
  }

  /**
   * PORT NOTE 33: an upload may come with chunked `Transfer-Encoding` (a phone streaming a
   * video, `curl -T -`); the hardened profile refuses it for every other request.
   */
  protected override checkFraming(): boolean {
    if (
      this.policy.acceptUploads &&
      (this.command === 'PUT' || this.command === 'POST') &&
      this.headers.getAll('content-length').length === 0 &&
      bodyFraming(this.headers.getAll('transfer-encoding'), []) !== 'bad' &&
      !this.uploadGoesToScripts()
    ) {
      return true;
    }
    return super.checkFraming();
  }

  /** True when the request's path is in a CGI script folder (no upload there: its files would run). */
  private uploadGoesToScripts(): boolean {
    const target = uploadTarget(this.path, 'POST', this.backslashSeparates, true);
    if (target instanceof UploadProblem) return false;
    let prefix = '';
    return target.folder.some((word) => this.zipSkipsFolder((prefix += '/' + word)));
  }

  /**
   * The folder `words` (decoded names below the shared folder) as a path to write in, or null
   * when it is not an existing folder inside the shared folder: the `followSymlinks` policy as
   * for GET, and whatever that policy, its real path must be inside the shared folder's (an
   * upload never writes through a link out of the share), and no CGI script folder.
   */
  private uploadFolder(words: readonly string[]): string | null {
    let path = this.directory;
    for (const word of words) path = this.pathFlavour.join(path, word);
    const found = this.lookUp(path);
    if (found.refused || !found.stat?.isDirectory()) return null;
    if (this.uploadGoesToScripts()) return null;
    let real: string;
    try {
      real = this.fs.realpathSync(fsEncode(path)).toString('utf8');
    } catch {
      return null;
    }
    const root = this.realRoot(false);
    if (root !== null && isInside(root, real)) return path;
    const fresh = this.realRoot(true);
    return fresh !== null && isInside(fresh, real) ? path : null;
  }

  /**
   * PORT NOTE 33 (upload.ts): receive the files of a PUT or POST. Checks come first, before
   * any byte of the body is read (and before `100 Continue`): the name, the folder, the size
   * announced. Then each file streams to a temporary file and is put in place. A refusal or
   * failure answers in plain words (`uploadAnswerPage`) and closes the connection; a
   * connection cut mid-way gets no answer; either way nothing partial is left.
   */
  private async receiveUpload(method: 'PUT' | 'POST'): Promise<void> {
    const showHidden = !this.policy.hideDotfiles;
    const maxBytes = this.policy.uploadMaxBytes;
    const target = uploadTarget(this.path, method, this.backslashSeparates, showHidden);
    const folderUrl = target instanceof UploadProblem ? '/' : quoteName('/' + target.folder.map((w) => w + '/').join(''));
    const placed: PlacedFile[] = [];
    try {
      if (target instanceof UploadProblem) throw target;
      if (this.refusesPath(this.path)) throw uploadProblem('UPLOAD_BAD_NAME', { name: target.name ?? undefined });
      const dir = this.uploadFolder(target.folder);
      if (dir === null) throw uploadProblem('UPLOAD_NO_FOLDER');
      if (target.name !== null) {
        const bad = uploadNameProblem(target.name, showHidden);
        if (bad) throw bad;
      }
      const framing = bodyFraming(this.headers.getAll('transfer-encoding'), this.headers.getAll('content-length'));
      if (framing === 'bad') throw uploadProblem('UPLOAD_BAD_FORM');
      if (framing === null) throw uploadProblem('UPLOAD_NEED_LENGTH');
      const boundary = method === 'POST' ? formBoundary(this.headers.get('Content-Type')) : null;
      if (method === 'POST' && boundary === null) throw uploadProblem('UPLOAD_NOT_A_FORM');
      if (method === 'PUT' && framing.kind === 'length' && framing.length > maxBytes) {
        throw uploadProblem('UPLOAD_TOO_BIG', { name: target.name ?? undefined, limit: sizeWords(maxBytes) });
      }
      this.continueUpload();
      const body = new RequestBody(this.rfile, framing);
      const folderText = '/' + target.folder.map((w) => w + '/').join('');
      const receive = (name: string, next: () => Promise<Buffer | null>, expected: number | null): Promise<PlacedFile> =>
        this.logUpload(name, folderUrl, folderText, expected, (onProgress) =>
          receiveFile(dir, name, next, { maxBytes, replace: this.policy.uploadReplaces, join: (d, n) => this.pathFlavour.join(d, n), onProgress }),
        );
      if (method === 'PUT') {
        const file = await receive(target.name!, () => body.next(UPLOAD_CHUNK_BYTES), framing.kind === 'length' ? framing.length : null);
        placed.push(file);
        this.answerPut(file, folderUrl);
        return;
      }
      const form = new MultipartReader(body, boundary!);
      for (let part = await form.nextPart(); part !== null; part = await form.nextPart()) {
        if (part.filename === null) {
          // A field that is not a file: read (bounded) and ignored.
          let size = 0;
          for (let c = await form.readData(); c !== null; c = await form.readData()) {
            if ((size += c.length) > MAX_UPLOAD_FIELD_BYTES) throw uploadProblem('UPLOAD_BAD_FORM');
          }
          continue;
        }
        // An empty file input sends a part with no name and no bytes.
        if (part.filename === '') {
          const first = await form.readData();
          if (first === null) continue;
          throw uploadProblem('UPLOAD_NO_NAME');
        }
        const bad = uploadNameProblem(part.filename, showHidden);
        if (bad) throw bad;
        if (placed.length >= MAX_UPLOAD_FILES_PER_REQUEST) throw uploadProblem('UPLOAD_BAD_FORM');
        placed.push(await receive(part.filename, () => form.readData(), null));
      }
      // After the closing delimiter: an epilogue (nothing, from a browser) is read up to a bound.
      const drained = await body.drain(MAX_UPLOAD_FIELD_BYTES);
      const renamed = placed.filter((f) => f.name !== f.asked).length;
      this.sendResponse(303);
      this.sendHeader('Location', `${folderUrl}?added=${placed.length}${renamed > 0 ? `&renamed=${renamed}` : ''}`);
      if (!drained) this.sendHeader('Connection', 'close');
      this.sendHeader('Content-Length', '0');
      this.endHeaders();
    } catch (err) {
      if (err instanceof UploadCut) {
        this.closeConnection = true;
        this.logError('Upload cut off: %s', err.message);
        return;
      }
      if (!(err instanceof UploadProblem)) throw err;
      this.answerUploadProblem(err, method, folderUrl, placed);
    }
  }

  /**
   * PORT NOTE 33: one `upload` log entry per file (server/log.ts), made when the file starts:
   * `path` where it goes, progress rows while it arrives (`reportProgress`), then the final
   * entry, with the same id and time, saying where it went, or why it was not kept.
   */
  private async logUpload(
    name: string,
    folderUrl: string,
    folderText: string,
    expected: number | null,
    run: (onProgress: (bytes: number) => void) => Promise<PlacedFile>,
  ): Promise<PlacedFile> {
    const entry = this.draftLogEntry('upload', `Receiving “${name}” into ${folderText}`) as { -readonly [K in keyof LogEntryDraft]: LogEntryDraft[K] };
    entry.path = folderUrl + quoteName(name);
    entry.expectedBytes = expected;
    const r = { entry, bytes: 0, start: performance.now() };
    this.receiving = r;
    const finish = (outcome: 'done' | 'incomplete' | 'failed', message: string): void => {
      entry.outcome = outcome;
      entry.bodyBytes = r.bytes;
      entry.durationMs = Math.round((performance.now() - r.start) * 1000) / 1000;
      entry.message = message;
      this.emitLogEntry(entry);
    };
    try {
      const file = await run((bytes) => {
        r.bytes = bytes;
      });
      r.bytes = file.bytes;
      entry.path = folderUrl + quoteName(file.name);
      const why = file.replaced ? ' (it replaced the file of that name)' : file.name !== file.asked ? ` (a file named “${file.asked}” was already there)` : '';
      finish('done', `Saved “${file.name}” in ${folderText}${why}`);
      return file;
    } catch (err) {
      if (err instanceof UploadCut) finish('incomplete', `“${name}” was cut off: the visitor’s connection closed before the whole file arrived. Nothing of it was kept.`);
      else if (err instanceof UploadProblem) finish('failed', `“${name}” was not saved: ${err.message}`);
      else finish('failed', `“${name}” was not saved because of an unexpected problem. Nothing of it was kept.`);
      throw err;
    } finally {
      this.receiving = null;
    }
  }

  /**
   * PORT NOTE 33: while a file arrives, its progress row (same id and time as its final entry,
   * so the window replaces the row); otherwise the response's own progress (base-handler.ts).
   */
  override reportProgress(minAgeMs: number): void {
    const r = this.receiving;
    if (r === null) {
      super.reportProgress(minAgeMs);
      return;
    }
    const now = performance.now();
    if (now - r.start < minAgeMs) return;
    const update = { ...r.entry, outcome: 'in-progress' as const, bodyBytes: r.bytes, durationMs: Math.round((now - r.start) * 1000) / 1000 };
    this.server.emitLog(update);
    // Numbered by the server: the final entry keeps the number, so it replaces this row.
    (r.entry as { id: number }).id = update.id;
  }

  /**
   * The `100 Continue` an upload waits for (`curl -T` sends `Expect: 100-continue` and waits a
   * second without it): sent here, once the checks passed, when `parseRequest` has not
   * (CPython sends it only with `protocol_version` HTTP/1.1).
   */
  private continueUpload(): void {
    const expect = this.headers.get('Expect', '');
    if (expect.toLowerCase() !== '100-continue' || this.requestVersion < 'HTTP/1.1' || this.protocolVersion >= 'HTTP/1.1') return;
    this.sendResponseOnly(100);
    this.endHeaders();
    this.wfile.flush();
  }

  /** 201 Created (with where the file went, and why its name changed), or 204 when it replaced a file. */
  private answerPut(file: PlacedFile, folderUrl: string): void {
    const url = folderUrl + quoteName(file.name);
    if (file.replaced) {
      this.sendResponse(204);
      this.endHeaders();
      return;
    }
    const text =
      file.name === file.asked
        ? `Saved as “${file.name}” (${file.bytes} bytes).\n`
        : `A file named “${file.asked}” is already here, so this one was saved as “${file.name}” (${file.bytes} bytes).\n`;
    const body = Buffer.from(text, 'utf8');
    this.sendResponse(201);
    this.sendHeader('Location', safeLocation(url));
    this.sendHeader('Content-Type', 'text/plain; charset=utf-8');
    this.sendHeader('Content-Length', String(body.length));
    this.endHeaders();
    this.wfile.write(body);
  }

  /** A refused or failed upload, in plain words: a page with a way back (a form), or a line of text (PUT). */
  private answerUploadProblem(problem: UploadProblem, method: 'PUT' | 'POST', folderUrl: string, placed: readonly PlacedFile[]): void {
    const page = uploadAnswerPage(problem.message, method === 'POST' ? folderUrl : null, placed.length);
    this.logError('code %d, message %s', problem.status, problem.message);
    this.sendResponse(problem.status);
    this.sendHeader('Connection', 'close');
    this.sendHeader('Content-Type', page.type);
    if (page.csp) this.sendHeader('Content-Security-Policy', page.csp);
    this.sendHeader('Content-Length', String(page.body.length));
    this.endHeaders();
    this.wfile.write(page.body);
  }

  /**
   * Common code for GET and HEAD: sends the response code and MIME headers. Returns the body
   * (to be copied to the output unless the command was HEAD, and closed by the caller in
   * every case), or null when the caller has nothing further to do.
   *
   * CPython's `send_head` line by line, with its two halves as seams: `openFile()` opens the
   * file (`open(path, 'rb')`, `os.fstat`) and `sendFileHeaders()` sends its headers.
   */
  async sendHead(): Promise<ResponseBody | null> {
    if (this.refusesPath(this.path)) {
      // PORT NOTE 15: NUL, control characters, drive letters and NTFS stream names are
      // refused on every OS (see refusesPath); CPython serves or crashes on some of them.
      this.sendError(404, 'File not found');
      return null;
    }
    if (this.hidesPath(this.path)) {
      // PORT NOTE 28: with showHidden off, a hidden name anywhere in the path is not there.
      this.sendError(404, 'File not found');
      return null;
    }
    let path = this.translatePath(this.path);
    if (path.includes('\0')) {
      // PORT NOTE 6: CPython's open() raises ValueError on a NUL and the connection drops
      // without an answer; here it is simply not found.
      this.sendError(404, 'File not found');
      return null;
    }
    // os.path.isdir(path); the stat is kept for open. PORT NOTE 7: with followSymlinks off, a
    // symbolic link leading out of the shared folder is answered like a missing file.
    let found = this.lookUp(path);
    if (found.refused) {
      this.sendError(404, 'File not found');
      return null;
    }
    if (found.stat?.isDirectory()) {
      const parts = urlsplit(this.path);
      if (!parts.path.endsWith('/')) {
        // redirect browser - doing basically what apache does
        this.sendResponse(301);
        const newUrl = urlunsplit({ ...parts, path: parts.path + '/' });
        // PORT NOTE 17: the Location made safe (safeLocation).
        this.sendHeader('Location', safeLocation(newUrl, this.policy.refuseSchemeInLocation));
        this.sendHeader('Content-Length', '0');
        this.endHeaders();
        return null;
      }
      // PORT NOTE 29: with the folderZip setting, `folder/?download=zip` is the folder as one ZIP file.
      if (this.policy.folderZip && wantsZip(parts.query)) return this.sendFolderZip(path);
      let index: PathLookup | null = null;
      for (const name of this.indexPages) {
        const candidate = this.pathFlavour.join(path, name);
        // os.path.isfile(index); an index page refused by PORT NOTE 7 counts as missing.
        const lookedUp = this.lookUp(candidate);
        if (lookedUp.stat?.isFile()) {
          path = candidate;
          index = lookedUp;
          break;
        }
      }
      if (index === null) return this.listDirectory(path);
      found = index;
    }
    const ctype = this.guessType(path);
    // check for trailing "/" which should return 404. See Issue17324
    // However, some OS platforms accept a trailingSlash as a filename
    // See discussion on python-dev and Issue34711 regarding
    // parsing and rejection of filenames with a trailing slash
    if (path.endsWith('/')) {
      this.sendError(404, 'File not found');
      return null;
    }
    const opened = await this.openFile(path, found.stat);
    if (opened === null) return null;
    return this.sendFileHeaders(opened.body, opened.stat, ctype);
  }

  /**
   * `f = open(path, 'rb')` and `fs = os.fstat(f.fileno())` of `send_head`: the body to copy
   * and the stat of what was opened, or null after answering 404 "File not found" (CPython's
   * OSError at open, a directory's IsADirectoryError included). `stat` is what `sendHead`'s
   * `os.path.isdir` saw at `path` (undefined: nothing there; null: the stat failed).
   *
   * The one place the bytes of a file are reached, three ways:
   *  - PORT NOTE 24 (file-cache.ts): the bytes of a small file unchanged since it was read
   *    (`BufferBody`, no open; `stat` stands for the fstat);
   *  - PORT NOTE 20: a regular file of at most `CHUNK_SIZE`, opened, fstat'ed and later read
   *    with synchronous calls (`SmallFileBody`, which hands its bytes to the cache);
   *  - a bigger regular file streamed in chunks (`FileBody`), and a FIFO or a device opened
   *    and read through the thread pool (`openStreamed`).
   * The caller closes the body in every case.
   */
  protected async openFile(path: string, stat: fs.Stats | undefined | null): Promise<OpenedFile | null> {
    // A name Python cannot encode (a lone surrogate other than U+DC80..U+DCFF) makes open()
    // raise UnicodeEncodeError in CPython: fsEncode throws PyUnicodeError here, outside the
    // try, so the connection is closed without an answer as CPython does.
    const encodedPath = fsEncode(path);
    if (stat === undefined) {
      // PORT NOTE 20: nothing there (stat found no entry): open() would fail with ENOENT.
      this.sendError(404, 'File not found');
      return null;
    }
    const cache = this.fileCache();
    if (stat !== null && cache.wants(stat)) {
      const data = cache.get(path, stat);
      if (data !== null) return { body: new BufferBody(data), stat };
    }
    let handle: HandlerSyncFileHandle;
    try {
      handle = this.fs.openSync(encodedPath, 'r');
    } catch {
      this.sendError(404, 'File not found');
      return null;
    }
    let fst: fs.Stats;
    try {
      fst = handle.statSync();
    } catch (err) {
      handle.closeSync();
      throw err;
    }
    if (fst.isDirectory()) {
      // Python's open() refuses a directory (IsADirectoryError, an OSError).
      handle.closeSync();
      this.sendError(404, 'File not found');
      return null;
    }
    if (!fst.isFile()) {
      // A FIFO or a device (openSync does not block on one): read it like CPython, to EOF,
      // through the thread pool so that a writer that never comes blocks no other request.
      handle.closeSync();
      return this.openStreamed(encodedPath);
    }
    if (fst.size > CHUNK_SIZE) return { body: new FileBody(handle, fst.size), stat: fst };
    const readAt = Date.now();
    const keep = cache.wants(fst) ? (data: Buffer): void => cache.put(path, fst, data, readAt) : undefined;
    return { body: new SmallFileBody(handle, fst.size, keep), stat: fst };
  }

  /** `openFile` for what is not a regular file: opened and fstat'ed through the thread pool. */
  private async openStreamed(encodedPath: Buffer): Promise<OpenedFile | null> {
    let handle: HandlerFileHandle;
    try {
      handle = await this.fs.open(encodedPath, 'r');
    } catch {
      this.sendError(404, 'File not found');
      return null;
    }
    const body = new FileBody(handle);
    let fst: fs.Stats;
    try {
      fst = await handle.stat();
    } catch (err) {
      await body.close();
      throw err;
    }
    if (fst.isDirectory()) {
      await body.close();
      this.sendError(404, 'File not found');
      return null;
    }
    return { body, stat: fst };
  }

  /**
   * The headers of `send_head` once the file is open (its `try:` block after `os.fstat`):
   * 304 Not Modified when If-Modified-Since (without If-None-Match) is not older than the
   * file, else 200 with Content-type, Content-Length and Last-Modified. Returns the body to
   * copy, or null after closing it; on a throw it is closed and the error goes on (`except:
   * f.close(); raise`).
   *
   * PORT NOTE 26: with the `range` setting (the app; the CLI's `--range`) a regular file
   * also gets `Accept-Ranges: bytes` and a strong `ETag`; If-None-Match naming that tag gets
   * 304 (with the tag); a `Range` header (RFC 9110 §14; byte-range.ts) honoured by If-Range
   * gets 206 with Content-Range and that part of the file, or 416 with `Content-Range:
   * bytes *\/size` when no range is satisfiable. Without the setting, CPython's answers.
   */
  protected async sendFileHeaders(body: ResponseBody, stat: fs.Stats, ctype: string): Promise<ResponseBody | null> {
    try {
      const lastModified = this.dateTimeString(stat.mtimeMs / 1000);
      const etag = this.options.range === true && stat.isFile() ? fileETag(stat) : null;
      if (etag !== null && this.headers.has('If-None-Match') && noneMatchHits(this.headers.get('If-None-Match')!, etag)) {
        this.sendResponse(304);
        this.sendHeader('ETag', etag);
        this.endHeaders();
        await body.close();
        return null;
      }
      // Use browser cache if possible
      if (this.headers.has('If-Modified-Since') && !this.headers.has('If-None-Match')) {
        // compare If-Modified-Since and time of last file modification (null: an ill-formed
        // value, or a zone other than UTC, is ignored)
        const ims = imsEpochSeconds(this.headers.get('If-Modified-Since')!);
        if (ims !== null) {
          // compare to UTC datetime of last modification, microseconds removed
          const lastModif = Math.floor(stat.mtimeMs / 1000);
          if (lastModif <= ims) {
            this.sendResponse(304);
            if (etag !== null) this.sendHeader('ETag', etag);
            this.endHeaders();
            await body.close();
            return null;
          }
        }
      }
      if (etag !== null && body.range !== undefined && this.headers.has('Range')) {
        const ifRange = this.headers.get('If-Range');
        if (ifRange === undefined || ifRangeHolds(ifRange, etag, lastModified)) {
          const answer = parseRange(this.headers.get('Range')!, stat.size);
          if (answer.kind === 'unsatisfiable') {
            await body.close();
            this.sendError(416, undefined, undefined, [['Content-Range', `bytes */${stat.size}`]]);
            return null;
          }
          if (answer.kind === 'partial') {
            const { start, end } = answer.range;
            const part = body.range(start, end);
            this.sendResponse(206);
            this.sendHeader('Content-type', ctype);
            this.sendHeader('Content-Range', `bytes ${start}-${end}/${stat.size}`);
            this.sendHeader('Content-Length', String(end - start + 1));
            this.sendHeader('Last-Modified', lastModified);
            this.sendHeader('Accept-Ranges', 'bytes');
            this.sendHeader('ETag', etag);
            this.endHeaders();
            return part;
          }
        }
      }
      this.sendResponse(200);
      this.sendHeader('Content-type', ctype);
      this.sendHeader('Content-Length', String(stat.size));
      this.sendHeader('Last-Modified', lastModified);
      if (etag !== null) {
        this.sendHeader('Accept-Ranges', 'bytes');
        this.sendHeader('ETag', etag);
      }
      this.endHeaders();
      return body;
    } catch (err) {
      await body.close();
      throw err;
    }
  }

  /**
   * PORT NOTE 29 (folder-zip.ts): the folder `dirPath` (ending in `/`) as one ZIP file, packed
   * while it is read and under the same rules as GET: no link out of the shared folder when
   * `followSymlinks` is off, no hidden names when `showHidden` is off, no CGI script folder.
   * Its length is not known in advance, so the connection closes after it (as after a CGI
   * script's output): that end is also how a read error mid-way shows, as a ZIP file without
   * its central directory that no reader accepts.
   */
  protected sendFolderZip(dirPath: string): ResponseBody {
    const folder = dirPath.replace(/[/\\]+$/, '');
    const name = folder.slice(Math.max(folder.lastIndexOf('/'), folder.lastIndexOf('\\')) + 1) || 'folder';
    const urlPath = unquoteSurrogatePassOrReplace(urlsplit(this.path).path);
    const policy = {
      fs: this.fs,
      flavour: this.pathFlavour,
      contained: (p: string) => this.isContained(p),
      showHidden: !this.policy.hideDotfiles,
      skipsFolder: (u: string) => this.zipSkipsFolder(u),
    };
    const body = new FolderZipBody(walkFolder(policy, folder || dirPath, name + '/', urlPath));
    this.sendResponse(200);
    this.sendHeader('Content-type', 'application/zip');
    this.sendHeader('Content-Disposition', contentDisposition(name + '.zip'));
    this.sendHeader('Connection', 'close');
    this.endHeaders();
    return body;
  }

  /** True for a folder (URL path, decoded, no trailing `/`) a ZIP file leaves out; the CGI handler names its script folders. */
  protected zipSkipsFolder(_urlPath: string): boolean {
    return false;
  }

  /**
   * With `followSymlinks` off (the app's default), true only when the real path stays inside
   * the real path of `directory`, compared by path components. Missing paths pass (they 404).
   */
  protected isContained(path: string): boolean {
    if (this.policy.followSymlinks) return true;
    return this.noLinkBelowRoot(path) !== null || this.realPathInside(path);
  }

  /**
   * `os.stat(path)` as `send_head`'s `os.path.isdir` and `os.path.isfile` make it, with
   * `isContained` checked on the way (PORT NOTE 7): `stat` is the Stats, undefined when
   * nothing is there, null when the stat failed otherwise (both functions then say no, and
   * `open` decides); `refused` when the path leaves the shared folder, with no stat.
   */
  protected lookUp(path: string): PathLookup {
    if (this.policy.followSymlinks) return { refused: false, stat: statSyncOrNull(path, true, this.fs) };
    const walked = this.noLinkBelowRoot(path);
    if (walked === null) {
      if (!this.realPathInside(path)) return REFUSED;
      return { refused: false, stat: statSyncOrNull(path, true, this.fs) };
    }
    // With no link below the root, the lstat of the last component is also its stat.
    return { refused: false, stat: walked === true ? statSyncOrNull(path, true, this.fs) : walked };
  }

  /**
   * The common case of `isContained` without `realpath` (one readlink per component of the
   * whole absolute path): lstat each component below `directory`. When none is a symbolic
   * link the real path is the root's real path plus the same names, inside by construction:
   * then the lstat of `path` (also its stat), or undefined when a component is missing
   * (nothing to serve: the 404 follows), or true when that stat is not known (`path` is the
   * root, or names a directory with a trailing `/`). Null when a link is met or a component
   * cannot be examined: `realPathInside` then decides.
   */
  private noLinkBelowRoot(path: string): fs.Stats | undefined | true | null {
    if (!this.policy.lstatWalkProvesContainment) return null;
    const prefix = this.directory.endsWith('/') ? this.directory : this.directory + '/';
    if (!path.startsWith(prefix)) return path === this.directory ? true : null;
    let p = prefix.slice(0, -1);
    let last: fs.Stats | undefined;
    for (const name of path.slice(prefix.length).split('/')) {
      if (name === '') continue;
      p += '/' + name;
      const st = statSyncOrNull(p, false, this.fs);
      if (st === undefined) return undefined;
      if (st === null || st.isSymbolicLink()) return null;
      last = st;
    }
    // `x/` names a directory: stat('file/') fails where lstat('file') does not.
    if (last === undefined || path.endsWith('/')) return true;
    return last;
  }

  /** The rest of `isContained`: the real path of `path` is inside the real path of `directory`. */
  private realPathInside(path: string): boolean {
    let real: string;
    try {
      real = this.fs.realpathSync(fsEncode(path)).toString('utf8');
    } catch {
      // A dangling link or a missing file: check the link itself is not leaving the root.
      return !islinkSync(path, this.fs);
    }
    // The root's real path is resolved once per server. PORT NOTE 21: when the answer is
    // "outside", the root is resolved again before refusing, so a root replaced while sharing
    // (renamed, or a link to it re-pointed) is followed, never served from the old place.
    let root = this.realRoot(false);
    if (root === null) return false;
    if (isInside(root, real)) return true;
    root = this.realRoot(true);
    return root !== null && isInside(root, real);
  }

  /**
   * What this server keeps between requests for the file handlers (caches, the root's real
   * path, the path memo), found once per connection. It lives on the server, where CPython
   * keeps such things (`self.server`); a server without `handlerState` (a test's stand-in)
   * leaves each handler its own.
   */
  private serverState(): FileServerState {
    return (this.state ??= this.server.handlerState?.(FileServerState) ?? new FileServerState());
  }

  /** This server's cache of small files. */
  private fileCache(): FileCache {
    return this.serverState().fileCache;
  }

  /** The real path of `directory`, cached per server (`fresh`: resolve it again). */
  private realRoot(fresh: boolean): string | null {
    const state = this.serverState();
    const cached = state.realRoot;
    if (!fresh && cached && cached.directory === this.directory) return cached.real;
    try {
      const real = this.fs.realpathSync(this.directory).toString('utf8');
      state.realRoot = { directory: this.directory, real };
      return real;
    } catch {
      state.realRoot = null;
      return null;
    }
  }

  /**
   * Produce a directory listing (absent an index file). Returns the body, or null after an
   * error; either way the headers are sent, like `sendHead()`.
   */
  async listDirectory(dirPath: string): Promise<ResponseBody | null> {
    if (this.policy.modernListing) return this.listModern(dirPath);
    let entries: ListingEntries;
    try {
      entries = await this.listingEntries(dirPath);
    } catch {
      this.sendError(404, 'No permission to list directory');
      return null;
    }
    let displaypath = unquoteSurrogatePassOrReplace(this.path);
    displaypath = htmlEscape(displaypath, false);
    const enc = 'utf-8';
    const title = `Directory listing for ${displaypath}`;
    // The lines above the entries (joined with "\n", as CPython joins them all); the entry
    // lines and the end of the page come from listing.ts, which CPython renders in the same loop.
    const head =
      '<!DOCTYPE HTML>\n<html lang="en">\n<head>\n' +
      `<meta charset="${enc}">\n<title>${title}</title>\n</head>\n<body>\n<h1>${title}</h1>\n<hr>\n<ul>\n`;
    const encodedHead = encodeUtf8(head, 'surrogateescape');
    this.sendResponse(200);
    this.sendHeader('Content-type', `text/html; charset=${enc}`);
    this.sendHeader('Content-Length', String(encodedHead.length + entries.bytes.length));
    this.endHeaders();
    return new BufferBody([encodedHead, entries.bytes]);
  }

  /**
   * The rendered entries of `dirPath` (listing.ts): kept in this server's `ListingCache` while
   * the folder and its links stay unchanged. PORT NOTE (listing-cache.ts): CPython lists the
   * folder on every request; the bytes are the same. Rejects when the folder cannot be read.
   */
  private async listingEntries(dirPath: string): Promise<ListingEntries> {
    const statStamp = this.fs.statBigIntSync;
    const cache = this.listingCache();
    // PORT NOTE 28: hidden names left out (the key keeps the two renderings apart).
    const hide = this.policy.hideDotfiles;
    const key = hide ? dirPath + '\0' : dirPath;
    if (statStamp === undefined || cache === null) return renderListingEntries(dirPath, this.fs, hide);
    const statAt = cache.now();
    const stamp = statStamp.call(this.fs, fsEncode(dirPath));
    if (stamp === undefined || !stamp.isDirectory()) return renderListingEntries(dirPath, this.fs, hide);
    const kept = cache.get(key, stamp, (p) => isdirSync(p, this.fs));
    if (kept !== null) return kept;
    const entries = await renderListingEntries(dirPath, this.fs, hide);
    cache.put(key, stamp, statAt, entries);
    return entries;
  }

  /**
   * PORT NOTE 27: the modern listing (`listing: 'modern'`; modern-listing.ts): folders first,
   * sizes and dates, sorted as the query asks (`?sort=size&order=desc`; CPython's page ignores
   * the query, as `translatePath` drops it), breadcrumbs, under a strict
   * Content-Security-Policy. The rows come from this server's `ModernListingCache`; the part
   * naming the request path is built per request. Same answers as the classic listing
   * otherwise: 404 "No permission to list directory" when the folder cannot be read.
   */
  private async listModern(dirPath: string): Promise<ResponseBody | null> {
    const view = parseListingQuery(urlsplit(this.path).query);
    const hide = this.policy.hideDotfiles;
    const cache = this.modernListingCache();
    let rows: RenderedListing;
    try {
      rows = cache === null ? await renderModernListing(dirPath, view, this.fs, hide) : await cache.listing(dirPath, view, this.fs, hide);
    } catch {
      this.sendError(404, 'No permission to list directory');
      return null;
    }
    const ctx = {
      urlPath: this.path,
      backslashSeparates: this.backslashSeparates,
      view,
      folders: rows.folders,
      files: rows.files,
      actions: this.listingActions(dirPath),
      now: Date.now(),
      // PORT NOTE 33: the "Add files" form, and what the last upload here did.
      upload: this.policy.acceptUploads ? this.uploadForm() : undefined,
    };
    const head = Buffer.from(renderPageHead(ctx), 'utf8');
    const tail = Buffer.from(renderPageTail(ctx), 'utf8');
    this.sendResponse(200);
    this.sendHeader('Content-type', 'text/html; charset=utf-8');
    this.sendHeader('Content-Length', String(head.length + rows.bytes.length + tail.length));
    this.sendHeader('Content-Security-Policy', ctx.upload === undefined ? LISTING_CSP : UPLOAD_LISTING_CSP);
    this.endHeaders();
    return new BufferBody([head, rows.bytes, tail]);
  }

  /** The "Add files" form of a modern listing (PORT NOTE 33). */
  private uploadForm(): UploadForm {
    const maxBytes = this.policy.uploadMaxBytes;
    return { maxBytes, maxWords: sizeWords(maxBytes), notice: uploadNotice(urlsplit(this.path).query) };
  }

  /**
   * The links a modern listing shows above its rows for the folder `dirPath` as a whole
   * (HTML: each an `<a>` whose href and text are already quoted and escaped), or '' for none.
   * PORT NOTE 29: with the folderZip setting, "Download all", the folder as one ZIP file (a
   * query-only link: the page's own folder, whatever its sort, with `?download=zip`).
   */
  protected listingActions(_dirPath: string): string {
    return this.policy.folderZip ? `<a href="?${ZIP_QUERY}" download>Download all</a>` : '';
  }

  /**
   * This server's cache of modern listings' folders (PORT NOTE 27).
   * A subclass may return its own, or null to read and stat every folder on every request.
   */
  protected modernListingCache(): ModernListingCache | null {
    return this.serverState().modernListingCache;
  }

  /**
   * PORT NOTE 28: with `showHidden` off (the app's default; the CLI's `--hide-dotfiles`),
   * true when a component of the URL path starts with a dot (`/.git/config`, `/a/.env`,
   * `/%2Eenv`): such a name is answered like a missing one. The path is decoded and normalised
   * as `translatePath` does, so `.` and `..` are not names and `/a/../.env` is hidden, while
   * `/.x/../a` (which names `/a`) is not. CPython serves every name.
   */
  hidesPath(urlPath: string): boolean {
    if (!this.policy.hideDotfiles) return false;
    let p = urlPath.split('?', 1)[0]!.split('#', 1)[0]!;
    if (!MAY_BE_HIDDEN.test(p)) return false;
    p = unquoteSurrogatePassOrReplace(p);
    if (this.backslashSeparates) p = p.replace(/\\/g, '/');
    return normpath(p)
      .split('/')
      .some((word) => word.startsWith('.') && word !== '.' && word !== '..');
  }

  /**
   * This server's cache of rendered listings.
   * A subclass may return its own, or null to render every listing as CPython does.
   */
  protected listingCache(): ListingCache | null {
    return this.serverState().listingCache;
  }

  /**
   * Translate a /-separated URL path to a local file name under `directory`. Query and
   * fragment are dropped; components that mean special things to the file system (`.`,
   * `..`) are ignored, so the result never leaves `directory` by name.
   */
  translatePath(urlPath: string): string {
    const memo = this.pathMemo();
    return memo ? memo.lookup(memo.translated, urlPath, () => this.translatePathUncached(urlPath)) : this.translatePathUncached(urlPath);
  }

  private translatePathUncached(urlPath: string): string {
    // Abandon query parameters.
    let p = urlPath.split('?', 1)[0]!;
    p = p.split('#', 1)[0]!;
    // Don't forget explicit trailing slash when normalizing. Issue17324
    const stripped = p.replace(/[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0]+$/, '');
    const trailingSlash = stripped.endsWith('/') || (this.backslashSeparates && stripped.endsWith('\\'));
    p = unquoteSurrogatePassOrReplace(p);
    // PORT NOTE: in the hardened profile and on Windows a backslash separates path
    // components (on Windows CPython's os.path does the same); in the CLI's default on POSIX
    // it is part of a name, as in CPython.
    if (this.backslashSeparates) p = p.replace(/\\/g, '/');
    p = normpath(p);
    const words = p.split('/').filter((w) => w !== '');
    const flavour = this.pathFlavour;
    let result = this.directory;
    for (const word of words) {
      if (flavour.dirname(word) || word === '.' || word === '..') {
        // Ignore components that are not a simple file/directory name
        continue;
      }
      result = flavour.join(result, word);
    }
    if (trailingSlash) result += '/';
    return result;
  }

  /**
   * True when a URL path must not be served on any OS (PORT NOTE: CPython has no such check):
   * a NUL anywhere; a control character in a component that names something (in the hardened
   * profile: anywhere); a drive letter (`C:`) or an NTFS stream name (`x::$DATA`), which on
   * Windows name another file than the one asked for; on Windows also any other `:`, a name
   * ending in a dot or space, and reserved device names. Decoded once, like `translatePath`.
   */
  refusesPath(urlPath: string): boolean {
    const memo = this.pathMemo();
    return memo ? memo.lookup(memo.refused, urlPath, () => this.refusesPathUncached(urlPath)) : this.refusesPathUncached(urlPath);
  }

  /**
   * The memo of `translatePath`/`refusesPath` for this server: both are pure functions of the
   * URL path, `directory` and the options, and cost more than the rest of serving a small
   * file. Undefined on a bare prototype instance (no server).
   */
  private pathMemo(): PathMemo | undefined {
    if (this.server === undefined) return undefined;
    return this.serverState().pathMemoFor(this.directory);
  }

  private refusesPathUncached(urlPath: string): boolean {
    let p = urlPath.split('?', 1)[0]!.split('#', 1)[0]!;
    p = unquoteSurrogatePassOrReplace(p);
    if (this.backslashSeparates) p = p.replace(/\\/g, '/');
    if (p.includes('\0')) return true;
    const policy = this.policy;
    const components = policy.checkComponentsDotDotRemoves ? p.split('/') : normpath(p).split('/');
    // A control character in a name: refused in the hardened profile and on Windows (where
    // no file can have one); the CLI's default on POSIX serves such a file, as CPython does.
    const refuseControls = policy.refuseControlCharsInNames;
    for (const word of components) {
      if (word === '' || word === '.' || word === '..') continue;
      if (refuseControls && /[\x00-\x1f\x7f]/.test(word)) return true;
      if (/^[A-Za-z]:/.test(word) || word.includes(':$')) return true;
      if (policy.refuseWindowsNames && (word.includes(':') || /[. ]$/.test(word) || WINDOWS_RESERVED.test(word))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Copy all data from `source` to `outputfile`, respecting backpressure. Override to
   * change the block size or transform the data.
   */
  async copyfile(source: ResponseBody, outputfile: SocketWriter): Promise<void> {
    if (source instanceof BufferBody) {
      // Already in memory: queue every piece, then wait once (the header block and the pieces
      // leave in one writev).
      for (let chunk = await source.readChunk(); chunk !== null; chunk = await source.readChunk()) outputfile.write(chunk);
      await outputfile.drain();
      return;
    }
    for (;;) {
      if (!outputfile.writable) return;
      // PORT NOTE 30: a chunk of up to CHUNK_SIZE while the process has a large-write slot
      // free, else SMALL_WRITE, and the next chunk only once the socket has written all of
      // this one: a client that stops reading pins one small buffer (see SocketWriter.grant).
      let chunk: Buffer | null;
      try {
        chunk = await source.readChunk(outputfile.grant(CHUNK_SIZE));
      } catch (err) {
        outputfile.settled();
        throw err;
      }
      if (chunk === null) {
        outputfile.settled();
        return;
      }
      outputfile.write(chunk);
      await outputfile.allWritten();
      outputfile.settled();
      if (this.socketWroteAll()) source.released?.();
    }
  }

  /**
   * True when the connection's socket has finished every write handed to it (after
   * `wfile.drain()`, which hands it everything queued): the kernel has the bytes, so the
   * buffers they came from may be reused. Only a live `net.Socket` is trusted to say so.
   */
  private socketWroteAll(): boolean {
    const socket = this.request;
    return socket instanceof net.Socket && !socket.destroyed && socket.writableLength === 0;
  }

  /**
   * Guess the type of a file from its name: `extensionsMap` (exact extension, then lower
   * case), then `mimetypes`, then `application/octet-stream`.
   */
  guessType(filePath: string): string {
    let [, ext] = splitext(filePath);
    if (Object.prototype.hasOwnProperty.call(this.extensionsMap, ext)) return this.extensionsMap[ext]!;
    ext = ext.toLowerCase();
    if (Object.prototype.hasOwnProperty.call(this.extensionsMap, ext)) return this.extensionsMap[ext]!;
    const [guess] = guessFileType(filePath);
    if (guess) return guess;
    return 'application/octet-stream';
  }
}
