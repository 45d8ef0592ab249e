/**
 * Tests for cli.ts: argparse behaviour (CPython's CommandLineTestCase / ScriptTestCase names)
 * and the built command line run as a user would (banner, log line, Ctrl-C, plain errors).
 * The live tests build `dist/server/cli.js` first.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { helpText, parseArgs, usage } from './cli.js';
import { CLI_EXTRA_FLAGS } from './share-settings.js';
import { makeTempDir, writeFile } from './test-support/harness.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cliPath = path.join(repo, 'dist/server/cli.js');

/** The settings of the table's flags without their flags: CPython's values (followSymlinks true, range false, ...). */
// A file option (`--password-file`) is read by main(): absent, `args.files` names no file.
const CPYTHON_SETTINGS = {
  ...Object.fromEntries(CLI_EXTRA_FLAGS.filter((f) => f.kind !== 'file').map((f) => [f.key, f.cpython])),
  files: {},
};

describe('CommandLineTestCase (argparse)', () => {
  const parse = (...argv: string[]) => parseArgs(argv, 'cli.js', '/cwd');

  it('defaults: port 8000, no bind (dual-stack), current directory, HTTP/1.0, no CGI', () => {
    expect(parse()).toEqual({ ok: true, args: { cgi: false, bind: null, directory: '/cwd', protocol: 'HTTP/1.0', port: 8000, hardened: false, ...CPYTHON_SETTINGS } });
    expect(CPYTHON_SETTINGS).toMatchObject({ followSymlinks: true, range: false, listing: 'classic', showHidden: true });
  });

  it('test_port_flag / test_bind_flag / test_directory_flag / test_protocol_flag / test_cgi_flag', () => {
    expect(parse('9000', '-b', '127.0.0.1', '-d', 'some/folder', '-p', 'HTTP/1.1', '--cgi')).toEqual({
      ok: true,
      args: { cgi: true, bind: '127.0.0.1', directory: 'some/folder', protocol: 'HTTP/1.1', port: 9000, hardened: false, ...CPYTHON_SETTINGS },
    });
    expect(parse('--bind=::1', '--directory', '/x', '--protocol=HTTP/1.1', '--dir', '/y', ' 8080 ')).toMatchObject({
      ok: true,
      args: { bind: '::1', directory: '/y', protocol: 'HTTP/1.1', port: 8080 },
    });
    expect(parse('-b127.0.0.1')).toMatchObject({ ok: true, args: { bind: '127.0.0.1' } });
  });

  it('PORT NOTE flags: --no-follow-symlinks, --hardened (full spelling only; --h stays --help)', () => {
    expect(parse('--no-follow-symlinks')).toMatchObject({ ok: true, args: { hardened: false, followSymlinks: false } });
    expect(parse('--hardened', '8080')).toMatchObject({ ok: true, args: { hardened: true, followSymlinks: false, port: 8080 } });
    expect(parse('--h')).toEqual({ ok: false, exitCode: 0, stdout: helpText('cli.js') });
    expect(parse('--hard')).toEqual({ ok: false, exitCode: 2, stderr: usage('cli.js') + 'cli.js: error: unrecognized arguments: --hard\n' });
    expect(parse('--hardened=yes')).toMatchObject({ ok: false, exitCode: 2 });
    expect(helpText('cli.js')).toContain('  --hardened ');
  });

  it('PORT NOTE flags: --listing STYLE (classic or modern) and --hide-dotfiles (PORT NOTEs 27, 28)', () => {
    expect(parse('--listing', 'modern', '--hide-dotfiles')).toMatchObject({ ok: true, args: { listing: 'modern', showHidden: false } });
    expect(parse('--listing=classic')).toMatchObject({ ok: true, args: { listing: 'classic', showHidden: true } });
    expect(parse('--hardened')).toMatchObject({ ok: true, args: { listing: 'classic', showHidden: true } }); // neither hardens
    expect(parse('--listing', 'fancy')).toEqual({ ok: false, exitCode: 2, stderr: usage('cli.js') + "cli.js: error: argument --listing: invalid choice: 'fancy' (choose from 'classic', 'modern')\n" });
    expect(parse('--listing')).toEqual({ ok: false, exitCode: 2, stderr: usage('cli.js') + 'cli.js: error: argument --listing: expected one argument\n' });
    expect(parse('--hide-dotfiles=1')).toMatchObject({ ok: false, exitCode: 2 });
    expect(helpText('cli.js')).toContain('  --listing STYLE       directory listing style: classic');
    expect(helpText('cli.js')).toContain('  --hide-dotfiles       neither list nor serve');
  });

  it('test_help_flag: usage and options, exit 0', () => {
    const r = parse('-h');
    expect(r).toEqual({ ok: false, exitCode: 0, stdout: helpText('cli.js') });
    expect(helpText('cli.js')).toContain('  -b, --bind ADDRESS    bind to this address (default: all interfaces)\n');
  });

  it('test_invalid_port / test_unknown_flag / missing value: argparse errors, exit 2', () => {
    expect(parse('abc')).toEqual({ ok: false, exitCode: 2, stderr: usage('cli.js') + "cli.js: error: argument port: invalid int value: 'abc'\n" });
    expect(parse('--nope')).toEqual({ ok: false, exitCode: 2, stderr: usage('cli.js') + 'cli.js: error: unrecognized arguments: --nope\n' });
    expect(parse('-b')).toEqual({ ok: false, exitCode: 2, stderr: usage('cli.js') + 'cli.js: error: argument -b/--bind: expected one argument\n' });
    expect(parse('1', '2')).toEqual({ ok: false, exitCode: 2, stderr: usage('cli.js') + 'cli.js: error: unrecognized arguments: 2\n' });
    expect(parse('--cgi=yes')).toMatchObject({ ok: false, exitCode: 2 });
  });
});

