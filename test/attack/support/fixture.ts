/**
 * Attack-suite fixture (runs in the vitest worker, plain Node).
 *
 * Builds a throw-away tree:
 *
 *   <tmp>/share/                 the folder the server shares (its root)
 *   <tmp>/share-secret/          a SIBLING whose name starts with the root's name, so a
 *                                string-prefix containment check ("starts with .../share")
 *                                wrongly lets it in; it holds the secret and a script
 *   <tmp>/pwn/                   world-writable: where an injected shell command would
 *                                leave a file (it must stay empty)
 *   <tmp>/pids/                  world-writable: CGI scripts write their pid here so a test
 *                                can check the child was killed
 *
 * Every marker is random per fixture, so no answer can contain one by accident. The
 * markers never appear in a file NAME the tests request (only in contents, and one in a
 * name inside share-secret so that a directory listing of it would leak).
 *
 * We run as root, and CPython (like our port) drops CGI children to `nobody`: everything
 * is world-readable, scripts use `#!/usr/bin/python3` (not the pyenv python under /root).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The interpreter CGI scripts use: must be usable by `nobody`. */
export const CGI_PYTHON = '/usr/bin/python3';

export interface AttackFixture {
  /** `<tmp>`: parent of the root, of the sibling secret folder and of the scratch dirs. */
  readonly base: string;
  /** The shared folder (server root). */
  readonly root: string;
  /** The sibling folder holding the secrets (`<tmp>/share-secret`). */
  readonly secretDir: string;
  /** Content of `share-secret/secret.txt`. Must never appear in any answer. */
  readonly secretMarker: string;
  /** Part of a FILE NAME inside share-secret: a listing of that folder would leak it. */
  readonly nameMarker: string;
  /** Written only by `share-secret/evil.py` when it RUNS: proves a script outside ran. */
  readonly ranOutsideMarker: string;
  /** In the source of every CGI script: a server with CGI on must never show it. */
  readonly sourceMarker: string;
  /** Content of `share/smuggled.txt`: served only if a request body is parsed as a request. */
  readonly smuggledMarker: string;
  /** Put in the server's own environment: a CGI child must not see it. */
  readonly parentEnvMarker: string;
  /** Content of `share/plain.txt`, used by the liveness probe. */
  readonly plainText: string;
  /** World-writable folder where an injected command would create files. */
  readonly pwnDir: string;
  /** World-writable folder where CGI scripts record their pid. */
  readonly pidDir: string;
  /** Remove everything. */
  cleanup(): void;
}

export interface FixtureOptions {
  /** Create the 256 MiB sparse file `share/huge-256m.bin` (costs no disk). */
  readonly huge?: boolean;
}

const HEX = (): string => randomBytes(8).toString('hex');

function write(path: string, text: string | Buffer, mode = 0o644): void {
  writeFileSync(path, text);
  chmodSync(path, mode);
}

function script(body: string, marker: string): string {
  return `#!${CGI_PYTHON}\n# ${marker}: the source of this script must never be sent.\n${body}`;
}

