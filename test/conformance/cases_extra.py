"""Extra conformance cases for Servedir's engine (server/): more inputs in every area,
written with our case helpers (caselib.py) over our fixture (fixture.py, plus FIXTURE_EXTRA
below), run by our runner together with cases_core.py:

    python3 test/conformance/runner.py                    # both case files
    python3 test/conformance/runner.py --cases test/conformance/cases_extra.py --only cgi/

Every case was self-tested against the oracle (runner.py --candidate oracle).
Requests use HTTP/1.0 on purpose where the answer of a CGI script would otherwise have no
length on the HTTP/1.1 server (each such run costs the runner's 1.5 s quiet wait).
"""

import base64

from caselib import SECRET, case, get, head, post, req

V10, V11 = 'HTTP/1.0', 'HTTP/1.1'
LM = 'Sun, 13 Sep 2020 12:26:40 GMT'       # Last-Modified of plain.txt (mtime +0.75 s)

CASES = []

# Answers CPython changed in 3.11.4, pinned by these cases; an older oracle (Debian's 3.11.2)
# skips them (runner.py): gh-103204, a version is digits only ('HTTP/+1.0', eleven digits: 400);
# gh-104049, a listing title whose query cannot be decoded no longer falls back to the folder's path.
ORACLE_SINCE = {name: (3, 11, 4) for name in (
    'reqline/x-version-eleven-digits', 'reqline/x-version-space-sign',
    'listing/x-title-malformed-utf8', 'listing/x-title-percent-invalid')}


def add(name, request, **kw):
    CASES.append(case(name, request, **kw))


# ------------------------------------------------------------------ fixture
_ENV_SCRIPT_MARK = '@PYTHON@'
CGI_NPH = r'''#!@PYTHON@
import sys
sys.stdout.buffer.write(b"HTTP/1.0 302 Found\r\nLocation: /elsewhere\r\n\r\nnph body\r\n")
'''
CGI_REDIRECT = r'''#!@PYTHON@
import sys
sys.stdout.write("Status: 302 Found\nLocation: /plain.txt\n\n")
'''
CGI_SILENT = r'''#!@PYTHON@
'''
CGI_ENVLIST = r'''#!@PYTHON@
# Names (not values) of the environment, minus the server's own variables.
import os, sys
out = sys.stdout.buffer
out.write(b"Content-Type: text/plain\n\n")
for k in sorted(os.environb):
    if k.startswith(b"HTTP_") or k in (b"CONTENT_TYPE", b"CONTENT_LENGTH", b"QUERY_STRING",
                                       b"AUTH_TYPE", b"REMOTE_USER", b"PATH_INFO"):
        out.write(k + b"=" + os.environb[k] + b"\n")
'''
CGI_STDIN_ALL = r'''#!@PYTHON@
# Reads stdin until EOF (never relies on CONTENT_LENGTH).
import sys, os
data = sys.stdin.buffer.read()
out = sys.stdout.buffer
out.write(b"Content-Type: text/plain\n\n")
out.write(b"read %d bytes\n" % len(data))
out.write(data[:200] + b"\n")
'''

