/**
 * Attack suite: paths. Traversal in every encoding we know of, the sibling-prefix trap,
 * symlink escapes, Windows-only names refused on every OS, and open redirects.
 *
 * Black box over loopback against the built CLI (CPython mode and `--hardened`) and the
 * app's `serve()`. Every answer is checked for the planted secrets by the wire helpers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, type AttackFixture } from './support/fixture.js';
import { AGAINST_PYTHON, HARDENED_KINDS, KINDS, startServer, underAttack, type Target } from './support/servers.js';
import { exchange, firstHeaders, firstStatus, get } from './support/wire.js';

/** Targets that must never reach anything outside the root, in any mode. */
const TRAVERSALS: readonly string[] = [
  '/../share-secret/secret.txt',
  '/../../../../../../../../etc/passwd',
  '/..%2fshare-secret%2fsecret.txt',
  '/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
  '/%2e%2e/share-secret/secret.txt',
  '/%2E%2E/share-secret/secret.txt',
  '/%2e%2e%2fshare-secret%2fsecret.txt',
  '/.%2e/share-secret/secret.txt',
  '/%252e%252e/share-secret/secret.txt',
  '/%252e%252e%252fshare-secret%252fsecret.txt',
  '/..%252fshare-secret%252fsecret.txt',
  '/%c0%ae%c0%ae/share-secret/secret.txt',
  '/%c0%ae%c0%ae%c0%afshare-secret%c0%afsecret.txt',
  '/%e0%80%ae%e0%80%ae/share-secret/secret.txt',
  '/%ef%bc%8e%ef%bc%8e/share-secret/secret.txt', // fullwidth dots (NFKC would make them "..")
  '/%ef%bc%8e%ef%bc%8e%ef%bc%8fshare-secret%ef%bc%8fsecret.txt',
  '/%e2%80%a5/share-secret/secret.txt', // two-dot leader
  '/..%5cshare-secret%5csecret.txt',
  '/%5c..%5cshare-secret%5csecret.txt',
  '/..\\share-secret\\secret.txt',
  '/\\..\\share-secret\\secret.txt',
  '/sub\\..\\..\\share-secret\\secret.txt',
  '/sub/../../share-secret/secret.txt',
  '/sub/%2e%2e/%2e%2e/share-secret/secret.txt',
  '/./../share-secret/secret.txt',
  '//../share-secret/secret.txt',
  '/.../share-secret/secret.txt',
  '/..../share-secret/secret.txt',
  '/.../.../share-secret/secret.txt',
  '/..%2e/share-secret/secret.txt',
  '/..%20/share-secret/secret.txt',
  '/..%00/share-secret/secret.txt',
  '/..%2f%00/share-secret/secret.txt',
  '/../share-secret/secret.txt.',
  '/../share-secret/secret.txt%20',
  '/..%2fshare-secret%2fsecret.txt::$DATA',
  '/share-secret/secret.txt',
  '../share-secret/secret.txt',
  '..%2fshare-secret%2fsecret.txt',
  'share-secret/secret.txt',
  'http://127.0.0.1/../share-secret/secret.txt',
  'http://127.0.0.1/%2e%2e/share-secret/secret.txt',
  'http://127.0.0.1/..%2f..%2fshare-secret%2fsecret.txt',
  'http://127.0.0.1:1/..\\share-secret\\secret.txt',
  'http:/../share-secret/secret.txt',
  'http:..%2fshare-secret%2fsecret.txt',
  'file:///etc/passwd',
  '*',
  '/C:/Windows/win.ini',
  '/C:%5c..%5cshare-secret%5csecret.txt',
  '/%5c%5c%3f%5cC:%5cWindows%5cwin.ini', // \\?\C:\ (Win32 device path)
  '/\\\\127.0.0.1\\share-secret\\secret.txt',
];

/** Targets that name a symlink leading out of the root (refused when hardened). */
const SYMLINK_ESCAPES: readonly string[] = [
  '/link-secret.txt',
  '/link-secret-abs.txt',
  '/link-dir/secret.txt',
  '/link-dir/',
  '/link-dir',
  '/link-dir/evil.py',
  '/link-up/',
  '/link-up/share-secret/secret.txt',
  '/link-up/share-secret/',
  '/link-passwd',
  '/sub/../link-secret.txt',
  '/link-dir%2fsecret.txt',
  '/link-up%2fshare-secret%2fsecret.txt',
  '/link-up\\share-secret\\secret.txt',
];

