/**
 * Attack suite: CGI. Escapes out of the CGI directory in every spelling, the script
 * source never shown, shell metacharacters in the query, httpoxy and the server's own
 * environment, hostile Content-Length values, runaway scripts (timeout, client leaving,
 * stdout and stderr floods).
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, type AttackFixture } from './support/fixture.js';
import { isRunning, killLeftovers, waitForExit, waitForPid } from './support/procs.js';
import { AGAINST_PYTHON, HARDENED_KINDS, KINDS, startServer, underAttack, type Target } from './support/servers.js';
import { bodyOf, exchange, firstStatus, get, open, sleep } from './support/wire.js';

/** CGI-looking targets: none may run anything outside the root or show a script's source. */
const CGI_ESCAPES: readonly string[] = [
  '/cgi-bin/../share-secret/evil.py',
  '/cgi-bin/../../share-secret/evil.py',
  '/cgi-bin/../../../../../../bin/sh',
  '/cgi-bin/../../../../../../usr/bin/id',
  '/cgi-bin/%2e%2e/%2e%2e/share-secret/evil.py',
  '/cgi-bin/..%2f..%2fshare-secret%2fevil.py',
  '/cgi-bin%2f..%2f..%2fshare-secret%2fevil.py',
  '/cgi-bin/%252e%252e/%252e%252e/share-secret/evil.py',
  '/cgi-bin/..%5c..%5cshare-secret%5cevil.py',
  '/cgi-bin\\..\\..\\share-secret\\evil.py',
  '/cgi-bin/..',
  '/cgi-bin/../',
  '/cgi-bin/',
  '/cgi-bin',
  '/cgi-bin%2fhello.py',
  '/cgi-bin%2Fhello.py',
  '/cgi-bin%5chello.py',
  '/cgi-bin\\hello.py',
  '/cgi-bin/hello.py/',
  '/cgi-bin/hello.py.',
  '/cgi-bin/hello.py%20',
  '/cgi-bin/hello.py%00',
  '/cgi-bin/hello.py%00.txt',
  '/cgi-bin/hello.py::$DATA',
  '/cgi-bin/hello.py%3a%3a$DATA',
  '/CGI-BIN/hello.py',
  '/cgi-bin/HELLO.PY',
  '/%63gi-bin/hello.py',
  '/cgi-bin/%68ello.py',
  '/./cgi-bin/hello.py',
  '//cgi-bin/hello.py',
  '/cgi-bin//hello.py',
  '/cgi-bin/./hello.py',
  '/sub/../cgi-bin/hello.py',
  '/sub/..%2fcgi-bin%2fhello.py',
  '/cgi-bin/noexec.py',
  '/cgi-bin/noexec.py/',
  '/cgi-bin/noexec.py/extra/path',
  '/cgi-bin/noexec.py.',
  '/cgi-bin%2fnoexec.py',
  '/cgi-bin\\noexec.py',
  '/sub/..%5ccgi-bin%5cnoexec.py',
];

function post(target: string, body: string, extra: readonly string[] = []): string {
  return `POST ${target} HTTP/1.0\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n${extra.map((h) => `${h}\r\n`).join('')}\r\n${body}`;
}

