// Tests for the browser fallback's control server, in-process, against the real
// app-service handlers (real settings store in a temp folder; the engine behind the host
// supervisor is the in-process fake of test-support/fake-host-process.ts).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as http from 'node:http';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AppService } from '../app-service';
import { createFakeEngine } from '../test-support/fake-host-process';
import { webAppService } from '../test-support/web-app-service';
import {
  cookieValue,
  logBatchAsJson,
  MAX_OPEN_LINKS,
  STALE_LINK_NOTICE_MS,
  startControlServer,
  type ControlServer,
} from './control-server';
import { checkLogBatch, decodeLogColumns, type LogBatch } from '../ipc-contract';
import { LogColumnsWriter } from '../../server/host/log-columns';
let dir: string;
let server: ControlServer;
let service: AppService;
let lastClientGone = 0;
let staleLinks = 0;
let clock = 1_000_000;
/** `Cookie:` value of a signed-in browser. */
let session: string;

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
    headers: { Cookie: session, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ args }),
  });

/** Opens a sign-in address as a browser would: the reply, and the `name=value` of its cookie. */
async function openLink(link: string): Promise<{ reply: Reply; cookie: string | null }> {
  const u = new URL(link);
  const reply = await request('GET', u.pathname + u.search);
  const set = reply.headers['set-cookie'];
  return { reply, cookie: set ? set[0]!.split(';')[0]! : null };
}

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'servedir-web-'));
  await fsp.mkdir(path.join(dir, 'renderer'));
  await fsp.mkdir(path.join(dir, 'share'));
  await fsp.writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>Servedir</title>');
  await fsp.writeFile(path.join(dir, 'secret.txt'), 'outside the renderer');
  service = await webAppService({
    engine: createFakeEngine(),
    userData: path.join(dir, 'user-data'),
    suggestedFolder: dir,
    emit: (ch, p) => server.broadcast(ch, p),
  });
  server = await startControlServer({
    handlers: service.handlers,
    rendererDir: path.join(dir, 'renderer'),
    onLastClientGone: () => void lastClientGone++,
    onStaleLink: () => void staleLinks++,
    now: () => clock,
  });
  session = (await openLink(server.issueLink(60_000))).cookie!;
});

