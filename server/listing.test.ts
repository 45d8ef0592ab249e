/**
 * Tests for listing.ts: the entry lines of a listing, byte for byte what CPython's
 * `list_directory` renders (oracle: this machine's python3 running `list_directory` itself),
 * and the fast quoting and escaping equal to `quote()` and `html.escape()` for every string.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeFs } from './handler-fs.js';
import { escapeName, quoteName, renderListingEntries } from './listing.js';
import { htmlEscape, quote } from './py-text.js';
import { makeTempDir, writeFile } from './test-support/harness.js';

/** CPython's `list_directory(path)` body for a folder, as bytes (headers not sent). */
function cpythonListing(dir: string, requestPath: string): Buffer {
  const script = [
    'import sys, http.server',
    'class H(http.server.SimpleHTTPRequestHandler):',
    '    def __init__(self): self.path = sys.argv[2]',
    '    def send_response(self, *a): pass',
    '    def send_header(self, *a): pass',
    '    def end_headers(self): pass',
    'sys.stdout.buffer.write(H().list_directory(sys.argv[1]).read())',
  ].join('\n');
  return execFileSync('python3', ['-c', script, dir, requestPath]);
}

describe('renderListingEntries', () => {
  it('hostile names, non-UTF-8 bytes, astral and case-equal names, links: CPython\'s entry lines', async () => {
    const dir = makeTempDir() + '/';
    const names = [
      'a&b<c>.txt', '#x?%.txt', 'É.txt', 'é.txt', 'E.txt', 'e.txt', '😀 astral.txt', '\uff5e fullwidth.txt',
      "!'()*~ quote.txt", 'ΑΣ sigma', 'İstanbul', 'space name', 'plus+semi;eq=.txt', 'tab\tname', 'back\\slash',
    ];
    for (const n of names) writeFile(dir, n, 'x');
    fs.writeFileSync(Buffer.concat([Buffer.from(dir), Buffer.from([0xff, 0xfe, 0x20, 0x72, 0x61, 0x77])]), 'x');
    fs.writeFileSync(Buffer.concat([Buffer.from(dir), Buffer.from('caf'), Buffer.from([0xe9])]), 'x'); // latin-1 é
    fs.mkdirSync(path.join(dir, 'sub dir'));
    fs.mkdirSync(path.join(dir, 'Z&<dir>'));
    fs.symlinkSync('sub dir', path.join(dir, 'link to dir'));
    fs.symlinkSync('a&b<c>.txt', path.join(dir, 'link to file'));
    fs.symlinkSync('nowhere', path.join(dir, 'dangling'));
    const ours = await renderListingEntries(dir, nodeFs);
    const py = cpythonListing(dir, '/x/');
    const start = py.indexOf('<ul>\n') + '<ul>\n'.length;
    expect(ours.bytes.toString('latin1')).toBe(py.subarray(start).toString('latin1'));
    expect(ours.links.map((l) => [path.basename(l.path.toString()), l.isDir]).sort()).toEqual([
      ['dangling', false],
      ['link to dir', true],
      ['link to file', false],
    ]);
  });

  it('entries of unknown type (DT_UNKNOWN) are lstat\'ed: the same lines and links', async () => {
    const dir = makeTempDir() + '/';
    writeFile(dir, 'f.txt', 'x');
    fs.mkdirSync(path.join(dir, 'd'));
    fs.symlinkSync('d', path.join(dir, 'l'));
    const unknown = { ...nodeFs, readdirEntries: async (p: Buffer) => (await nodeFs.readdirEntries(p)).map((e) => ({ name: e.name, kind: 'unknown' as const })) };
    const typed = await renderListingEntries(dir, nodeFs);
    const statted = await renderListingEntries(dir, unknown);
    expect(statted.bytes.equals(typed.bytes)).toBe(true);
    expect(statted.links).toEqual(typed.links);
    expect(typed.bytes.toString()).toBe(
      '<li><a href="d/">d/</a></li>\n<li><a href="f.txt">f.txt</a></li>\n<li><a href="l/">l@</a></li>\n</ul>\n<hr>\n</body>\n</html>\n',
    );
  });

  it('an unreadable folder rejects (the handler answers 404)', async () => {
    await expect(renderListingEntries(path.join(makeTempDir(), 'missing') + '/', nodeFs)).rejects.toThrow();
  });
});

describe('quoteName / escapeName', () => {
  const anyString = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.constantFrom('a', '/', '!', "'", '(', ')', '*', '~', '%', ' ', '&', '<', '>', 'é', '\ud800', '\udc80', '\ud83d', '\ude00', '\uffff') }),
  );

  it('quoteName(s) === quote(s, "surrogatepass") for every string, lone surrogates included', () => {
    fc.assert(fc.property(anyString, (s) => quoteName(s) === quote(s, 'surrogatepass')), { numRuns: 3000 });
    expect(quoteName("a/b!'()*~ é")).toBe('a/b%21%27%28%29%2A~%20%C3%A9');
    expect(quoteName('\udcff')).toBe('%ED%B3%BF');
  });

  it('escapeName(s) === html.escape(s, quote=False) for every string', () => {
    fc.assert(fc.property(anyString, (s) => escapeName(s) === htmlEscape(s, false)), { numRuns: 3000 });
    expect(escapeName(`a&<>"'`)).toBe(`a&amp;&lt;&gt;"'`);
  });
});