FIXTURE_EXTRA = [
    # listings: every special character class
    {'path': 'chars/amp&#39;x.txt', 'data': b'1\n'},
    {'path': 'chars/ent&amp;.txt', 'data': b'1\n'},
    {'path': 'chars/<b>tag</b>.txt', 'data': b'1\n'},
    {'path': 'chars/dq".txt', 'data': b'1\n'},
    {'path': "chars/sq'.txt", 'data': b'1\n'},
    {'path': 'chars/back\\slash.txt', 'data': b'1\n'},
    {'path': 'chars/tab\tname.txt', 'data': b'1\n'},
    {'path': 'chars/nl\nname.txt', 'data': b'1\n'},
    {'path': 'chars/cr\rname.txt', 'data': b'1\n'},
    {'path': 'chars/ctl\x01\x1f\x7f.txt', 'data': b'1\n'},
    {'path': 'chars/pct%20x.txt', 'data': b'1\n'},
    {'path': 'chars/hash#x.txt', 'data': b'1\n'},
    {'path': 'chars/ques?x.txt', 'data': b'1\n'},
    {'path': 'chars/semi;x.txt', 'data': b'1\n'},
    {'path': 'chars/plus+x.txt', 'data': b'1\n'},
    {'path': 'chars/eq=x.txt', 'data': b'1\n'},
    {'path': 'chars/comma,x.txt', 'data': b'1\n'},
    {'path': 'chars/colon:x.txt', 'data': b'1\n'},
    {'path': 'chars/at@x.txt', 'data': b'1\n'},
    {'path': 'chars/dollar$x.txt', 'data': b'1\n'},
    {'path': 'chars/bang!x.txt', 'data': b'1\n'},
    {'path': 'chars/star*x.txt', 'data': b'1\n'},
    {'path': 'chars/paren(x).txt', 'data': b'1\n'},
    {'path': 'chars/brack[x].txt', 'data': b'1\n'},
    {'path': 'chars/brace{x}.txt', 'data': b'1\n'},
    {'path': 'chars/pipe|x.txt', 'data': b'1\n'},
    {'path': 'chars/caret^x.txt', 'data': b'1\n'},
    {'path': 'chars/tick`x.txt', 'data': b'1\n'},
    {'path': 'chars/tilde~x.txt', 'data': b'1\n'},
    {'path': 'chars/space end .txt', 'data': b'1\n'},
    {'path': 'chars/nbsp\u00a0x.txt', 'data': b'1\n'},
    {'path': 'chars/soft\u00adhyphen.txt', 'data': b'1\n'},
    {'path': 'chars/emoji\U0001f600.txt', 'data': b'1\n'},
    {'path': 'chars/rtl\u202ex.txt', 'data': b'1\n'},
    {'path': 'chars/zw\u200bx.txt', 'data': b'1\n'},
    {'path': 'chars/ligature\ufb01.txt', 'data': b'1\n'},
    {'path': 'chars/greek\u03a3\u03c3\u03c2.txt', 'data': b'1\n'},
    {'path': 'chars/sharp-s\u00df.txt', 'data': b'1\n'},
    {'path': 'chars/dotted-I\u0130.txt', 'data': b'1\n'},
    {'path': 'chars/' + 'L' * 240 + '.txt', 'data': b'long\n'},
    {'path': 'chars/subdir&<>/inner.txt', 'data': b'inner\n'},
    {'path': 'chars/link-to-sub', 'symlink': 'subdir&<>'},
    {'path': 'chars/link-to-file', 'symlink': 'plus+x.txt'},
    {'path': 'chars/link-dangling', 'symlink': 'nowhere'},
    {'path': 'times/before-epoch.txt', 'data': b'1\n', 'mtime': -1.5},
    {'path': 'times/way-before.txt', 'data': b'1\n', 'mtime': -2000000000.25},
    {'path': 'times/epoch.txt', 'data': b'1\n', 'mtime': 0},
    {'path': 'times/future.txt', 'data': b'1\n', 'mtime': 4102444800.999},
    {'path': 'times/far-future.txt', 'data': b'1\n', 'mtime': 15000000000.5},
    {'path': 'loops/self', 'symlink': 'self'},
    {'path': 'loops/a', 'symlink': 'b'},
    {'path': 'loops/b', 'symlink': 'a'},
    {'path': 'loops/to-parent', 'symlink': '..'},
    {'path': 'loops/to-root-abs-ish', 'symlink': '../loops'},
    # non-UTF-8 names (bytes paths)
    {'path': b'bytes/latin\xe9.txt', 'data': b'latin-1 name\n'},
    {'path': b'bytes/bad\xff\xfe.txt', 'data': b'invalid utf-8 name\n'},
    {'path': b'bytes/half\xe2\x82.txt', 'data': b'truncated sequence\n'},
    {'path': b'bytes/surr\xed\xa0\x80.txt', 'data': b'encoded surrogate\n'},
    {'path': b'bytes/ok.txt', 'data': b'ok\n'},
    {'path': b'bytes/dir\xe9/in.txt', 'data': b'inside\n'},
    # unicode normalisation forms (different strings, so sorting is deterministic)
    {'path': 'nf/caf\u00e9-nfc.txt', 'data': b'nfc\n'},
    {'path': 'nf/cafe\u0301-nfd.txt', 'data': b'nfd\n'},
    {'path': 'nf/\u212b-angstrom.txt', 'data': b'angstrom sign\n'},
    {'path': 'nf/\u00c5-a-ring.txt', 'data': b'a ring\n'},
    # sorting by str.lower, case and punctuation
    {'path': 'sort2/apple.txt', 'data': b'1\n'},
    {'path': 'sort2/Banana.txt', 'data': b'1\n'},
    {'path': 'sort2/cherry/', 'dir': True},
    {'path': 'sort2/Apple2.txt', 'data': b'1\n'},
    {'path': 'sort2/[bracket].txt', 'data': b'1\n'},
    {'path': 'sort2/^caret.txt', 'data': b'1\n'},
    {'path': 'sort2/`tick.txt', 'data': b'1\n'},
    {'path': 'sort2/{brace}.txt', 'data': b'1\n'},
    {'path': 'sort2/\u00c9clair.txt', 'data': b'1\n'},
    {'path': 'sort2/\u00e9t\u00e9.txt', 'data': b'1\n'},
    {'path': 'sort2/Zulu', 'data': b'1\n'},
    {'path': 'sort2/zz-dir/', 'dir': True},
    {'path': 'sort2/.dot', 'data': b'1\n'},
    {'path': 'sort2/_u', 'data': b'1\n'},
    # sorting: code points, not UTF-16 units (an astral character sorts after U+E000-U+FFFF),
    # lone surrogates from non-UTF-8 names, Python's str.lower special cases
    {'path': 'sort3/u\U0001f600.txt', 'data': b'1\n'},
    {'path': 'sort3/u\ufb01.txt', 'data': b'1\n'},
    {'path': 'sort3/u\ue000.txt', 'data': b'1\n'},
    {'path': 'sort3/u\uffee.txt', 'data': b'1\n'},
    {'path': b'sort3/u\xe9-latin1.txt', 'data': b'1\n'},
    {'path': b'sort3/u\xff-latin1.txt', 'data': b'1\n'},
    {'path': 'sort3/u\u00e9-utf8.txt', 'data': b'1\n'},
    {'path': 'sort3/\u039f\u03a3.txt', 'data': b'1\n'},
    {'path': 'sort3/\u03bf\u03c3-b.txt', 'data': b'1\n'},
    {'path': 'sort3/\u0130x.txt', 'data': b'1\n'},
    {'path': 'sort3/i\u0307y.txt', 'data': b'1\n'},
    {'path': 'sort3/\u1e9e.txt', 'data': b'1\n'},
    {'path': 'sort3/\u00df2.txt', 'data': b'1\n'},
    {'path': 'sort3/\u212a-kelvin.txt', 'data': b'1\n'},
    {'path': 'sort3/k-lower.txt', 'data': b'1\n'},
    {'path': 'sort3/\u13a0-cherokee.txt', 'data': b'1\n'},
    {'path': 'sort3/\uab70-cherokee-small.txt', 'data': b'1\n'},
    {'path': 'sort3/\u2c2f-glagolitic.txt', 'data': b'1\n'},
    {'path': 'sort3/\U00010400-deseret.txt', 'data': b'1\n'},
    {'path': 'sort3/\u01c5-dz.txt', 'data': b'1\n'},
    {'path': 'sort3/\u1f88-greek-ext.txt', 'data': b'1\n'},
    # scheme-like folder names a target can name (redirect Location via urlsplit/urlunsplit)
    {'path': 'http:evil.test/d/', 'dir': True},
    {'path': 'ftp:/x/d/', 'dir': True},
    {'path': 'http:/[v6/d/', 'dir': True},
    {'path': 'http:/a]b/d/', 'dir': True},
    {'path': 'http:/[x]/d/', 'dir': True},
    {'path': 'http:/[1.2.3.4]/d/', 'dir': True},
    {'path': 'http:/[::1]/d/', 'dir': True},
    {'path': 'http:/[v1.x]/d/', 'dir': True},
    {'path': 'http:/u@h:1/d/', 'dir': True},
    {'path': 'x+y.z-1:/p/d/', 'dir': True},
    {'path': '1http:/p/d/', 'dir': True},
    # every byte but NUL and '/' in one name (not UTF-8), and printable unicode punctuation
    {'path': b'allbytes/' + bytes(b for b in range(1, 128) if b != 0x2f), 'data': b'ascii\n'},
    {'path': b'allbytes/' + bytes(range(128, 256)), 'data': b'high\n'},
    {'path': 'allbytes/\u2018\u2019\u201c\u201d\u2026\u00ab\u00bb\u00a7\u00b6\u2020\u2022\u00b7\u2011\u2028\u2029\ufeff.txt', 'data': b'punct\n'},
    # MIME: compound, uppercase, multi-dot, trailing dots
    {'path': 'mime/x.TAR.GZ', 'data': b'x\n'},
    {'path': 'mime/x.Tar.Gz', 'data': b'x\n'},
    {'path': 'mime/x.GZ', 'data': b'x\n'},
    {'path': 'mime/x.BZ2', 'data': b'x\n'},
    {'path': 'mime/x.XZ', 'data': b'x\n'},
    {'path': 'mime/x.z', 'data': b'x\n'},
    {'path': 'mime/x.SVGZ', 'data': b'x\n'},
    {'path': 'mime/x.svgz', 'data': b'x\n'},
    {'path': 'mime/x.tbz2', 'data': b'x\n'},
    {'path': 'mime/x.txz', 'data': b'x\n'},
    {'path': 'mime/x.taz', 'data': b'x\n'},
    {'path': 'mime/x.tz', 'data': b'x\n'},
    {'path': 'mime/x.TGZ', 'data': b'x\n'},
    {'path': 'mime/x.tar.br', 'data': b'x\n'},
    {'path': 'mime/x.txt.br', 'data': b'x\n'},
    {'path': 'mime/x.tar.BR', 'data': b'x\n'},
    {'path': 'mime/x.tar.bz2', 'data': b'x\n'},
    {'path': 'mime/x.tar.xz', 'data': b'x\n'},
    {'path': 'mime/x.tar.Z', 'data': b'x\n'},
    {'path': 'mime/x.tar', 'data': b'x\n'},
    {'path': 'mime/x.html.gz', 'data': b'x\n'},
    {'path': 'mime/x.json.bz2', 'data': b'x\n'},
    {'path': 'mime/x.txt.', 'data': b'x\n'},
    {'path': 'mime/x.txt..', 'data': b'x\n'},
    {'path': 'mime/x.', 'data': b'x\n'},
    {'path': 'mime/.txt', 'data': b'x\n'},
    {'path': 'mime/..txt', 'data': b'x\n'},
    {'path': 'mime/a.b.c.HTML', 'data': b'x\n'},
    {'path': 'mime/x.JPEG', 'data': b'x\n'},
    {'path': 'mime/x.jpg', 'data': b'x\n'},
    {'path': 'mime/x.gif', 'data': b'x\n'},
    {'path': 'mime/x.svg', 'data': b'x\n'},
    {'path': 'mime/x.ico', 'data': b'x\n'},
    {'path': 'mime/x.pdf', 'data': b'x\n'},
    {'path': 'mime/x.zip', 'data': b'x\n'},
    {'path': 'mime/x.csv', 'data': b'x\n'},
    {'path': 'mime/x.mjs', 'data': b'x\n'},
    {'path': 'mime/x.wasm', 'data': b'x\n'},
    {'path': 'mime/x.webp', 'data': b'x\n'},
    {'path': 'mime/x.woff2', 'data': b'x\n'},
    {'path': 'mime/x.mp3', 'data': b'x\n'},
    {'path': 'mime/x.webm', 'data': b'x\n'},
    {'path': 'mime/x.htm', 'data': b'x\n'},
    {'path': 'mime/x.text', 'data': b'x\n'},
    {'path': 'mime/x.unknownext', 'data': b'x\n'},
    {'path': 'mime/x.PY', 'data': b'x\n'},
    {'path': 'mime/x.yaml', 'data': b'x\n'},
    {'path': 'mime/x.toml', 'data': b'x\n'},
    {'path': 'mime/x.c', 'data': b'x\n'},
    {'path': 'mime/x.h', 'data': b'x\n'},
    {'path': 'mime/x.cpp', 'data': b'x\n'},
    {'path': 'mime/x.java', 'data': b'x\n'},
    {'path': 'mime/x.wav', 'data': b'x\n'},
    {'path': 'mime/x.flac', 'data': b'x\n'},
    {'path': 'mime/x.3gp', 'data': b'x\n'},
    {'path': 'mime/x.midi', 'data': b'x\n'},
    {'path': 'mime/x.mid', 'data': b'x\n'},
    {'path': 'mime/x.jsx', 'data': b'x\n'},
    {'path': 'mime/x.log', 'data': b'x\n'},
    {'path': 'mime/x.ts', 'data': b'x\n'},
    {'path': 'mime/x.m3u', 'data': b'x\n'},
    {'path': 'mime/x.srt', 'data': b'x\n'},
    {'path': 'mime/x.rss', 'data': b'x\n'},
    {'path': 'mime/x.xsl', 'data': b'x\n'},
    {'path': 'mime/x.deb', 'data': b'x\n'},
    {'path': 'mime/x.msi', 'data': b'x\n'},
    {'path': 'mime/x.bat', 'data': b'x\n'},
    {'path': 'mime/x.pl', 'data': b'x\n'},
    {'path': 'mime/x.tex', 'data': b'x\n'},
    {'path': 'mime/x.pem', 'data': b'x\n'},
    {'path': 'mime/x.vcf', 'data': b'x\n'},
    {'path': 'mime/x.ini', 'data': b'x\n'},
    {'path': 'mime/x.map', 'data': b'x\n'},
    {'path': 'mime/x.ipynb', 'data': b'x\n'},
    {'path': 'mime/x.teicorpus', 'data': b'x\n'},
    {'path': 'mime/x.rtf', 'data': b'x\n'},
    {'path': 'mime/x.avif', 'data': b'x\n'},
    {'path': 'mime/x.opus', 'data': b'x\n'},
    {'path': 'mime/dir.txt/', 'dir': True},
    # redirects whose directory names need quoting
    {'path': 'redir/a b/', 'dir': True},
    {'path': 'redir/q?x/', 'dir': True},
    {'path': 'redir/h#x/', 'dir': True},
    {'path': 'redir/p%41/', 'dir': True},
    {'path': 'redir/semi;x/', 'dir': True},
    {'path': 'redir/\u00e9/', 'dir': True},
    {'path': 'http:/evil.test/d/', 'dir': True},
    {'path': 'HTTP:/Host.Test/d/', 'dir': True},
    {'path': 'mailto:x/d/', 'dir': True},
    # index pages
    {'path': 'idx/upper/INDEX.HTML', 'data': b'<p>upper</p>\n'},
    {'path': 'idx/link/index.html', 'symlink': '../../plain.txt'},
    {'path': 'idx/htm-dir/index.htm/', 'dir': True},
    {'path': 'idx/htm-dir/index.html/', 'dir': True},
    {'path': 'idx/dangling/index.html', 'symlink': 'missing'},
    # CGI
    {'path': 'cgi-bin/nph-test.py', 'script': CGI_NPH, 'mode': 0o755},
    {'path': 'cgi-bin/redirect.py', 'script': CGI_REDIRECT, 'mode': 0o755},
    {'path': 'cgi-bin/silent.py', 'script': CGI_SILENT, 'mode': 0o755},
    {'path': 'cgi-bin/envlist.py', 'script': CGI_ENVLIST, 'mode': 0o755},
    {'path': 'cgi-bin/stdin-all.py', 'script': CGI_STDIN_ALL, 'mode': 0o755},
    {'path': 'cgi-bin/noext', 'script': CGI_ENVLIST, 'mode': 0o755},
    {'path': 'cgi-bin/a/b/deep.py', 'script': CGI_ENVLIST, 'mode': 0o755},
    {'path': 'cgi-bin/100%.py', 'script': CGI_ENVLIST, 'mode': 0o755},
    {'path': 'cgi-bin/caf\u00e9.py', 'script': CGI_ENVLIST, 'mode': 0o755},
    {'path': 'htbin/sub/x.py', 'script': CGI_ENVLIST, 'mode': 0o755},
]


