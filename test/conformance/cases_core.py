"""Core conformance cases: one or two per behaviour of http.server the fixture (fixture.py)
was built to show. cases_extra.py goes deeper in every area.

Every case passes against the oracle itself (runner.py --candidate oracle).
"""

from caselib import SECRET, case, get, head, post, req

V10, V11 = 'HTTP/1.0', 'HTTP/1.1'
LAST_MODIFIED = 'Sun, 13 Sep 2020 12:26:40 GMT'     # plain.txt (its mtime has .75 s more)

CASES = []


def add(name, request, **kw):
    CASES.append(case(name, request, **kw))


# static files, the large one included, and their types
for _slug, _target in [('plain', '/plain.txt'), ('noext', '/noext'), ('html', '/page.html'),
                       ('css', '/style.css'), ('js', '/app.js'), ('json', '/data.json'),
                       ('png', '/pixel.png'), ('upper-ext', '/UPPER.TXT'), ('gz', '/text.txt.gz'),
                       ('big', '/big.bin'), ('py-outside-cgi', '/not-cgi.py')]:
    add('static/' + _slug, get(_target))
add('static/big-head', head('/big.bin'))
add('static/big-keepalive-then-plain', [get('/big.bin', V11), get('/plain.txt', V11)])
add('static/missing', get('/nothing-here'))
add('static/file-with-slash', get('/plain.txt/'))
add('static/query-and-fragment', get('/plain.txt?a=1#top'))

# hostile names, dotfiles, folders with odd names
for _slug, _target in [('space', '/with%20space.txt'), ('e-acute', '/caf%C3%A9.txt'),
                       ('cjk', '/%E6%97%A5%E6%9C%AC.txt'), ('percent', '/100%25.txt'),
                       ('markup', '/amp%26%3Clt%3E%22q%27.txt'), ('dotfile', '/.dotfile'),
                       ('hidden-dir', '/.hiddendir/in.txt'),
                       ('unicode-dir', '/%C3%BCn%C3%AFc%C3%B6d%C3%A9/f%C3%ACl%C3%A9.txt'),
                       ('bad-escape', '/100%.txt')]:
    add('names/' + _slug, get(_target))

# listings, redirects, index pages
for _slug, _target in [('root', '/'), ('no-index', '/no-index/'), ('hidden', '/.hiddendir/'),
                       ('unicode', '/%C3%BCn%C3%AFc%C3%B6d%C3%A9/'), ('empty', '/empty-dir/'),
                       ('symlinked', '/alias-dir/'), ('index-is-dir', '/index-html-is-dir/')]:
    add('listing/' + _slug, get(_target))
add('listing/root-cgi', get('/'), cgi=True)
add('redirect/folder', get('/no-index'))
add('redirect/folder-query', get('/no-index?x=1#f'))
add('redirect/double-slash', get('//example.test/../no-index'))
add('index/html', get('/with-index-html/'))
add('index/htm', head('/with-index-htm/', V11))

# links: inside the root they are followed; out of it CPython follows them too, Servedir
# may refuse (403/404) but must never send the secret
add('links/inside', get('/alias.txt'))
add('links/dangling', get('/dangling'))
for _slug, _target in [('file-out-of-root', '/to-secret.txt'), ('dir-out-of-root', '/to-outside/secret.txt')]:
    add('links/' + _slug, get(_target), expect='safe-divergence-allowed', allowed=[403, 404], forbid=SECRET)
add('traversal/dotdot', get('/../outside/secret.txt'), forbid=SECRET)
add('traversal/encoded', get('/%2e%2e/%2E%2E/outside/secret.txt'), forbid=SECRET)

# If-Modified-Since
add('conditional/equal', get('/plain.txt', headers=[('If-Modified-Since', LAST_MODIFIED)]))
add('conditional/earlier', get('/plain.txt', headers=[('If-Modified-Since', 'Sun, 13 Sep 2020 12:26:39 GMT')]))
add('conditional/garbage', get('/plain.txt', headers=[('If-Modified-Since', 'yesterday')]))