for (const kind of KINDS) {
  describe(`CGI (${kind})`, () => {
    let fx: AttackFixture;
    let srv: Target;
    beforeAll(async () => {
      fx = buildFixture();
      srv = await startServer(kind, fx, { protocol: 'HTTP/1.1', cgi: true });
    });
    afterAll(async () => {
      await srv?.stop();
      if (fx) killLeftovers(fx.pidDir);
      fx?.cleanup();
    });

    it('runs a script (so the checks below are about a working CGI server)', async () => {
      const answer = await exchange(srv.port, get('/cgi-bin/hello.py'), srv.forbidden);
      expect(firstStatus(answer.data)).toBe(200);
      expect(answer.data.toString('latin1')).toContain('hello from cgi');
    });

    it(`escapes out of the CGI directory never run or show anything they should not (${CGI_ESCAPES.length} targets)`, async () => {
      await underAttack(srv, async () => {
        for (const target of CGI_ESCAPES) {
          for (const request of [get(target), post(target, 'a=1')]) {
            const answer = await exchange(srv.port, request, srv.forbidden);
            expect(answer.data.toString('latin1'), target).not.toMatch(/uid=\d+/);
            expect(firstStatus(answer.data), `${target} crashed the handler`).not.toBe(500);
          }
        }
      });
    });

    it('a script that is not executable gets 403 and its source is never shown', async () => {
      const answer = await exchange(srv.port, get('/cgi-bin/noexec.py'), srv.forbidden);
      expect(firstStatus(answer.data)).toBe(403);
    });

    it('shell metacharacters in QUERY_STRING reach the script as data, never a shell', async () => {
      const pwn = fx.pwnDir;
      const queries = [
        `;touch+${pwn}/semicolon`,
        `$(touch+${pwn}/dollar)`,
        `\`touch+${pwn}/backtick\``,
        `|touch+${pwn}/pipe`,
        `&&touch+${pwn}/and`,
        `%0atouch+${pwn}/newline`,
        `'+;touch+${pwn}/quote;'`,
        `>${pwn}/redirect`,
        `x=$(touch+${pwn}/assign)`,
      ];
      await underAttack(srv, async () => {
        for (const query of queries) {
          const answer = await exchange(srv.port, get(`/cgi-bin/args.py?${query}`), srv.forbidden);
          expect(firstStatus(answer.data), query).toBe(200);
          expect(answer.data.toString('latin1'), query).toContain('QUERY_STRING=');
        }
      });
      expect(readdirSync(pwn)).toEqual([]);
    });

    // The CLI's default copies the server's environment, as CPython does (the conformance
    // harness checks it); the hardened profile passes only CGI variables and PATH.
    it('no HTTP_PROXY (httpoxy) from a client; hardened, none of the server\'s own environment', async () => {
      const answer = await exchange(
        srv.port,
        get('/cgi-bin/env.py', 'HTTP/1.0', ['Proxy: http://127.0.0.1:9/', 'X-Forwarded-For: 1.2.3.4', 'Cookie: a=b']),
        srv.forbidden,
      );
      const text = answer.data.toString('latin1');
      expect(firstStatus(answer.data)).toBe(200);
      expect(text).toContain('GATEWAY_INTERFACE=CGI/1.1');
      expect(text).not.toMatch(/^HTTP_PROXY=/m);
      expect(text).not.toMatch(/^HTTP_X_FORWARDED_FOR=/m);
      if (srv.hardened) expect(text, 'the server passed its own environment to the script').not.toContain(fx.parentEnvMarker);
      else expect(text, 'CPython mode passes the server environment on').toContain(fx.parentEnvMarker);
    });

    it('a negative, huge or malformed Content-Length is refused, never waited on', async () => {
      await underAttack(srv, async () => {
        for (const [length, allowed] of [
          ['-1', [400, 411, 413]],
          ['-99999', [400, 411, 413]],
          ['99999999999999', [413]],
          ['18446744073709551617', [400, 413]],
        ] as const) {
          const answer = await exchange(
            srv.port,
            `POST /cgi-bin/echo.py HTTP/1.0\r\nContent-Length: ${length}\r\n\r\nabc`,
            srv.forbidden,
            { totalMs: 4000 },
          );
          expect(answer.timedOut, `Content-Length ${length}: no answer in 4 s`).toBe(false);
          expect(allowed as readonly number[], `Content-Length ${length}`).toContain(firstStatus(answer.data));
        }
        const ok = await exchange(srv.port, post('/cgi-bin/echo.py', 'y'.repeat(100_000)), srv.forbidden, { totalMs: 10_000 });
        expect(ok.data.toString('latin1')).toContain('GOT 100000');
      });
    });

    it('the script is killed when the client leaves', async () => {
      const name = `leave-${kind}`;
      const socket = await open(srv.port);
      socket.write(get(`/cgi-bin/sleep.py?${name}`));
      const pid = await waitForPid(fx.pidDir, name);
      expect(isRunning(pid)).toBe(true);
      socket.destroy();
      expect(await waitForExit(pid, 5000), `CGI child ${pid} still running 5 s after the client left`).toBe(true);
      await srv.alive();
    });

    it('a script flooding stdout to a client that never reads costs bounded memory', async () => {
      const socket = await open(srv.port);
      try {
        socket.pause(); // never read: the kernel buffers fill, then the server must stop reading the script
        await underAttack(
          srv,
          async () => {
            socket.write(get('/cgi-bin/flood.py'));
            await sleep(3000);
          },
          { abortKiB: 512 * 1024, onRunaway: () => socket.destroy() },
        );
      } finally {
        socket.destroy();
      }
      const pid = await waitForPid(fx.pidDir, 'flood');
      expect(await waitForExit(pid, 5000), 'flooding CGI child survived its client').toBe(true);
    });

    it('a script flooding stderr (96 MiB) costs bounded memory and still answers', async () => {
      const { result } = await underAttack(srv, () =>
        exchange(srv.port, get('/cgi-bin/errflood.py'), srv.forbidden, {
          totalMs: 40_000,
          quietMs: 20_000,
          until: (d) => d.includes('errflood done'),
        }),
      );
      expect(result.data.toString('latin1')).toContain('errflood done');
    }, 60_000);
  });
}

