/**
 * Attack suite: uploads (PORT NOTE 33, the `upload` setting). Black box over loopback against
 * the built CLI with `--upload` (spawned, as a person runs it), with curl where curl can say
 * it and raw sockets where curl would tidy the attack away (`..`, NUL, 300-byte names):
 *  - curl -T and curl -F (several files in one form) put files where they belong, with a
 *    numbered name when the name is taken and never over an existing file;
 *  - a connection cut mid-file leaves neither a partial file nor the temporary file;
 *  - a full disk (a 1 MiB tmpfs mounted by the test) answers 507 in plain words and leaves
 *    nothing behind;
 *  - name attacks each get a clear answer and nothing is written outside the share, in the
 *    CLI's default, `--hardened`, `--hide-dotfiles` and `--no-follow-symlinks`; a link to a
 *    folder outside the share is never written through, whatever the link policy.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './support/servers.js';

const CLI = path.join(REPO, 'dist/server/cli.js');

interface Cli {
  readonly port: number;
  readonly proc: ChildProcess;
  stderr(): string;
  stop(): Promise<void>;
}

const running: Cli[] = [];

async function startCli(root: string, ...flags: string[]): Promise<Cli> {
  if (!fs.existsSync(CLI)) throw new Error('dist/server/cli.js is missing: run `npm run build:server` first');
  const proc = spawn(process.execPath, [CLI, '0', '-b', '127.0.0.1', '-d', root, ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the CLI did not start: ' + err)), 10_000);
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.once('exit', (code) => reject(new Error(`the CLI exited (${code}): ${err}`)));
  });
  const cli: Cli = {
    port,
    proc,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGINT');
      }),
  };
  running.push(cli);
  return cli;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
});

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** Every path under `dir` (relative), sorted; links not followed. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      out.push(r);
      if (e.isDirectory()) walk(r);
    }
  };
  walk('');
  return out.sort();
}

function curl(...args: string[]): { status: number; body: string; headers: string } {
  const hdr = path.join(os.tmpdir(), `servedir-curl-${process.pid}-${Math.random().toString(16).slice(2)}.txt`);
  const body = execFileSync('curl', ['-sS', '-D', hdr, ...args], { encoding: 'utf8', timeout: 30_000 });
  const headers = fs.readFileSync(hdr, 'utf8');
  fs.rmSync(hdr);
  const statuses = [...headers.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((m) => Number(m[1]));
  return { status: statuses[statuses.length - 1]!, body, headers };
}

/** Send raw bytes; resolve with the answer once the server closes (or after `idleMs` of silence). */
function raw(port: number, data: Buffer | string, idleMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = net.connect(port, '127.0.0.1', () => sock.write(data));
    const timer = setTimeout(() => sock.destroy(), idleMs);
    sock.on('data', (c) => chunks.push(c));
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    sock.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : reject(e)));
  });
}

const statusOf = (answer: string): number => Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0);
const bodyOf = (answer: string): string => answer.slice(answer.indexOf('\r\n\r\n') + 4);