def listing(slug, target, **kw):
    add('listing/x-' + slug, get(target), **kw)


# ------------------------------------------------------------------ listing
listing('chars', '/chars/')
listing('chars-head', '/chars/', cgi=True)
listing('bytes', '/bytes/')
listing('nf', '/nf/')
listing('sort2', '/sort2/')
listing('mime', '/mime/')
listing('redir', '/redir/')
listing('idx', '/idx/')
listing('chars-subdir', '/chars/subdir%26%3C%3E/')
listing('sort3', '/sort3/')
listing('allbytes', '/allbytes/')
listing('title-malformed-utf8', '/no-index/?%F0%9F%98%ED%A0%80%C0%AE%F4%90%80%80%E0%80%AF%FF%C3')
listing('title-bad-escapes', '/no-index/?%%41%4%zz%')
listing('chars-link-to-sub', '/chars/link-to-sub/')
listing('bytes-dir', '/bytes/dir%ED%B3%A9/')
listing('bytes-dir-invalid-escape', '/bytes/dir%E9/')
listing('title-percent-surrogate', '/no-index/?%ED%B3%A9')
listing('title-percent-invalid', '/no-index/?%E9%FF')
listing('title-percent-high-surrogate', '/no-index/?%ED%A0%80')
listing('title-entities', '/no-index/?&#39;&amp;&lt;')
listing('title-raw-latin1', b'/no-index/?\xe9\xa0\xad')
listing('title-nul', '/no-index/?%00')
listing('title-controls', '/no-index/?%01%1b%7f%0d%0a')
listing('title-unicode', '/no-index/?%E2%80%AE%F0%9F%98%80')
listing('title-plus', '/no-index/?a+b%2Bc')
listing('title-fragment', '/no-index/#frag')
# The same folders listed again on one keep-alive connection, with other titles: once the
# fixture is 2 s old, the engine answers the repeats from its listing cache (PORT NOTE,
# server/listing-cache.ts); the bytes must stay CPython's, links and all.
add('listing/x-repeat-chars-keepalive',
    [get('/chars/', V11), get('/chars/?again', V11), head('/chars/', V11), get('/chars/', V11)],
    mode='sequential', protocols=[V11])
add('listing/x-repeat-loops-keepalive',
    [get('/loops/', V11), get('/loops/', V11), get('/loops/?%F0%9F%98%80', V11)],
    mode='sequential', protocols=[V11])
add('listing/x-repeat-bytes-keepalive',
    [get('/bytes/', V11), get('/bytes/?x', V11), get('/bytes/', V11)],
    mode='sequential', protocols=[V11])
listing('path-encoded-slash', '/no-index%2F')
listing('path-dot-dir', '/no-index/.')
listing('path-dotdot', '/no-index/sub/..')
listing('path-dotdot-slash', '/no-index/sub/../')
listing('path-encoded-dot', '/no-index/%2e/')
listing('path-many-slashes', '///no-index///')
listing('nested-unicode', '/%C3%BCn%C3%AFc%C3%B6d%C3%A9/')
listing('empty-query', '/no-index/?')
listing('http11-keepalive', '/chars/', protocols=[V11])
add('listing/x-head-chars', head('/chars/'))
add('listing/x-root-cgi-http11', get('/', V11), cgi=True)

# ------------------------------------------------------------------ static
for _slug, _target in [
        ('params', '/plain.txt;params'),
        ('empty-query', '/plain.txt?'),
        ('empty-fragment', '/plain.txt#'),
        ('encoded-question', '/plain.txt%3Fx'),
        ('encoded-hash', '/plain.txt%23x'),
        ('encoded-slash-trailing', '/plain.txt%2F'),
        ('dot-after-file', '/plain.txt/.'),
        ('dotdot-after-file', '/plain.txt/..'),
        ('encoded-space-trailing', '/plain.txt%20'),
        ('encoded-letters', '/%70lain.tx%74'),
        ('encoded-dot', '/plain%2etxt'),
        ('lowercase-escapes', '/caf%c3%a9.txt'),
        ('mixed-escapes', '/caf%C3%a9.txt'),
        ('latin1-escape', '/caf%E9.txt'),
        ('raw-utf8', b'/caf\xc3\xa9.txt'),
        ('raw-latin1', b'/caf\xe9.txt'),
        ('double-encoded', '/with%2520space.txt'),
        ('plus-not-space', '/with+space.txt'),
        ('bytes-surrogatepass', '/bytes/latin%ED%B3%A9.txt'),
        ('bytes-raw-escape', '/bytes/latin%E9.txt'),
        ('bytes-ok', '/bytes/ok.txt'),
        ('bytes-invalid', '/bytes/bad%ED%B3%BF%ED%B3%BE.txt'),
        ('chars-nl', '/chars/nl%0Aname.txt'),
        ('chars-tab', '/chars/tab%09name.txt'),
        ('chars-cr', '/chars/cr%0Dname.txt'),
        ('chars-ctl', '/chars/ctl%01%1F%7F.txt'),
        ('chars-hash', '/chars/hash%23x.txt'),
        ('chars-ques', '/chars/ques%3Fx.txt'),
        ('chars-backslash', '/chars/back%5Cslash.txt'),
        ('chars-long', '/chars/' + 'L' * 240 + '.txt'),
        ('chars-link-file', '/chars/link-to-file'),
        ('chars-link-dangling', '/chars/link-dangling'),
        ('nfd-by-nfc-name', '/nf/caf%C3%A9-nfd.txt'),
        ('nfc-by-nfc-name', '/nf/caf%C3%A9-nfc.txt'),
        ('star', '*'),
        ('query-only', '?'),
        ('query-only-value', '?x=1'),
        ('fragment-only', '#'),
        ('empty-segment-dirs', '/no-index//sub//deeper.txt'),
        ('dotdot-encoded-mixed', '/no-index/%2E%2e/plain.txt'),
        ('semicolon-dir', '/no-index;x/a.txt'),
        ('dir-as-file-trailing-dot', '/no-index/a.txt/.'),
        ('index-html-dir-file', '/index-html-is-dir/index.html'),
        ('absolute-form-file', 'http://conformance.test/plain.txt'),
        ('absolute-form-no-path', 'http://conformance.test'),
        ('absolute-form-https-file', 'https://x.test:443/plain.txt?q#f'),
        ('scheme-relative', '//conformance.test/plain.txt'),
        ('very-long-missing', '/' + 'b' * 5000),
        ('nul-middle', '/pl%00ain.txt')]:
    _kw = {}
    if isinstance(_target, str) and '%00' in _target:
        _kw = dict(expect='safe-divergence-allowed', allowed=[400, 404])
    add('static/x-' + _slug, get(_target), **_kw)
add('static/x-allbytes-ascii', get('/allbytes/' + ''.join('%%%02X' % b for b in range(1, 128) if b != 0x2f)))
add('static/x-allbytes-high-surrogatepass', get('/allbytes/' + ''.join('%%%02X' % b for b in (b'\xed\xb2' + bytes([0x80 + (b & 0x3f)]) for b in range(128, 256)) for b in b)))
add('static/x-malformed-utf8-path', get('/%F0%9F%98%ED%A0%80%C0%AE%E0%80%AF%FF%C3.txt'))
add('listing/x-loops', get('/loops/'))
add('static/x-symlink-loop', get('/loops/self'))
add('static/x-symlink-loop-slash', get('/loops/a/'))
add('static/x-symlink-to-parent-listing', get('/loops/to-parent/'))
add('static/x-symlink-cycle-deep', get('/loops/to-root-abs-ish/to-root-abs-ish/to-parent/plain.txt'))
add('static/x-file-as-dir', get('/plain.txt/x'))
add('static/x-path-too-long', get('/' + 'no-index/..%2F' * 600 + 'plain.txt'))
add('static/x-path-many-components', get('/' + 'a/' * 2100 + 'x'))
add('static/x-name-too-long', get('/' + 'n' * 300 + '/'))
add('static/x-head-dir', head('/no-index/'))
add('static/x-head-file-http11', head('/plain.txt', V11))
add('static/x-head-big-http11-then-get', [head('/big.bin', V11), get('/plain.txt', V11)])
add('static/x-get-empty-dir', get('/empty-dir/'))
add('static/x-http09-dir-redirect', b'GET /no-index\r\n\r\n')
add('static/x-http09-missing', b'GET /missing\r\n\r\n')

# ------------------------------------------------------------------ mime
for _p in ['x.TAR.GZ', 'x.Tar.Gz', 'x.GZ', 'x.BZ2', 'x.XZ', 'x.z', 'x.SVGZ', 'x.svgz',
           'x.tbz2', 'x.txz', 'x.taz', 'x.tz', 'x.TGZ', 'x.tar.br', 'x.txt.br', 'x.tar.BR',
           'x.tar.bz2', 'x.tar.xz', 'x.tar.Z', 'x.tar', 'x.html.gz', 'x.json.bz2', 'x.txt.',
           'x.txt..', 'x.', '.txt', '..txt', 'a.b.c.HTML', 'x.JPEG', 'x.jpg', 'x.gif',
           'x.svg', 'x.ico', 'x.pdf', 'x.zip', 'x.csv', 'x.mjs', 'x.wasm', 'x.webp',
           'x.woff2', 'x.mp3', 'x.webm', 'x.htm', 'x.text', 'x.unknownext', 'x.PY',
           'x.yaml', 'x.toml', 'x.c', 'x.h', 'x.cpp', 'x.java', 'x.wav', 'x.flac', 'x.3gp', 'x.midi', 'x.mid', 'x.jsx', 'x.log', 'x.ts', 'x.m3u', 'x.srt', 'x.rss', 'x.xsl', 'x.deb', 'x.msi', 'x.bat', 'x.pl', 'x.tex', 'x.pem', 'x.vcf', 'x.ini', 'x.map', 'x.ipynb', 'x.teicorpus', 'x.rtf', 'x.avif', 'x.opus']:
    add('mime/x-' + _p.replace('.', '_'), head('/mime/' + _p), protocols=[V10])
