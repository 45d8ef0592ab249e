/**
 * The truthful log (issue 12 part 4): a response's entry says how much of its body went out
 * (headers apart), whether it is still going out (`in-progress` updates, throttled, from a
 * server given `logProgressMs`), was cut short (`incomplete`) or its CGI script failed
 * (`failed`); and the CLI's lines stay CPython's (no progress, same messages).
 */
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CGIHTTPRequestHandler } from './cgi-handler.js';
import { HTTPServer } from './http-server.js';
import { formatNcsaLine, type RequestLogEntry } from './log.js';
import { SimpleHTTPRequestHandler } from './simple-handler.js';
import type { HandlerClass, HandlerOptions } from './base-handler.js';
import { makeTempDir, rawRequest, writeFile } from './test-support/harness.js';

const BIG = 24 * 1024 * 1024;
const PROGRESS_MS = 100;

let root: string;
beforeAll(() => {
  root = makeTempDir();
  writeFile(root, 'six.txt', 'hello\n');
  writeFile(root, 'big.bin', Buffer.alloc(BIG, 0x61));
  writeFile(root, 'album/a.bin', Buffer.alloc(BIG, 0x62));
  writeFile(root, 'cgi-bin/ok.py', '#!/usr/bin/python3\nprint("Content-type: text/plain")\nprint()\nprint("fine")\n', 0o755);
  writeFile(root, 'cgi-bin/boom.py', '#!/usr/bin/python3\nprint("Content-type: text/plain")\nprint()\nraise ValueError("the script broke")\n', 0o755);
  writeFile(root, 'cgi-bin/warns.py', '#!/usr/bin/python3\nimport sys\nprint("Content-type: text/plain")\nprint()\nprint("ok")\nsys.stderr.write("just a warning\\n")\n', 0o755);
  writeFile(root, 'cgi-bin/exit3.py', '#!/usr/bin/python3\nimport sys\nprint("Content-type: text/plain")\nprint()\nsys.exit(3)\n', 0o755);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

interface Live {
  readonly port: number;
  readonly logs: RequestLogEntry[];
  close(): Promise<void>;
}

const servers: Live[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

async function start(opts: { progress?: number; cls?: HandlerClass; handler?: HandlerOptions } = {}): Promise<Live> {
  const logs: RequestLogEntry[] = [];
  const server = new HTTPServer(opts.cls ?? SimpleHTTPRequestHandler, {
    // Copies: the engine numbers entries in place; a test keeps what it was handed.
    onLog: (e) => logs.push({ ...e }),
    logProgressMs: opts.progress,
    handlerOptions: { directory: root, ...opts.handler },
  });
  await server.listen(0, '127.0.0.1');
  const live = { port: server.address().port, logs, close: () => server.close() };
  servers.push(live);
  return live;
}

const requests = (logs: readonly RequestLogEntry[]): RequestLogEntry[] => logs.filter((e) => e.kind === 'request');
const finals = (logs: readonly RequestLogEntry[]): RequestLogEntry[] => requests(logs).filter((e) => e.outcome !== 'in-progress');

async function until<T>(what: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = what();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A client that sends a request and then reads nothing until told to. */
function stalledClient(port: number, request: string): { socket: net.Socket; received: () => number; readAll: () => Promise<number> } {
  let received = 0;
  const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
  socket.pause();
  socket.on('data', (c: Buffer) => (received += c.length));
  socket.on('error', () => {});
  return {
    socket,
    received: () => received,
    readAll: () =>
      new Promise((resolve) => {
        socket.on('close', () => resolve(received));
        socket.resume();
      }),
  };
}

describe('body size, headers apart', () => {
  it('a 6-byte file: bodyBytes 6, the headers counted apart, expected 6, done; one entry, no progress', async () => {
    const s = await start({ progress: PROGRESS_MS });
    const raw = await rawRequest(s.port, 'GET /six.txt HTTP/1.0\r\n\r\n');
    const headerLength = raw.indexOf('\r\n\r\n') + 4;
    await until(() => finals(s.logs).length === 1);
    const [e] = requests(s.logs);
    expect(requests(s.logs)).toHaveLength(1);
    expect(e).toMatchObject({ status: 200, bodyBytes: 6, headerBytes: headerLength, bytesSent: headerLength + 6, expectedBytes: 6, outcome: 'done' });
    expect(e!.message).toBe('"GET /six.txt HTTP/1.0" 200 -');
  });

  it('HEAD: no body, expected 0, done', async () => {
    const s = await start();
    const raw = await rawRequest(s.port, 'HEAD /six.txt HTTP/1.0\r\n\r\n');
    await until(() => finals(s.logs).length === 1);
    expect(requests(s.logs)[0]).toMatchObject({ bodyBytes: 0, headerBytes: raw.length, expectedBytes: 0, outcome: 'done' });
  });

  it('304: no body, expected 0, done', async () => {
    const s = await start();
    const future = new Date(Date.now() + 86_400_000).toUTCString();
    const raw = await rawRequest(s.port, `GET /six.txt HTTP/1.0\r\nIf-Modified-Since: ${future}\r\n\r\n`);
    expect(raw.toString('latin1')).toMatch(/^HTTP\/1\.0 304 /);
    await until(() => finals(s.logs).length === 1);
    expect(requests(s.logs)[0]).toMatchObject({ status: 304, bodyBytes: 0, expectedBytes: 0, outcome: 'done' });
  });

  it('206: the range is the body expected', async () => {
    const s = await start({ handler: { hardened: true, range: true } });
    const raw = await rawRequest(s.port, 'GET /six.txt HTTP/1.0\r\nRange: bytes=1-3\r\n\r\n');
    expect(raw.toString('latin1')).toMatch(/^HTTP\/1\.0 206 [^]*\r\n\r\nell$/);
    await until(() => finals(s.logs).length === 1);
    expect(requests(s.logs)[0]).toMatchObject({ status: 206, bodyBytes: 3, expectedBytes: 3, outcome: 'done' });
  });

  it('an error page: its body counted, done', async () => {
    const s = await start();
    const raw = await rawRequest(s.port, 'GET /nothing-here HTTP/1.0\r\n\r\n');
    const body = raw.length - (raw.indexOf('\r\n\r\n') + 4);
    await until(() => finals(s.logs).length === 1);
    expect(requests(s.logs)[0]).toMatchObject({ status: 404, bodyBytes: body, expectedBytes: body, outcome: 'done' });
  });
});

describe('progress while a response goes out (logProgressMs)', () => {
  it('a slow reader: in-progress updates (same id, bytes so far of expected, throttled), then the final entry with that id', async () => {
    const s = await start({ progress: PROGRESS_MS });
    const client = stalledClient(s.port, 'GET /big.bin HTTP/1.0\r\n\r\n');
    const t0 = Date.now();
    const first = await until(() => s.logs.find((e) => e.outcome === 'in-progress'));
    expect(first).toMatchObject({ kind: 'request', status: 200, expectedBytes: BIG, message: '"GET /big.bin HTTP/1.0" 200 -' });
    expect(first.bodyBytes).toBeGreaterThan(0);
    expect(first.bodyBytes).toBeLessThan(BIG);
    expect(first.headerBytes).toBeGreaterThan(0);
    expect(first.id).toBeGreaterThan(0);
    await until(() => s.logs.filter((e) => e.outcome === 'in-progress').length >= 3);
    const got = await client.readAll();
    const elapsed = Date.now() - t0;
    const final = await until(() => finals(s.logs)[0]);
    expect(final).toMatchObject({ id: first.id, outcome: 'done', bodyBytes: BIG, expectedBytes: BIG, bytesSent: got });
    const updates = s.logs.filter((e) => e.outcome === 'in-progress');
    expect(new Set(updates.map((e) => e.id))).toEqual(new Set([first.id]));
    // Bytes the connection has taken, never more than what follows, never going back.
    const sizes = updates.map((e) => e.bodyBytes);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(final.bodyBytes);
    // Throttled: at most one per interval (one timer tick each), whatever the write rate.
    expect(updates.length).toBeLessThanOrEqual(Math.ceil(elapsed / PROGRESS_MS) + 1);
    expect(updates.every((e) => e.time === final.time)).toBe(true); // CPython's time: when the status was sent
    // Nothing else was numbered in between: the final entry is the request's one row.
    expect(requests(s.logs).filter((e) => e.outcome !== 'in-progress')).toHaveLength(1);
  });

  it('a response that ends within the first interval makes no progress entry at all', async () => {
    const s = await start({ progress: 400 });
    for (let i = 0; i < 20; i++) await rawRequest(s.port, 'GET /six.txt HTTP/1.0\r\n\r\n');
    await until(() => finals(s.logs).length === 20);
    await new Promise((r) => setTimeout(r, 900)); // two ticks later, still nothing more
    expect(s.logs).toHaveLength(20);
    expect(s.logs.every((e) => e.outcome === 'done')).toBe(true);
  });

  it('without logProgressMs (the CLI) no progress entry is ever made', async () => {
    const s = await start();
    const client = stalledClient(s.port, 'GET /big.bin HTTP/1.0\r\n\r\n');
    await new Promise((r) => setTimeout(r, 600));
    expect(s.logs).toHaveLength(0);
    await client.readAll();
    await until(() => finals(s.logs).length === 1);
    expect(s.logs.map((e) => e.outcome)).toEqual(['done']);
  });

  it('a ZIP stream (no length announced): progress with expected unknown, then done', async () => {
    const s = await start({ progress: PROGRESS_MS, handler: { folderZip: true, hardened: true } });
    const client = stalledClient(s.port, 'GET /album/?download=zip HTTP/1.0\r\n\r\n');
    const first = await until(() => s.logs.find((e) => e.outcome === 'in-progress'));
    expect(first.expectedBytes).toBeNull();
    await client.readAll();
    const final = await until(() => finals(s.logs)[0]);
    expect(final).toMatchObject({ id: first.id, outcome: 'done', expectedBytes: null });
    expect(final.bodyBytes).toBeGreaterThan(BIG);
  });
});

describe('a response cut short is incomplete', () => {
  it('the client goes away: incomplete, bytes sent of expected, same id as its progress', async () => {
    const s = await start({ progress: PROGRESS_MS, handler: { hardened: true } });
    const client = stalledClient(s.port, 'GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n');
    const first = await until(() => s.logs.find((e) => e.outcome === 'in-progress'));
    client.socket.destroy();
    const final = await until(() => finals(s.logs)[0]);
    expect(final).toMatchObject({ id: first.id, outcome: 'incomplete', expectedBytes: BIG, status: 200 });
    expect(final.bodyBytes).toBeLessThan(BIG);
    expect(final.bodyBytes).toBeGreaterThanOrEqual(first.bodyBytes);
    // The CLI's line is CPython's, whatever the outcome.
    expect(formatNcsaLine(final)).toMatch(/"GET \/big\.bin HTTP\/1\.1" 200 -\n$/);
  });

  it('the file is truncated under it: incomplete, and (hardened) the connection is closed', async () => {
    const file = writeFile(root, 'shrinks.bin', Buffer.alloc(BIG, 0x63));
    const s = await start({ progress: PROGRESS_MS, handler: { hardened: true } });
    const client = stalledClient(s.port, 'GET /shrinks.bin HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => s.logs.find((e) => e.outcome === 'in-progress'));
    fs.truncateSync(file, 1000);
    const got = await client.readAll(); // resolves on close: the connection was not kept
    const final = await until(() => finals(s.logs)[0]);
    expect(final).toMatchObject({ outcome: 'incomplete', expectedBytes: BIG });
    expect(final.bodyBytes).toBeLessThan(BIG);
    expect(got).toBe(final.bytesSent);
  });
});

describe('CGI: a script that fails is an error, its stderr follows it', () => {
  const get = async (s: Live, script: string): Promise<RequestLogEntry[]> => {
    const before = s.logs.length;
    await rawRequest(s.port, `GET /cgi-bin/${script} HTTP/1.0\r\n\r\n`);
    await until(() => finals(s.logs.slice(before)).length === 1);
    await new Promise((r) => setTimeout(r, 50));
    return s.logs.slice(before);
  };

  it('a traceback (exit 1): the request is failed, then its stderr lines and the exit code, in CPython order', async () => {
    const s = await start({ progress: PROGRESS_MS, cls: CGIHTTPRequestHandler, handler: { hardened: true } });
    // Python takes longer to start than an interval: progress updates may come first.
    const logs = (await get(s, 'boom.py')).filter((e) => e.outcome !== 'in-progress');
    expect(logs[0]).toMatchObject({ kind: 'request', status: 200, outcome: 'failed', message: '"GET /cgi-bin/boom.py HTTP/1.0" 200 -' });
    expect(logs.slice(1).some((e) => e.kind === 'cgi-stderr' && e.message.includes('ValueError: the script broke'))).toBe(true);
    expect(logs.at(-1)).toMatchObject({ kind: 'error', message: 'CGI script exit code 1', outcome: 'done' });
  });

  it('stderr alone (exit 0) is an error too; exit 3 with no stderr too; a clean script is done', async () => {
    const s = await start({ cls: CGIHTTPRequestHandler });
    expect((await get(s, 'warns.py'))[0]).toMatchObject({ outcome: 'failed' });
    expect((await get(s, 'exit3.py'))[0]).toMatchObject({ outcome: 'failed' });
    const ok = await get(s, 'ok.py');
    expect(ok).toHaveLength(1);
    expect(ok[0]).toMatchObject({ outcome: 'done', expectedBytes: null, bodyBytes: 'Content-type: text/plain\n\nfine\n'.length });
  });
});

describe('formatNcsaLine (the CLI) never prints what CPython would not', () => {
  it('progress updates and the app\'s events give no line', () => {
    const base: RequestLogEntry = {
      id: 1, kind: 'request', time: 0, connectionId: 1, clientAddress: '127.0.0.1', clientPort: 1,
      method: 'GET', path: '/', protocol: 'HTTP/1.1', status: 200, bytesSent: 10, bodyBytes: 4, headerBytes: 6,
      expectedBytes: 4, outcome: 'in-progress', durationMs: 1, userAgent: null, referer: null, message: '"GET / HTTP/1.1" 200 -',
    };
    expect(formatNcsaLine(base)).toBe('');
    expect(formatNcsaLine({ ...base, kind: 'event', outcome: 'done', message: 'The shared folder is gone' })).toBe('');
    expect(formatNcsaLine({ ...base, outcome: 'incomplete' })).toMatch(/\] "GET \/ HTTP\/1\.1" 200 -\n$/);
    expect(formatNcsaLine({ ...base, outcome: 'failed' })).toMatch(/\] "GET \/ HTTP\/1\.1" 200 -\n$/);
  });
});

