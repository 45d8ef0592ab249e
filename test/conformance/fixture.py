"""The fixture tree both servers serve: described as data (ENTRIES), built by build().

Each server gets its own copy, built the same way:

    <base>/root/      passed with --directory
    <base>/outside/   beside the root; holds SECRET, reachable only by a link or a traversal
    <base>/cwd/       the server's working directory (CGI scripts run there)

An entry is a dict with 'path' (relative to the root, '/'-separated, str or bytes; bytes
allow names that are not UTF-8; '../outside/...' lands in the outside folder) and one of:

    'data': bytes, or a function returning bytes     a file (mode 0644)
    'dir': True                                      a folder
    'symlink': 'target'                              a symbolic link, target as written
    'script': 'text'                                 a file (mode 0755) whose '@PYTHON@' is
                                                     replaced by the CGI interpreter
plus optionally 'mode' and 'mtime' (seconds since the epoch; default BASE_MTIME).

Case files may add entries with a FIXTURE_EXTRA list in the same format.
"""

import hashlib
import os
import shutil
import stat

BASE_MTIME = 1600000000            # Sun, 13 Sep 2020 12:26:40 GMT
SECRET = b'TOP-SECRET'             # must never reach a client


def _big():
    """3 MiB and a bit of deterministic bytes (more than any read buffer, not a round size)."""
    return hashlib.shake_256(b'servedir conformance big.bin').digest(3 * 1024 * 1024 + 4321)


def _png():
    import struct
    import zlib

    def chunk(kind, payload):
        crc = zlib.crc32(kind + payload) & 0xffffffff
        return struct.pack('>I', len(payload)) + kind + payload + struct.pack('>I', crc)
    header = struct.pack('>IIBBBBB', 2, 1, 8, 2, 0, 0, 0)              # 2x1 RGB
    pixels = zlib.compress(b'\x00\x10\x20\x30\x40\x50\x60', 9)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', pixels) + chunk(b'IEND', b'')


def _gz(text):
    import gzip
    return lambda: gzip.compress(text, 9, mtime=0)


# CGI scripts write bytes, so the locale of the CGI child (nobody, when the server is root)
# does not matter.
CGI_HELLO = '''#!@PYTHON@
print("Content-Type: text/html")
print()
print("<p>hello from CGI</p>")
'''

CGI_ENV = r'''#!@PYTHON@
# The CGI meta-variables, every HTTP_*, argv and cwd; of the environment the server
# passed on from its own, the names and one digest of the values (the same for both servers).
import hashlib, os, sys
CGI = [b'GATEWAY_INTERFACE', b'SERVER_SOFTWARE', b'SERVER_NAME', b'SERVER_PROTOCOL',
       b'SERVER_PORT', b'REQUEST_METHOD', b'PATH_INFO', b'PATH_TRANSLATED', b'SCRIPT_NAME',
       b'QUERY_STRING', b'REMOTE_ADDR', b'REMOTE_HOST', b'REMOTE_IDENT', b'REMOTE_PORT',
       b'AUTH_TYPE', b'REMOTE_USER', b'CONTENT_TYPE', b'CONTENT_LENGTH']
env = os.environb
w = sys.stdout.buffer.write
w(b'Content-Type: text/plain\n\n')
for k in CGI:
    w(k + b'=' + env.get(k, b'<unset>') + b'\n')
for k in sorted(k for k in env if k.startswith(b'HTTP_')):
    w(k + b'=' + env[k] + b'\n')
rest = sorted(k for k in env if k not in CGI and not k.startswith(b'HTTP_'))
w(b'INHERITED=' + b' '.join(rest) + b'\n')
w(b'INHERITED_SHA256=' + hashlib.sha256(b'\0'.join(k + b'=' + env[k] for k in rest)).hexdigest().encode() + b'\n')
w(b'ARGV=' + repr([os.fsencode(a) for a in sys.argv]).encode() + b'\n')
w(b'CWD=' + os.getcwdb() + b'\n')
'''

CGI_ECHO = '''#!@PYTHON@
# Sends back CONTENT_LENGTH bytes of stdin (0 when it is not a number).
import os, sys
try:
    n = int(os.environ.get("CONTENT_LENGTH", ""))
except ValueError:
    n = 0
body = sys.stdin.buffer.read(n) if n > 0 else b""
sys.stdout.buffer.write(b"Content-Type: application/octet-stream\\nX-Got: %d\\n\\n" % len(body) + body)
'''

CGI_QUERY = '''#!@PYTHON@
import os
print("Content-Type: text/plain")
print()
print("query=" + os.environ.get("QUERY_STRING", "<unset>"))
'''