add('mime/x-dir-named-txt', get('/mime/dir.txt/'), protocols=[V10])
add('mime/x-dir-named-txt-redirect', get('/mime/dir.txt'), protocols=[V10])
add('mime/x-query-ext-ignored', head('/noext?x.html'))
add('mime/x-index-htm-type', head('/with-index-htm/'))

# ------------------------------------------------------------------ redirect
for _slug, _target in [
        ('space', '/redir/a%20b'),
        ('question', '/redir/q%3Fx'),
        ('hash', '/redir/h%23x'),
        ('percent', '/redir/p%2541'),
        ('semicolon', '/redir/semi;x'),
        ('unicode-lower', '/redir/%c3%a9'),
        ('unicode-raw', b'/redir/\xc3\xa9'),
        ('empty-query', '/no-index?'),
        ('empty-fragment', '/no-index#'),
        ('empty-query-fragment', '/no-index?#'),
        ('query-with-slash', '/no-index?a/b'),
        ('query-with-hash', '/no-index?a#b#c'),
        ('query-encoded', '/no-index?a=%20&b=%2F'),
        ('query-with-question', '/no-index?a?b'),
        ('dot', '/no-index/.'),
        ('dotdot-root', '/no-index/..'),
        ('encoded-slash', '/no-index%2F'),
        ('encoded-dot-segment', '/no-index/sub/%2e'),
        ('double-slash-middle', '/no-index//sub'),
        ('root-query-only', '?'),
        ('root-query', '?x=1'),
        ('root-fragment', '#x'),
        ('absolute-http', 'http://evil.test/d'),
        ('absolute-http-query', 'http://evil.test/d?q=1#f'),
        ('absolute-upper-scheme', 'HTTP://Host.Test/d'),
        ('mailto', 'mailto:x/d'),
        ('backslash-start', '/\\no-index'),
        ('four-slashes', '////no-index'),
        ('dot-slash-start', './no-index'),
        ('hidden', '/.hiddendir?x'),
        ('unicode-dir-query', '/%C3%BCn%C3%AFc%C3%B6d%C3%A9?%C3%A9'),
        ('bytes-dir', '/bytes/dir%ED%B3%A9'),
        ('chars-subdir', '/chars/subdir%26%3C%3E'),
        ('chars-link-to-sub', '/chars/link-to-sub'),
        ('index-dir', '/idx/upper')]:
    add('redirect/x-' + _slug, get(_target))
for _slug, _target in [
        ('scheme-no-slash', 'http:evil.test/d'),
        ('scheme-no-slash-query', 'http:evil.test/d?q'),
        ('scheme-one-slash', 'http:/evil.test/d'),
        ('scheme-ftp', 'ftp://x/d'),
        ('scheme-ftp-one-slash', 'ftp:/x/d'),
        ('ipv6-unclosed', 'http://[v6/d'),
        ('ipv6-close-only', 'http://a]b/d'),
        ('userinfo-port', 'http://u@h:1/d'),
        ('scheme-odd-chars', 'x+y.z-1://p/d'),
        ('scheme-starts-digit', '1http://p/d'),
        ('raw-latin1', b'/redir/\xe9'),
        ('raw-latin1-query', b'/redir/\xe9?\xe9'),
        ('raw-control', b'/no-index?\x01'),
        ('scheme-four-slashes', 'http:////evil.test/d'),
        ('bracket-not-ip', 'http://[x]/d'),
        ('bracket-ipv4', 'http://[1.2.3.4]/d'),
        ('bracket-ipv6', 'http://[::1]/d'),
        ('bracket-ipvfuture', 'http://[v1.x]/d?q')]:
    _kw = {}
    if _slug.startswith('ipv6'):
        _kw = dict(expect='safe-divergence-allowed', allowed=[400, 404, 'no-response'])
    if _slug in ('scheme-no-slash', 'scheme-no-slash-query', 'scheme-four-slashes'):
        _kw = dict(expect='safe-divergence-allowed', allowed=[301],
                   notes='CPython 3.13.0 urlunsplit (gh-67693) differs from the 3.11.7 oracle: '
                         'Location http:evil.test/d/ and http:////evil.test/d/ (3.11.7: '
                         'http:///evil.test/d/ and http://evil.test/d/). server/README.md.')
    if _slug == 'raw-control':
        _kw = dict(expect='safe-divergence-allowed', allowed=[301],
                   notes='PORT NOTE 17: a control character in Location is percent-encoded '
                         '(CPython sends it raw; test/attack/paths.test.ts pins the encoding).')
    add('redirect/x-' + _slug, get(_target), **_kw)
add('redirect/x-head-http11-keepalive', [head('/no-index', V11), get('/plain.txt', V11)])
add('redirect/x-cgi-dir', get('/cgi-bin/child-dir'), cgi=True)

# ------------------------------------------------------------------ index
add('index/x-uppercase-not-index', get('/idx/upper/'))
add('index/x-symlinked-index', get('/idx/link/'))
add('index/x-both-are-dirs', get('/idx/htm-dir/'))
add('index/x-dangling-index', get('/idx/dangling/'))
add('index/x-head-http11', head('/with-index-htm/', V11))
add('index/x-ims', get('/with-index-html/', headers=[('If-Modified-Since', 'Sun, 13 Sep 2030 12:26:40 GMT')]))
add('index/x-query-and-fragment', get('/with-index-html/?a#b'))
add('index/x-double-slash', get('//with-index-html//'))
add('index/x-cgi', get('/with-index-htm/'), cgi=True)

# ------------------------------------------------------------------ conditional
for _slug, _date in [
        ('rfc850', 'Sunday, 13-Sep-20 12:26:40 GMT'),
        ('rfc850-later', 'Monday, 14-Sep-20 12:26:40 GMT'),
        ('asctime', 'Sun Sep 13 12:26:40 2020'),
        ('asctime-later', 'Mon Sep 14 12:26:40 2020'),
        ('asctime-padded-day', 'Sun Sep  3 12:26:40 2020'),
        ('no-weekday', '13 Sep 2020 12:26:40 GMT'),
        ('no-weekday-later', '14 Sep 2020 12:26:40 GMT'),
        ('two-digit-year', 'Sun, 13 Sep 20 12:26:40 GMT'),
        ('two-digit-year-69', 'Sun, 13 Sep 69 12:26:40 GMT'),
        ('two-digit-year-68', 'Sun, 13 Sep 68 12:26:40 GMT'),
        ('three-digit-year', 'Sun, 13 Sep 120 12:26:40 GMT'),
        ('year-zero', 'Sun, 13 Sep 0000 12:26:40 GMT'),
        ('far-future', 'Fri, 31 Dec 9999 23:59:59 GMT'),
        ('year-10000', 'Sat, 01 Jan 10000 00:00:00 GMT'),
        ('far-past', 'Thu, 01 Jan 1970 00:00:00 GMT'),
        ('before-epoch', 'Mon, 01 Jan 1900 00:00:00 GMT'),
        ('leap-second', 'Sun, 13 Sep 2020 12:26:60 GMT'),
        ('hour-24', 'Sun, 13 Sep 2020 24:00:00 GMT'),
        ('feb-30', 'Sun, 30 Feb 2030 12:00:00 GMT'),
        ('no-seconds', 'Sun, 13 Sep 2020 12:27 GMT'),
        ('no-seconds-earlier', 'Sun, 13 Sep 2020 12:26 GMT'),
        ('zone-plus0000', 'Sun, 13 Sep 2020 12:26:40 +0000'),
        ('zone-minus0000', 'Sun, 13 Sep 2020 12:26:40 -0000'),
        ('zone-plus0100-later', 'Sun, 13 Sep 2020 13:26:40 +0100'),
        ('zone-minus0500', 'Sun, 13 Sep 2020 12:26:40 -0500'),
        ('zone-UT', 'Sun, 13 Sep 2020 12:26:40 UT'),
        ('zone-UTC', 'Sun, 13 Sep 2020 12:26:40 UTC'),
        ('zone-Z', 'Sun, 13 Sep 2020 12:26:40 Z'),
        ('zone-lowercase-gmt', 'Sun, 13 Sep 2020 12:26:40 gmt'),
        ('zone-EST', 'Sun, 13 Sep 2020 12:26:40 EST'),
        ('zone-PDT', 'Sun, 13 Sep 2020 12:26:40 PDT'),
        ('zone-unknown', 'Sun, 13 Sep 2020 12:26:40 XYZ'),
        ('zone-colon', 'Sun, 13 Sep 2020 12:26:40 +00:00'),
        ('zone-plus0000-ltr', 'Sun, 13 Sep 2020 12:26:40 +00000'),
        ('no-zone', 'Sun, 13 Sep 2020 12:26:40'),
        ('no-zone-later', 'Sun, 13 Sep 2020 13:26:40'),
        ('lowercase-month', 'Sun, 13 sep 2020 12:26:40 GMT'),
        ('full-month', 'Sun, 13 September 2020 12:26:40 GMT'),
        ('month-first', 'Sun, Sep 13 2020 12:26:40 GMT'),
        ('no-comma', 'Sun 13 Sep 2020 12:26:40 GMT'),
        ('no-space-after-comma', 'Sun,13 Sep 2020 12:26:40 GMT'),
        ('extra-spaces', 'Sun,   13  Sep   2020   12:26:40   GMT'),
        ('tabs', 'Sun,\t13 Sep 2020\t12:26:40 GMT'),
        ('trailing-space', 'Sun, 13 Sep 2020 12:26:40 GMT '),
        ('bad-weekday', 'Xyz, 13 Sep 2020 12:26:40 GMT'),
        ('dotted-time', 'Sun, 13 Sep 2020 12.26.40 GMT'),
        ('single-digit-fields', 'Sun, 3 Sep 2030 1:2:3 GMT'),
        ('iso8601', '2020-09-13T12:26:40Z'),
        ('epoch-number', '1600000000'),
        ('empty', ''),
        ('just-weekday', 'Sun,'),
        ('date-only', '13 Sep 2020'),
        ('comment-zone', 'Sun, 13 Sep 2020 12:26:40 GMT (comment)'),
        ('year-first', 'Sun, 2020 Sep 13 12:26:40 GMT'),
        ('big-offset', 'Sun, 13 Sep 2020 12:26:40 +9999'),
        ('negative-day', 'Sun, -13 Sep 2020 12:26:40 GMT'),
        ('huge-year', 'Sun, 13 Sep 99999999999999999999 12:26:40 GMT'),
        ('unicode-digits', b'Sun, \xb9\xb3 Sep 2020 12:26:40 GMT'),
        ('am-pm', 'Sun, 13 Sep 2020 12:26:40 PM GMT'),
        ('fractional-seconds', 'Sun, 13 Sep 2020 12:26:40.999 GMT'),
        ('month-day-year', 'Sep 13 2020 12:26:40 GMT'),
        ('zone-first', 'GMT Sun, 13 Sep 2020 12:26:40'),
        ('time-before-year', 'Sun, 13 Sep 12:26:40 2020 GMT'),
        ('comment-utc', 'Sun, 13 Sep 2020 12:26:40 +0000 (UTC)'),
        ('gmt-plus', 'Sun, 13 Sep 2020 12:26:40 GMT+0100'),
        ('dash-date', 'Sun, 13-Sep-2020 12:26:40 GMT'),
        ('weekday-only-long', 'Sunday 13 Sep 2020 12:26:40 GMT')]:
    add('conditional/x-' + _slug, get('/plain.txt', headers=[('If-Modified-Since', _date)]),
        protocols=[V10])
