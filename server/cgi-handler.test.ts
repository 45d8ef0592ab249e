/**
 * Tests for cgi-handler.ts, named after CPython's Lib/test/test_httpservers.py
 * (CGIHTTPServerTestCase). Scripts use #!/usr/bin/python3 and are world-readable: when the
 * tests run as root, CGI children run as `nobody`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CGIHTTPRequestHandler, executable, nobodyUid, urlCollapsePath } from './cgi-handler.js';
import { HandlerAbort } from './errors.js';
import { makeTempDir, parseResponse, rawRequest, startServer, writeFile, type LiveServer } from './test-support/harness.js';

const PY = '#!/usr/bin/python3';

const cgiFile1 = `${PY}
print("Content-type: text/html")
print()
print("Hello World")
`;

const cgiFile2 = `${PY}
import os, sys
n = int(os.environ.get("CONTENT_LENGTH") or 0)
data = sys.stdin.read(n)
print("Content-type: text/html")
print()
print("%s" % data)
`;

const cgiFile4 = `${PY}
import os
print("Content-type: text/html")
print()
print(os.environ["%s"])
`;

const cgiEnv = `${PY}
import os, sys
print("Content-type: text/plain")
print()
for k in ("QUERY_STRING", "PATH_INFO", "SCRIPT_NAME", "REMOTE_USER", "AUTH_TYPE", "HTTP_ACCEPT", "REQUEST_METHOD", "CONTENT_TYPE", "SERVER_PROTOCOL", "GATEWAY_INTERFACE"):
    print("%s=%s" % (k, os.environ.get(k, "<unset>")))
print("ARGV=%r" % (sys.argv[1:],))
print("UID=%d" % os.getuid())
sys.stderr.write("to the log\\n")
`;

let root: string;
let live: LiveServer;

beforeAll(async () => {
  root = makeTempDir();
  writeFile(root, 'cgi-bin/file1.py', cgiFile1, 0o755);
  writeFile(root, 'cgi-bin/file2.py', cgiFile2, 0o755);
  writeFile(root, 'cgi-bin/file3.py', cgiFile1, 0o755);
  writeFile(root, 'cgi-bin/child-dir/file3.py', cgiFile1, 0o755);
  writeFile(root, 'cgi-bin/env.py', cgiEnv, 0o755);
  writeFile(root, 'cgi-bin/exit3.py', `${PY}\nimport sys\nprint("Content-type: text/plain\\n\\nbye")\nsys.exit(3)\n`, 0o755);
  writeFile(root, 'cgi-bin/warn-exit.py', `${PY}\nimport sys\nprint("Content-type: text/plain\\n\\nbye")\nsys.stdout.flush()\nsys.stderr.write("warn one\\nwarn two\\n")\nsys.exit(3)\n`, 0o755);
  writeFile(root, 'cgi-bin/notexec.py', cgiFile1, 0o644);
  fs.mkdirSync(path.join(root, 'cgi-bin/dir.py'), { mode: 0o755 });
  writeFile(root, 'sub/dir/cgi-bin/file5.py', cgiFile1, 0o755);
  writeFile(root, 'plain.txt', 'static');
  live = await startServer(CGIHTTPRequestHandler, { directory: root, cgiDirectories: ['/cgi-bin', '/htbin', '/sub/dir/cgi-bin'] });
});

afterAll(async () => {
  await live.close();
});

async function request(target: string, method = 'GET', headers = '', body = '') {
  const raw = await rawRequest(live.port, `${method} ${target} HTTP/1.0\r\n${headers}${body ? `Content-Length: ${body.length}\r\n` : ''}\r\n${body}`);
  const text = raw.toString('latin1');
  // CGI output carries the script's own header block after Server/Date (LF line ends).
  const status = text.slice(0, text.indexOf('\r\n'));
  return { raw, text, status, body: text.slice(text.lastIndexOf('\n\n') + 2) };
}

describe('CGIHTTPServerTestCase', () => {
  it('test_url_collapse_path: CPython vectors, IndexError cases are null', () => {
    const vectors: Record<string, string | null> = {
      '': '//',
      '..': null,
      '/.//..': null,
      '/': '//',
      '//': '//',
      '/.//': '//',
      'cgi-bin/file1.py': '/cgi-bin/file1.py',
      '/cgi-bin/file1.py': '/cgi-bin/file1.py',
      'a': '//a',
      '/a': '//a',
      '//a': '//a',
      './a': '//a',
      './C:/': '/C:/',
      '/a/b': '/a/b',
      '/a/b/': '/a/b/',
      '/a/b/.': '/a/b/',
      '/a/b/c/..': '/a/b/',
      '/a/b/c/../d': '/a/b/d',
      '/a/b/c/../d/e/../f': '/a/b/d/f',
      '/a/b/c/../d/e/../../f': '/a/b/f',
      '/a/b/c/../d/e/.././././..//f': '/a/b/f',
      '../a/b/c/../d/e/.././././..//f': null,
      '/a/b/c/../d/e/../../../f': '/a/f',
      '/a/b/c/../d/e/../../../../f': '//f',
      '/a/b/c/../d/e/../../../../../f': null,
      '/a/b/c/../d/e/../../../../f/..': '//',
      '/a/b/c/../d/e/../../../../f/../.': '//',
    };
    for (const [input, expected] of Object.entries(vectors)) {
      expect(urlCollapsePath(input), input).toBe(expected);
    }
    // is_cgi lets the IndexError escape: the connection then closes without an answer.
    const h = Object.create(CGIHTTPRequestHandler.prototype) as CGIHTTPRequestHandler;
    h.path = '/..';
    expect(() => h.isCgi()).toThrow(HandlerAbort);
  });

  it('test_url_collapse_path: a backslash is part of a name on POSIX, a separator when asked (PORT NOTE 16)', () => {
    // CPython on POSIX (the CLI's default there): '\\' is an ordinary character.
    expect(urlCollapsePath('/\\', false)).toBe('//\\');
    expect(urlCollapsePath('/cgi-bin\\x.py', false)).toBe('//cgi-bin\\x.py');
    expect(urlCollapsePath('/cgi-bin/..\\x.py', false)).toBe('/cgi-bin/..\\x.py');
    // Hardened and on Windows, the same split as translatePath.
    expect(urlCollapsePath('/\\', true)).toBe('//');
    expect(urlCollapsePath('/cgi-bin\\x.py', true)).toBe('/cgi-bin/x.py');
    if (process.platform !== 'win32') expect(urlCollapsePath('/cgi-bin\\x.py')).toBe('//cgi-bin\\x.py');
  });

  it('isPython / isExecutable / executable / nobodyUid', () => {
    const h = Object.create(CGIHTTPRequestHandler.prototype) as CGIHTTPRequestHandler;
    expect(h.isPython('/cgi-bin/x.py')).toBe(true);
    expect(h.isPython('/cgi-bin/x.PYW')).toBe(true);
    expect(h.isPython('/cgi-bin/x.sh')).toBe(false);
    expect(h.isExecutable(path.join(root, 'cgi-bin/file1.py'))).toBe(true);
    expect(executable(path.join(root, 'cgi-bin/notexec.py'))).toBe(false);
    const passwd = fs.readFileSync('/etc/passwd', 'utf8');
    const line = passwd.split('\n').find((l) => l.startsWith('nobody:'));
    if (line) expect(nobodyUid()).toBe(Number(line.split(':')[2]));
  });

  it('test_headers_and_content: status line, then the script output raw', async () => {
    const r = await request('/cgi-bin/file1.py');
    expect(r.status).toBe('HTTP/1.0 200 Script output follows');
    expect(r.text).toContain('\r\nContent-type: text/html\n\nHello World\n');
    expect(r.text).not.toContain('Content-Length');
  });

  it('test_issue19435: a collapsed path to a missing script is 404', async () => {
    const r = await request('///////////nocgi.py/../cgi-bin/nothere.sh');
    expect(r.status).toBe("HTTP/1.0 404 No such CGI script ('/cgi-bin/nothere.sh')");
  });

  it('test_post: the body reaches the script on stdin', async () => {
    const r = await request('/cgi-bin/file2.py', 'POST', 'Content-Type: application/x-www-form-urlencoded\r\n', 'spam=1&eggs=python&list=test%2Ctest');
    expect(r.body).toBe('spam=1&eggs=python&list=test%2Ctest\n');
  });

  it('test_invaliduri: a missing script is 404', async () => {
    const r = await request('/cgi-bin/invalid');
    expect(r.status).toBe("HTTP/1.0 404 No such CGI script ('/cgi-bin/invalid')");
  });

  it('test_authorization: Basic credentials give AUTH_TYPE and REMOTE_USER', async () => {
    const token = Buffer.from('username:pass').toString('base64');
    const r = await request('/cgi-bin/env.py', 'GET', `Authorization: Basic ${token}\r\n`);
    expect(r.body).toContain('AUTH_TYPE=Basic\n');
    expect(r.body).toContain('REMOTE_USER=username\n');
  });

  it('test_no_leading_slash: cgi-bin/file1.py still runs', async () => {
    const r = await request('cgi-bin/file1.py');
    expect(r.body).toBe('Hello World\n');
  });

  it('test_urlquote_decoding_in_cgi_check: /cgi-bin%2ffile1.py runs the script', async () => {
    const r = await request('/cgi-bin%2ffile1.py');
    expect(r.body).toBe('Hello World\n');
  });

  it('test_nested_cgi_path_issue21323: scripts in a child directory run', async () => {
    const r = await request('/cgi-bin/child-dir/file3.py');
    expect(r.body).toBe('Hello World\n');
  });

  it('test_query_with_multiple_question_mark / continuous slashes: QUERY_STRING kept whole', async () => {
    let r = await request('/cgi-bin/env.py?a=b?c=d');
    expect(r.body).toContain('QUERY_STRING=a=b?c=d\n');
    r = await request('/cgi-bin/env.py?k=aa%2F%2Fbb&//q//p//=//a//b//');
    expect(r.body).toContain('QUERY_STRING=k=aa%2F%2Fbb&//q//p//=//a//b//\n');
  });

  it('test_cgi_path_in_sub_directories: an extra CGI directory works', async () => {
    const r = await request('/sub/dir/cgi-bin/file5.py');
    expect(r.body).toBe('Hello World\n');
  });

  it('test_accept: Accept headers joined with commas', async () => {
    const r = await request('/cgi-bin/env.py', 'GET', 'Accept: text/html\r\nAccept: text/plain\r\n');
    expect(r.body).toContain('HTTP_ACCEPT=text/html,text/plain\n');
  });

  it('environment: PATH_INFO unquoted, argv from a query without =, method and protocol', async () => {
    const r = await request('/cgi-bin/env.py/extra%20path?one+two');
    expect(r.body).toContain('PATH_INFO=/extra path\n');
    expect(r.body).toContain('SCRIPT_NAME=/cgi-bin/env.py\n');
    expect(r.body).toContain("ARGV=['one two']\n");
    expect(r.body).toContain('REQUEST_METHOD=GET\n');
    expect(r.body).toContain('CONTENT_TYPE=text/plain\n');
    expect(r.body).toContain('SERVER_PROTOCOL=HTTP/1.0\n');
    expect(r.body).toContain('GATEWAY_INTERFACE=CGI/1.1\n');
    if (process.getuid?.() === 0) expect(r.body).not.toContain('UID=0\n'); // runs as nobody
  });

  it('stderr becomes cgi-stderr log entries; a non-zero exit is logged', async () => {
    await request('/cgi-bin/env.py');
    expect(live.logs.some((e) => e.kind === 'cgi-stderr' && e.message === 'to the log')).toBe(true);
    await request('/cgi-bin/exit3.py');
    expect(live.logs.some((e) => e.kind === 'error' && e.message === 'CGI script exit code 3')).toBe(true);
  });

  it('log order as CPython writes it: the request line, then the script\'s stderr, then its exit code', async () => {
    const from = live.logs.length;
    await request('/cgi-bin/warn-exit.py');
    await new Promise((r) => setTimeout(r, 100));
    const mine = live.logs.slice(from).filter((e) => e.path === '/cgi-bin/warn-exit.py');
    expect(mine.map((e) => [e.kind, e.message])).toEqual([
      ['request', '"GET /cgi-bin/warn-exit.py HTTP/1.0" 200 -'],
      ['cgi-stderr', 'warn one'],
      ['cgi-stderr', 'warn two'],
      ['error', 'CGI script exit code 3'],
    ]);
  });

  it('403 for a non-executable script and for a directory; 501 for POST elsewhere', async () => {
    expect((await request('/cgi-bin/notexec.py')).status).toBe("HTTP/1.0 403 CGI script is not executable ('/cgi-bin/notexec.py')");
    expect((await request('/cgi-bin/dir.py')).status).toBe("HTTP/1.0 403 CGI script is not a plain file ('/cgi-bin/dir.py')");
    expect((await request('/plain.txt', 'POST', '', 'x')).status).toBe('HTTP/1.0 501 Can only POST to CGI scripts');
    expect(parseResponse((await request('/plain.txt')).raw).body.toString()).toBe('static');
  });

  const climbing = [
    'GET /.. HTTP/1.0\r\n\r\n',
    'GET /cgi-bin/../../x HTTP/1.0\r\n\r\n',
    'GET /cgi-bin/../../cgi-bin/file1.py HTTP/1.0\r\n\r\n',
    'GET /%2e%2E HTTP/1.0\r\n\r\n',
    'HEAD /a/../.. HTTP/1.0\r\n\r\n',
    'POST /cgi-bin/../.. HTTP/1.0\r\nContent-Length: 1\r\n\r\nx',
  ];

  it.each(climbing)('CLI default: a path climbing above the root closes the connection without an answer (as CPython): %j', async (req) => {
    const raw = await rawRequest(live.port, req);
    expect(raw.length).toBe(0);
  });

  describe('hardened: a path climbing above the root is answered 404 (PORT NOTE 25)', () => {
    let hardened: LiveServer;
    beforeAll(async () => {
      hardened = await startServer(CGIHTTPRequestHandler, { directory: root, hardened: true });
    });
    afterAll(async () => {
      await hardened.close();
    });

    it.each(climbing)('%j', async (req) => {
      const raw = await rawRequest(hardened.port, req);
      const r = parseResponse(raw);
      expect(r.status).toBe('HTTP/1.0 404 File not found');
      expect(r.body.toString('latin1')).not.toContain('print('); // never a script's source
      if (req.startsWith('HEAD')) expect(r.body.length).toBe(0);
    });

    it('a path whose `..` stays below the root still runs the script, in both modes', async () => {
      for (const port of [hardened.port, live.port]) {
        const raw = await rawRequest(port, 'GET /cgi-bin/../cgi-bin/file1.py HTTP/1.0\r\n\r\n');
        expect(raw.toString('latin1')).toContain('\n\nHello World\n');
      }
    });
  });

  it('the script is killed when the server closes', async () => {
    writeFile(root, 'cgi-bin/sleep.py', `${PY}\nimport time\nprint("Content-type: text/plain\\n")\nimport sys; sys.stdout.flush()\ntime.sleep(30)\n`, 0o755);
    const other = await startServer(CGIHTTPRequestHandler, { directory: root });
    const pending = rawRequest(other.port, 'GET /cgi-bin/sleep.py HTTP/1.0\r\n\r\n');
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    await other.close();
    await pending;
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('CGI parse via parseResponse helper', () => {
  it('keeps Server and Date before the script output', async () => {
    const r = parseResponse(await rawRequest(live.port, 'GET /cgi-bin/file1.py HTTP/1.0\r\n\r\n'));
    expect(r.status).toBe('HTTP/1.0 200 Script output follows');
    expect(r.headers.get('server')).toMatch(/^SimpleHTTP\/0\.6 Node\//);
  });
});