CGI_ARGS = '''#!@PYTHON@
import sys
print("Content-Type: text/plain")
print()
print("argv[1:]=%a" % (sys.argv[1:],))
'''

CGI_STATUS = '''#!@PYTHON@
print("Status: 418 Teapot")
print("Content-Type: text/plain")
print()
print("a Status header is not the status line")
'''

CGI_FAIL = '''#!@PYTHON@
import sys
sys.stdout.write("Content-Type: text/plain\\n\\nhalf an answer\\n")
sys.stdout.flush()
sys.exit(7)
'''

CGI_CRASH = '''#!@PYTHON@
raise SystemExit("no output at all")
'''

CGI_STDERR = '''#!@PYTHON@
import sys
sys.stderr.write("to the server's stderr\\n")
print("Content-Type: text/plain")
print()
print("stdout")
'''

CGI_BINARY = '''#!@PYTHON@
import sys
sys.stdout.buffer.write(b"Content-Type: application/octet-stream\\n\\n" + bytes(range(256)) * 3)
'''

CGI_BIG = '''#!@PYTHON@
import sys
sys.stdout.buffer.write(b"Content-Type: text/plain\\n\\n" + b"".join(b"%06d of many lines\\n" % i for i in range(20000)))
'''

CGI_RAW = '''#!@PYTHON@
import sys
sys.stdout.write("no header block, just text\\n")
'''

SH_HELLO = '''#!/bin/sh
printf 'Content-Type: text/plain\\n\\nfrom sh\\n'
'''

ENTRIES = [
    # files of common types; plain.txt has a fractional mtime (Last-Modified truncates it)
    {'path': 'plain.txt', 'data': b'Plain text for the conformance runner.\n', 'mtime': BASE_MTIME + 0.75},
    {'path': 'noext', 'data': b'no extension\n'},
    {'path': 'page.html', 'data': b'<!doctype html><title>t</title><p>page</p>\n'},
    {'path': 'style.css', 'data': b'p { margin: 0 }\n'},
    {'path': 'app.js', 'data': b'export const x = 1;\n'},
    {'path': 'data.json', 'data': b'{"a": [1, 2]}\n'},
    {'path': 'pixel.png', 'data': _png},
    {'path': 'UPPER.TXT', 'data': b'upper-case extension\n'},
    {'path': 'text.txt.gz', 'data': _gz(b'compressed\n')},
    {'path': 'big.bin', 'data': _big},
    # hostile names and dotfiles
    {'path': 'with space.txt', 'data': b'space\n'},
    {'path': 'caf\u00e9.txt', 'data': b'e acute\n'},
    {'path': '\u65e5\u672c.txt', 'data': 'CJK \u65e5\u672c\n'.encode()},
    {'path': '100%.txt', 'data': b'percent\n'},
    {'path': 'amp&<lt>"q\'.txt', 'data': b'markup characters\n'},
    {'path': '.dotfile', 'data': b'hidden file\n'},
    {'path': '.hiddendir/in.txt', 'data': b'in a hidden folder\n'},
    {'path': '\u00fcn\u00efc\u00f6d\u00e9/f\u00ecl\u00e9.txt', 'data': b'unicode folder\n'},
    # links inside the root, dangling, and out of it
    {'path': 'alias.txt', 'symlink': 'plain.txt'},
    {'path': 'alias-dir', 'symlink': 'no-index'},
    {'path': 'dangling', 'symlink': 'nothing-here'},
    {'path': 'to-secret.txt', 'symlink': '../outside/secret.txt'},
    {'path': 'to-outside', 'symlink': '../outside'},
    {'path': '../outside/secret.txt', 'data': SECRET + b' must stay outside\n'},
    # folders with and without index pages
    {'path': 'no-index/a.txt', 'data': b'a\n'},
    {'path': 'no-index/B.txt', 'data': b'B\n'},
    {'path': 'no-index/sub/deeper.txt', 'data': b'deeper\n'},
    {'path': 'with-index-html/index.html', 'data': b'<p>index.html</p>\n'},
    {'path': 'with-index-html/other.txt', 'data': b'next to index.html\n'},
    {'path': 'with-index-htm/index.htm', 'data': b'<p>index.htm</p>\n'},
    {'path': 'index-html-is-dir/index.html/', 'dir': True},
    {'path': 'empty-dir/', 'dir': True},
    {'path': 'not-cgi.py', 'script': CGI_HELLO},
    # CGI
    {'path': 'cgi-bin/hello.py', 'script': CGI_HELLO},
    {'path': 'cgi-bin/env.py', 'script': CGI_ENV},
    {'path': 'cgi-bin/echo.py', 'script': CGI_ECHO},
    {'path': 'cgi-bin/qs.py', 'script': CGI_QUERY},
    {'path': 'cgi-bin/args.py', 'script': CGI_ARGS},
    {'path': 'cgi-bin/status.py', 'script': CGI_STATUS},
    {'path': 'cgi-bin/fail.py', 'script': CGI_FAIL},
    {'path': 'cgi-bin/crash.py', 'script': CGI_CRASH},
    {'path': 'cgi-bin/stderr.py', 'script': CGI_STDERR},
    {'path': 'cgi-bin/binary.py', 'script': CGI_BINARY},
    {'path': 'cgi-bin/big.py', 'script': CGI_BIG},
    {'path': 'cgi-bin/raw.py', 'script': CGI_RAW},
    {'path': 'cgi-bin/hello.sh', 'script': SH_HELLO},
    {'path': 'cgi-bin/not-executable.py', 'script': CGI_HELLO, 'mode': 0o644},
    {'path': 'cgi-bin/data.txt', 'data': b'data, not a script\n'},
    {'path': 'cgi-bin/dir.py/', 'dir': True},
    {'path': 'cgi-bin/child-dir/nested.py', 'script': CGI_HELLO},
    {'path': 'htbin/hello.py', 'script': CGI_HELLO},
    {'path': 'htbin/env.py', 'script': CGI_ENV},
    {'path': 'sub/cgi-bin/hello.py', 'script': CGI_HELLO},
]


