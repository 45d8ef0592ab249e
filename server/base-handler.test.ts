/**
 * Tests for base-handler.ts, named after CPython's Lib/test/test_httpservers.py
 * (BaseHTTPRequestHandlerTestCase: socketless; BaseHTTPServerTestCase: live sockets;
 * RequestHandlerLoggingTestCase).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BaseHTTPRequestHandler, pyFormat } from './base-handler.js';
import { formatNcsaLine, logDateTimeString } from './log.js';
import { FakeServer, FakeSocket, rawRequest, sendTypicalRequest, startServer, statusLines, type LiveServer } from './test-support/harness.js';

/** CPython's SocketlessRequestHandler: GET answers a small page; counts calls. */
class SocketlessRequestHandler extends BaseHTTPRequestHandler {
  getCalled = false;
  async do_GET(): Promise<void> {
    this.getCalled = true;
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/html');
    this.endHeaders();
    this.wfile.write(Buffer.from('<html><body>Data</body></html>\r\n'));
  }
  /** A body-reading method (the 100-continue cases that send a body). */
  async do_POST(): Promise<void> {
    const n = Number(this.headers.get('Content-Length') ?? '0');
    const body = await this.rfile.read(n);
    this.sendResponse(200);
    this.sendHeader('Content-Length', String(body.length));
    this.endHeaders();
    this.wfile.write(body);
  }
}

class Http11Handler extends SocketlessRequestHandler {
  override protocolVersion = 'HTTP/1.1';
}

/** `output.readlines()`: the lines with their line ends. */
function readlines(output: string): string[] {
  return output.split(/(?<=\n)/);
}

/** CPython's verify_expected_headers: Server, Date and Content-Type, once each. */
function verifyExpectedHeaders(headers: readonly string[]): void {
  for (const fieldName of ['Server: ', 'Date: ', 'Content-Type: ']) {
    expect(headers.filter((h) => h.startsWith(fieldName)), fieldName).toHaveLength(1);
  }
}