function putRaw(target: string, body = 'attack'): string {
  return `PUT ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

function formRaw(folder: string, filename: string, body = 'attack'): Buffer {
  const b = 'AttackBoundary';
  const payload = Buffer.concat([
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="`),
    Buffer.from(filename, 'utf8'),
    Buffer.from(`"\r\nContent-Type: text/plain\r\n\r\n${body}\r\n--${b}--\r\n`),
  ]);
  const head = `POST ${folder} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${b}\r\nContent-Length: ${payload.length}\r\nConnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), payload]);
}

const waitFor = async (cond: () => boolean, ms = 10_000): Promise<boolean> => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
};

describe('uploads as people send them (curl)', () => {
  it('curl -T saves a file, a second time under a numbered name (Location says which), never over the first', async () => {
    const root = tempDir('servedir-up-');
    fs.mkdirSync(path.join(root, 'Photos'));
    const src = path.join(tempDir('servedir-src-'), 'IMG 2041.jpg');
    fs.writeFileSync(src, Buffer.alloc(200_000, 7));
    const cli = await startCli(root, '--upload');
    const first = curl('-T', src, `http://127.0.0.1:${cli.port}/Photos/IMG%202041.jpg`);
    expect(first.status).toBe(201);
    expect(first.headers).toMatch(/^Location: \/Photos\/IMG%202041\.jpg\r$/m);
    const second = curl('-T', src, `http://127.0.0.1:${cli.port}/Photos/IMG%202041.jpg`);
    expect(second.status).toBe(201);
    expect(second.headers).toMatch(/^Location: \/Photos\/IMG%202041%20%281%29\.jpg\r$/m);
    expect(second.body).toContain('A file named “IMG 2041.jpg” is already here, so this one was saved as “IMG 2041 (1).jpg”');
    expect(tree(root)).toEqual(['Photos', 'Photos/IMG 2041 (1).jpg', 'Photos/IMG 2041.jpg']);
    expect(fs.readFileSync(path.join(root, 'Photos/IMG 2041 (1).jpg')).equals(fs.readFileSync(src))).toBe(true);
    // chunked: curl -T - reads its input as it comes
    const chunked = execFileSync('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-T', '-', `http://127.0.0.1:${cli.port}/notes.txt`], {
      input: 'written on the phone\n',
      encoding: 'utf8',
    });
    expect(chunked).toBe('201');
    expect(fs.readFileSync(path.join(root, 'notes.txt'), 'utf8')).toBe('written on the phone\n');
  });

  it('curl -F with several files in one form: 303 back to the folder, every file there', async () => {
    const root = tempDir('servedir-up-');
    const srcDir = tempDir('servedir-src-');
    const names = ['a.txt', 'résumé.pdf', 'big.bin'];
    fs.writeFileSync(path.join(srcDir, names[0]!), 'A');
    fs.writeFileSync(path.join(srcDir, names[1]!), 'pdf');
    fs.writeFileSync(path.join(srcDir, names[2]!), Buffer.alloc(3 * 1024 * 1024, 9));
    fs.writeFileSync(path.join(root, 'a.txt'), 'already here');
    const cli = await startCli(root, '--upload', '--listing', 'modern');
    const r = curl(...names.flatMap((n) => ['-F', `file=@${path.join(srcDir, n)}`]), `http://127.0.0.1:${cli.port}/`);
    expect(r.status).toBe(303);
    expect(r.headers).toMatch(/^Location: \/\?added=3&renamed=1\r$/m);
    expect(tree(root)).toEqual(['a (1).txt', 'a.txt', 'big.bin', 'résumé.pdf']);
    expect(fs.readFileSync(path.join(root, 'a.txt'), 'utf8')).toBe('already here');
    expect(fs.statSync(path.join(root, 'big.bin')).size).toBe(3 * 1024 * 1024);
    const listing = curl(`http://127.0.0.1:${cli.port}/?added=3&renamed=1`);
    expect(listing.body).toContain('3 files added.');
    expect(await waitFor(() => /"POST \/ HTTP\/1\.1" 303 -/.test(cli.stderr()))).toBe(true);
  });

  it('--upload-max: a file over the limit gets 413 in plain words and nothing is kept', async () => {
    const root = tempDir('servedir-up-');
    const src = path.join(tempDir('servedir-src-'), 'video.mp4');
    fs.writeFileSync(src, Buffer.alloc(2 * 1024 * 1024));
    const cli = await startCli(root, '--upload', '--upload-max', '1M');
    const put = curl('-T', src, `http://127.0.0.1:${cli.port}/video.mp4`);
    expect(put.status).toBe(413);
    expect(put.body).toBe('“video.mp4” is too big: the largest file this computer accepts is 1 MB. Nothing of it was kept.\n');
    const form = curl('-F', `file=@${src}`, `http://127.0.0.1:${cli.port}/`);
    expect(form.status).toBe(413);
    expect(form.body).toContain('<p id="problem">“video.mp4” is too big');
    expect(tree(root)).toEqual([]);
  });
});