def build(base, cgi_python, extra=()):
    """Creates <base>/root, <base>/outside and <base>/cwd; returns (root, outside, cwd)."""
    base = os.fsencode(os.path.abspath(base))
    root, outside, cwd = (os.path.join(base, n) for n in (b'root', b'outside', b'cwd'))
    for d in (base, root, outside, cwd):
        os.makedirs(d, exist_ok=True)
    made = {}
    timed = []
    for entry in list(ENTRIES) + list(extra):
        rel = entry['path'] if isinstance(entry['path'], bytes) else entry['path'].encode()
        if rel.startswith(b'../outside/'):
            full = os.path.join(outside, rel[len(b'../outside/'):])
        else:
            full = os.path.join(root, rel)
        full = full.rstrip(b'/')
        if entry.get('dir'):
            os.makedirs(full, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if 'symlink' in entry:
            target = entry['symlink']
            os.symlink(target if isinstance(target, bytes) else target.encode(), full)
            continue
        if 'script' in entry:
            data = entry['script'].replace('@PYTHON@', cgi_python).encode()
            mode = entry.get('mode', 0o755)
        else:
            data = entry['data']
            if callable(data):
                if data not in made:               # each generator runs once per build
                    made[data] = data()
                data = made[data]
            mode = entry.get('mode', 0o644)
        with open(full, 'wb') as f:
            f.write(data)
        os.chmod(full, mode)
        timed.append((full, entry.get('mtime', BASE_MTIME)))
    for full, mtime in timed:
        os.utime(full, (mtime, mtime))
    # Folders last, deepest first (creating a child changes its folder's mtime). Every folder
    # is world-readable: as root, both servers run CGI scripts as nobody.
    for top in (root, outside, cwd):
        for folder, subdirs, _files in os.walk(top, topdown=False):
            for d in subdirs:
                p = os.path.join(folder, d)
                if not os.path.islink(p):
                    os.chmod(p, 0o755)
                    os.utime(p, (BASE_MTIME, BASE_MTIME))
            os.chmod(folder, 0o755)
            os.utime(folder, (BASE_MTIME, BASE_MTIME))
    os.chmod(base, 0o755)
    return tuple(os.fsdecode(p) for p in (root, outside, cwd))


def world_usable(path):
    """True when any user may run path: executable by others, every folder above it searchable."""
    real = os.path.realpath(path)
    try:
        if not os.stat(real).st_mode & stat.S_IXOTH:
            return False
        folder = os.path.dirname(real)
        while True:
            if not os.stat(folder).st_mode & stat.S_IXOTH:
                return False
            if folder == os.path.dirname(folder):
                return True
            folder = os.path.dirname(folder)
    except OSError:
        return False


def cgi_interpreter(preferred):
    """The interpreter written into the CGI scripts' shebang.

    Running as root, both servers run CGI scripts as nobody, so the interpreter must be one
    nobody can run (a Python under /root/.pyenv is not): then the system python3 is used.
    Returns (path, None) or (None, reason)."""
    if os.geteuid() != 0 or world_usable(preferred):
        return preferred, None
    for candidate in ['/usr/bin/python3', shutil.which('python3') or '', '/usr/local/bin/python3']:
        if candidate and world_usable(candidate):
            return candidate, None
    return None, 'running as root, and no python3 that nobody may run was found for the CGI scripts'
