// Tests for the browser fallback's control server, in-process, against the real
// app-service handlers (real settings store in a temp folder; the engine behind the host
// supervisor is the in-process fake of test-support/fake-host-process.ts).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as http from 'node:http';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createAppService, type AppService } from '../app-service';
import { createServerHost } from '../server-host';
import { openSettingsStore } from '../settings-store';
import { createFakeEngine, fakeFork } from '../test-support/fake-host-process';
import { logBatchAsJson, startControlServer, tokenMatches, type ControlServer } from './control-server';
import { checkLogBatch, decodeLogColumns, type LogBatch } from '../ipc-contract';
import { LogColumnsWriter } from '../../server/host/log-columns';
import { TOKEN_HEADER } from './web-protocol';

const TOKEN = 'A'.repeat(43);
let dir: string;
let server: ControlServer;
let service: AppService;
let lastClientGone = 0;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Raw http.request so Host and Origin can be set to anything (fetch forbids that). */
function request(
  method: string,
  pathname: string,
  opts: { headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        method,
        path: pathname,
        headers: { Host: `127.0.0.1:${server.port}`, ...opts.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const invoke = (channel: string, args: unknown[], headers: Record<string, string> = {}) =>
  request('POST', `/api/invoke/${channel}`, {
    headers: { [TOKEN_HEADER]: TOKEN, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ args }),
  });

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'servedir-web-'));
  await fsp.mkdir(path.join(dir, 'renderer'));
  await fsp.mkdir(path.join(dir, 'share'));
  await fsp.writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>Servedir</title>');
  await fsp.writeFile(path.join(dir, 'secret.txt'), 'outside the renderer');
  const store = await openSettingsStore({ dir: path.join(dir, 'user-data') });
  let svc: AppService | null = null;
  const host = createServerHost({
    fork: fakeFork(createFakeEngine()),
    entryPath: 'host.cjs',
    onLog: (b) => svc?.acceptLog(b),
    onUnexpectedExit: (c) => svc?.hostExited(c),
  });
  svc = createAppService({
    store,
    host,
    emit: (ch, p) => server.broadcast(ch, p),
    info: { transport: 'web', version: '0', platform: 'linux', suggestedFolder: dir },
    openExternal: async () => {},
    listInterfaces: () => [],
    suggestPort: async () => 1,
  });
  service = svc;
  server = await startControlServer({
    handlers: svc.handlers,
    rendererDir: path.join(dir, 'renderer'),
    token: TOKEN,
    onLastClientGone: () => void lastClientGone++,
  });
});