/** Control bytes and NUL, percent-encoded and raw: 400/404, never a crash. */
const CONTROL_TARGETS: readonly string[] = [
  '/plain.txt%00',
  '/plain.txt%00.html',
  '/%00',
  '/plain.txt%01',
  '/plain%0d%0a.txt',
  '/plain%7f.txt',
  '/plain%c2%9b.txt',
  '/sub/%00/inner.txt',
];

const RAW_CONTROL_LINES: readonly Buffer[] = [
  Buffer.from('GET /plain.txt\x00 HTTP/1.0\r\n\r\n', 'latin1'),
  Buffer.from('GET /\x00/../plain.txt HTTP/1.0\r\n\r\n', 'latin1'),
  Buffer.from('GET /plain\x01.txt HTTP/1.0\r\n\r\n', 'latin1'),
  Buffer.from('GET /plain\x7f.txt HTTP/1.0\r\n\r\n', 'latin1'),
  Buffer.from('GET /plain\x9b.txt HTTP/1.0\r\n\r\n', 'latin1'),
  Buffer.from('GET /plain\x1b[2J.txt HTTP/1.0\r\n\r\n', 'latin1'),
];

/** Names Windows resolves to something else; planted here so a lax server would serve them. */
const WINDOWS_NAMES: readonly string[] = [
  '/ads.txt::$DATA',
  '/ads.txt::$data',
  '/ads.txt%3a%3a$DATA',
  '/C:/win.ini',
  '/C%3a/win.ini',
  '/C:%5cwin.ini',
  '/C:\\win.ini',
];

/** Directory targets whose redirect a naive server turns into an open redirect. */
const REDIRECTS: readonly string[] = [
  '//evil.com',
  '///evil.com',
  '////evil.com',
  '//evil.com?x=1',
  '//evil.com/%2f..',
  '/\\evil.com',
  '/\\\\evil.com',
  '\\\\evil.com',
  '/\\/evil.com',
  '/%2fevil.com',
  '/%2f%2fevil.com',
  '/%5cevil.com',
  '/%5c%5cevil.com',
  '/%2f%5cevil.com',
  '/.//evil.com',
  '/sub/..//evil.com',
  '//sub',
  '/crlf%0d%0aSet-Cookie:%20pwned=1',
  '/crlf%0D%0ASet-Cookie:%20pwned=1',
];

/**
 * Absolute-form targets naming a folder (`share/http:/evil.com`). CPython answers
 * `Location: http://evil.com/` (and the CLI's default keeps that: conformance case
 * redirect/cve-2021-28861-absolute-uri; browsers never send such a target to a server, so a
 * link cannot trigger it); the hardened profile answers a path on this server.
 */
const ABSOLUTE_FORM_REDIRECTS: readonly string[] = ['http://evil.com', 'http://evil.com/', 'HTTP://evil.com', 'http:\\\\evil.com', 'http:/evil.com'];

/** A refusal: 4xx other than 408, or (for the CPython reference only) a silent close. */
function expectRefused(target: Target, status: number | null, what: string): void {
  if (status === null && AGAINST_PYTHON) return; // CPython raises on some of these and just closes
  expect([400, 403, 404, 414], `${target.kind}: ${what} answered ${status}`).toContain(status);
}

function checkLocation(target: Target, data: Buffer, what: string): void {
  const headers = firstHeaders(data);
  expect(headers.has('set-cookie'), `${target.kind}: ${what} injected a header`).toBe(false);
  for (const location of headers.get('location') ?? []) {
    // Exactly one leading slash and no backslash right after it: `//host` and `/\host` are
    // both read by browsers as another host (CVE-2021-28861 and its backslash variant).
    expect(location, `${target.kind}: ${what} redirected to ${JSON.stringify(location)}`).toMatch(/^\/(?![/\\])/);
    expect(location).not.toMatch(/[\x00-\x1f\x7f]/);
  }
  // No response header line may start with something the client did not expect.
  const block = data.toString('latin1').split(/\r?\n\r?\n/)[0] ?? '';
  for (const line of block.split(/\r?\n/).slice(1)) {
    expect(line, `${target.kind}: ${what} header line`).toMatch(/^[A-Za-z0-9-]+: /);
  }
}