for _name, _ims in [('before-epoch', 'Wed, 31 Dec 1969 23:59:58 GMT'),
                    ('way-before', 'Fri, 16 Aug 1906 20:26:39 GMT'),
                    ('epoch', 'Thu, 01 Jan 1970 00:00:00 GMT'),
                    ('future', 'Fri, 01 Jan 2100 00:00:00 GMT'),
                    ('far-future', 'Thu, 01 Sep 2445 00:00:00 GMT')]:
    add('conditional/x-mtime-' + _name, get('/times/%s.txt' % _name, headers=[('If-Modified-Since', _ims)]),
        protocols=[V10])
    add('conditional/x-mtime-' + _name + '-head', head('/times/%s.txt' % _name), protocols=[V10])
add('conditional/x-two-ims-first-wins', get('/plain.txt', headers=[
    ('If-Modified-Since', 'garbage'), ('If-Modified-Since', LM)]))
add('conditional/x-lowercase-header', get('/plain.txt', headers=[('if-modified-since', LM)]))
add('conditional/x-empty-if-none-match', get('/plain.txt', headers=[('If-None-Match', ''), ('If-Modified-Since', LM)]))
add('conditional/x-304-keepalive-pipelined',
    [get('/plain.txt', V11, headers=[('If-Modified-Since', LM)]),
     head('/plain.txt', V11, headers=[('If-Modified-Since', LM)]), get('/noext', V11)])
add('conditional/x-symlink-file', get('/alias.txt', headers=[('If-Modified-Since', LM)]))
add('conditional/x-cgi-ignores', get('/cgi-bin/hello.py', headers=[('If-Modified-Since', 'Fri, 31 Dec 9999 23:59:59 GMT')]), cgi=True)

# ------------------------------------------------------------------ reqline
for _slug, _raw in [
        ('trailing-space-version', b'GET /plain.txt HTTP/1.1 \r\nHost: x\r\n\r\n'),
        ('vt-separator', b'GET\x0b/plain.txt\x0bHTTP/1.0\r\n\r\n'),
        ('ff-separator', b'GET\x0c/plain.txt HTTP/1.0\r\n\r\n'),
        ('fs-separator', b'GET\x1c/plain.txt\x1dHTTP/1.0\r\n\r\n'),
        ('us-separator', b'GET\x1e/plain.txt\x1fHTTP/1.0\r\n\r\n'),
        ('nel-separator', b'GET\x85/plain.txt HTTP/1.0\r\n\r\n'),
        ('nbsp-separator', b'GET\xa0/plain.txt HTTP/1.0\r\n\r\n'),
        ('cr-in-middle', b'GET /plain.txt\rHTTP/1.0\r\n\r\n'),
        ('cr-cr-lf', b'GET /plain.txt HTTP/1.0\r\r\n\r\n'),
        ('leading-space', b' GET /plain.txt HTTP/1.0\r\n\r\n'),
        ('leading-crlf', b'\r\nGET /plain.txt HTTP/1.0\r\n\r\n'),
        ('nul-separator', b'GET\x00/plain.txt HTTP/1.0\r\n\r\n'),
        ('nul-in-method', b'G\x00T /plain.txt HTTP/1.0\r\n\r\n'),
        ('del-in-method', b'GE\x7fT / HTTP/1.0\r\n\r\n'),
        ('latin1-method', b'G\xc9T / HTTP/1.0\r\n\r\n'),
        ('soft-hyphen-method', b'G\xadT / HTTP/1.0\r\n\r\n'),
        ('quote-method', b'G\'E"T / HTTP/1.0\r\n\r\n'),
        ('single-quote-method', b"G'T / HTTP/1.0\r\n\r\n"),
        ('backslash-method', b'G\\T / HTTP/1.0\r\n\r\n'),
        ('html-method', b'<b>&amp;</b> / HTTP/1.0\r\n\r\n'),
        ('long-method', b'X' * 3000 + b' / HTTP/1.0\r\n\r\n'),
        ('method-dunder', b'__init__ / HTTP/1.0\r\n\r\n'),
        ('method-proto', b'__proto__ / HTTP/1.0\r\n\r\n'),
        ('method-constructor', b'constructor / HTTP/1.0\r\n\r\n'),
        ('method-toString', b'toString / HTTP/1.0\r\n\r\n'),
        ('method-send-head', b'send_head / HTTP/1.0\r\n\r\n'),
        ('method-empty-looking', b'do_GET / HTTP/1.0\r\n\r\n'),
        ('two-words-version-like', b'GET HTTP/1.0\r\n\r\n'),
        ('two-words-head', b'HEAD /plain.txt\r\n\r\n'),
        ('four-words', b'GET / HTTP/1.0 x\r\n\r\n'),
        ('four-words-bad-version', b'GET / x HTTP/1.0\r\n\r\n'),
        ('five-words-html', b'<a> <b> <c> <d> <e>\r\n\r\n'),
        ('version-1.10', b'GET /plain.txt HTTP/1.10\r\nHost: x\r\n\r\n'),
        ('version-0.0', b'GET /plain.txt HTTP/0.0\r\n\r\n'),
        ('version-0.10', b'GET /plain.txt HTTP/0.10\r\n\r\n'),
        ('version-1.2', b'GET /plain.txt HTTP/1.2\r\n\r\n'),
        ('version-01.01', b'GET /plain.txt HTTP/01.01\r\n\r\n'),
        ('version-ten-digits', b'GET /plain.txt HTTP/0000000001.0000000001\r\n\r\n'),
        ('version-eleven-digits', b'GET /plain.txt HTTP/00000000001.1\r\n\r\n'),
        ('version-superscript', b'GET /plain.txt HTTP/1.\xb9\r\n\r\n'),
        ('version-empty-minor', b'GET /plain.txt HTTP/1.\r\n\r\n'),
        ('version-empty-major', b'GET /plain.txt HTTP/.1\r\n\r\n'),
        ('version-only-prefix', b'GET /plain.txt HTTP/\r\n\r\n'),
        ('version-mixed-case', b'GET /plain.txt Http/1.0\r\n\r\n'),
        ('version-3.0', b'GET /plain.txt HTTP/3.0\r\n\r\n'),
        ('version-10.0', b'GET /plain.txt HTTP/10.0\r\n\r\n'),
        ('version-space-sign', b'GET /plain.txt HTTP/+1.0\r\n\r\n'),
        ('version-quote', b"GET /plain.txt HTTP/1'.0\r\n\r\n"),
        ('version-html', b'GET /plain.txt HTTP/<1>.0\r\n\r\n'),
        ('version-nul', b'GET /plain.txt HTTP/1.0\x00\r\n\r\n'),
        ('version-latin1', b'GET /plain.txt HTTP/1.0\xe9\r\n\r\n'),
        ('http09-with-query', b'GET /plain.txt?x\r\n\r\n'),
        ('http09-headers-ignored', b'GET /plain.txt\r\nConnection: keep-alive\r\n\r\n'),
        ('http09-long-header', b'GET /plain.txt\r\nX: ' + b'y' * 70000 + b'\r\n\r\n'),
        ('bad-syntax-control', b'GET /a b\x01\x7f\x9f HTTP/1.0\r\n\r\n'),
        ('bad-syntax-quotes', b'GET /a\'b "c d\r\n\r\n'),
        ('bad-syntax-backslash', b'GET /a\\b c\\ d\r\n\r\n'),
        ('bad-syntax-latin1', b'GET /a \xe9 \xff d\r\n\r\n'),
        ('bad-syntax-html', b'GET /<a> & "b" HTTP/1.0\r\n\r\n'),
        ('only-spaces', b'    \r\n'),
        ('only-tab', b'\t\r\n'),
        ('lf-lf', b'\n\n'),
        ('absolute-form-star', b'OPTIONS * HTTP/1.0\r\n\r\n'),
        ('get-star', b'GET * HTTP/1.0\r\n\r\n'),
        ('uri-just-under', b'GET /' + b'a' * (65536 - len(b'GET / HTTP/1.0\r\n') - 1) + b' HTTP/1.0\r\n\r\n'),
        ('uri-one-over-lf', b'GET /' + b'a' * (65536 - len(b'GET / HTTP/1.0\n') + 1) + b' HTTP/1.0\n\n'),
        ('uri-at-limit-lf', b'GET /' + b'a' * (65536 - len(b'GET / HTTP/1.0\n')) + b' HTTP/1.0\n\n')]:
    add('reqline/x-' + _slug, _raw)
