/**
 * Attack suite: log injection. A client chooses the bytes of its request line; the log
 * must show them escaped (`\xHH` for C0, DEL and C1, `\\` for a backslash, as CPython
 * 3.12's log_message does), so it can neither drive the terminal (ESC, OSC, CSI 0x9b),
 * nor forge a log line (CR, LF, NEL 0x85).
 *
 * The CLI's stderr is the text sink tested here, byte for byte, including what a CGI
 * script writes to its stderr (the script may echo client input). The app's entries are
 * structured and unescaped by contract; the window renders them as text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, type AttackFixture } from './support/fixture.js';
import { AGAINST_PYTHON, startServer, underAttack, type ServerKind, type Target } from './support/servers.js';
import { exchange, sleep } from './support/wire.js';

const HOSTILE: readonly Buffer[] = [
  'GET /\x1b[31mred\x1b[0m HTTP/1.0\r\n\r\n',
  'GET /\x1b]0;pwned-title\x07 HTTP/1.0\r\n\r\n',
  'GET /\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\ HTTP/1.0\r\n\r\n',
  'GET /\x9b2J HTTP/1.0\r\n\r\n',
  'GET /\x85FAKE-NEL-LINE HTTP/1.0\r\n\r\n',
  'GET /%0d%0a127.0.0.1%20-%20-%20FORGED HTTP/1.0\r\n\r\n',
  'GET /a\rFORGED-CR HTTP/1.0\r\n\r\n',
  'GET /\x00nul\x7fdel\x08bs HTTP/1.0\r\n\r\n',
  'GET /back\\x1bslash HTTP/1.0\r\n\r\n',
  'GET / HTTP/1.\x1b[2J\r\n\r\n',
  '\x1b[2J\x1b[H\r\n\r\n',
  'GET /plain.txt HTTP/1.0\r\nUser-Agent: \x1b]0;ua\x07\x9b\r\nReferer: \x1b[5m\r\n\r\n',
].map((s) => Buffer.from(s, 'latin1'));

const kinds: readonly ServerKind[] = AGAINST_PYTHON ? ['cli'] : ['cli', 'cli-hardened'];

for (const kind of kinds) {
  describe(`log injection (${kind})`, () => {
    let fx: AttackFixture;
    let srv: Target;
    beforeAll(async () => {
      fx = buildFixture();
      srv = await startServer(kind, fx, { protocol: 'HTTP/1.0', cgi: true });
    });
    afterAll(async () => {
      await srv?.stop();
      fx?.cleanup();
    });

    it('stderr shows every control character escaped and every request on one line', async () => {
      await underAttack(srv, async () => {
        for (const request of HOSTILE) await exchange(srv.port, request, srv.forbidden, { end: true });
        // A script's stderr is client-controlled too (here it echoes the query).
        const cgi = await exchange(srv.port, 'GET /cgi-bin/errecho.py?CGI%1b]0;cgi-title%07%c2%9bCSI%0dCR HTTP/1.0\r\n\r\n', srv.forbidden);
        expect(cgi.data.toString('latin1')).toContain('logged');
      });
      await sleep(300);
      const text = srv.stderr().toString('utf8');
      const bad = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/.exec(text);
      expect(bad, bad ? `raw ${JSON.stringify(bad[0])} in stderr near ${JSON.stringify(text.slice(Math.max(0, bad.index - 60), bad.index + 20))}` : '').toBeNull();
      // The escapes are there, so the lines were written (this test cannot pass on silence).
      expect(text).toContain('\\x1b[31mred');
      expect(text).toContain('\\x1b]0;pwned-title\\x07');
      expect(text).toContain('\\x9b2J');
      expect(text).toContain('\\x85FAKE-NEL-LINE');
      expect(text).toContain('\\\\x1bslash');
      expect(text).toContain('CGI\\x1b]0;cgi-title\\x07\\x9bCSI\\x0dCR');
      // No forged line: every line is a log line of the server (or the script's one line).
      for (const line of text.split('\n').filter((l) => l.length > 0)) {
        expect(line, 'a line that is not a log line').toMatch(/^(127\.0\.0\.1 - - \[|CGI\\x1b)/);
      }
    });
  });
}