for (const kind of KINDS) {
  describe(`paths (${kind})`, () => {
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

    it('serves a normal file (the probe the other tests rely on)', async () => {
      await srv.alive();
    });

    it(`traversal in its encodings never leaves the root (${TRAVERSALS.length} targets)`, async () => {
      await underAttack(srv, async () => {
        for (const target of TRAVERSALS) {
          const answer = await exchange(srv.port, get(target), srv.forbidden);
          expectRefused(srv, firstStatus(answer.data), target);
        }
      });
    });

    it('control bytes and NUL in the path get 400/404, never a crash', async () => {
      await underAttack(srv, async () => {
        for (const target of CONTROL_TARGETS) {
          const answer = await exchange(srv.port, get(target), srv.forbidden);
          expectRefused(srv, firstStatus(answer.data), target);
        }
        for (const raw of RAW_CONTROL_LINES) {
          const answer = await exchange(srv.port, raw, srv.forbidden);
          expectRefused(srv, firstStatus(answer.data), JSON.stringify(raw.toString('latin1')));
        }
      });
    });

    it('Windows stream names and drive letters are refused on every OS', async () => {
      if (AGAINST_PYTHON) return; // CPython on Linux serves these planted names
      await underAttack(srv, async () => {
        for (const target of WINDOWS_NAMES) {
          const answer = await exchange(srv.port, get(target), srv.forbidden);
          expectRefused(srv, firstStatus(answer.data), target);
          expect(answer.data.toString('latin1')).not.toContain('planted');
        }
      });
    });

    it('redirect Location always starts with exactly one "/" and never injects a header', async () => {
      let redirects = 0;
      await underAttack(srv, async () => {
        for (const target of REDIRECTS) {
          const answer = await exchange(srv.port, get(target), srv.forbidden);
          checkLocation(srv, answer.data, target);
          if (firstStatus(answer.data) === 301) redirects++;
        }
      });
      // Several of these hit real directories: the check above must have had work to do.
      expect(redirects).toBeGreaterThanOrEqual(5);
    });

    it('a symlink inside the root that stays inside is still served', async () => {
      const answer = await exchange(srv.port, get('/alias.txt'), srv.forbidden);
      expect(firstStatus(answer.data)).toBe(200);
      expect(answer.data.toString('latin1')).toContain(fx.plainText);
    });
  });
}

for (const kind of HARDENED_KINDS) {
  describe(`hardened: symlink escapes, the sibling-prefix trap, absolute-form redirects (${kind})`, () => {
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

    it(`no symlink leads out of the root, even into <root>-secret (${SYMLINK_ESCAPES.length} targets)`, async () => {
      await underAttack(srv, async () => {
        for (const target of SYMLINK_ESCAPES) {
          const answer = await exchange(srv.port, get(target), srv.forbidden);
          expect([403, 404], `${kind}: ${target} answered ${firstStatus(answer.data)}`).toContain(firstStatus(answer.data));
        }
      });
    });

    it('absolute-form targets are redirected to a path on this server', async () => {
      let redirects = 0;
      await underAttack(srv, async () => {
        for (const target of ABSOLUTE_FORM_REDIRECTS) {
          const answer = await exchange(srv.port, get(target), srv.forbidden);
          checkLocation(srv, answer.data, target);
          if (firstStatus(answer.data) === 301) redirects++;
        }
      });
      expect(redirects).toBeGreaterThanOrEqual(3);
    });

    it('the root listing still shows the links (names are not secrets) and serves the inside alias', async () => {
      const listing = await exchange(srv.port, get('/'), srv.forbidden);
      expect(firstStatus(listing.data)).toBe(200);
      expect(listing.data.toString('latin1')).toContain('link-secret.txt');
      const alias = await exchange(srv.port, get('/alias.txt'), srv.forbidden);
      expect(firstStatus(alias.data)).toBe(200);
    });
  });
}