_ALL = bytes(b for b in range(0x21, 0x100) if b not in (0x85, 0xa0))
add('reqline/x-all-bytes-version', b'GET /plain.txt HTTP/1.' + _ALL + b'\r\n\r\n')
add('reqline/x-all-bytes-method', _ALL + b' /plain.txt HTTP/1.0\r\n\r\n')
add('reqline/x-all-bytes-syntax', b'GET /a ' + _ALL + b' HTTP/1.0\r\n\r\n')
add('reqline/x-all-bytes-http09-method', _ALL + b' /plain.txt\r\n\r\n')
add('reqline/x-all-bytes-path', b'GET /' + _ALL.replace(b'?', b'').replace(b'#', b'') + b' HTTP/1.0\r\n\r\n')
add('reqline/x-http09-pipelined-after-11', [get('/plain.txt', V11), b'GET /noext\r\n\r\n'])
add('reqline/x-error-http11-keepalive', b'GET / HTTP/1.1 x\r\nHost: x\r\n\r\nGET /plain.txt HTTP/1.1\r\n\r\n',
    responses=1)

# ------------------------------------------------------------------ headers
for _slug, _raw in [
        ('no-space-after-colon', b'GET /plain.txt HTTP/1.1\r\nConnection:close\r\n\r\n'),
        ('space-before-colon', b'GET /plain.txt HTTP/1.1\r\nConnection : close\r\n\r\n'),
        ('tab-before-value', b'GET /plain.txt HTTP/1.1\r\nConnection:\tclose\r\n\r\n'),
        ('trailing-space-value', b'GET /plain.txt HTTP/1.1\r\nConnection: close \r\n\r\n'),
        ('trailing-tab-value', b'GET /plain.txt HTTP/1.1\r\nConnection: close\t\r\n\r\n'),
        ('upper-close', b'GET /plain.txt HTTP/1.1\r\nCONNECTION: CLOSE\r\n\r\n'),
        ('mixed-close', b'GET /plain.txt HTTP/1.1\r\nconnection: Close\r\n\r\n'),
        ('close-token-list', b'GET /plain.txt HTTP/1.1\r\nConnection: keep-alive, close\r\n\r\n'),
        ('close-first-in-list', b'GET /plain.txt HTTP/1.1\r\nConnection: close, TE\r\n\r\n'),
        ('empty-connection', b'GET /plain.txt HTTP/1.1\r\nConnection:\r\n\r\n'),
        ('keepalive-http10-upper', b'GET /plain.txt HTTP/1.0\r\nConnection: KEEP-ALIVE\r\n\r\n'),
        ('keepalive-with-spaces', b'GET /plain.txt HTTP/1.0\r\nConnection:   keep-alive\r\n\r\n'),
        ('connection-after-bad-line', b'GET /plain.txt HTTP/1.1\r\nBad Line\r\nConnection: close\r\n\r\n'),
        ('connection-after-space-name', b'GET /plain.txt HTTP/1.1\r\nX Y: z\r\nConnection: close\r\n\r\n'),
        ('connection-after-colon-start', b'GET /plain.txt HTTP/1.1\r\n: empty name\r\nConnection: close\r\n\r\n'),
        ('first-line-continuation', b'GET /plain.txt HTTP/1.1\r\n continued\r\nConnection: close\r\n\r\n'),
        ('connection-folded', b'GET /plain.txt HTTP/1.1\r\nConnection:\r\n close\r\n\r\n'),
        ('connection-folded-tab', b'GET /plain.txt HTTP/1.1\r\nConnection: keep-alive\r\n\tclose\r\n\r\n'),
        ('bare-cr-splits', b'GET /plain.txt HTTP/1.1\r\nX-A: a\rConnection: close\r\n\r\n'),
        ('bare-cr-end', b'GET /plain.txt HTTP/1.1\r\nConnection: close\r\r\n\r\n'),
        ('lf-headers', b'GET /plain.txt HTTP/1.1\nHost: x\nConnection: close\n\n'),
        ('mixed-line-ends', b'GET /plain.txt HTTP/1.1\r\nHost: x\nConnection: close\r\n\n'),
        ('from-line', b'GET /plain.txt HTTP/1.1\r\nFrom nobody Mon Jan  1 00:00:00 2020\r\nConnection: close\r\n\r\n'),
        ('from-header', b'GET /plain.txt HTTP/1.1\r\nFrom: a@b\r\nConnection: close\r\n\r\n'),
        ('odd-name-bytes', b'GET /plain.txt HTTP/1.1\r\nX-\xe9\x00\x7f: v\r\nConnection: close\r\n\r\n'),
        ('name-with-tab', b'GET /plain.txt HTTP/1.1\r\nX\tY: v\r\nConnection: close\r\n\r\n'),
        ('name-with-semicolon', b'GET /plain.txt HTTP/1.1\r\nX;Y: v\r\nConnection: close\r\n\r\n'),
        ('value-with-nul', b'GET /plain.txt HTTP/1.1\r\nX: a\x00b\r\nConnection: close\r\n\r\n'),
        ('value-non-latin1-bytes', b'GET /plain.txt HTTP/1.1\r\nX: \xff\xfe\x80\r\nConnection: close\r\n\r\n'),
        ('connection-latin1', b'GET /plain.txt HTTP/1.1\r\nConnection: clos\xe9\r\n\r\n'),
        ('connection-nbsp', b'GET /plain.txt HTTP/1.1\r\nConnection: close\xa0\r\n\r\n'),
        ('connection-dotless-i', b'GET /plain.txt HTTP/1.1\r\nConnection: keep-al\xefve\r\n\r\n'),
        ('header-exactly-65536', b'GET /plain.txt HTTP/1.0\r\nX: ' + b'y' * (65536 - 5) + b'\r\n\r\n'),
        ('header-65537', b'GET /plain.txt HTTP/1.0\r\nX: ' + b'y' * (65537 - 5) + b'\r\n\r\n'),
        ('header-65536-lf', b'GET /plain.txt HTTP/1.0\r\nX: ' + b'y' * (65536 - 4) + b'\n\n'),
        ('header-limit-lf-ends', b'GET /plain.txt HTTP/1.0\n' + b'X: y\n' * 99 + b'\n'),
        ('header-limit-100-lf', b'GET /plain.txt HTTP/1.0\n' + b'X: y\n' * 100 + b'\n'),
        ('many-long-headers', b'GET /plain.txt HTTP/1.0\r\n' + (b'X-Long: ' + b'z' * 60000 + b'\r\n') * 20 + b'\r\n'),
        ('connection-second-is-close', b'GET /plain.txt HTTP/1.1\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n'),
        ('unicode-name-header', b'GET /plain.txt HTTP/1.1\r\n\xc3\xa9: v\r\nConnection: close\r\n\r\n'),
        ('empty-name-value', b'GET /plain.txt HTTP/1.1\r\n:\r\nConnection: close\r\n\r\n'),
        ('colon-only-name', b'GET /plain.txt HTTP/1.1\r\n::\r\nConnection: close\r\n\r\n')]:
    add('headers/x-' + _slug, _raw)
add('headers/x-blank-line-only-crcr', b'GET /plain.txt HTTP/1.0\r\n\r\r\n', timeout=1,
    notes='"\\r\\r\\n" is not the blank line: the server waits for more header lines.')
add('headers/x-folds-count-toward-100', b'GET /plain.txt HTTP/1.0\r\n' + b'X: y\r\n' * 97 + b'X: a\r\n b\r\n c\r\n\r\n')
add('headers/x-folds-99-lines', b'GET /plain.txt HTTP/1.0\r\n' + b'X: y\r\n' * 96 + b'X: a\r\n b\r\n c\r\n\r\n')
add('headers/x-long-fold', b'GET /plain.txt HTTP/1.0\r\nX: a\r\n ' + b'b' * 65540 + b'\r\n\r\n')
add('headers/x-101-lf-http11', b'GET / HTTP/1.1\n' + b'X: y\n' * 101 + b'\n')
add('headers/x-431-keepalive', [get('/plain.txt', V11, headers=[('X', 'y')] * 100), get('/noext', V11)], responses=1)

# ------------------------------------------------------------------ expect
for _slug, _ver, _value in [
        ('capital', V11, '100-Continue'),
        ('upper', V11, '100-CONTINUE'),
        ('trailing-space', V11, '100-continue '),
        ('list', V11, '100-continue, foo'),
        ('other', V11, '200-ok'),
        ('empty', V11, ''),
        ('version-01.1', 'HTTP/01.1', '100-continue'),
        ('version-1.10', 'HTTP/1.10', '100-continue'),
        ('version-1.2', 'HTTP/1.2', '100-continue'),
        ('version-1.0', V10, '100-continue')]:
    add('connection/x-expect-' + _slug, get('/plain.txt', _ver, headers=[('Expect', _value)], host=True))
add('connection/x-expect-head', head('/plain.txt', V11, headers=[('Expect', '100-continue')]))
add('connection/x-expect-404', get('/missing', V11, headers=[('Expect', '100-continue')]))
add('connection/x-expect-501', req('PUT', '/x', V11, headers=[('Expect', '100-continue'), ('Content-Length', '3')], body=b'abc'))
add('connection/x-expect-twice', get('/plain.txt', V11, headers=[('Expect', 'foo'), ('Expect', '100-continue')]))
add('connection/x-expect-pipelined', [get('/plain.txt', V11, headers=[('Expect', '100-continue')]),
                                      get('/noext', V11, headers=[('Expect', '100-continue')])], responses=4)
add('connection/x-expect-cgi-post-http10-server', post('/cgi-bin/echo.py', b'xyz', V11,
    headers=[('Expect', '100-continue')]), cgi=True, protocols=[V10])

