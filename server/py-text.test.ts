/**
 * Tests for py-text.ts, http-message.ts and the If-Modified-Since parser: fixed examples, then
 * a differential check against the local python3 on generated inputs (the functions these
 * port have not changed between 3.11 and 3.13). Skipped when python3 is missing.
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHeaderBlock } from './http-message.js';
import {
  decodeSurrogateEscape, encodeUtf8, htmlEscape, normpath, pyInt, pyRepr, pySplit, quote, splitext, unquote, unquoteSurrogatePassOrReplace, urlsplit, urlunsplit, PyValueError,
} from './py-text.js';
import { parsedateTz } from './parsedate.js';

const python = (() => {
  try {
    execFileSync('python3', ['-c', 'pass'], { stdio: 'ignore' });
    return 'python3';
  } catch {
    return null;
  }
})();

describe('py-text (fixed examples)', () => {
  it('str.split() splits on Python whitespace, including \\x1c-\\x1f, \\x85 and \\xa0', () => {
    expect(pySplit('GET\t/x\x0bHTTP/1.0\x85y\xa0z')).toEqual(['GET', '/x', 'HTTP/1.0', 'y', 'z']);
  });
  it('repr() picks quotes and escapes like Python', () => {
    expect(pyRepr("it's")).toBe(`"it's"`);
    expect(pyRepr('a\'b"c')).toBe(`'a\\'b"c'`);
    expect(pyRepr('\x00\x7f\x85\xa0é\t')).toBe("'\\x00\\x7f\\x85\\xa0é\\t'");
  });
  it('unquote / quote / normpath / splitext', () => {
    expect(unquote('%e2%82%ac%zz%41')).toBe('€%zzA');
    expect(unquote('%ff')).toBe('\ufffd');
    expect(unquoteSurrogatePassOrReplace('%ED%B3%BF')).toBe('\udcff');
    expect(quote('a b/é&')).toBe('a%20b/%C3%A9%26');
    expect(normpath('//a/../b/./c/')).toBe('//b/c');
    expect(normpath('///a/..')).toBe('/');
    expect(splitext('/x/.bashrc')).toEqual(['/x/.bashrc', '']);
    expect(splitext('/x/a.tar.gz')).toEqual(['/x/a.tar', '.gz']);
    expect(htmlEscape('<&>"', false)).toBe('&lt;&amp;&gt;"');
    expect(pyInt(' +1_000 ')).toBe(1000);
    expect(pyInt('1__0')).toBeNull();
  });
});

const ALPHABET = ['a', '/', '.', '..', '%', '%2e', '%2F', '%41', '%e2%82', '%ac', '%ff', '%ED%B3%BF', '?', '#', ' ', '\t', '\r', '\n',
  '\x0b', '\x85', '\xa0', 'é', ':', '\\', '//', 'x', '%g1', '+', '=', '\x00', '\x1c', 'ÿ', '"', "'", '<', '&', '日', 'http:', '[', ']',
  '[::1]', '[v1.x]', '1.2.3.4'];
const HEADER_PARTS = ['Host', ': ', 'x', '\r\n', '\n', '\r', ' ', '\t', 'From ', 'Connection', 'close', ':', ' : ', 'X-A', 'é', '\x00', '\r\n\r\n', '\xa0'];
const DATE_PARTS = ['Sun,', 'Sun', ' ', '13', 'Sep', 'September', '2020', '20', '12:26:40', '12:26', '12.26.40', 'GMT', 'UTC', '+0000',
  '-0000', '+0100', 'EST', 'Z', ',', '-', '13-Sep-20', 'x', '99', '31', 'Feb'];

const PY_CHECK = String.raw`
import json, sys, urllib.parse, posixpath, html, email.parser, http.client
from email._parseaddr import _parsedate_tz
d = json.load(sys.stdin)
def safe(f):
    try: return f()
    except Exception as e: return 'ERR'
def unqsp(s):
    try: return urllib.parse.unquote(s, errors='surrogatepass')
    except UnicodeDecodeError: return urllib.parse.unquote(s)
def pyint(s):
    try: return int(s)
    except ValueError: return None
def urlunsplit313(c):
    # CPython 3.13.0's urlunsplit (gh-67693); this machine's python3 may predate it.
    scheme, netloc, url, query, fragment = c
    if netloc:
        if url and url[:1] != '/': url = '/' + url
        url = '//' + netloc + url
    elif url[:2] == '//':
        url = '//' + url
    elif scheme and scheme in urllib.parse.uses_netloc and (not url or url[:1] == '/'):
        url = '//' + url
    if scheme: url = scheme + ':' + url
    if query: url = url + '?' + query
    if fragment: url = url + '#' + fragment
    return url
def date(s):
    r = _parsedate_tz(s)
    return None if r is None else [r[0], r[1], r[2], r[3], r[4], r[5], r[9]]
out = {
  'text': [[s.split(), repr(s), urllib.parse.unquote(s), unqsp(s), safe(lambda: urllib.parse.quote(s, errors='surrogatepass')),
            posixpath.normpath(s), list(posixpath.splitext(s)), safe(lambda: list(urllib.parse.urlsplit(s))),
            safe(lambda: urlunsplit313(urllib.parse.urlsplit(s))), html.escape(s, quote=False), pyint(s)] for s in d['text']],
  'headers': [[[k, v] for k, v in email.parser.Parser(_class=http.client.HTTPMessage).parsestr(s).items()] for s in d['headers']],
  'dates': [safe(lambda: date(s)) for s in d['dates']],
}
json.dump(out, sys.stdout)
`;

function safe<T>(f: () => T): T | 'ERR' {
  try {
    return f();
  } catch {
    return 'ERR';
  }
}

describe('UTF-8 fast paths agree with the byte-by-byte paths', () => {
  it('decodeSurrogateEscape: BOM kept, invalid bytes, overlong forms and encoded surrogates escaped', () => {
    const d = (...b: number[]): string => decodeSurrogateEscape(Uint8Array.from(b));
    expect(d(0xef, 0xbb, 0xbf, 0x61)).toBe('\ufeffa'); // bytes.decode keeps a BOM
    expect(d(0x61, 0xff, 0x62)).toBe('a\udcffb');
    expect(d(0xc0, 0xaf)).toBe('\udcc0\udcaf'); // overlong '/'
    expect(d(0xed, 0xa0, 0x80)).toBe('\udced\udca0\udc80'); // an encoded surrogate
    expect(d(0xf0, 0x9f, 0x98, 0x80, 0xe9)).toBe('\u{1f600}\udce9');
    expect(d(0xc3, 0xa9)).toBe('é');
  });

  it('encodeUtf8: pairs, escaped bytes and lone surrogates', () => {
    expect(encodeUtf8('a\u{1f600}é', 'surrogateescape')).toEqual(Buffer.from('a\u{1f600}é', 'utf8'));
    expect(encodeUtf8('a\udcff', 'surrogateescape')).toEqual(Buffer.from([0x61, 0xff]));
    expect(encodeUtf8('\ud800', 'surrogatepass')).toEqual(Buffer.from([0xed, 0xa0, 0x80]));
    expect(() => encodeUtf8('\ud800', 'surrogateescape')).toThrow();
  });

  it('quote: the unchanged fast path and other safe strings', () => {
    expect(quote('a-b_c.d~e/f')).toBe('a-b_c.d~e/f');
    expect(quote('a b/é')).toBe('a%20b/%C3%A9');
    expect(quote('a/b c', 'surrogatepass', '')).toBe('a%2Fb%20c');
    expect(quote('a/b&c', 'surrogatepass', '&')).toBe('a%2Fb&c');
    expect(quote('\udcff', 'surrogateescape')).toBe('%FF');
  });
});

describe('urlsplit', () => {
  it('test_splitting_bracketed_hosts / test_invalid_bracketed_hosts: [...] must hold IPv6 or IPvFuture (gh-103848)', () => {
    for (const ok of ['http://[::1]/d', 'http://[v1.x]/d', 'http://[fe80::1%25eth0]:8/d', 'http://u@[::ffff:1.2.3.4]/d', 'http://h/[x]']) {
      expect(() => urlsplit(ok), ok).not.toThrow();
    }
    for (const bad of ['http://[x]/d', 'http://[]/d', 'http://[1.2.3.4]/d', 'http://[v1]/d', 'http://[V1.x]/d', 'http://[::1/d', 'http://a]b/d', 'http://[::1::2]/d']) {
      expect(() => urlsplit(bad), bad).toThrow(PyValueError);
    }
  });
});

describe('urlunsplit (CPython 3.13.0, gh-67693)', () => {
  it('test_roundtrips / test_urlsplit_normalization: the authority a path implies is kept explicit', () => {
    const un = (scheme: string, netloc: string, path: string, query = '', fragment = ''): string =>
      urlunsplit({ scheme, netloc, path, query, fragment });
    expect(un('', '', 'path/to/file')).toBe('path/to/file');
    expect(un('', '', '//path/to/file')).toBe('////path/to/file');
    expect(un('http', '', '//x/d/')).toBe('http:////x/d/'); // 3.11.7: 'http://x/d/'
    expect(un('http', '', 'x/d/', 'q')).toBe('http:x/d/?q'); // 3.11.7: 'http:///x/d/?q'
    expect(un('http', '', '/x/d/')).toBe('http:///x/d/');
    expect(un('http', '', '')).toBe('http://');
    expect(un('mailto', '', 'x/d/')).toBe('mailto:x/d/');
    expect(un('http', 'h', 'd/')).toBe('http://h/d/');
    expect(urlunsplit(urlsplit('http:evil.test/d/'))).toBe('http:evil.test/d/');
  });
});

describe.skipIf(python === null)('py-text, http-message, parsedate vs CPython (differential)', () => {
  it('agree with python3 on generated inputs', () => {
    const gen = (parts: string[], max: number) => fc.array(fc.constantFrom(...parts), { maxLength: max }).map((a) => a.join(''));
    const text = fc.sample(gen(ALPHABET, 12), { numRuns: 400, seed: 42 });
    const headers = fc.sample(gen(HEADER_PARTS, 16), { numRuns: 300, seed: 43 });
    const dates = fc.sample(gen(DATE_PARTS, 7), { numRuns: 400, seed: 44 });
    const expected = JSON.parse(execFileSync(python!, ['-c', PY_CHECK], { input: JSON.stringify({ text, headers, dates }) }).toString());
    text.forEach((s, i) => {
      const got = [
        pySplit(s), pyRepr(s), unquote(s), unquoteSurrogatePassOrReplace(s), safe(() => quote(s, 'surrogatepass')), normpath(s), splitext(s),
        safe(() => { const p = urlsplit(s); return [p.scheme, p.netloc, p.path, p.query, p.fragment]; }),
        safe(() => urlunsplit(urlsplit(s))), htmlEscape(s, false), pyInt(s),
      ];
      expect(got, JSON.stringify(s)).toEqual(expected.text[i]);
    });
    headers.forEach((s, i) => expect(parseHeaderBlock(s).items, JSON.stringify(s)).toEqual(expected.headers[i]));
    dates.forEach((s, i) => expect(safe(() => parsedateTz(s)), JSON.stringify(s)).toEqual(expected.dates[i]));
  });
});