describe('a cut connection', () => {
  it('PUT and a form cut midway leave no partial file and no temporary file', async () => {
    const root = tempDir('servedir-up-');
    const cli = await startCli(root, '--upload');
    for (const kind of ['put', 'form'] as const) {
      const sock = net.connect(cli.port, '127.0.0.1');
      await new Promise((r) => sock.once('connect', r));
      if (kind === 'put') sock.write('PUT /movie.mp4 HTTP/1.1\r\nContent-Length: 50000000\r\n\r\n');
      else {
        sock.write('POST / HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=cut\r\nContent-Length: 50000000\r\n\r\n');
        sock.write('--cut\r\nContent-Disposition: form-data; name="file"; filename="movie.mp4"\r\n\r\n');
      }
      sock.write(Buffer.alloc(4 * 1024 * 1024, 1));
      expect(await waitFor(() => tree(root).some((n) => n.startsWith('.servedir-upload-')))).toBe(true);
      sock.destroy();
      expect(await waitFor(() => tree(root).length === 0), `${kind}: ${tree(root).join(', ')}`).toBe(true);
    }
    expect(await waitFor(() => (cli.stderr().match(/Upload cut off/g) ?? []).length === 2)).toBe(true);
  });
});

describe('a full disk', () => {
  const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'servedir-full-'));
  let mounted = false;
  let why = '';
  beforeAll(() => {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0755', 'tmpfs', mountPoint], { stdio: 'pipe' });
      mounted = true;
    } catch (err) {
      why = String((err as { stderr?: Buffer }).stderr ?? err).trim();
    }
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [mountPoint]);
    fs.rmdirSync(mountPoint);
  });

  it('507 in plain words, and nothing partial left (1 MiB tmpfs made by the test)', async (ctx) => {
    if (!mounted) {
      ctx.skip(`cannot mount a tmpfs here (needs root): ${why}`);
      return;
    }
    const src = path.join(tempDir('servedir-src-'), 'holiday.mp4');
    fs.writeFileSync(src, Buffer.alloc(3 * 1024 * 1024, 5));
    const cli = await startCli(mountPoint, '--upload');
    const put = curl('-T', src, `http://127.0.0.1:${cli.port}/holiday.mp4`);
    expect(put.status).toBe(507);
    expect(put.body).toContain('The disk of the computer sharing this folder is full, so “holiday.mp4” could not be saved. Nothing of it was kept');
    expect(tree(mountPoint)).toEqual([]);
    const form = curl('-F', `file=@${src}`, `http://127.0.0.1:${cli.port}/`);
    expect(form.status).toBe(507);
    expect(form.body).toContain('<h1>The files were not added</h1>');
    expect(tree(mountPoint)).toEqual([]);
    // and once there is room again, a small file goes in
    fs.writeFileSync(src, 'small');
    expect(curl('-T', src, `http://127.0.0.1:${cli.port}/small.txt`).status).toBe(201);
    expect(tree(mountPoint)).toEqual(['small.txt']);
  });
});