# ------------------------------------------------------------------ connection
add('connection/x-twenty-pipelined', [get('/plain.txt', V11), head('/noext', V11)] * 10)
add('connection/x-range-ignored', get('/plain.txt', V11, headers=[('Range', 'bytes=0-1')]))
add('connection/x-ims-on-404', get('/missing', headers=[('If-Modified-Since', LM)]))
add('connection/x-ims-on-redirect', get('/no-index', headers=[('If-Modified-Since', LM)]))
add('connection/x-uri-crlf-straddle', b'GET /' + b'a' * (65537 - len(b'GET / HTTP/1.0\r\n')) + b' HTTP/1.0\r\n\r\n')
add('connection/x-uri-over-http09', b'GET /' + b'a' * 70000 + b'\r\n\r\n')
add('connection/x-http11-keepalive-on-404-then', [get('/missing', V11, headers=[('Connection', 'keep-alive')]), get('/plain.txt', V11)], responses=1)
add('connection/x-head-404-keepalive', [head('/missing', V11), get('/plain.txt', V11)], responses=1)
add('connection/x-head-dir-then-get', [head('/no-index/', V11), get('/plain.txt', V11)])
add('connection/x-head-redirect-then-get', [head('/no-index', V11), head('/with-index-html/', V11), get('/noext', V11)])
add('connection/x-three-mixed', [get('/plain.txt', V11, headers=[('If-Modified-Since', LM)]), get('/no-index', V11), head('/', V11), get('/noext', V11, headers=[('Connection', 'close')]), get('/plain.txt', V11)], responses=4)
add('connection/x-http10-then-http11', [get('/plain.txt', V10, headers=[('Connection', 'keep-alive')]), get('/noext', V11), get('/plain.txt', V10)])
add('connection/x-keepalive-http10-request-http11', [get('/plain.txt', V10, headers=[('Connection', 'keep-alive')]), get('/noext', V10, headers=[('Connection', 'keep-alive')]), get('/plain.txt', V10)])
add('connection/x-501-keepalive', [req('FOO', '/', V11), get('/plain.txt', V11)], responses=1)
add('connection/x-unknown-with-body', req('FOO', '/', V11, headers=[('Content-Length', '4')], body=b'abcd'))
add('connection/x-put-body-http10', req('PUT', '/plain.txt', V10, headers=[('Content-Length', '4')], body=b'abcd'))
add('connection/x-split-request', [b'GET /plain', b'.txt HTTP/1.0\r\n', b'X: y\r\n', b'\r\n'], mode='split', gap=0.1)
add('connection/x-split-headers-keepalive', [b'GET /plain.txt HTTP/1.1\r\nHost: x\r\n', b'\r\nGET /noext HTTP/1.1\r\n\r\n'], mode='split', gap=0.1, responses=2, methods=[b'GET', b'GET'])
add('connection/x-sequential-three', [get('/plain.txt', V11), head('/no-index/', V11), get('/missing', V11)], mode='sequential')
add('connection/x-half-close-after-request', get('/plain.txt', V11), shutdown=True)
add('connection/x-half-close-mid-headers', b'GET /plain.txt HTTP/1.0\r\nX: y\r\n', shutdown=True)
add('connection/x-half-close-keepalive-pipelined', [get('/plain.txt', V11), get('/noext', V11)], shutdown=True)
add('connection/x-get-body-http10', get('/plain.txt', V10, headers=[('Content-Length', '5')], body=b'hello'))
add('connection/x-body-is-request', get('/plain.txt', V11, headers=[('Content-Length', '28')], body=b'GET /noext HTTP/1.1\r\nHost: x\r\n\r\n'), responses=2)
add('connection/x-pipelined-http09', [get('/plain.txt', V11), b'GET /noext\r\n\r\n'])
add('connection/x-pipelined-bad-request', [get('/plain.txt', V11), b'GARBAGE\r\n\r\n', get('/noext', V11)], responses=2)
add('connection/x-pipelined-empty-lines', get('/plain.txt', V11) + b'\r\n\r\n' + get('/noext', V11), responses=1)

# ------------------------------------------------------------------ methods
add('methods/x-head-dir-listing', head('/no-index/'))
add('methods/x-head-redirect', head('/no-index?x'))
add('methods/x-head-missing-http11', head('/missing', V11))
add('methods/x-head-index', head('/with-index-html/'))
add('methods/x-head-star', head('*'))
add('methods/x-head-http11-then-get', [head('/plain.txt', V11), get('/plain.txt', V11)])
add('methods/x-post-static-cgi-http10', post('/plain.txt', b'x'), cgi=True)
add('methods/x-post-listing-cgi', post('/no-index/', b'x'), cgi=True)
add('methods/x-post-redirect-cgi', post('/no-index', b'x'), cgi=True)
add('methods/x-put-cgi', req('PUT', '/cgi-bin/env.py'), cgi=True)
add('methods/x-lowercase-post-cgi', req('post', '/cgi-bin/env.py'), cgi=True)
add('methods/x-lowercase-head', req('head', '/plain.txt'))
add('methods/x-get-space-version', b'GET /plain.txt  HTTP/1.0 \r\n\r\n')
add('methods/x-very-long-unknown', req('Z' * 60000, '/'))

# ------------------------------------------------------------------ cgi
_ENVL = '/cgi-bin/envlist.py'
def _b64(s):
    return base64.b64encode(s).decode('ascii')