for (const kind of HARDENED_KINDS) {
  describe(`CGI, hardened (${kind})`, () => {
    let fx: AttackFixture;
    let srv: Target;
    beforeAll(async () => {
      fx = buildFixture();
      srv = await startServer(kind, fx, {
        protocol: 'HTTP/1.1',
        cgi: true,
        ...(kind === 'app' ? { limits: { cgiTimeoutMs: 1500, maxBodyBytes: 1024 * 1024 } } : {}),
      });
    });
    afterAll(async () => {
      await srv?.stop();
      if (fx) killLeftovers(fx.pidDir);
      fx?.cleanup();
    });

    it('a script symlinked from outside, or a CGI directory that is a symlink out, never runs', async () => {
      await underAttack(srv, async () => {
        for (const target of ['/cgi-bin/escape.py', '/htbin/evil.py', '/htbin/secret.txt', '/htbin/', '/cgi-bin/escape.py/x']) {
          for (const request of [get(target), post(target, 'a=1')]) {
            const answer = await exchange(srv.port, request, srv.forbidden);
            expect([403, 404], `${target} -> ${firstStatus(answer.data)}`).toContain(firstStatus(answer.data));
          }
        }
      });
    });

    if (kind === 'app') {
      it('a script running past its timeout is killed', async () => {
        const started = Date.now();
        const answer = await exchange(srv.port, get('/cgi-bin/sleep.py?timeout'), srv.forbidden, { totalMs: 8000, quietMs: 8000 });
        const pid = await waitForPid(fx.pidDir, 'timeout');
        expect(answer.closed, 'connection still open 8 s into a 1.5 s CGI timeout').toBe(true);
        expect(Date.now() - started).toBeLessThan(7000);
        expect(await waitForExit(pid, 3000), 'timed-out CGI child still running').toBe(true);
        await srv.alive();
      });

      it('a request body over the byte cap is refused with 413 before the script runs', async () => {
        const answer = await exchange(
          srv.port,
          `POST /cgi-bin/echo.py HTTP/1.0\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n${'z'.repeat(1000)}`,
          srv.forbidden,
          { totalMs: 4000 },
        );
        expect(firstStatus(answer.data)).toBe(413);
        expect(bodyOf(answer.data).toString('latin1')).not.toContain('GOT');
        await srv.alive();
      });
    }
  });
}

if (AGAINST_PYTHON) {
  describe('reference check', () => {
    it('runs against CPython: hardened cases are skipped', () => {
      expect(HARDENED_KINDS).toEqual([]);
    });
  });
}
