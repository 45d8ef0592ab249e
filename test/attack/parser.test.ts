/**
 * Attack suite: request parsing. Header counts around CPython's limit of 100, 64 KiB and
 * 1 MiB lines, bare LF, obs-fold, request smuggling (duplicate Content-Length,
 * Transfer-Encoding with Content-Length, an unread body parsed as a request), odd methods.
 *
 * CPython's answers (200 for 99 headers, 431 from 100, 414 for a long request line, 501
 * for a lowercase method) hold in every mode; the smuggling defences only in the hardened
 * profile (the CLI's default parses an unread GET body as the next request, as CPython).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, type AttackFixture } from './support/fixture.js';
import { AGAINST_PYTHON, HARDENED_KINDS, KINDS, startServer, underAttack, type Target } from './support/servers.js';
import { exchange, firstStatus, statuses } from './support/wire.js';

function headers(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += `X-Header-${i}: value\r\n`;
  return out;
}

const SMUGGLED = 'GET /smuggled.txt HTTP/1.1\r\nHost: x\r\n\r\n';

for (const kind of KINDS) {
  describe(`request parser (${kind})`, () => {
    let fx: AttackFixture;
    let srv: Target;
    beforeAll(async () => {
      fx = buildFixture();
      srv = await startServer(kind, fx, { protocol: 'HTTP/1.1' });
    });
    afterAll(async () => {
      await srv?.stop();
      fx?.cleanup();
    });

    it('99 headers are accepted; 100, 101 and 1,000 get 431 (CPython counts the blank line)', async () => {
      await underAttack(srv, async () => {
        for (const [n, want] of [[99, 200], [100, 431], [101, 431], [1000, 431]] as const) {
          const answer = await exchange(srv.port, `GET /plain.txt HTTP/1.0\r\n${headers(n)}\r\n`, srv.forbidden);
          expect(firstStatus(answer.data), `${n} headers`).toBe(want);
        }
      });
    });

    it('64 KiB and 1 MiB request lines get 414; header lines of that size get 431', async () => {
      await underAttack(srv, async () => {
        for (const size of [64 * 1024, 1024 * 1024]) {
          const line = await exchange(srv.port, `GET /${'a'.repeat(size)} HTTP/1.0\r\n\r\n`, srv.forbidden);
          expect(firstStatus(line.data), `${size}-byte request line`).toBe(414);
          const header = await exchange(srv.port, `GET /plain.txt HTTP/1.0\r\nX-Big: ${'b'.repeat(size)}\r\n\r\n`, srv.forbidden);
          expect(firstStatus(header.data), `${size}-byte header line`).toBe(431);
        }
      });
    });

    it('a 1 MiB method and a lowercase method are refused (414 / 501)', async () => {
      await underAttack(srv, async () => {
        const huge = await exchange(srv.port, `${'G'.repeat(1024 * 1024)} /plain.txt HTTP/1.0\r\n\r\n`, srv.forbidden);
        expect(firstStatus(huge.data)).toBe(414);
        const lower = await exchange(srv.port, 'get /plain.txt HTTP/1.0\r\n\r\n', srv.forbidden);
        expect(firstStatus(lower.data)).toBe(501);
        const mixed = await exchange(srv.port, 'GeT /plain.txt HTTP/1.0\r\n\r\n', srv.forbidden);
        expect(firstStatus(mixed.data)).toBe(501);
      });
    });

    it('bare LF, obs-fold, NUL and control bytes in headers never crash', async () => {
      await underAttack(srv, async () => {
        const requests = [
          'GET /plain.txt HTTP/1.1\nHost: x\nConnection: close\n\n',
          'GET /plain.txt HTTP/1.0\r\nX-Folded: a\r\n b\r\n\tc\r\n\r\n',
          ' GET /plain.txt HTTP/1.0\r\n\r\n',
          'GET /plain.txt HTTP/1.0\r\n : no name\r\n\r\n',
          'GET /plain.txt HTTP/1.0\r\nX-Nul: a\x00b\r\n\r\n',
          'GET /plain.txt HTTP/1.0\r\nX-Esc: \x1b[2J\x9b\r\n\r\n',
          'GET /plain.txt HTTP/1.0\r\nNo colon at all\r\n\r\n',
          'GET /plain.txt HTTP/1.0\r\nHost: a\r\nHost: b\r\nConnection: keep-alive, close, upgrade\r\n\r\n',
          'GET /plain.txt HTTP/1.1111111111111111111111\r\n\r\n',
          'GET /plain.txt HTTP/1.0\r\nExpect: 100-continue\r\nExpect: 100-continue\r\n\r\n',
          'GET /plain.txt HTTP/1.0\r\nIf-Modified-Since: \x00\xff garbage 9999999999999999999\r\n\r\n',
          'GET /plain.txt HTTP/1.0\r\nRange: bytes=0-1,2-3,-1\r\n\r\n',
          '\r\n\r\n\r\n\r\n\r\n',
          'GET\r\n\r\n',
          'GET / HTTP/1.0 extra\r\n\r\n',
        ];
        for (const request of requests) {
          const answer = await exchange(srv.port, request, srv.forbidden, { end: true });
          const status = firstStatus(answer.data);
          expect(status === null || status < 500 || status === 501 || status === 505, `${JSON.stringify(request)} -> ${status}`).toBe(true);
          expect(answer.timedOut, `${JSON.stringify(request)} left hanging`).toBe(false);
        }
      });
    });

    it('duplicate Content-Length and Transfer-Encoding with Content-Length never crash', async () => {
      await underAttack(srv, async () => {
        const requests = [
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nContent-Length: ${SMUGGLED.length}\r\nContent-Length: 0\r\n\r\n${SMUGGLED}`,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0, ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n${SMUGGLED}`,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
          `POST /plain.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n${SMUGGLED}`,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n${SMUGGLED}`,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n${SMUGGLED}`,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1e3\r\n\r\n${SMUGGLED}`,
        ];
        for (const request of requests) {
          const answer = await exchange(srv.port, request, srv.forbidden, { end: true, totalMs: 4000 });
          const first = firstStatus(answer.data);
          expect(first === null || first !== 500, `${JSON.stringify(request.slice(0, 90))} -> ${first}`).toBe(true);
        }
      });
    });
  });
}

for (const kind of HARDENED_KINDS) {
  describe(`request smuggling, hardened (${kind})`, () => {
    let fx: AttackFixture;
    let srv: Target;
    beforeAll(async () => {
      fx = buildFixture();
      srv = await startServer(kind, fx, { protocol: 'HTTP/1.1' });
    });
    afterAll(async () => {
      await srv?.stop();
      fx?.cleanup();
    });

    // `srv.forbidden` includes the smuggled file's marker for hardened servers, so any
    // answer to the hidden request fails inside `exchange`.
    it('an unread GET body is never parsed as the next request', async () => {
      await underAttack(srv, async () => {
        for (const version of ['HTTP/1.1', 'HTTP/1.0']) {
          const keep = version === 'HTTP/1.0' ? 'Connection: keep-alive\r\n' : '';
          const request = `GET /plain.txt ${version}\r\nHost: x\r\n${keep}Content-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`;
          const answer = await exchange(srv.port, request, srv.forbidden, { end: true });
          expect(statuses(answer.data), version).toEqual([200]);
        }
        // The body arriving later, in pieces, is discarded all the same.
        const split = await exchange(
          srv.port,
          [`GET /plain.txt HTTP/1.1\r\nHost: x\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n`, SMUGGLED.slice(0, 10), SMUGGLED.slice(10)],
          srv.forbidden,
          { end: true, gapMs: 150 },
        );
        expect(statuses(split.data)).toEqual([200]);
      });
    });

    it('a body that is discarded does not stop the next real request from being served', async () => {
      await underAttack(srv, async () => {
        const body = 'x'.repeat(100);
        const answer = await exchange(
          srv.port,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n${body}GET /sub/inner.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          srv.forbidden,
          { end: true },
        );
        // Either the body was skipped by its length and the next request served, or the
        // connection was closed after the first answer: never a 400 for the body bytes.
        const seen = statuses(answer.data);
        expect(seen[0]).toBe(200);
        expect(seen.slice(1).every((s) => s === 200)).toBe(true);
      });
    });

    it('duplicate Content-Length and Transfer-Encoding get 400 and close the connection', async () => {
      await underAttack(srv, async () => {
        const requests = [
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nContent-Length: ${SMUGGLED.length}\r\nContent-Length: 0\r\n\r\n${SMUGGLED}`,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0, ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n${SMUGGLED}`,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n${SMUGGLED}`,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nContent-Length: +44\r\n\r\n${SMUGGLED}`,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 4_4\r\n\r\n${SMUGGLED}`,
          `GET /plain.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0x2c\r\n\r\n${SMUGGLED}`,
        ];
        for (const request of requests) {
          const answer = await exchange(srv.port, request, srv.forbidden, { end: false, totalMs: 3000 });
          expect(statuses(answer.data), JSON.stringify(request.slice(0, 100))).toEqual([400]);
          expect(answer.closed, `${JSON.stringify(request.slice(0, 100))} left the connection open`).toBe(true);
        }
      });
    });
  });
}

if (AGAINST_PYTHON) {
  describe('reference check', () => {
    it('runs against CPython: hardened cases are skipped', () => {
      expect(HARDENED_KINDS).toEqual([]);
    });
  });
}
