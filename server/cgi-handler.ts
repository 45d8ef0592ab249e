/**
 * Pure Node. Port of CPython v3.13.0 `Lib/http/server.py` — `CGIHTTPRequestHandler` (with
 * `_url_collapse_path`, `nobody_uid`, `executable`): GET/HEAD/POST of scripts under
 * `cgiDirectories` run as CGI/1.1 programs, POST elsewhere is 501.
 *
 * CPython forks and hands the socket itself to the child as stdin and stdout. Node cannot
 * share the socket's buffered input, so the child gets pipes instead: every byte the client
 * sends while the script runs goes to the script's stdin (what it does not read is lost, as
 * CPython throws it away), and the script's stdout is copied to the socket unchanged.
 * PORT NOTE: pipes instead of the socket itself; stderr lines become 'cgi-stderr' log entries
 * (the CLI prints them to stderr as the CPython child would).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { HandlerAbort } from './errors.js';
import { exists, isdir, isfile } from './py-path.js';
import type { ResponseBody } from './response-body.js';
import { SimpleHTTPRequestHandler } from './simple-handler.js';
import { fsEncode, pyInt, pyRepr, splitext, unquote } from './py-text.js';
import {
  CGI_CLIENT_GONE_GRACE_MS, DEFAULT_CGI_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES, MAX_CGI_STDERR_BYTES,
} from './limits.js';

/** Longest stderr line kept in one log entry (the rest of the line is dropped). */
const MAX_STDERR_LINE = 16 * 1024;

/**
 * `_url_collapse_path`: remove extra '/'s and '.' elements and collapse '..' (RFC 2396 5.2
 * step 6), keeping the query. Returns null where CPython raises IndexError (more '..' than
 * prior parts: the path climbs above the root).
 */
export function urlCollapsePath(input: string, backslashSeparates = process.platform === 'win32'): string | null {
  // Query component should not be involved.
  const q = input.indexOf('?');
  let path = q >= 0 ? input.slice(0, q) : input;
  const query = q >= 0 ? input.slice(q + 1) : '';
  path = unquote(path);
  // PORT NOTE: where a backslash separates components in translatePath (the hardened
  // profile, Windows) it does here too, so a script can never be reached as a static file
  // through `/cgi-bin\\x.py`. Elsewhere it is part of a name in both, as in CPython.
  if (backslashSeparates) path = path.replace(/\\/g, '/');
  const pathParts = path.split('/');
  const headParts: string[] = [];
  for (const part of pathParts.slice(0, -1)) {
    if (part === '..') {
      if (headParts.pop() === undefined) return null;
    } else if (part && part !== '.') {
      headParts.push(part);
    }
  }
  let tailPart = pathParts.pop() ?? '';
  if (tailPart) {
    if (tailPart === '..') {
      if (headParts.pop() === undefined) return null;
      tailPart = '';
    } else if (tailPart === '.') {
      tailPart = '';
    }
  }
  if (q >= 0 && query) tailPart = tailPart + '?' + query;
  return '/' + headParts.join('/') + '/' + tailPart;
}

let nobody: number | null = null;

