/**
 * Property-based fuzz test of the request parsing path (fast-check), over loopback
 * against the built CLI (CPython mode and `--hardened`) and the app's `serve()`.
 *
 * Requests are built from a grammar of near-valid pieces (methods, hostile path segments,
 * versions, headers that matter for framing) and then mutated (random bytes inserted, the
 * tail cut off). For every one, after we half-close our side:
 *   - the server answers or closes within 3 s (never hangs on a finished client),
 *   - it never answers 500 (a parser path that throws is a bug even when caught),
 *   - no answer contains a planted secret,
 * and after the run the process is alive and serves normally. Counts and time are bounded
 * (FUZZ_RUNS overrides the per-server run count).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, type AttackFixture } from './support/fixture.js';
import { KINDS, startServer, underAttack, type Target } from './support/servers.js';
import { exchange, statuses } from './support/wire.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 120);

const text = (max: number): fc.Arbitrary<string> => fc.string({ maxLength: max, unit: 'binary-ascii' });

const method = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'OPTIONS', 'CONNECT', 'TRACE', 'get', 'GETs', '') },
  { weight: 1, arbitrary: text(10) },
);

const segment = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '..', '.', '...', '%2e%2e', '%2E%2e', '.%2e', '%252e%252e', '..%2f', '..%5c', '%5c', '\\', '%00', '%01', '%0d%0a',
      '%c0%ae%c0%ae', '%ef%bc%8e%ef%bc%8e', 'plain.txt', 'sub', 'inner.txt', 'evil.com', 'share-secret', 'secret.txt',
      'http:', 'C:', 'ads.txt::$DATA', '%', '%zz', '%25', '?', '#', '', ';', '%2f', '%ff', '\x1b', '\x9b', 'é',
    ),
  },
  { weight: 1, arbitrary: text(6) },
);

const target = fc
  .tuple(
    fc.constantFrom('/', '', '//', '///', '/\\', 'http://127.0.0.1/', 'http://evil.com', 'HTTP://x', '*', '/%2f'),
    fc.array(segment, { maxLength: 6 }),
    fc.option(fc.constantFrom('?a=1', '?..', '#frag', '?%00', '/'), { nil: '' }),
  )
  .map(([start, segs, tail]) => start + segs.join('/') + tail);

const version = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/1.1', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/1.10', 'HTTP/01.1', 'http/1.1', 'HTTP/1', 'HTTP/1.1.1', ''),
  },
  { weight: 1, arbitrary: text(12) },
);

const header = fc.tuple(
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom('Host', 'Content-Length', 'Transfer-Encoding', 'Connection', 'Expect', 'If-Modified-Since', 'If-None-Match', 'Range', 'User-Agent', 'Cookie', ' X', 'X '),
    },
    { weight: 1, arbitrary: text(10) },
  ),
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom('0', '-1', '5', '44', '1e3', '99999999999999999999', 'chunked', 'close', 'keep-alive', '100-continue',
        'Sun, 13 Sep 2020 12:26:40 GMT', 'x, y', '', '\x00', '\x1b[2J'),
    },
    { weight: 1, arbitrary: text(20) },
  ),
);

const eol = fc.constantFrom('\r\n', '\r\n', '\r\n', '\n', '\r', '\n\r');
const sp = fc.constantFrom(' ', ' ', ' ', '  ', '\t', '\x0b', '');

const request = fc
  .record({
    method,
    sp1: sp,
    target,
    sp2: sp,
    version,
    eol1: eol,
    headers: fc.array(fc.tuple(header, eol), { maxLength: 8 }),
    eol2: eol,
    body: fc.oneof(fc.constant(''), fc.constant('GET /smuggled.txt HTTP/1.1\r\nHost: x\r\n\r\n'), text(40)),
    insert: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 6 })), { nil: undefined }),
    cut: fc.option(fc.nat(), { nil: undefined }),
  })
  .map((r) => {
    const head =
      `${r.method}${r.sp1}${r.target}${r.sp2}${r.version}${r.eol1}` +
      r.headers.map(([[name, value], end]) => `${name}: ${value}${end}`).join('') +
      `${r.eol2}${r.body}`;
    let bytes = Buffer.from(head, 'latin1');
    if (r.insert) {
      const at = r.insert[0] % (bytes.length + 1);
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(r.insert[1]), bytes.subarray(at)]);
    }
    if (r.cut !== undefined && bytes.length > 0) bytes = bytes.subarray(0, r.cut % (bytes.length + 1));
    return bytes;
  });

for (const kind of KINDS) {
  describe(`request parser fuzz (${kind})`, () => {
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

    it(`never throws, never hangs, always answers or closes (${RUNS} requests)`, async () => {
      // The smuggled request after a head with no body framing is a legitimate pipelined
      // request (e.g. `GET / HTTP/1.10\r\n\r\nGET /smuggled.txt ...`), which an HTTP/1.1
      // server must answer: here its marker is not a leak. The framings that must never let it
      // through are pinned one by one in parser.test.ts.
      const fuzzForbidden = srv.forbidden.filter((m) => m !== fx.smuggledMarker);
      await underAttack(srv, async () => {
        await fc.assert(
          fc.asyncProperty(request, async (bytes) => {
            const answer = await exchange(srv.port, bytes, fuzzForbidden, { end: true, quietMs: 3000, totalMs: 3000 });
            expect(answer.closed, `no close within 3 s for ${JSON.stringify(bytes.toString('latin1'))}`).toBe(true);
            expect(statuses(answer.data), `500 for ${JSON.stringify(bytes.toString('latin1'))}`).not.toContain(500);
            expect(srv.exited(), 'server process exited').toBeNull();
          }),
          { numRuns: RUNS, interruptAfterTimeLimit: 60_000, markInterruptAsFailure: true },
        );
      });
    }, 120_000);
  });
}