describe('BaseHTTPRequestHandler (socketless)', () => {
  it('test_http_1_1: answers with the server protocol and keeps the connection open', async () => {
    const r = await sendTypicalRequest(Http11Handler, 'GET / HTTP/1.1\r\n\r\n');
    expect(r.lines[0]).toBe('HTTP/1.1 200 OK');
    expect(r.output.endsWith('<html><body>Data</body></html>\r\n')).toBe(true);
    expect(r.handler.getCalled).toBe(true);
    expect(r.handler.requestVersion).toBe('HTTP/1.1');
    expect(r.handler.command).toBe('GET');
    expect(r.handler.path).toBe('/');
  });

  it('test_http_1_0: HTTP/1.0 response, connection closed', async () => {
    const r = await sendTypicalRequest(SocketlessRequestHandler, 'GET / HTTP/1.0\r\n\r\n');
    expect(r.lines[0]).toBe('HTTP/1.0 200 OK');
    expect(r.handler.closeConnection).toBe(true);
  });

  it('test_http_0_9: a two-word GET gets the body only, no status line or headers', async () => {
    const r = await sendTypicalRequest(SocketlessRequestHandler, 'GET /\r\n\r\n');
    expect(r.output).toBe('<html><body>Data</body></html>\r\n');
    expect(r.handler.requestVersion).toBe('HTTP/0.9');
  });

  it('test_extra_space: four words is a 400 "Bad request syntax"', async () => {
    const r = await sendTypicalRequest(Http11Handler, 'GET /spaced out HTTP/1.1\r\nHost: dummy\r\n\r\n');
    expect(r.lines[0]).toBe("HTTP/1.1 400 Bad request syntax ('GET /spaced out HTTP/1.1')");
    expect(r.handler.getCalled).toBe(false);
  });

  it('test_with_continue_1_0: HTTP/1.0 ignores Expect: 100-continue; the request stays in the fields', async () => {
    const r = await sendTypicalRequest(Http11Handler, 'GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n', {}, 'handleOneRequest');
    const result = readlines(r.output);
    expect(result[0]).toMatch(/HTTP\/1.[0-9]+ 200 OK/);
    verifyExpectedHeaders(result.slice(1, -1));
    expect(r.handler.getCalled).toBe(true);
    expect(result.at(-1)).toBe('<html><body>Data</body></html>\r\n');
    expect(r.handler.requestline).toBe('GET / HTTP/1.0');
    expect(r.handler.command).toBe('GET');
    expect(r.handler.path).toBe('/');
    expect(r.handler.requestVersion).toBe('HTTP/1.0');
    expect(r.handler.headers.items).toEqual([['Expect', '100-continue']]);
  });

  it('test_with_continue_1_1: 100 Continue precedes the answer; the request stays in the fields', async () => {
    const r = await sendTypicalRequest(Http11Handler, 'GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n', {}, 'handleOneRequest');
    const result = readlines(r.output);
    expect(result[0]).toBe('HTTP/1.1 100 Continue\r\n');
    expect(result[1]).toBe('\r\n');
    expect(result[2]).toBe('HTTP/1.1 200 OK\r\n');
    verifyExpectedHeaders(result.slice(2, -1));
    expect(r.handler.getCalled).toBe(true);
    expect(result.at(-1)).toBe('<html><body>Data</body></html>\r\n');
    expect(r.handler.requestline).toBe('GET / HTTP/1.1');
    expect(r.handler.command).toBe('GET');
    expect(r.handler.path).toBe('/');
    expect(r.handler.requestVersion).toBe('HTTP/1.1');
    expect(r.handler.headers.items).toEqual([['Expect', '100-continue']]);
  });

  it('test_with_continue_1_1 with a body: 100 Continue, then the answer to the body', async () => {
    const r = await sendTypicalRequest(Http11Handler, 'POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc');
    expect(r.lines[0]).toBe('HTTP/1.1 100 Continue');
    expect(r.lines[1]).toBe('');
    expect(r.lines[2]).toBe('HTTP/1.1 200 OK');
    expect(r.output.endsWith('abc')).toBe(true);
  });

  it('test_header_unbuffered_when_continue: the 100 Continue is written before the body is awaited', async () => {
    const socket = new FakeSocket('POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n', false);
    const handler = new Http11Handler({ socket, clientAddress: ['127.0.0.1', 1], server: new FakeServer(), connectionId: 1, options: {} });
    handler.setup();
    const done = handler.handleOneRequest();
    await new Promise((r) => setTimeout(r, 20));
    expect(socket.output).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    socket.push(Buffer.from('xyz'));
    socket.push(null);
    await done;
    expect(socket.output).toContain('HTTP/1.1 200 OK');
  });

  it('test_with_continue_rejected: handleExpect100 may answer 417 instead', async () => {
    class Rejecting extends Http11Handler {
      override async handleExpect100(): Promise<boolean> {
        this.sendError(417);
        return false;
      }
    }
    const r = await sendTypicalRequest(Rejecting, 'GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n');
    expect(r.lines[0]).toBe('HTTP/1.1 417 Expectation Failed');
    expect(r.handler.getCalled).toBe(false);
  });

  it('test_header_buffering_of_send_error: nothing is written before the headers end', async () => {
    const socket = new FakeSocket('', false);
    const h = new BaseHTTPRequestHandler({ socket, clientAddress: ['127.0.0.1', 1], server: new FakeServer(), connectionId: 1, options: {} });
    h.requestVersion = 'HTTP/1.1';
    h.sendHeader('Foo', 'foo');
    h.sendHeader('bar', 'bar');
    h.wfile.flush();
    expect(socket.writes).toHaveLength(0);
    h.endHeaders();
    h.wfile.flush();
    expect(socket.output).toBe('Foo: foo\r\nbar: bar\r\n\r\n');
  });

  it('test_header_buffering_of_send_response_only: the status line waits for endHeaders', async () => {
    const socket = new FakeSocket('', false);
    const h = new BaseHTTPRequestHandler({ socket, clientAddress: ['127.0.0.1', 1], server: new FakeServer(), connectionId: 1, options: {} });
    h.requestVersion = 'HTTP/1.1';
    h.sendResponseOnly(418);
    h.wfile.flush();
    expect(socket.writes).toHaveLength(0);
    h.endHeaders();
    h.wfile.flush();
    expect(socket.output).toBe("HTTP/1.0 418 I'm a Teapot\r\n\r\n");
  });

  it('test_header_buffering_of_send_header: flushHeaders writes once', async () => {
    const socket = new FakeSocket('', false);
    const h = new BaseHTTPRequestHandler({ socket, clientAddress: ['127.0.0.1', 1], server: new FakeServer(), connectionId: 1, options: {} });
    h.requestVersion = 'HTTP/1.1';
    h.sendHeader('Foo', 'foo');
    h.flushHeaders();
    h.wfile.flush();
    expect(socket.output).toBe('Foo: foo\r\n');
  });

  it('test_request_length: 414 for a request line over 65536 bytes', async () => {
    const r = await sendTypicalRequest(SocketlessRequestHandler, 'GET ' + 'x'.repeat(65537) + ' HTTP/1.1\r\n\r\n');
    expect(r.lines[0]).toBe('HTTP/1.0 414 URI Too Long');
    expect(r.handler.getCalled).toBe(false);
    expect(r.handler.closeConnection).toBe(true);
  });

  it('test_header_length: 431 "Line too long" for a header line over 65536 bytes', async () => {
    const r = await sendTypicalRequest(SocketlessRequestHandler, 'GET / HTTP/1.1\r\nX-Foo: ' + 'b'.repeat(65537) + '\r\n\r\n');
    expect(r.lines[0]).toBe('HTTP/1.0 431 Line too long');
    expect(r.output).toContain('got more than 65536 bytes when reading header line');
    expect(r.handler.getCalled).toBe(false);
  });

  it('test_too_many_headers: 431 "Too many headers" at 100 lines (the blank line counts)', async () => {
    const hundred = Array.from({ length: 100 }, (_, i) => `X-Foo${i}: bar\r\n`).join('');
    const r = await sendTypicalRequest(SocketlessRequestHandler, 'GET / HTTP/1.1\r\n' + hundred + '\r\n');
    expect(r.lines[0]).toBe('HTTP/1.0 431 Too many headers');
    expect(r.output).toContain('got more than 100 headers');
    const ninetyNine = Array.from({ length: 99 }, (_, i) => `X-Foo${i}: bar\r\n`).join('');
    const ok = await sendTypicalRequest(SocketlessRequestHandler, 'GET / HTTP/1.1\r\n' + ninetyNine + '\r\n');
    expect(ok.lines[0]).toBe('HTTP/1.0 200 OK');
  });

  it('test_html_escape_on_error: the unsupported method is HTML-escaped in the page', async () => {
    const r = await sendTypicalRequest(SocketlessRequestHandler, '<script>alert("hello")</script> / HTTP/1.1\r\n\r\n');
    const body = r.output.slice(r.output.indexOf('\r\n\r\n') + 4);
    expect(body).toContain('&lt;script&gt;alert("hello")&lt;/script&gt;');
    expect(body).not.toContain('<script>alert');
  });

  it('test_close_connection: Connection: close ends a keep-alive connection', async () => {
    const r = await sendTypicalRequest(Http11Handler, 'GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n');
    expect(r.output.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(1);
    const ka = await sendTypicalRequest(Http11Handler, 'GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n');
    expect(ka.output.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
  });

  it('test_date_time_string_gmt: IMF-fixdate in GMT', () => {
    const h = new BaseHTTPRequestHandler({ socket: new FakeSocket('', false), clientAddress: ['127.0.0.1', 1], server: new FakeServer(), connectionId: 1, options: {} });
    expect(h.dateTimeString(0)).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
    expect(h.dateTimeString(1_700_000_000.9)).toBe('Tue, 14 Nov 2023 22:13:20 GMT');
  });

  it('versionString / logDateTimeString / addressString', () => {
    const h = new SocketlessRequestHandler({ socket: new FakeSocket('', false), clientAddress: ['::ffff:10.0.0.2', 5], server: new FakeServer(), connectionId: 1, options: {} });
    expect(h.versionString()).toBe(`BaseHTTP/0.6 Node/${process.versions.node}`);
    expect(h.logDateTimeString()).toMatch(/^\d\d\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/\d{4} \d\d:\d\d:\d\d$/);
    expect(h.addressString()).toBe('::ffff:10.0.0.2'); // CPython's value; log entries unwrap it
    h.logMessage('%s', 'hello');
    expect((h.server as FakeServer).logs[0]).toMatchObject({ kind: 'message', clientAddress: '10.0.0.2', clientPort: 5, message: 'hello' });
  });

  it('do_SPAM dispatch: any method name a subclass defines is answered', async () => {
    class Spam extends BaseHTTPRequestHandler {
      do_SPAM(): void {
        this.sendResponse(200, 'Spam Follows');
        this.endHeaders();
      }
    }
    const r = await sendTypicalRequest(Spam, 'SPAM / HTTP/1.0\r\n\r\n');
    expect(r.lines[0]).toBe('HTTP/1.0 200 Spam Follows');
    const lower = await sendTypicalRequest(Spam, 'spam / HTTP/1.0\r\n\r\n');
    expect(lower.lines[0]).toBe("HTTP/1.0 501 Unsupported method ('spam')");
  });

  it('a throwing do_ method answers 500 when nothing was sent (PORT NOTE), the loop goes on', async () => {
    class Broken extends BaseHTTPRequestHandler {
      do_GET(): void {
        throw new Error('bug');
      }
    }
    const socket = new FakeSocket('GET / HTTP/1.0\r\n\r\n');
    const h = new Broken({ socket, clientAddress: ['127.0.0.1', 1], server: new FakeServer(), connectionId: 1, options: {} });
    await expect(h.handle()).rejects.toThrow('bug');
    h.answerInternalError();
    h.wfile.flush();
    expect(socket.output.startsWith('HTTP/1.0 500 Internal Server Error\r\n')).toBe(true);
  });

  it('PORT NOTE coalescing: an error page goes out in a single write', async () => {
    const r = await sendTypicalRequest(SocketlessRequestHandler, 'BREW / HTTP/1.0\r\n\r\n');
    expect(r.lines[0]).toBe("HTTP/1.0 501 Unsupported method ('BREW')");
    expect(r.socket.writes).toHaveLength(1);
  });
});

describe('BaseHTTPServer (live sockets)', () => {
  let live: LiveServer | undefined;
  afterEach(async () => {
    await live?.close();
    live = undefined;
  });

  /** CPython's BaseHTTPServerTestCase.request_handler. */
  class RequestHandler extends BaseHTTPRequestHandler {
    override protocolVersion = 'HTTP/1.1';
    override defaultRequestVersion = 'HTTP/1.1';
    do_TEST(): void {
      this.sendResponse(204);
      this.sendHeader('Content-Type', 'text/html');
      this.sendHeader('Connection', 'close');
      this.endHeaders();
    }
    do_KEEPALIVE(): void {
      this.sendResponse(204);
      this.sendHeader('Content-Type', 'text/html');
      this.sendHeader('Connection', 'keep-alive');
      this.endHeaders();
    }
    do_SEND_ERROR(): void {
      this.sendError(Number(this.path.slice(1)));
    }
    do_HEAD(): void {
      this.sendError(Number(this.path.slice(1)));
    }
    do_NOTFOUND(): void {
      this.sendError(404, 'Message & needs escaping', 'Explain with <html>');
    }
  }

  it('test_command: an unknown method is 501', async () => {
    live = await startServer(RequestHandler);
    const out = (await rawRequest(live.port, 'GET / HTTP/1.1\r\n\r\n')).toString('latin1');
    expect(out.startsWith("HTTP/1.1 501 Unsupported method ('GET')\r\n")).toBe(true);
  });

  it('test_request_line_trimming: a bare LF ends the request line', async () => {
    live = await startServer(RequestHandler);
    const out = (await rawRequest(live.port, 'GET / HTTP/1.1\n\n')).toString('latin1');
    expect(out.startsWith("HTTP/1.1 501 Unsupported method ('GET')")).toBe(true);
  });

  it('test_version_bogus / test_version_digits / test_version_signs_and_underscores: 400', async () => {
    live = await startServer(RequestHandler);
    for (const v of ['bogus', 'HTTP/1.1.1', 'HTTP/+1.1', 'HTTP/1_1', 'HTTP/1.+1', 'HTTP/11111111111.1', 'HTTP/1.11111111111']) {
      const out = (await rawRequest(live.port, `GET / ${v}\r\n\r\n`)).toString('latin1');
      expect(out.startsWith('HTTP/1.1 400 Bad request version')).toBe(true);
    }
  });

  it('test_version_none_get / test_version_none: HTTP/0.9 only allows GET', async () => {
    live = await startServer(RequestHandler);
    const out = (await rawRequest(live.port, 'PUT /\r\n\r\n')).toString('latin1');
    expect(out.startsWith("HTTP/1.1 400 Bad HTTP/0.9 request type ('PUT')")).toBe(true);
  });

  it('test_version_invalid: HTTP/9.9 is 505', async () => {
    live = await startServer(RequestHandler);
    const out = (await rawRequest(live.port, 'GET / HTTP/9.9\r\n\r\n')).toString('latin1');
    expect(out.startsWith('HTTP/1.1 505 Invalid HTTP version (9.9)')).toBe(true);
  });

  it('test_send_blank: an empty line gets nothing back', async () => {
    live = await startServer(RequestHandler);
    const out = await rawRequest(live.port, '\r\n');
    expect(out.length).toBe(0);
  });

  it('test_header_close / test_header_keep_alive: the Connection header sent decides', async () => {
    live = await startServer(RequestHandler);
    const closed = (await rawRequest(live.port, 'TEST / HTTP/1.1\r\n\r\n')).toString('latin1');
    expect(closed.startsWith('HTTP/1.1 204 No Content')).toBe(true);
    const kept = (await rawRequest(live.port, 'KEEPALIVE / HTTP/1.1\r\n\r\nKEEPALIVE / HTTP/1.1\r\n\r\n', { idleMs: 300 })).toString('latin1');
    expect(kept.match(/204 No Content/g)).toHaveLength(2);
  });

  it('test_error_content_length / test_send_error: no body for 204, 205, 304; escaped page otherwise', async () => {
    live = await startServer(RequestHandler);
    for (const code of [204, 205, 304]) {
      const out = (await rawRequest(live.port, `SEND_ERROR /${code} HTTP/1.1\r\n\r\n`)).toString('latin1');
      expect(out).not.toContain('Content-Length');
      expect(out.endsWith('\r\n\r\n')).toBe(true);
    }
    const nf = (await rawRequest(live.port, 'NOTFOUND / HTTP/1.1\r\n\r\n')).toString('latin1');
    const body = nf.slice(nf.indexOf('\r\n\r\n') + 4);
    expect(nf).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(body).toContain('Message: Message &amp; needs escaping.');
    expect(body).toContain('Explain with &lt;html&gt;');
  });

  it('test_head_via_send_error: HEAD gets the headers of the error, no page', async () => {
    live = await startServer(RequestHandler);
    const out = (await rawRequest(live.port, 'HEAD /404 HTTP/1.1\r\n\r\n')).toString('latin1');
    expect(out.startsWith('HTTP/1.1 404 Not Found')).toBe(true);
    expect(out.endsWith('\r\n\r\n')).toBe(true);
  });

  it('readTimeoutMs (PORT NOTE limit): a silent client is dropped and the timeout logged like CPython', async () => {
    live = await startServer(RequestHandler, { readTimeoutMs: 150 });
    const t0 = Date.now();
    const out = await rawRequest(live.port, '');
    expect(out.length).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(live.logs.map((e) => e.message)).toContain("Request timed out: TimeoutError('timed out')");
  });

  it('log entry: durationMs counts from the first byte of the request line; bytesSent is exact', async () => {
    live = await startServer(RequestHandler);
    const sock = net.connect(live.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const chunks: Buffer[] = [];
    sock.on('data', (c) => chunks.push(c));
    sock.write('TEST / HTTP/1.1\r\n');
    await new Promise((r) => setTimeout(r, 250));
    sock.write('\r\n');
    await new Promise((r) => sock.once('close', r));
    const entry = live.logs.find((e) => e.kind === 'request')!;
    expect(entry.durationMs).toBeGreaterThanOrEqual(200);
    expect(entry.bytesSent).toBe(Buffer.concat(chunks).length);
    expect(entry.connectionId).toBeGreaterThan(0);
  });

  it('ThreadingHTTPServer: a slow client never blocks another', async () => {
    live = await startServer(RequestHandler);
    const slow = net.connect(live.port, '127.0.0.1');
    await new Promise((r) => slow.once('connect', r));
    slow.write('TEST / HT'); // never finishes its request line
    const t0 = Date.now();
    const out = (await rawRequest(live.port, 'TEST / HTTP/1.1\r\n\r\n')).toString('latin1');
    expect(out.startsWith('HTTP/1.1 204')).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1000);
    slow.destroy();
  });
});

describe('date strings cached per second', () => {
  it('dateTimeString and logDateTimeString change exactly at whole seconds, for any order of calls', () => {
    const h = Object.create(BaseHTTPRequestHandler.prototype) as BaseHTTPRequestHandler;
    const t = Date.UTC(2026, 10, 22, 15, 59, 59);
    const cases = [t, t + 999, t + 1000, t - 1, t, 0, -1500, t + 86_400_000];
    for (const ms of cases) {
      const d = new Date(Math.floor(ms / 1000) * 1000);
      const pad = (n: number): string => String(n).padStart(2, '0');
      const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()];
      expect(logDateTimeString(ms)).toBe(`${pad(d.getDate())}/${mon}/${String(d.getFullYear()).padStart(4, '0')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`);
      expect(h.dateTimeString(ms / 1000)).toBe(d.toUTCString());
    }
    expect(h.dateTimeString(t / 1000)).toBe('Sun, 22 Nov 2026 15:59:59 GMT');
    expect(h.dateTimeString(t / 1000 + 1)).toBe('Sun, 22 Nov 2026 16:00:00 GMT');
  });
});

describe('RequestHandlerLoggingTestCase', () => {
  class LoggingHandler extends BaseHTTPRequestHandler {
    override protocolVersion = 'HTTP/1.1';
    override defaultRequestVersion = 'HTTP/1.1';
    do_GET(): void {
      this.sendResponse(200);
      this.endHeaders();
    }
    do_ERROR(): void {
      this.sendError(404, 'File not found');
    }
  }

  it('test_get: one request entry, NCSA line like CPython', async () => {
    const r = await sendTypicalRequest(LoggingHandler, 'GET / HTTP/1.1\r\nConnection: close\r\nUser-Agent: ua\r\n\r\n');
    expect(r.server.logs).toHaveLength(1);
    const e = r.server.logs[0]!;
    expect(e.kind).toBe('request');
    expect(e.message).toBe('"GET / HTTP/1.1" 200 -');
    expect(e.status).toBe(200);
    expect(e.userAgent).toBe('ua');
    expect(e.bytesSent).toBeGreaterThan(0);
    expect(formatNcsaLine({ ...e, id: 1 })).toMatch(/^127\.0\.0\.1 - - \[\d\d\/[A-Z][a-z]{2}\/\d{4} \d\d:\d\d:\d\d\] "GET \/ HTTP\/1\.1" 200 -\n$/);
  });

  it('test_err: the error entry comes before the request entry', async () => {
    const r = await sendTypicalRequest(LoggingHandler, 'ERROR / HTTP/1.1\r\n\r\n');
    expect(r.server.logs.map((l) => l.kind)).toEqual(['error', 'request']);
    expect(r.server.logs[0]!.message).toBe('code 404, message File not found');
    expect(r.server.logs[1]!.message).toBe('"ERROR / HTTP/1.1" 404 -');
  });

  it('test_log_control_chars (3.12+): control characters are escaped in the text line', () => {
    const line = formatNcsaLine({
      id: 1, kind: 'request', time: Date.now(), connectionId: 1, clientAddress: '127.0.0.1', clientPort: 1,
      method: 'GET', path: '/\x1b[31m', protocol: 'HTTP/1.0', status: 404, bytesSent: 0, durationMs: 0,
      bodyBytes: 0, headerBytes: 0, expectedBytes: null, outcome: 'done',
      userAgent: null, referer: null, message: '"GET /\x1b[31m\\ HTTP/1.0" 404 -',
    });
    expect(line.endsWith('"GET /\\x1b[31m\\\\ HTTP/1.0" 404 -\n')).toBe(true);
  });

  const first = 'GET / HTTP/1.1\r\nUser-Agent: ua-one\r\nReferer: http://ref.example/\r\n\r\n';

  it.each([
    ['a bad request line (400)', 'GET /spaced out HTTP/1.1\r\n\r\n', "HTTP/1.1 400 Bad request syntax ('GET /spaced out HTTP/1.1')", null],
    ['a header line too long (431)', 'GET /next HTTP/1.1\r\nX-Foo: ' + 'b'.repeat(65537) + '\r\n\r\n', 'HTTP/1.1 431 Line too long', '/next'],
  ])('the previous request\'s User-Agent and Referer stay out of the entries of %s on the same connection', async (_what, next, status, path) => {
    const r = await sendTypicalRequest(LoggingHandler, first + next);
    expect(r.output.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(r.output).toContain(`\r\n\r\n${status}\r\n`); // the 200 has no body
    const [ok, ...bad] = r.server.logs;
    expect(ok).toMatchObject({ kind: 'request', userAgent: 'ua-one', referer: 'http://ref.example/' });
    expect(bad.map((e) => e.kind)).toEqual(['error', 'request']);
    for (const e of bad) expect(e).toMatchObject({ userAgent: null, referer: null, path });
    // The handler's own field still holds the last headers read, as CPython's does.
    expect(r.handler.headers.get('User-Agent')).toBe('ua-one');
  });

  it('a timeout waiting for the next request logs none of the previous request\'s fields', async () => {
    const socket = new FakeSocket(first, false);
    const server = new FakeServer();
    const h = new LoggingHandler({ socket, clientAddress: ['127.0.0.1', 1], server, connectionId: 1, options: { idleTimeoutMs: 30 } });
    h.setup();
    await h.handle();
    expect(server.logs.map((e) => e.message)).toEqual(['"GET / HTTP/1.1" 200 -', "Request timed out: TimeoutError('timed out')"]);
    expect(server.logs[1]).toMatchObject({ kind: 'error', method: null, path: null, protocol: null, userAgent: null, referer: null });
    expect(h.command).toBe('GET'); // the fields themselves are CPython's: untouched
    socket.destroy();
  });

  it('pyFormat: %s %d %r %#x like Python', () => {
    expect(pyFormat('%s|%d|%r|%#x|%%', ['a', 3.7, "it's", 255])).toBe(`a|3|"it's"|0xff|%`);
  });
});

describe('kept-alive request bodies: what a do_ method leaves unread (PORT NOTE 14)', () => {
  /** PUT /<n> reads n bytes of the body (PUT /line: one readline); GET answers "ok". */
  class BodyHandler extends BaseHTTPRequestHandler {
    override protocolVersion = 'HTTP/1.1';
    async do_PUT(): Promise<void> {
      if (this.path === '/line') await this.rfile.readline(65537);
      else await this.rfile.read(Number(this.path.slice(1)));
      this.sendResponse(201);
      this.sendHeader('Content-Length', '0');
      this.endHeaders();
    }
    do_GET(): void {
      this.sendResponse(200);
      this.sendHeader('Content-Length', '2');
      this.endHeaders();
      this.wfile.write(Buffer.from('ok'));
    }
  }

  const get = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
  const put = (target: string, body: string): string => `PUT ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

  it.each([
    // The whole body read: the GET that follows is answered in both modes.
    ['reads all of it', false, put('/5', 'hello'), 'HTTP/1.1 200 OK'],
    ['reads all of it', true, put('/5', 'hello'), 'HTTP/1.1 200 OK'],
    // Part of it: CPython parses the rest as the next request line; hardened, it is discarded.
    ['reads 2 of 5 bytes', false, put('/2', 'hello'), "HTTP/1.1 501 Unsupported method ('lloGET')"],
    ['reads 2 of 5 bytes', true, put('/2', 'hello'), 'HTTP/1.1 200 OK'],
    ['reads one line of two', false, put('/line', 'ab\ncd'), "HTTP/1.1 501 Unsupported method ('cdGET')"],
    ['reads one line of two', true, put('/line', 'ab\ncd'), 'HTTP/1.1 200 OK'],
  ])('do_PUT %s, hardened %s: PUT and GET in one write on one connection', async (_what, hardened, request, second) => {
    const live = await startServer(BodyHandler, { hardened });
    try {
      const raw = await rawRequest(live.port, request + get);
      expect(statusLines(raw)).toEqual(['HTTP/1.1 201 Created', second]);
    } finally {
      await live.close();
    }
  });
});