describe('name attacks', () => {
  let base: string;
  let root: string;
  let outside: string;
  beforeAll(() => {
    base = tempDir('servedir-attack-');
    root = path.join(base, 'share');
    outside = path.join(base, 'outside');
    fs.mkdirSync(path.join(root, 'x'), { recursive: true });
    fs.mkdirSync(outside);
    fs.mkdirSync(path.join(root, '.git'));
    fs.writeFileSync(path.join(root, 'existing.txt'), 'keep me');
    fs.symlinkSync(outside, path.join(root, 'outside-link'));
    fs.symlinkSync(path.join(outside, 'made-by-link.txt'), path.join(root, 'dangling.txt'));
  });

  /** [target, allowed statuses] for PUT. */
  const PUTS: readonly (readonly [string, readonly number[]])[] = [
    ['/../x.txt', [400]],
    ['/x/../../y.txt', [400]],
    ['/%2e%2e/x.txt', [400]],
    ['/%2e%2e%2fx.txt', [400]],
    ['/x/%2E%2E/%2E%2E/outside/y.txt', [400]],
    ['/..%5cx.txt', [400]],
    ['/CON', [400]],
    ['/con.txt', [400]],
    ['/LPT1.log', [400]],
    ['/a%00b.txt', [400, 404]],
    ['/a%0ab.txt', [400, 404]],
    ['/' + 'x'.repeat(300), [400]],
    ['/' + '%C3%A9'.repeat(128), [400]],
    ['/name.', [400]],
    ['/name%20', [400]],
    ['/outside-link/x.txt', [404]],
    ['/outside-link/', [400]],
    ['/x/', [400]],
    ['/missing/x.txt', [404]],
    ['/C:/x.txt', [400, 404]],
    ['/x::$DATA', [400, 404]],
  ];

  /** Filenames sent in a form to `/`. */
  const FORM_NAMES: readonly string[] = ['../x.txt', 'a/b.txt', 'a\\b.txt', '..', 'CON', 'con.txt', 'nul.tar.gz', 'x'.repeat(300), 'trailing.', 'a\u0001b'];

  for (const flags of [[], ['--hardened'], ['--no-follow-symlinks']] as const) {
    it(`PUT and form names ${flags.join(' ') || '(CLI default)'}: each a clear answer, nothing written outside`, async () => {
      const cli = await startCli(root, '--upload', ...flags);
      const before = tree(root);
      for (const [target, allowed] of PUTS) {
        const answer = await raw(cli.port, putRaw(target));
        expect(allowed, `${target}: ${answer.slice(0, 200)}`).toContain(statusOf(answer));
        // A clear answer: a sentence in words (ours), or the engine's 404 page for a refused path.
        expect(bodyOf(answer).length, target).toBeGreaterThan(20);
      }
      for (const name of FORM_NAMES) {
        const answer = await raw(cli.port, formRaw('/', name));
        expect(statusOf(answer), `${JSON.stringify(name)}: ${answer.slice(0, 300)}`).toBe(400);
        expect(bodyOf(answer)).toContain('<p id="problem">');
      }
      // A form posted to a folder through a link out of the share, or to a missing folder.
      expect(statusOf(await raw(cli.port, formRaw('/outside-link/', 'ok.txt')))).toBe(404);
      expect(statusOf(await raw(cli.port, formRaw('/%2e%2e/', 'ok.txt')))).toBe(400);
      // An existing name: a numbered one, the first file untouched; a dangling link's name is taken, not written through.
      expect(statusOf(await raw(cli.port, putRaw('/existing.txt', 'new')))).toBe(201);
      expect(statusOf(await raw(cli.port, putRaw('/dangling.txt', 'new')))).toBe(201);
      expect(fs.readFileSync(path.join(root, 'existing.txt'), 'utf8')).toBe('keep me');
      expect(fs.readdirSync(outside)).toEqual([]);
      expect(tree(root)).toEqual([...before, 'dangling (1).txt', 'existing (1).txt'].sort());
      expect(tree(base).filter((p) => !p.startsWith('share/') && p !== 'share')).toEqual(['outside']);
      fs.rmSync(path.join(root, 'existing (1).txt'));
      fs.rmSync(path.join(root, 'dangling (1).txt'));
    });
  }

  it('--hide-dotfiles: dot-names and hidden folders are refused in words, nothing written', async () => {
    const cli = await startCli(root, '--upload', '--hide-dotfiles');
    const before = tree(root);
    const env = await raw(cli.port, putRaw('/.env'));
    expect(statusOf(env)).toBe(400);
    expect(bodyOf(env)).toContain('Names starting with a dot, like “.env”, are not accepted here.');
    expect(statusOf(await raw(cli.port, putRaw('/.git/config')))).toBe(404);
    expect(statusOf(await raw(cli.port, putRaw('/%2egit/config')))).toBe(404);
    expect(statusOf(await raw(cli.port, formRaw('/', '.htaccess')))).toBe(400);
    expect(statusOf(await raw(cli.port, formRaw('/.git/', 'x.txt')))).toBe(404);
    expect(tree(root)).toEqual(before);
  });

  it('without --upload nothing is ever written: PUT and POST answer 501 as CPython does', async () => {
    const cli = await startCli(root);
    const before = tree(root);
    const put = await raw(cli.port, putRaw('/new.txt'));
    expect(put.split('\r\n')[0]).toBe("HTTP/1.0 501 Unsupported method ('PUT')");
    const post = await raw(cli.port, formRaw('/', 'new.txt'));
    expect(post.split('\r\n')[0]).toBe("HTTP/1.0 501 Unsupported method ('POST')");
    expect(tree(root)).toEqual(before);
  });
});
