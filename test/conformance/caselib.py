"""Helpers for writing conformance cases (see runner.py for what a case may say).

A case is a dict built with case(name, request, **options); the request is raw bytes, or a
list of byte segments. The helpers below build request bytes; anything else (bad request
lines, odd line ends) is written as bytes directly.
"""

from fixture import SECRET  # noqa: F401  (case files import it from here)

HOST = b'conformance.test'


def _bytes(value):
    return value if isinstance(value, bytes) else str(value).encode('latin-1')


def req(method, target, version='HTTP/1.0', headers=(), body=b'', host=None):
    """Request bytes: the request line, a Host header (by default for HTTP/1.1 only), the
    headers in order, a blank line and the body. version=None gives an HTTP/0.9 line."""
    words = [_bytes(method), _bytes(target)] + ([_bytes(version)] if version is not None else [])
    lines = [b' '.join(words)]
    if host is None:
        host = version == 'HTTP/1.1'
    if host:
        lines.append(b'Host: ' + HOST)
    lines += [_bytes(name) + b': ' + _bytes(value) for name, value in headers]
    return b'\r\n'.join(lines) + b'\r\n\r\n' + _bytes(body)


def get(target, version='HTTP/1.0', headers=(), **kw):
    return req('GET', target, version, headers, **kw)


def head(target, version='HTTP/1.0', headers=(), **kw):
    return req('HEAD', target, version, headers, **kw)


def post(target, body, version='HTTP/1.0', headers=(), content_type=None, length=True, **kw):
    """A POST; Content-Type when given, Content-Length of the body unless length=False."""
    first = [('Content-Type', content_type)] if content_type else []
    if length:
        first.append(('Content-Length', len(_bytes(body))))
    return req('POST', target, version, first + list(headers), body=body, **kw)


def case(name, request, **options):
    return dict(options, name=name, request=request)