afterAll(async () => {
  await service.shutdown();
  await server.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('control server guards', () => {
  it('prints a URL on 127.0.0.1 with the token in the fragment', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${TOKEN}`);
  });

  it('a good invoke answers 200 with the value from the real service', async () => {
    const r = await invoke('settings:get', []);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, value: { port: 8000, directory: '' } });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('wrong or missing token → 403, and the service is not called', async () => {
    expect((await invoke('settings:update', [{ port: 9999 }], { [TOKEN_HEADER]: 'B'.repeat(43) })).status).toBe(403);
    const missing = await request('POST', '/api/invoke/settings:get', {
      headers: { 'Content-Type': 'application/json' },
      body: '{"args":[]}',
    });
    expect(missing.status).toBe(403);
    expect((await invoke('settings:get', [])).body).toContain('"port":8000');
  });

  it('a foreign Host (DNS rebinding) → 403, even with the right token', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, `127.0.0.1:${server.port + 1}`, '127.0.0.1']) {
      expect((await invoke('settings:get', [], { Host: host })).status).toBe(403);
    }
    expect((await request('GET', '/', { headers: { Host: 'evil.example' } })).status).toBe(403);
    expect((await invoke('settings:get', [], { Host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('a foreign Origin → 403; our own Origin is fine', async () => {
    expect((await invoke('settings:get', [], { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await invoke('settings:get', [], { Origin: 'null' })).status).toBe(403);
    expect((await invoke('settings:get', [], { Origin: `http://localhost:${server.port}` })).status).toBe(403);
    expect((await invoke('settings:get', [], { Origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
  });

  it('bad payloads → 400: invalid args, unknown channel, not JSON, wrong content type', async () => {
    expect((await invoke('settings:update', [{ port: 'x' }])).status).toBe(400);
    expect((await invoke('settings:update', [{ port: 8000, extra: 1 }])).status).toBe(400);
    expect((await invoke('no:such-channel', [])).status).toBe(400);
    const notJson = await request('POST', '/api/invoke/settings:get', {
      headers: { [TOKEN_HEADER]: TOKEN, 'Content-Type': 'application/json' },
      body: '{args:',
    });
    expect(notJson.status).toBe(400);
    const form = await request('POST', '/api/invoke/settings:get', {
      headers: { [TOKEN_HEADER]: TOKEN, 'Content-Type': 'text/plain' },
      body: '{"args":[]}',
    });
    expect(form.status).toBe(400);
    expect(JSON.parse((await invoke('settings:get', [])).body).value.port).toBe(8000);
  });

  it('an oversized body → 413', async () => {
    const r = await invoke('folder:check', ['/' + 'x'.repeat(70 * 1024)]);
    expect(r.status).toBe(413);
  });

  it('serves the renderer, never files outside it', async () => {
    const page = await request('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<title>Servedir</title>');
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/nope.js']) {
      const r = await request('GET', p);
      expect(r.status).toBe(404);
      expect(r.body).not.toContain('outside');
    }
  });

  it('SSE: the token is required, and a server:status event is delivered', async () => {
    expect((await request('GET', '/api/events?token=wrong')).status).toBe(403);
    const events = await new Promise<string>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port: server.port, path: `/api/events?token=${TOKEN}`, headers: { Host: `127.0.0.1:${server.port}` } },
        (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
          let buf = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            buf += c;
            if (buf.includes(': connected') && !buf.includes('event:')) {
              // Subscribed: now cause a status change through the real service.
              void invoke('server:start', []);
            }
            if (buf.includes('event: server:status')) {
              req.destroy();
              resolve(buf);
            }
          });
        },
      );
      req.on('error', reject);
    });
    const frame = events.split('\n\n').find((f) => f.startsWith('event: server:status'))!;
    const data = JSON.parse(frame.split('\n')[1]!.slice('data: '.length));
    // No folder chosen yet: the real service answers with a failed status next to the folder field.
    expect(data).toMatchObject({ state: 'failed', error: { code: 'APP_ERR_NO_FOLDER', field: 'directory' } });
    // The window went away: the service is told, so logs queue until the next app:ready.
    await vi.waitFor(() => expect(lastClientGone).toBe(1));
  });
});

describe('tokenMatches', () => {
  it('compares whole tokens', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abc', 'abd')).toBe(false);
    expect(tokenMatches('abc', 'ab')).toBe(false);
    expect(tokenMatches('abc', '')).toBe(false);
    expect(tokenMatches('abc', undefined)).toBe(false);
  });
});

describe('logBatchAsJson', () => {
  it('sends typed-array columns as arrays of numbers that the window reads back exactly', () => {
    const w = new LogColumnsWriter(10);
    const e = {
      id: 1, kind: 'request' as const, time: 1_763_820_000_001, connectionId: 2, clientAddress: '127.0.0.1', clientPort: 5000,
      method: 'GET', path: '/x', protocol: 'HTTP/1.1', status: 200, bytesSent: 10, durationMs: 0.125,
      userAgent: null, referer: null, message: '"GET /x HTTP/1.1" 200 -',
    };
    w.add(e);
    const batch = { columns: w.take(), dropped: 4 };
    // What JSON.stringify does to a typed array: an object with numeric keys, unreadable.
    expect(checkLogBatch(JSON.parse(JSON.stringify(batch)))).toMatch(/numbers/);
    const sent = JSON.parse(JSON.stringify(logBatchAsJson(batch))) as LogBatch;
    expect(checkLogBatch(sent)).toBeNull();
    expect(sent.dropped).toBe(4);
    expect(decodeLogColumns(sent.columns)).toEqual([e]);
  });
});