for _slug, _request in [
        ('auth-basic-user', get(_ENVL, headers=[('Authorization', 'Basic ' + _b64(b'user:pass'))])),
        ('auth-basic-lower', get(_ENVL, headers=[('Authorization', 'basic ' + _b64(b'u:p'))])),
        ('auth-basic-no-colon', get(_ENVL, headers=[('Authorization', 'Basic ' + _b64(b'useronly'))])),
        ('auth-basic-two-colons', get(_ENVL, headers=[('Authorization', 'Basic ' + _b64(b'a:b:c'))])),
        ('auth-basic-empty-user', get(_ENVL, headers=[('Authorization', 'Basic ' + _b64(b':p'))])),
        ('auth-basic-bad-padding', get(_ENVL, headers=[('Authorization', 'Basic dXNlcjpwYXN')])),
        ('auth-basic-junk-chars', get(_ENVL, headers=[('Authorization', 'Basic dXNl!cjpw*YXNz')])),
        ('auth-basic-nonascii-decoded', get(_ENVL, headers=[('Authorization', 'Basic ' + _b64(b'\xe9:p'))])),
        ('auth-basic-nonascii-token', get(_ENVL, headers=[('Authorization', b'Basic dXNlcjpwYXNz\xe9')])),
        ('auth-bearer', get(_ENVL, headers=[('Authorization', 'Bearer abc.def')])),
        ('auth-one-word', get(_ENVL, headers=[('Authorization', 'Basic')])),
        ('auth-three-words', get(_ENVL, headers=[('Authorization', 'Basic a b')])),
        ('auth-empty', get(_ENVL, headers=[('Authorization', '')])),
        ('auth-extra-spaces', get(_ENVL, headers=[('Authorization', '  Basic   ' + _b64(b'x:y') + '  ')])),
        ('auth-twice', get(_ENVL, headers=[('Authorization', 'Bearer one'), ('Authorization', 'Basic ' + _b64(b'a:b'))])),
        ('content-type-empty', get(_ENVL, headers=[('Content-Type', '')])),
        ('content-type-params', get(_ENVL, headers=[('Content-Type', 'text/plain; charset="utf-8"')])),
        ('content-type-twice', get(_ENVL, headers=[('Content-Type', 'a/b'), ('Content-Type', 'c/d')])),
        ('content-type-odd', get(_ENVL, headers=[('content-TYPE', '  weird  ')])),
        ('content-length-nonnumeric', get(_ENVL, headers=[('Content-Length', 'abc')])),
        ('content-length-empty', get(_ENVL, headers=[('Content-Length', '')])),
        ('content-length-twice', get(_ENVL, headers=[('Content-Length', '1'), ('Content-Length', '2')])),
        ('accept-list', get(_ENVL, headers=[('Accept', 'text/html, text/plain'), ('Accept', ' */*')])),
        ('accept-empty', get(_ENVL, headers=[('Accept', '')])),
        ('accept-folded', b'GET ' + _ENVL.encode() + b' HTTP/1.0\r\nAccept: a/b,\r\n c/d\r\n\r\n'),
        ('accept-three', get(_ENVL, headers=[('Accept', 'a'), ('accept', 'b'), ('ACCEPT', 'c')])),
        ('cookie-empty', get(_ENVL, headers=[('Cookie', '')])),
        ('cookie-empty-and-value', get(_ENVL, headers=[('Cookie', ''), ('Cookie', 'x=1'), ('Cookie', '')])),
        ('cookie-three', get(_ENVL, headers=[('Cookie', 'a=1'), ('Cookie', 'b=2; c=3'), ('Cookie', 'd')])),
        ('ua-empty', get(_ENVL, headers=[('User-Agent', '')])),
        ('ua-twice', get(_ENVL, headers=[('User-Agent', 'one'), ('User-Agent', 'two')])),
        ('referer-twice', get(_ENVL, headers=[('Referer', ''), ('Referer', 'b')])),
        ('referer-latin1', get(_ENVL, headers=[('Referer', b'http://\xe9.test/')])),
        ('proxy-header', get(_ENVL, headers=[('Proxy', 'http://evil:1')])),
        ('host-header', get(_ENVL, headers=[('Host', 'a.test')])),
        ('all-together', get(_ENVL, headers=[('Accept', 'x/y'), ('User-Agent', 'u'), ('Cookie', 'c=1'),
                                             ('Referer', 'r'), ('Content-Type', 't/t'), ('Content-Length', '0'),
                                             ('Authorization', 'Digest x')])),
        ('query-plus-equals', get(_ENVL + '?a=1+2&b=%3D%25')),
        ('query-percent-raw', get(_ENVL + '?%zz%')),
        ('query-empty', get(_ENVL + '?')),
        ('query-hash', get(_ENVL + '?a=1#frag')),
        ('query-latin1-raw', get(_ENVL.encode() + b'?\xe9=\xff')),
        ('query-question-in-path-info', get(_ENVL + '/p?q?r')),
        ('fragment-in-script', get(_ENVL + '#frag')),
        ('path-info-slash', get(_ENVL + '/')),
        ('path-info-double-slash', get(_ENVL + '//a//b')),
        ('path-info-double-escape', get(_ENVL + '/%2541%252F')),
        ('path-info-encoded-slash', get(_ENVL + '/a%2Fb')),
        ('path-info-latin1', get(_ENVL + '/%E9')),
        ('path-info-plus', get(_ENVL + '/a+b')),
        ('path-info-dot-segments', get(_ENVL + '/./a/../b')),
        ('path-info-dotdot-above', get(_ENVL + '/../../x')),
        ('path-info-semicolon', get(_ENVL + ';x/y')),
        ('script-encoded-name', get('/cgi-bin/%65nvlist.py')),
        ('script-percent-name', get('/cgi-bin/100%25.py/pi?q')),
        ('script-unicode-name', get('/cgi-bin/caf%C3%A9.py')),
        ('script-noext', get('/cgi-bin/noext/x?y')),
        ('script-deep', get('/cgi-bin/a/b/deep.py/more/path?x=1')),
        ('script-deep-dir-only', get('/cgi-bin/a/b')),
        ('script-deep-dir-slash', get('/cgi-bin/a/b/')),
        ('script-deep-missing', get('/cgi-bin/a/b/nothere.py')),
        ('htbin-sub', get('/htbin/sub/x.py/pi')),
        ('nph', get('/cgi-bin/nph-test.py')),
        ('status-redirect', get('/cgi-bin/redirect.py')),
        ('silent', get('/cgi-bin/silent.py')),
        ('head-env', head(_ENVL + '?h=1')),
        ('head-silent', head('/cgi-bin/silent.py')),
        ('post-no-length', post('/cgi-bin/echo.py', b'', length=False)),
        ('post-zero-length', post('/cgi-bin/echo.py', b'')),
        ('post-length-shorter', post('/cgi-bin/echo.py', b'abcdef', length=False, headers=[('Content-Length', '3')])),
        ('post-length-plus', post('/cgi-bin/echo.py', b'abc', length=False, headers=[('Content-Length', '+3')])),
        ('post-length-spaces', post('/cgi-bin/echo.py', b'abc', length=False, headers=[('Content-Length', ' 3 ')])),
        ('post-length-underscore', post('/cgi-bin/echo.py', b'abcdefghijk', length=False, headers=[('Content-Length', '1_0')])),
        ('post-length-hex', post('/cgi-bin/echo.py', b'abcdefghijklmnopq', length=False, headers=[('Content-Length', '0x10')])),
        ('post-length-octal-like', post('/cgi-bin/echo.py', b'abcdefghijkl', length=False, headers=[('Content-Length', '010')])),
        ('post-length-float', post('/cgi-bin/echo.py', b'abc', length=False, headers=[('Content-Length', '2.0')])),
        ('post-length-exp', post('/cgi-bin/echo.py', b'abc', length=False, headers=[('Content-Length', '1e1')])),
        ('post-length-superscript', post('/cgi-bin/echo.py', b'abc', length=False, headers=[('Content-Length', b'\xb3')])),
        ('post-length-tab', post('/cgi-bin/echo.py', b'abc', length=False, headers=[('Content-Length', '\t2\t')])),
        ('post-length-twice', b'POST /cgi-bin/echo.py HTTP/1.0\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nabcde'),
        ('post-content-type-form', post('/cgi-bin/envlist.py', b'a=1', content_type='application/x-www-form-urlencoded')),
        ('post-big', post('/cgi-bin/echo.py', bytes(range(256)) * 800, content_type='application/octet-stream')),
        ('post-query-argv', post('/cgi-bin/args.py?a+b', b'z')),
        ('post-to-envlist-query', post(_ENVL + '?x=y', b'zz')),
        ('args-empty-query', get('/cgi-bin/args.py?')),
        ('args-no-query', get('/cgi-bin/args.py')),
        ('args-plus-and-percent', get('/cgi-bin/args.py?a+b%20c%2Bd')),
        ('args-encoded-equals', get('/cgi-bin/args.py?a%3Db')),
        ('args-spaces-only', get('/cgi-bin/args.py?+++')),
        ('args-latin1', get(b'/cgi-bin/args.py?\xe9')),
        ('args-dash', get('/cgi-bin/args.py?--help')),
        ('env-full-path-info-query', get('/cgi-bin/env.py/x%20y/z?k=v&w')),
        ('env-htbin-head', head('/htbin/env.py')),
        ('env-encoded-cgi-dir', get('/%63gi-bin/env.py')),
        ('env-dot-cgi-dir', get('/./cgi-bin/env.py')),
        ('env-post-typed', post('/cgi-bin/env.py', b'q', content_type='multipart/form-data; boundary=x')),
        ('cgi-dir-trailing-dot', get('/cgi-bin/.')),
        ('cgi-dir-query', get('/cgi-bin?x')),
        ('cgi-dir-slash-query', get('/cgi-bin/?x')),
        ('script-trailing-slash', get('/cgi-bin/hello.py/')),
        ('script-dir-py-with-slash', get('/cgi-bin/dir.py/')),
        ('script-encoded-slash-after', get('/cgi-bin/hello.py%2Fx')),
        ('htbin-no-slash', get('/htbin')),
        ('missing-nonlatin1-name', get('/cgi-bin/%E2%82%AC.py')),
        ('missing-latin1-name', get('/cgi-bin/%C3%A9.py'))]:
    add('cgi/x-' + _slug, _request, cgi=True)
add('cgi/x-post-negative-length', post('/cgi-bin/echo.py', b'abc', length=False, headers=[('Content-Length', '-1')]),
    cgi=True, expect='safe-divergence-allowed', allowed=[400],
    notes='CPython runs the script with the connection as stdin (a script reading to EOF then '
          'waits on the client); Servedir answers 400 in every mode (PORT NOTE 18, pinned by '
          'test/attack/cgi.test.ts for the CLI default too).')
add('cgi/x-encoded-question-in-path-info', get('/cgi-bin/envlist.py/a%3Fb?c'), cgi=True,
    notes='_url_collapse_path unquotes before run_cgi splits off the query: %3F becomes a separator.')
add('cgi/x-encoded-question-in-script', get('/cgi-bin/envlist%2Epy%3Fx=1'), cgi=True)
add('cgi/x-encoded-hash-in-path-info', get('/cgi-bin/envlist.py/a%23b?c#d'), cgi=True)
add('cgi/x-encoded-percent-query', get('/cgi-bin/args.py/p%253F?%3F'), cgi=True)
add('cgi/x-post-then-pipelined-get', [post('/cgi-bin/echo.py', b'abc', V11), get('/plain.txt', V11)], cgi=True,
    protocols=[V11], responses=1,
    notes='The pipelined GET arrives with the body; what the script leaves unread is thrown away.')
add('cgi/x-raw-latin1-script', get(b'/cgi-bin/caf\xe9.py/p\xe9?q=\xe9'), cgi=True)
add('cgi/x-raw-utf8-script', get(b'/cgi-bin/caf\xc3\xa9.py'), cgi=True)
add('cgi/x-head-http11-close', head('/cgi-bin/env.py', V11, headers=[('Connection', 'close')]), cgi=True)
add('cgi/x-range-ignored', get('/cgi-bin/hello.py', headers=[('Range', 'bytes=0-1')]), cgi=True)
add('cgi/x-pipelined-http10-keepalive', [get('/cgi-bin/hello.py', headers=[('Connection', 'keep-alive')]), get('/plain.txt')], cgi=True, responses=1)
add('cgi/x-stdin-all-shutdown', post('/cgi-bin/stdin-all.py', b'hello', length=False), cgi=True, shutdown=True)
add('cgi/x-keepalive-http11', get('/cgi-bin/hello.py', V11), cgi=True, protocols=[V11])
add('cgi/x-keepalive-http11-close', get('/cgi-bin/hello.py', V11, headers=[('Connection', 'close')]), cgi=True)
add('cgi/x-post-http11-keepalive', post('/cgi-bin/echo.py', b'hi', V11), cgi=True, protocols=[V11])
add('cgi/x-pipelined-static-then-cgi', [get('/plain.txt', V11), get('/cgi-bin/hello.py', V11, headers=[('Connection', 'close')])], cgi=True)
add('cgi/x-head-http10-server', head('/cgi-bin/env.py'), cgi=True, protocols=[V10])

# ------------------------------------------------------------------ cgipath
for _slug, _target, _extra in [
        ('dotdot-inside-cgi', '/cgi-bin/child-dir/../hello.py', {}),
        ('trailing-dot', '/cgi-bin/hello.py/.', {}),
        ('trailing-dotdot', '/cgi-bin/hello.py/..', {}),
        ('query-with-dotdot', '/cgi-bin/qs.py?../../x', {}),
        ('query-with-slashes', '/cgi-bin/qs.py?//a/./b/../c', {}),
        ('encoded-dotdot', '/cgi-bin/%2E%2E/cgi-bin/hello.py', {}),
        ('backslash', '/cgi-bin\\hello.py', {}),
        ('encoded-backslash', '/cgi-bin%5Chello.py', {}),
        ('htbin-dotdot-cgi-bin', '/htbin/../cgi-bin/hello.py', {}),
        ('upper-htbin', '/HTBIN/hello.py', {}),
        ('prefix-not-dir', '/cgi-binx/hello.py', {}),
        ('sub-cgi-bin', '/no-index/cgi-bin/hello.py', {}),
        ('dot-prefix', '/./cgi-bin/./child-dir/./nested.py', {}),
        ('many-slashes-query', '/cgi-bin///qs.py?a//b', {}),
        ('dotdot-in-query-above', '/cgi-bin/qs.py?/../../../', {}),
        ('above-root-via-nested', '/cgi-bin/child-dir/../../../x',
         {'expect': 'safe-divergence-allowed', 'allowed': [400, 403, 404], 'forbid': SECRET}),
        ('static-dotdot-above-root', '/no-index/../../plain.txt',
         {'expect': 'safe-divergence-allowed', 'allowed': [400, 403, 404]}),
        ('dotdot-exact-root', '/no-index/..', {}),
        ('empty-query-dotdot', '/..?', {'expect': 'safe-divergence-allowed', 'allowed': [301, 400, 404]})]:
    add('cgipath/x-' + _slug, get(_target), cgi=True, **_extra)