/** `nobody_uid()`: the uid of `nobody`, else 1 + the largest uid in the password file. */
export function nobodyUid(): number {
  if (nobody !== null) return nobody;
  try {
    const lines = fs.readFileSync('/etc/passwd', 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    const entries = lines.map((l) => l.split(':')).filter((f) => f.length > 2);
    const found = entries.find((f) => f[0] === 'nobody');
    nobody = found ? Number(found[2]) : 1 + Math.max(...entries.map((f) => Number(f[2])));
  } catch {
    nobody = -1;
  }
  return nobody;
}

/** `executable(path)`: `os.access(path, os.X_OK)`. */
export function executable(p: string): boolean {
  try {
    fs.accessSync(fsEncode(p), fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Complete HTTP server with GET, HEAD and POST commands. GET and HEAD also support running CGI
 * scripts; POST is only implemented for CGI scripts.
 */
export class CGIHTTPRequestHandler extends SimpleHTTPRequestHandler {
  /**
   * Unix: run the script directly (CPython's `have_fork`).
   * PORT NOTE: on Windows, CPython runs `.py` scripts with its own interpreter through
   * `subprocess`; this port has no such branch and runs the script file directly everywhere.
   */
  haveFork = process.platform !== 'win32';
  /** URL paths whose files are CGI scripts. */
  cgiDirectories: string[] = ['/cgi-bin', '/htbin'];
  /** `cgi_info`: (directory, rest) set by `isCgi()`. */
  cgiInfo: [string, string] = ['', ''];

  override setup(): void {
    super.setup();
    if (this.options.cgiDirectories !== undefined) this.cgiDirectories = [...this.options.cgiDirectories];
  }

  /** PORT NOTE 29: a folder's ZIP file never carries a script folder (its files run, they are not downloaded). */
  protected override zipSkipsFolder(urlPath: string): boolean {
    return this.cgiDirectories.includes(urlPath);
  }

  /**
   * Serve a POST request. This is only implemented for CGI scripts. PORT NOTE 33: with the
   * `upload` setting, a POST anywhere else is a form of files to add (simple-handler.ts).
   */
  override async do_POST(): Promise<void> {
    if (this.refusedClimb()) return;
    if (this.isCgi()) {
      await this.runCgi();
    } else if (this.policy.acceptUploads) {
      await super.do_POST();
    } else {
      this.sendError(501, 'Can only POST to CGI scripts');
    }
  }

  /** Version of `sendHead` that supports CGI scripts. */
  override async sendHead(): Promise<ResponseBody | null> {
    if (this.refusedClimb()) return null;
    if (this.isCgi()) {
      await this.runCgi();
      return null;
    }
    return super.sendHead();
  }

  /**
   * PORT NOTE (hardened): a path with more `..` components than names before them (`/..`,
   * `/cgi-bin/../../x`) makes CPython's `_url_collapse_path` raise IndexError, and the
   * connection closes without an answer (the CLI's default still does: `isCgi` throws).
   * Hardened, it is answered 404 "File not found", as every other path the engine refuses.
   * It must not fall through to the file handler, whose `translatePath` drops the `..`
   * (`/cgi-bin/../../cgi-bin/x.py` would send a script's source). Returns true when answered.
   */
  private refusedClimb(): boolean {
    if (!this.policy.cgiRefusesClimbAbove || !mayClimb(this.path) || urlCollapsePath(this.path, this.backslashSeparates) !== null) return false;
    this.sendError(404, 'File not found');
    return true;
  }

  /**
   * Test whether `path` corresponds to a CGI script: the collapsed URL path begins with one of
   * `cgiDirectories` followed by '/'. On true, `cgiInfo` is (dir, rest). Throws when the path
   * climbs above the root (CPython's IndexError: the connection closes without an answer).
   */
  isCgi(): boolean {
    const collapsedPath = urlCollapsePath(this.path, this.backslashSeparates);
    if (collapsedPath === null) throw new HandlerAbort('IndexError: pop from empty list');
    let dirSep = collapsedPath.indexOf('/', 1);
    while (dirSep > 0 && !this.cgiDirectories.includes(collapsedPath.slice(0, dirSep))) {
      dirSep = collapsedPath.indexOf('/', dirSep + 1);
    }
    if (dirSep > 0) {
      this.cgiInfo = [collapsedPath.slice(0, dirSep), collapsedPath.slice(dirSep + 1)];
      return true;
    }
    return false;
  }

  /** Test whether argument path is an executable file. */
  isExecutable(p: string): boolean {
    return executable(p);
  }

  /** Test whether argument path is a Python script. */
  isPython(p: string): boolean {
    const [, tail] = splitext(p);
    return ['.py', '.pyw'].includes(tail.toLowerCase());
  }

  /** Execute a CGI script. */
  async runCgi(): Promise<void> {
    if (this.refusesPath(this.path)) {
      // PORT NOTE: the same refusals as for files (NUL, control characters, drive letters,
      // NTFS stream names): on Windows such a name could run or show another file.
      this.sendError(404, 'No such CGI script');
      return;
    }
    let [dir, rest] = this.cgiInfo;
    const fullPath = dir + '/' + rest;
    let i = fullPath.indexOf('/', dir.length + 1);
    while (i >= 0) {
      const nextdir = fullPath.slice(0, i);
      const nextrest = fullPath.slice(i + 1);
      const scriptdir = this.translatePath(nextdir);
      if (await isdir(scriptdir, this.fs)) {
        dir = nextdir;
        rest = nextrest;
        i = fullPath.indexOf('/', dir.length + 1);
      } else {
        break;
      }
    }

    // Find an explicit query string, if present.
    const qi = rest.indexOf('?');
    const query = qi >= 0 ? rest.slice(qi + 1) : '';
    if (qi >= 0) rest = rest.slice(0, qi);

    // Dissect the part after the directory name into a script name & a possible additional
    // path, to be stored in PATH_INFO.
    let script: string;
    const si = rest.indexOf('/');
    if (si >= 0) {
      script = rest.slice(0, si);
      rest = rest.slice(si);
    } else {
      script = rest;
      rest = '';
    }

    const scriptname = dir + '/' + script;
    const scriptfile = this.translatePath(scriptname);
    // PORT NOTE 28: with showHidden off, a script with a hidden name (or in a hidden folder)
    // is not there, as a hidden file is not: the same 404 as a missing script.
    if (this.hidesPath(scriptname) || !(await exists(scriptfile, this.fs))) {
      this.sendError(404, `No such CGI script (${pyRepr(scriptname)})`);
      return;
    }
    if (!(await isfile(scriptfile, this.fs))) {
      this.sendError(403, `CGI script is not a plain file (${pyRepr(scriptname)})`);
      return;
    }
    if (!(await this.isContained(scriptfile))) {
      this.sendError(404, `No such CGI script (${pyRepr(scriptname)})`);
      return;
    }
    const ispy = this.isPython(scriptname);
    if (this.haveFork || !ispy) {
      if (!this.isExecutable(scriptfile)) {
        this.sendError(403, `CGI script is not executable (${pyRepr(scriptname)})`);
        return;
      }
    }

    // PORT NOTE: a negative Content-Length is refused (CPython's child would read the
    // connection to its end) and one over the body cap gets 413 before the script starts.
    const declared = this.headers.get('content-length');
    const declaredLength = declared ? pyInt(declared) : null;
    if (declaredLength !== null && declaredLength < 0) {
      this.sendError(400, 'Bad Content-Length');
      return;
    }
    if (declaredLength !== null && declaredLength > (this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)) {
      this.sendError(413);
      return;
    }

    // Reference: http://hoohoo.ncsa.uiuc.edu/cgi/env.html
    // CPython starts from a copy of os.environ (the conformance harness checks a variable of
    // the server's environment reaches the script). PORT NOTE 18 (hardened): only the CGI
    // meta-variables below plus `policy.cgiInheritedEnv` (CGI_INHERITED_ENV), so nothing of
    // the server's own environment (tokens, proxy settings) reaches a script a client can choose.
    const env: Record<string, string> = {};
    const inherited = this.policy.cgiInheritedEnv;
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && (inherited === null || inherited.includes(k))) env[k] = v;
    }
    env['SERVER_SOFTWARE'] = this.versionString();
    env['SERVER_NAME'] = this.server.serverName;
    env['GATEWAY_INTERFACE'] = 'CGI/1.1';
    env['SERVER_PROTOCOL'] = this.protocolVersion;
    env['SERVER_PORT'] = String(this.server.serverPort);
    env['REQUEST_METHOD'] = this.command ?? '';
    const uqrest = unquote(rest);
    env['PATH_INFO'] = uqrest;
    env['PATH_TRANSLATED'] = this.translatePath(uqrest);
    env['SCRIPT_NAME'] = scriptname;
    env['QUERY_STRING'] = query;
    env['REMOTE_ADDR'] = this.clientAddress[0];
    const authorizationHeader = this.headers.get('authorization');
    if (authorizationHeader) {
      const authorization = authorizationHeader.split(/[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0]+/).filter((w) => w !== '');
      if (authorization.length === 2) {
        env['AUTH_TYPE'] = authorization[0]!;
        if (authorization[0]!.toLowerCase() === 'basic') {
          const user = decodeBasic(authorization[1]!);
          if (user !== null) {
            const parts = user.split(':');
            if (parts.length === 2) env['REMOTE_USER'] = parts[0]!;
          }
        }
      }
    }
    // TODO(cpython-xxx): REMOTE_IDENT
    if (this.headers.get('content-type') === undefined) {
      env['CONTENT_TYPE'] = this.headers.getContentType();
    } else {
      env['CONTENT_TYPE'] = this.headers.get('content-type')!;
    }
    const length = this.headers.get('content-length');
    if (length) env['CONTENT_LENGTH'] = length;
    const referer = this.headers.get('referer');
    if (referer) env['HTTP_REFERER'] = referer;
    env['HTTP_ACCEPT'] = this.headers.getAll('accept').join(',');
    const ua = this.headers.get('user-agent');
    if (ua) env['HTTP_USER_AGENT'] = ua;
    const cookieStr = this.headers.getAll('cookie').filter((c) => c).join(', ');
    if (cookieStr) env['HTTP_COOKIE'] = cookieStr;
    // TODO(cpython-xxx): Other HTTP_* headers.
    // Since we're setting the env in the parent, provide empty values to override
    // previously set values.
    for (const k of ['QUERY_STRING', 'REMOTE_HOST', 'CONTENT_LENGTH', 'HTTP_USER_AGENT', 'HTTP_COOKIE', 'HTTP_REFERER']) {
      if (!(k in env)) env[k] = '';
    }

    this.sendResponse(200, 'Script output follows');
    this.flushHeaders();

    const decodedQuery = query.replace(/\+/g, ' ');
    const args: string[] = [];
    if (!decodedQuery.includes('=')) args.push(decodedQuery);
    this.wfile.flush(); // Always flush before forking.
    const exitcode = await this.spawnScript(scriptfile, script, args, env, Math.max(0, declaredLength ?? 0));
    // Throw away additional data [see bug #427345].
    this.rfile.takeBuffered();
    if (exitcode) {
      this.markResponseFailed();
      this.logError(`CGI script exit code ${exitcode}`);
    }
    // PORT NOTE (hardened): the script's output carries no length, so the connection ends
    // with it; CPython keeps an HTTP/1.1 connection open and the client cannot tell the end.
    if (this.policy.cgiClosesAfterScript) this.closeConnection = true;
  }

  /**
   * Run the script with the connection as its stdin/stdout; resolves with the exit code
   * (`os.waitstatus_to_exitcode`: negative signal number when killed; 127 when it could not
   * be started, as CPython's child does after a failed exec). `bodyLength` is the request's
   * Content-Length (0 without one).
   *
   * PORT NOTE: limits CPython does not have. The script is killed when its client goes away
   * (at once on a reset, `CGI_CLIENT_GONE_GRACE_MS` after a half-close), when it runs longer
   * than `cgiTimeoutMs`, or when the server closes. Its input is capped at `maxBodyBytes`
   * (hardened: exactly Content-Length bytes); its output is copied with backpressure (a
   * client that never reads stops the script, not the server's memory); at most
   * `MAX_CGI_STDERR_BYTES` of its stderr reach the log, the rest is counted and dropped.
   */
  protected async spawnScript(
    scriptfile: string,
    argv0: string,
    args: string[],
    env: Record<string, string>,
    bodyLength = 0,
  ): Promise<number> {
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    let child: ChildProcess;
    try {
      child = spawn(scriptfile, args, {
        argv0,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
        // When running as root, CGI children run as nobody (CPython: os.setuid(nobody)).
        ...(asRoot && nobodyUid() >= 0 ? { uid: nobodyUid() } : {}),
      });
    } catch (err) {
      this.logCgiStderr(`${scriptfile}: ${(err as Error).message}`);
      return 127;
    }
    let running = true;
    const kill = (): void => {
      if (running) child.kill('SIGKILL');
    };
    const untrack = this.server.trackChild?.(kill) ?? (() => {});
    // The client reset or closed the connection: nobody will read the output.
    const onSocketClose = (): void => kill();
    this.request.once('close', onSocketClose);
    // The client half-closed: it may still be reading, so the script gets a short grace.
    let clientGone = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const onSocketEnd = (): void => {
      graceTimer ??= setTimeout(() => {
        clientGone = true;
        kill();
      }, CGI_CLIENT_GONE_GRACE_MS);
    };
    this.request.once('end', onSocketEnd);
    if (this.request.destroyed) kill();
    else if (this.rfile.atEof) onSocketEnd();
    const timeoutMs = this.options.cgiTimeoutMs ?? DEFAULT_CGI_TIMEOUT_MS;
    let timedOut = false;
    const timeoutTimer =
      timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            kill();
          }, timeoutMs)
        : undefined;

    // The client's bytes become the script's stdin, with backpressure.
    const stdin = child.stdin!;
    stdin.on('error', () => {});
    let undivert = (): void => {};
    let pumping = false;
    if (this.policy.cgiInputIsContentLength) {
      pumping = true;
      void this.pumpBody(stdin, bodyLength).finally(() => {
        pumping = false;
      });
    } else {
      const cap = this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
      let forwarded = 0;
      undivert = this.rfile.divert(
        (chunk) => {
          if (!stdin.writable || forwarded >= cap) return; // past the cap: dropped
          const part = chunk.length > cap - forwarded ? chunk.subarray(0, cap - forwarded) : chunk;
          forwarded += part.length;
          if (!stdin.write(part)) {
            this.rfile.pause();
            stdin.once('drain', () => this.rfile.resume());
          }
        },
        () => stdin.end(),
      );
    }

    // stderr lines go to the log, up to MAX_CGI_STDERR_BYTES per run.
    child.stdout!.on('error', () => {});
    child.stderr!.on('error', () => {});
    let partial: Buffer = Buffer.alloc(0);
    let stderrKept = 0;
    let stderrDropped = 0;
    child.stderr!.on('data', (chunk: Buffer) => {
      const room = MAX_CGI_STDERR_BYTES - stderrKept;
      if (room <= 0) {
        stderrDropped += chunk.length;
        return;
      }
      if (chunk.length > room) {
        stderrDropped += chunk.length - room;
        chunk = chunk.subarray(0, room);
      }
      stderrKept += chunk.length;
      let data = partial.length > 0 ? Buffer.concat([partial, chunk]) : chunk;
      let nl: number;
      while ((nl = data.indexOf(0x0a)) >= 0) {
        this.logCgiStderr(data.subarray(0, Math.min(nl, MAX_STDERR_LINE)).toString('utf8'));
        data = data.subarray(nl + 1);
      }
      if (data.length > MAX_STDERR_LINE) {
        this.logCgiStderr(data.subarray(0, MAX_STDERR_LINE).toString('utf8'));
        data = Buffer.alloc(0);
      }
      partial = Buffer.from(data);
    });

    const exited = new Promise<number>((resolve) => {
      child.once('error', (err) => {
        // The exec failed (not executable for nobody, bad interpreter, ...).
        this.logCgiStderr(`${scriptfile}: ${err.message}`);
        resolve(127);
      });
      child.once('exit', (code, signal) => {
        resolve(code ?? (signal ? -(os.constants.signals[signal] ?? 1) : 0));
      });
    });

    // stdout is copied to the socket as it comes.
    const copied = (async () => {
      try {
        for await (const chunk of child.stdout!) {
          this.wfile.write(chunk as Buffer);
          await this.wfile.drain();
        }
      } catch {
        // The script's stdout broke; the exit status tells the rest.
      }
    })();

    const exitcode = await exited;
    running = false;
    clearTimeout(timeoutTimer);
    clearTimeout(graceTimer);
    // Output still in the pipe after exit is sent. PORT NOTE: a grandchild holding the pipe
    // open holds the connection at most 2 s more (CPython returns at the child's exit).
    await Promise.race([copied, new Promise((r) => setTimeout(r, 2000).unref())]);
    child.stdout!.destroy();
    if (partial.length > 0) this.logCgiStderr(partial.toString('utf8'));
    child.stderr!.destroy();
    undivert();
    stdin.destroy();
    this.request.off('close', onSocketClose);
    this.request.off('end', onSocketEnd);
    untrack();
    this.wfile.flush();
    if (stderrDropped > 0) this.logError('CGI script wrote %d more bytes to stderr (not logged)', stderrDropped);
    if (timedOut) {
      this.logError('CGI script killed after %d s (time limit)', Math.round(timeoutMs / 1000));
      this.closeConnection = true;
    }
    if (clientGone) this.logError('CGI script killed: the client went away');
    // A body still being read when the script ended: the connection cannot be reused.
    if (pumping) this.closeConnection = true;
    return exitcode;
  }

  /**
   * Hardened profile: copy exactly `length` bytes of request body from the connection to the
   * script's stdin, with backpressure, then end its input.
   */
  private async pumpBody(stdin: NodeJS.WritableStream & { writable: boolean }, length: number): Promise<void> {
    try {
      let left = length;
      while (left > 0 && stdin.writable) {
        const chunk = await this.rfile.read(Math.min(left, 64 * 1024));
        if (chunk.length === 0) break;
        left -= chunk.length;
        if (!stdin.write(chunk)) {
          await new Promise<void>((resolve) => {
            stdin.once('drain', resolve);
            stdin.once('close', resolve);
          });
        }
      }
    } catch {
      // A read timeout or a broken connection: the script sees the end of its input.
    }
    stdin.end();
  }

  /**
   * A line the script wrote to stderr (CPython's child writes it straight to stderr). Anything
   * on stderr (a traceback, a warning) makes the window show the request as an error.
   */
  protected logCgiStderr(line: string): void {
    this.markResponseFailed();
    this.emitLogEntry(this.draftLogEntry('cgi-stderr', line));
  }
}

/**
 * Whether `path` can hold a `..` component once unquoted (`..`, or a `.` written `%2e`): a
 * test that spares the other paths a second `urlCollapsePath`.
 */
function mayClimb(path: string): boolean {
  return path.includes('..') || /%2e/i.test(path);
}

/** `base64.decodebytes(value.encode('ascii')).decode('ascii')`, or null on any error. */
function decodeBasic(value: string): string | null {
  if (!/^[\x00-\x7f]*$/.test(value)) return null;
  // decodebytes ignores characters outside the alphabet, but needs correct padding.
  const cleaned = value.replace(/[^A-Za-z0-9+/=]/g, '');
  const body = cleaned.replace(/=+$/, '');
  if (/=/.test(body)) return null;
  if (body.length % 4 === 1) return null;
  const padded = cleaned.length % 4 === 0 ? cleaned : null;
  if (padded === null) return null;
  const bytes = Buffer.from(padded, 'base64');
  if (bytes.some((b) => b > 0x7f)) return null;
  return bytes.toString('latin1');
}