describe('command line, live (as a new user runs it)', () => {
  let dir: string;
  beforeAll(() => {
    // Build only when missing: rewriting dist/server while other suites run in parallel
    // (the attack suite spawns this CLI) could hand them a half-written module.
    // scripts/test-all.mjs builds before vitest.
    if (!fs.existsSync(cliPath)) {
      try {
        execFileSync(path.join(repo, 'node_modules/.bin/tsc'), ['-p', 'server/tsconfig.build.json'], { cwd: repo, stdio: 'ignore' });
      } catch {
        // Type errors elsewhere still emit; the existence check below is what matters.
      }
    }
    expect(fs.existsSync(cliPath)).toBe(true);
    dir = makeTempDir();
    writeFile(dir, 'hello.txt', 'hello\n');
  }, 120_000);

  function run(args: string[]) {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    return { child, exited, out: () => stdout, err: () => stderr };
  }

  async function waitFor(pred: () => boolean, ms = 10_000): Promise<void> {
    const t0 = Date.now();
    while (!pred()) {
      if (Date.now() - t0 > ms) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('test_server_test_ipv4: banner, NCSA log line on stderr, Ctrl-C message and exit 0', async () => {
    const p = run(['0', '-b', '127.0.0.1', '-d', dir]);
    await waitFor(() => p.out().includes('\n'));
    const m = /^Serving HTTP on 127\.0\.0\.1 port (\d+) \(http:\/\/127\.0\.0\.1:(\d+)\/\) \.\.\.\n$/.exec(p.out());
    expect(m).not.toBeNull();
    const port = Number(m![1]);
    const res = await fetch(`http://127.0.0.1:${port}/hello.txt`);
    expect(await res.text()).toBe('hello\n');
    await waitFor(() => p.err().includes('\n'));
    expect(p.err()).toMatch(/^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4} \d\d:\d\d:\d\d\] "GET \/hello\.txt HTTP\/1\.1" 200 -\n$/);
    p.child.kill('SIGINT');
    expect(await p.exited).toBe(0);
    expect(p.out().endsWith('...\n\nKeyboard interrupt received, exiting.\n')).toBe(true);
  });

  it('PORT NOTEs 27, 28: --listing modern --hide-dotfiles serves the phone page without hidden names; without them, CPython\'s page', async () => {
    writeFile(dir, '.secret', 'no');
    const p = run(['0', '-b', '127.0.0.1', '-d', dir, '--listing', 'modern', '--hide-dotfiles']);
    const q = run(['0', '-b', '127.0.0.1', '-d', dir]);
    await waitFor(() => p.out().includes('\n') && q.out().includes('\n'));
    const portOf = (out: string) => Number(/port (\d+)/.exec(out)![1]);
    const modern = await fetch(`http://127.0.0.1:${portOf(p.out())}/`);
    expect(modern.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    const html = await modern.text();
    expect(html).toContain('<meta name="viewport"');
    expect(html).toContain('<bdi>hello.txt</bdi>');
    expect(html).not.toContain('.secret');
    expect((await fetch(`http://127.0.0.1:${portOf(p.out())}/.secret`)).status).toBe(404);
    const classic = await fetch(`http://127.0.0.1:${portOf(q.out())}/`);
    expect(classic.headers.get('content-security-policy')).toBeNull();
    expect(await classic.text()).toContain('<li><a href=".secret">.secret</a></li>');
    expect(await (await fetch(`http://127.0.0.1:${portOf(q.out())}/.secret`)).text()).toBe('no');
    p.child.kill('SIGINT');
    q.child.kill('SIGINT');
    expect([await p.exited, await q.exited]).toEqual([0, 0]);
    fs.rmSync(path.join(dir, '.secret'));
  });

  it('test_server_test_unspec: no -b binds dual-stack "::"', async () => {
    const p = run(['0', '-d', dir]);
    await waitFor(() => p.out().includes('\n'));
    expect(p.out()).toMatch(/^Serving HTTP on :: port \d+ \(http:\/\/\[::\]:\d+\/\) \.\.\.\n$/);
    p.child.kill('SIGINT');
    expect(await p.exited).toBe(0);
  });

  it('PORT NOTE: a busy port gives one plain sentence and exit 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    const p = run([String(port), '-b', '127.0.0.1', '-d', dir]);
    expect(await p.exited).toBe(1);
    expect(p.err()).toBe(`Port ${port} is already in use by another program; choose another port.\n`);
    blocker.close();
  });

  it('PORT NOTE: a missing folder gives one plain sentence and exit 1', async () => {
    const p = run(['0', '-d', path.join(dir, 'nope')]);
    expect(await p.exited).toBe(1);
    expect(p.err()).toBe(`The folder ${path.join(dir, 'nope')} does not exist. It may have been moved or deleted.\n`);
  });

  it('PORT NOTE 32: --password-file FILE asks for its first line (curl -u); a missing or empty file is one plain sentence, exit 1', async () => {
    const secrets = makeTempDir();
    const pw = writeFile(secrets, 'pw.txt', 'river candle maple stone\nnot this line\n');
    const p = run(['0', '-b', '127.0.0.1', '-d', dir, '--password-file', pw]);
    await waitFor(() => p.out().includes('\n'));
    const port = Number(/port (\d+)/.exec(p.out())![1]);
    // As curl asks (Node's fetch sends Sec-Fetch-Mode, as browsers do, and gets no challenge).
    const refused = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      import('node:http').then(({ get }) => get(`http://127.0.0.1:${port}/hello.txt`, { headers: { 'User-Agent': 'curl/8.5.0' } }, resolve).on('error', reject), reject);
    });
    refused.resume();
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Basic realm="Servedir", charset="UTF-8"');
    const auth = 'Basic ' + Buffer.from('me:river candle maple stone').toString('base64');
    expect(await (await fetch(`http://127.0.0.1:${port}/hello.txt`, { headers: { Authorization: auth } })).text()).toBe('hello\n');
    await waitFor(() => p.err().split('\n').length >= 3);
    expect(p.err()).toMatch(/"GET \/hello\.txt HTTP\/1\.1" 401 -\n/);
    expect(p.err()).toMatch(/"GET \/hello\.txt HTTP\/1\.1" 200 -\n/);
    expect(p.err()).not.toContain('river');
    p.child.kill('SIGINT');
    expect(await p.exited).toBe(0);

    const missing = run(['0', '-d', dir, '--password-file', path.join(secrets, 'nope.txt')]);
    expect(await missing.exited).toBe(1);
    expect(missing.err()).toBe(`The password file ${path.join(secrets, 'nope.txt')} does not exist.\n`);
    const emptyFile = writeFile(secrets, 'empty.txt', '');
    const empty = run(['0', '-d', dir, '--password-file', emptyFile]);
    expect(await empty.exited).toBe(1);
    expect(empty.err()).toBe(`The password file ${emptyFile} is empty: put the password on its first line.\n`);
  });

  it('usage error exits 2 with argparse text', async () => {
    const p = run(['notaport']);
    expect(await p.exited).toBe(2);
    expect(p.err()).toBe("usage: cli.js [-h] [--cgi] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [port]\ncli.js: error: argument port: invalid int value: 'notaport'\n");
  });
});