afterAll(async () => {
  await service.shutdown();
  await server.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('control server guards', () => {
  it('a sign-in address is on 127.0.0.1 and carries a 32-byte key in the query', () => {
    const u = new URL(server.issueLink(60_000));
    expect(u.origin).toBe(`http://127.0.0.1:${server.port}`);
    expect(u.pathname).toBe('/');
    expect(Buffer.from(u.searchParams.get('key')!, 'base64url')).toHaveLength(32);
    expect(u.hash).toBe('');
  });

  it('opening it: 303 to / (the key leaves the address bar) with an HttpOnly, SameSite=Strict session cookie for /api/; it works once', async () => {
    const link = server.issueLink(60_000);
    const first = await openLink(link);
    expect(first.reply.status).toBe(303);
    expect(first.reply.headers.location).toBe('/');
    expect(first.reply.headers['cache-control']).toBe('no-store');
    expect(first.reply.headers['referrer-policy']).toBe('no-referrer');
    const set = first.reply.headers['set-cookie']!;
    expect(set).toHaveLength(1);
    expect(set[0]).toMatch(new RegExp(`^servedir-session-${server.port}=[A-Za-z0-9_-]{43}; Path=/api/; HttpOnly; SameSite=Strict$`));
    expect((await invoke('settings:get', [], { Cookie: first.cookie! })).status).toBe(200);
    // Used: the same address signs nothing in again, but still leads to the page.
    const again = await openLink(link);
    expect(again.reply.status).toBe(303);
    expect(again.reply.headers.location).toBe('/');
    expect(again.cookie).toBeNull();
  });

  it('an address opened after its time signs nothing in; stale addresses ask for a fresh one at most every 5 s', async () => {
    const link = server.issueLink(60_000);
    clock += 60_001;
    const before = staleLinks;
    const late = await openLink(link);
    expect(late.reply.status).toBe(303);
    expect(late.cookie).toBeNull();
    expect(staleLinks).toBe(before + 1);
    await openLink(`${server.origin}/?key=never-issued`);
    expect(staleLinks).toBe(before + 1);
    clock += STALE_LINK_NOTICE_MS;
    await openLink(`${server.origin}/?key=`);
    expect(staleLinks).toBe(before + 2);
  });

  it(`at most ${MAX_OPEN_LINKS} unused addresses work: issuing more retires the oldest`, async () => {
    const links = Array.from({ length: MAX_OPEN_LINKS + 1 }, () => server.issueLink(60_000));
    expect((await openLink(links[0]!)).cookie).toBeNull();
    expect((await openLink(links[1]!)).cookie).not.toBeNull();
    expect((await openLink(links.at(-1)!)).cookie).not.toBeNull();
  });

  it('a good invoke answers 200 with the value from the real service', async () => {
    const r = await invoke('settings:get', []);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, value: { port: 8000, directory: '' } });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('wrong or missing session → 403, and the service is not called', async () => {
    const name = `servedir-session-${server.port}`;
    for (const cookie of [`${name}=${'B'.repeat(43)}`, `${name}=`, `servedir-session-${server.port + 1}=${session.split('=')[1]}`, session.toLowerCase()]) {
      expect((await invoke('settings:update', [{ port: 9999 }], { Cookie: cookie })).status, cookie).toBe(403);
    }
    const missing = await request('POST', '/api/invoke/settings:get', {
      headers: { 'Content-Type': 'application/json' },
      body: '{"args":[]}',
    });
    expect(missing.status).toBe(403);
    expect(JSON.parse(missing.body).error).toMatch(/not signed in to Servedir/);
    // Among other cookies, in any order, the session still counts.
    expect((await invoke('settings:get', [], { Cookie: `a=1; ${session}; b=2` })).status).toBe(200);
    expect((await invoke('settings:get', [])).body).toContain('"port":8000');
  });

  it('a browser saying the call comes from another site (Sec-Fetch-Site) → 403, even signed in', async () => {
    for (const site of ['cross-site', 'same-site', 'none']) {
      expect((await invoke('settings:get', [], { 'Sec-Fetch-Site': site })).status, site).toBe(403);
    }
    expect((await invoke('settings:get', [], { 'Sec-Fetch-Site': 'same-origin' })).status).toBe(200);
  });

  it('a foreign Host (DNS rebinding) → 403, even signed in', async () => {
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
      headers: { Cookie: session, 'Content-Type': 'application/json' },
      body: '{args:',
    });
    expect(notJson.status).toBe(400);
    const form = await request('POST', '/api/invoke/settings:get', {
      headers: { Cookie: session, 'Content-Type': 'text/plain' },
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

  it('SSE: a session is required, and a server:status event is delivered', async () => {
    expect((await request('GET', '/api/events')).status).toBe(403);
    expect((await request('GET', '/api/events', { headers: { Cookie: session, 'Sec-Fetch-Site': 'same-site' } })).status).toBe(403);
    const events = await new Promise<string>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port: server.port, path: '/api/events', headers: { Host: `127.0.0.1:${server.port}`, Cookie: session } },
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

describe('cookieValue', () => {
  it('finds every value of one cookie name, and only of that name', () => {
    expect(cookieValue('a=1; s=x; b=2', 's')).toEqual(['x']);
    expect(cookieValue('s=x;s=y', 's')).toEqual(['x', 'y']);
    expect(cookieValue('ss=x; s2=y; =s', 's')).toEqual([]);
    expect(cookieValue(undefined, 's')).toEqual([]);
  });
});

describe('logBatchAsJson', () => {
  it('sends typed-array columns as arrays of numbers that the window reads back exactly', () => {
    const w = new LogColumnsWriter(10);
    const e = {
      id: 1, kind: 'request' as const, time: 1_763_820_000_001, connectionId: 2, clientAddress: '127.0.0.1', clientPort: 5000,
      method: 'GET', path: '/x', protocol: 'HTTP/1.1', status: 200, bytesSent: 10, durationMs: 0.125,
      bodyBytes: 4, headerBytes: 6, expectedBytes: 4, outcome: 'done' as const,
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