/** Build a fresh fixture; call `cleanup()` in `afterAll`. */
export function buildFixture(options: FixtureOptions = {}): AttackFixture {
  const base = mkdtempSync(join(tmpdir(), 'servedir-attack-'));
  chmodSync(base, 0o755); // mkdtemp makes 0700: `nobody` (CGI children) could not enter
  const root = join(base, 'share');
  const secretDir = join(base, 'share-secret');
  const pwnDir = join(base, 'pwn');
  const pidDir = join(base, 'pids');
  for (const dir of [root, secretDir]) {
    mkdirSync(dir);
    chmodSync(dir, 0o755);
  }
  for (const dir of [pwnDir, pidDir]) {
    mkdirSync(dir);
    chmodSync(dir, 0o777);
  }

  const secretMarker = `SERVEDIR-SECRET-${HEX()}`;
  const nameMarker = `SERVEDIR-NAME-${HEX()}`;
  const ranOutsideMarker = `SERVEDIR-RAN-OUTSIDE-${HEX()}`;
  const sourceMarker = `SERVEDIR-SOURCE-${HEX()}`;
  const smuggledMarker = `SERVEDIR-SMUGGLED-${HEX()}`;
  const parentEnvMarker = `SERVEDIR-PARENT-ENV-${HEX()}`;
  const plainText = 'hello from the shared folder\n';

  // --- outside the root ---------------------------------------------------------
  write(join(secretDir, 'secret.txt'), `${secretMarker}\n`);
  write(join(secretDir, `${nameMarker}.txt`), 'a file whose name is secret\n');
  // Split so that the marker appears in the output only when the script RUNS; the
  // secret marker in the comment catches the source being served.
  const half = ranOutsideMarker.length >> 1;
  write(
    join(secretDir, 'evil.py'),
    `#!${CGI_PYTHON}\n# ${secretMarker}\nprint("Content-Type: text/plain")\nprint()\n` +
      `print(${JSON.stringify(ranOutsideMarker.slice(0, half))} + ${JSON.stringify(ranOutsideMarker.slice(half))})\n`,
    0o755,
  );

  // --- the root ----------------------------------------------------------------
  write(join(root, 'plain.txt'), plainText);
  write(join(root, 'smuggled.txt'), `${smuggledMarker}\n`);
  write(join(root, 'chunk-32k.bin'), Buffer.alloc(32 * 1024, 0x61));
  mkdirSync(join(root, 'sub'), { mode: 0o755 });
  write(join(root, 'sub', 'inner.txt'), 'inner file\n');
  // Directories whose names make a naive redirect an open redirect (`Location: //evil.com/`,
  // `/\evil.com/`, `http://evil.com/`) or a header injection (CR LF in the name).
  mkdirSync(join(root, 'evil.com'), { mode: 0o755 });
  mkdirSync(join(root, 'http:', 'evil.com'), { recursive: true, mode: 0o755 });
  chmodSync(join(root, 'http:'), 0o755);
  mkdirSync(join(root, 'crlf\r\nSet-Cookie: pwned=1'), { mode: 0o755 });
  // Names that Windows would resolve to another file (NTFS stream, drive letter): refused
  // on every OS, so a file planted under such a name must not be served either.
  write(join(root, 'ads.txt::$DATA'), 'planted NTFS stream name\n');
  mkdirSync(join(root, 'C:'), { mode: 0o755 });
  write(join(root, 'C:', 'win.ini'), 'planted drive-letter name\n');

  // Symlinks: one legitimate (inside the root), the rest leave it. Into the SIBLING
  // `share-secret`, so a string-prefix check is fooled.
  symlinkSync('plain.txt', join(root, 'alias.txt'));
  symlinkSync('../share-secret/secret.txt', join(root, 'link-secret.txt'));
  symlinkSync(join(secretDir, 'secret.txt'), join(root, 'link-secret-abs.txt'));
  symlinkSync('../share-secret', join(root, 'link-dir'));
  symlinkSync('..', join(root, 'link-up'));
  symlinkSync('/etc/passwd', join(root, 'link-passwd'));

  // CGI.
  const cgi = join(root, 'cgi-bin');
  mkdirSync(cgi, { mode: 0o755 });
  const exe = (name: string, body: string): void => write(join(cgi, name), script(body, sourceMarker), 0o755);
  exe('hello.py', 'print("Content-Type: text/plain")\nprint()\nprint("hello from cgi")\n');
  exe(
    'env.py',
    'import os\nprint("Content-Type: text/plain")\nprint()\n' +
      'for k in sorted(os.environ):\n    print(k + "=" + os.environ[k])\n',
  );
  exe(
    'args.py',
    'import sys\nprint("Content-Type: text/plain")\nprint()\nprint("ARGV=" + repr(sys.argv[1:]))\n' +
      'import os\nprint("QUERY_STRING=" + repr(os.environ.get("QUERY_STRING")))\n',
  );
  exe(
    'echo.py',
    'import os, sys\nn = int(os.environ.get("CONTENT_LENGTH") or 0)\ndata = sys.stdin.buffer.read(n) if n > 0 else b""\n' +
      'print("Content-Type: text/plain")\nprint()\nprint("GOT %d" % len(data))\n',
  );
  exe(
    'sleep.py',
    `import os, time, sys\nname = os.environ.get("QUERY_STRING") or "sleep"\n` +
      `open(os.path.join(${JSON.stringify(pidDir)}, name), "w").write(str(os.getpid()))\n` +
      'print("Content-Type: text/plain")\nprint()\nsys.stdout.flush()\ntime.sleep(300)\n',
  );
  exe(
    'flood.py',
    `import os, sys\nopen(os.path.join(${JSON.stringify(pidDir)}, "flood"), "w").write(str(os.getpid()))\n` +
      'sys.stdout.write("Content-Type: application/octet-stream\\n\\n")\nchunk = b"x" * 65536\n' +
      'while True:\n    sys.stdout.buffer.write(chunk)\n',
  );
  exe(
    'errflood.py',
    'import sys\nline = "e" * 1023 + "\\n"\nfor i in range(98304):\n    sys.stderr.write(line)\n' +
      'sys.stderr.flush()\nprint("Content-Type: text/plain")\nprint()\nprint("errflood done")\n',
  );
  exe(
    'errecho.py',
    'import os, sys, urllib.parse\nsys.stderr.write(urllib.parse.unquote(os.environ.get("QUERY_STRING", "")) + "\\n")\n' +
      'sys.stderr.flush()\nprint("Content-Type: text/plain")\nprint()\nprint("logged")\n',
  );
  write(join(cgi, 'noexec.py'), script('print("Content-Type: text/plain")\nprint()\nprint("ran")\n', sourceMarker), 0o644);
  // A file that on NTFS would BE hello.py (its default data stream).
  write(join(cgi, 'hello.py::$DATA'), script('print("Content-Type: text/plain")\nprint()\n', sourceMarker), 0o755);
  // Symlinks that make a script outside the root look like one inside a CGI directory.
  symlinkSync('../../share-secret/evil.py', join(cgi, 'escape.py'));
  symlinkSync('../share-secret', join(root, 'htbin'));

  if (options.huge) {
    const fd = openSync(join(root, 'huge-256m.bin'), 'w', 0o644);
    ftruncateSync(fd, 256 * 1024 * 1024);
    closeSync(fd);
  }

  return {
    base,
    root,
    secretDir,
    secretMarker,
    nameMarker,
    ranOutsideMarker,
    sourceMarker,
    smuggledMarker,
    parentEnvMarker,
    plainText,
    pwnDir,
    pidDir,
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}