# request lines, headers, methods, errors
add('reqline/http09', b'GET /plain.txt\r\n')
add('reqline/bad-version', b'GET /plain.txt HTTP/2.0\r\n\r\n')
add('reqline/too-long', get('/' + 'x' * 70000))
add('reqline/bad-request', b'GET\r\n\r\n')
add('headers/too-many', get('/plain.txt', headers=[('X-N', '1')] * 101))
add('headers/line-too-long', get('/plain.txt', headers=[('X-Long', 'y' * 66000)]))
add('methods/unsupported', req('DELETE', '/plain.txt'))
add('methods/post-static', post('/plain.txt', b'x'))
add('methods/head-listing', head('/no-index/', V11))

# connections: keep-alive, pipelining, split and sequential sends, Expect
add('connection/pipelined', [get('/plain.txt', V11), head('/noext', V11), get('/missing', V11)])
add('connection/sequential', [get('/plain.txt', V11), get('/no-index', V11)], mode='sequential')
add('connection/split', [b'GET /pla', b'in.txt HTTP/1.1\r\nHost: x\r\n', b'\r\n'], mode='split', gap=0.1)
add('connection/close', get('/plain.txt', V11, headers=[('Connection', 'close')]))
add('connection/keep-alive-http10', [get('/plain.txt', headers=[('Connection', 'keep-alive')]), get('/noext')])
add('connection/expect-100', get('/plain.txt', V11, headers=[('Expect', '100-continue')]))
add('connection/half-close', get('/plain.txt', V11), shutdown=True)

# CGI: environment, input, output shapes, failures
add('cgi/hello', get('/cgi-bin/hello.py'), cgi=True)
add('cgi/env', get('/cgi-bin/env.py/path/info?a=1&b', headers=[('Accept', 'text/plain'),
                                                              ('User-Agent', 'conformance'),
                                                              ('Cookie', 'c=1')]), cgi=True)
add('cgi/env-post', post('/cgi-bin/env.py', b'k=v', content_type='application/x-www-form-urlencoded'), cgi=True)
add('cgi/env-htbin', get('/htbin/env.py'), cgi=True)
add('cgi/echo', post('/cgi-bin/echo.py', bytes(range(256)) * 40), cgi=True)
add('cgi/query', get('/cgi-bin/qs.py?x=%20y&z'), cgi=True)
add('cgi/argv', get('/cgi-bin/args.py?one+two'), cgi=True)
for _script in ('status', 'fail', 'crash', 'stderr', 'binary', 'big', 'raw'):
    add('cgi/' + _script, get('/cgi-bin/%s.py' % _script), cgi=True)
add('cgi/shell', get('/cgi-bin/hello.sh'), cgi=True)
add('cgi/head', head('/cgi-bin/hello.py'), cgi=True)
add('cgi/not-executable', get('/cgi-bin/not-executable.py'), cgi=True)
add('cgi/data-file', get('/cgi-bin/data.txt'), cgi=True)
add('cgi/folder-as-script', get('/cgi-bin/dir.py'), cgi=True)
add('cgi/nested', get('/cgi-bin/child-dir/nested.py'), cgi=True)
add('cgi/missing', get('/cgi-bin/nothing.py'), cgi=True)
add('cgi/listing-refused', get('/cgi-bin/'), cgi=True)
add('cgi/not-a-cgi-dir', get('/sub/cgi-bin/hello.py'), cgi=True)
add('cgi/off', get('/cgi-bin/hello.py'))
add('cgi/keepalive-http11', get('/cgi-bin/hello.py', V11), cgi=True, protocols=[V11])
add('cgi/escape-above-root', get('/cgi-bin/../../outside/secret.txt'), cgi=True,
    expect='safe-divergence-allowed', allowed=[400, 403, 404, 'no-response'], forbid=SECRET)
