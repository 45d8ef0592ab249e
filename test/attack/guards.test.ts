/**
 * Attack suite: the shell's guards, against the real handlers. What the shell engineer's
 * own tests (electron/web/control-server.test.ts, electron/ipc-gateway.test.ts,
 * electron/app-service.test.ts) do not already cover:
 *
 *  - browser fallback control server (real `startControlServer` + real app service + real
 *    settings store + the REAL engine `serve()` behind the host loop, run in-process by the
 *    labelled TEST FAKE process of electron/test-support/fake-host-process.ts): Host and
 *    Origin spellings that a DNS-rebinding or cross-site page could send, no CORS ever,
 *    near-miss session cookies and sign-in keys, prototype-named channels, prototype pollution, static traversal,
 *    `shell:open-url` tricks (userinfo, backslash, other ports) never reaching the opener,
 *    and 127.0.0.1 only;
 *  - the IPC gateway under a property-based fuzz: random payloads reach the service only
 *    when the contract's validator accepts them, random sender URLs never do, nothing throws
 *    except the untrusted-sender refusal.
 */
import fc from 'fast-check';
import { promises as fsp } from 'node:fs';
import { connect, createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppService, InvokeHandlers } from '../../electron/app-service';
import { INVOKE_CHANNELS, invokeValidators, type InvokeChannel } from '../../electron/ipc-contract';
import {
  registerInvokeHandlers,
  trustOnlyMainFrame,
  UNTRUSTED_SENDER_MESSAGE,
  type InvokeEventLike,
  type IpcLike,
} from '../../electron/ipc-gateway';
import type { FakeEngine } from '../../electron/test-support/fake-host-process';
import { webAppService } from '../../electron/test-support/web-app-service';
import { startControlServer, type ControlServer } from '../../electron/web/control-server';
import { serve } from '../../server/serve';
import { exchange, firstHeaders, firstStatus } from './support/wire.js';

const SECRET = `SERVEDIR-GUARD-SECRET-${Math.random().toString(16).slice(2)}`;

/** The engine behind the (fake, in-process) host process is the real one. */
function realEngine(): FakeEngine {
  return {
    serve: (settings, options) => serve(settings, options),
    calls: [],
    failNext: () => {
      throw new Error('not used');
    },
    log: () => {},
  };
}

describe('browser fallback control server', () => {
  let dir: string;
  let share: string;
  let control: ControlServer;
  let service: AppService;
  const opened: string[] = [];
  let host: string;
  /** The session cookie (`name=value`) a sign-in address gave, and its id alone. */
  let cookie: string;
  let sessionId: string;
  let SESSION: string;

  /** A raw request with exactly the headers given (fetch and http.request add their own). */
  const raw = async (lines: readonly string[], body = ''): Promise<Buffer> =>
    (await exchange(control.port, `${lines.join('\r\n')}\r\nConnection: close\r\n\r\n${body}`, [SECRET], { totalMs: 5000 })).data;

  const invoke = (channel: string, args: unknown[], headers: readonly string[] = [SESSION]): Promise<Buffer> => {
    const body = JSON.stringify({ args });
    return raw(
      [`POST /api/invoke/${channel} HTTP/1.1`, `Host: ${host}`, 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`, ...headers],
      body,
    );
  };
  const json = (answer: Buffer): { ok: boolean; value?: unknown; code?: string } => {
    const text = answer.toString('utf8');
    return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { ok: boolean; value?: unknown; code?: string };
  };

  beforeAll(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'servedir-guards-'));
    share = path.join(dir, 'share');
    await fsp.mkdir(path.join(dir, 'renderer'));
    await fsp.mkdir(share);
    await fsp.writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>Servedir</title>');
    await fsp.writeFile(path.join(dir, 'secret.txt'), SECRET);
    await fsp.writeFile(path.join(share, 'a.txt'), 'shared\n');
    service = await webAppService({
      engine: realEngine(),
      userData: path.join(dir, 'user-data'),
      suggestedFolder: dir,
      emit: (ch, p) => control?.broadcast(ch, p),
      openExternal: async (u) => void opened.push(u),
      suggestPort: async () => 0,
    });
    control = await startControlServer({ handlers: service.handlers, rendererDir: path.join(dir, 'renderer') });
    host = `127.0.0.1:${control.port}`;
    const link = new URL(control.issueLink(60_000));
    const signIn = firstHeaders(await raw([`GET ${link.pathname}${link.search} HTTP/1.1`, `Host: ${host}`]));
    cookie = String(signIn.get('set-cookie')).split(';')[0]!;
    sessionId = cookie.slice(cookie.indexOf('=') + 1);
    SESSION = `Cookie: ${cookie}`;
  });

  afterAll(async () => {
    await service?.shutdown();
    await control?.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('accepts our own Host, session and Origin (the checks below are refusals of a working server)', async () => {
    const answer = await invoke('settings:get', [], [SESSION, `Origin: http://${host}`, 'Sec-Fetch-Site: same-origin']);
    expect(firstStatus(answer)).toBe(200);
    expect(json(answer).ok).toBe(true);
  });

  it('refuses every Host a rebinding page could send, and a request without Host', async () => {
    const port = control.port;
    const hosts = [
      `evil.example:${port}`,
      `127.0.0.1.:${port}`,
      `localhost.:${port}`,
      `[::1]:${port}`,
      `127.1:${port}`,
      `2130706433:${port}`,
      `0x7f000001:${port}`,
      `127.0.0.1:${port}@evil.example`,
      `127.0.0.1:${port}.evil.example`,
      `127.0.0.1`,
      `127.0.0.1:${port + 1}`,
      ` 127.0.0.1:${port}x`,
    ];
    for (const h of hosts) {
      const answer = await raw([`GET /api/events HTTP/1.1`, `Host: ${h}`, SESSION]);
      expect(firstStatus(answer), `Host: ${h}`).toBe(403);
    }
    const noHost = await raw([`GET /api/events HTTP/1.0`, SESSION]);
    expect(firstStatus(noHost)).toBe(403);
  });

  it('refuses foreign Origins, even with the right session and Host', async () => {
    const port = control.port;
    for (const origin of [
      'null',
      'http://evil.example',
      `http://127.0.0.1:${port}.evil.example`,
      `https://127.0.0.1:${port}`,
      `http://localhost:${port}`,
      `http://127.0.0.1:${port}/`,
      `http://127.0.0.1:${port + 1}`,
      'file://',
    ]) {
      const answer = await invoke('settings:get', [], [SESSION, `Origin: ${origin}`]);
      expect(firstStatus(answer), `Origin: ${origin}`).toBe(403);
    }
  });

  it('never sends CORS headers, preflight included', async () => {
    const answers = [
      await raw([`OPTIONS /api/invoke/settings:get HTTP/1.1`, `Host: ${host}`, 'Origin: http://evil.example', 'Access-Control-Request-Method: POST', 'Access-Control-Request-Headers: content-type']),
      await raw([`OPTIONS /api/invoke/settings:get HTTP/1.1`, `Host: ${host}`, `Origin: http://${host}`, 'Access-Control-Request-Method: POST']),
      await invoke('settings:get', []),
      await raw([`GET / HTTP/1.1`, `Host: ${host}`]),
    ];
    for (const answer of answers) {
      const names = [...firstHeaders(answer).keys()];
      expect(names.filter((n) => n.startsWith('access-control-')), answer.toString('latin1').slice(0, 200)).toEqual([]);
      expect(firstStatus(answer)).not.toBe(204);
    }
  });

  it('near-miss sessions, a session in the wrong place, a sign-in key instead of a session, and cross-site calls are refused before any handler runs', async () => {
    const before = (await service.handlers['settings:get']()).port;
    const name = cookie.slice(0, cookie.indexOf('='));
    const key = new URL(control.issueLink(60_000)).searchParams.get('key')!;
    const refused = [
      [],
      [`Cookie: ${name}=`],
      [`Cookie: ${name}=${sessionId.slice(0, -1)}`],
      [`Cookie: ${name}=${sessionId.slice(0, -1)}${sessionId.endsWith('y') ? 'z' : 'y'}`],
      [`Cookie: ${name}=${sessionId}${sessionId}`],
      [`Cookie: ${name}=${sessionId.toLowerCase() === sessionId ? sessionId.toUpperCase() : sessionId.toLowerCase()}`],
      [`Cookie: servedir-session-${control.port + 1}=${sessionId}`],
      [`Cookie: token=${sessionId}`],
      [`X-Servedir-Token: ${sessionId}`],
      [`Authorization: Bearer ${sessionId}`],
      [`Cookie: ${name}=${key}`],
      [SESSION, 'Sec-Fetch-Site: cross-site'],
      [SESSION, 'Sec-Fetch-Site: same-site'],
      [SESSION, 'Sec-Fetch-Site: none'],
    ];
    for (const headers of refused) {
      const answer = await invoke('settings:update', [{ port: 9999 }], headers);
      expect(firstStatus(answer), JSON.stringify(headers)).toBe(403);
    }
    for (const query of [`session=${sessionId}`, `key=${key}`, `token=${sessionId}`]) {
      const inQuery = await raw(
        [`POST /api/invoke/settings:update?${query} HTTP/1.1`, `Host: ${host}`, 'Content-Type: application/json', 'Content-Length: 24'],
        '{"args":[{"port":9999}]}',
      );
      expect(firstStatus(inQuery), query).toBe(403);
    }
    expect((await service.handlers['settings:get']()).port).toBe(before);
    console.log(`[guards] ${refused.length + 3} near-miss credentials refused`);
  });

  it('channel names from Object.prototype, or encoded, are unknown requests', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'settings%3Aget', 'settings:get%00', 'settings:get/', '..%2fsettings:get', 'SETTINGS:GET']) {
      const answer = await invoke(name, []);
      expect([400, 404], `${name} -> ${firstStatus(answer)}`).toContain(firstStatus(answer));
    }
  });

  it('a payload trying prototype pollution changes nothing', async () => {
    const before = await service.handlers['settings:get']();
    const body = '{"args":[{"__proto__":{"polluted":true},"port":8123}],"__proto__":{"polluted":true}}';
    const answer = await raw(
      [`POST /api/invoke/settings:update HTTP/1.1`, `Host: ${host}`, SESSION, 'Content-Type: application/json', `Content-Length: ${body.length}`],
      body,
    );
    expect(firstStatus(answer)).toBe(400);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(await service.handlers['settings:get']()).toEqual(before);
  });

  it('the renderer folder is the only thing served, in every traversal spelling', async () => {
    for (const target of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/..\\secret.txt', '/..%5csecret.txt', '//../secret.txt', '/%c0%ae%c0%ae/secret.txt', '/%252e%252e/secret.txt', `/${'..%2f'.repeat(8)}secret.txt`, '/index.html%00', '/%00']) {
      const answer = await raw([`GET ${target} HTTP/1.1`, `Host: ${host}`]);
      expect([400, 404], `${target} -> ${firstStatus(answer)}`).toContain(firstStatus(answer));
    }
  });

  it('shell:open-url opens only our running server\'s http(s) URLs; tricks never reach the opener', async () => {
    const free = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    // The wire carries { ok, value } around the service's own Result { ok, value | code }.
    const result = (answer: Buffer): unknown => json(answer).value;
    const updated = result(await invoke('settings:update', [{ directory: share, port: free, bind: '127.0.0.1' }]));
    expect(updated, JSON.stringify(updated)).toMatchObject({ ok: true });
    const started = result(await invoke('server:start', []));
    expect(started, JSON.stringify(started)).toMatchObject({ ok: true, value: { state: 'running', port: free } });
    const port = free;
    const good = `http://127.0.0.1:${port}/a.txt`;
    expect(result(await invoke('shell:open-url', [good]))).toEqual({ ok: true, value: null });
    // What reaches the opener must mean the same to every URL parser: the system opener
    // (xdg-open, ShellExecute, a non-WHATWG browser) may read `\` and `@` differently from
    // Node's URL, e.g. `http://127.0.0.1:P\@evil.example/` has host evil.example for an
    // RFC 3986 parser. So either it is refused, or the opener gets the canonical href.
    for (const tricky of [`http://127.0.0.1:${port}\\@evil.example/`, `http://127.0.0.1:${port}/%0d%0a\t x`]) {
      const answer = result(await invoke('shell:open-url', [tricky]));
      if ((answer as { ok: boolean }).ok) {
        const last = opened.at(-1)!;
        expect(last, `the opener got ${JSON.stringify(last)} as sent, not its canonical form`).toBe(new URL(last).href);
        expect(new URL(last).host).toBe(`127.0.0.1:${port}`);
      }
    }
    opened.splice(1);
    for (const bad of [
      `http://127.0.0.1:${port}@evil.example/`,
      `http://evil.example\\@127.0.0.1:${port}/`,
      `http://evil.example#@127.0.0.1:${port}/`,
      `http://127.0.0.1:${port + 1}/`,
      `http://127.0.0.1.evil.example:${port}/`,
      `ftp://127.0.0.1:${port}/`,
      `file:///etc/passwd`,
      `javascript:fetch('http://127.0.0.1:${port}/')`,
      `data:text/html,<script>alert(1)</script>`,
      `view-source:http://127.0.0.1:${port}/`,
      ` http://evil.example/`,
      `http://0:${port}/`,
      '',
      'x'.repeat(100_000),
    ]) {
      const answer = await invoke('shell:open-url', [bad]);
      const status = firstStatus(answer);
      if (status === 200) expect(result(answer), bad.slice(0, 80)).toMatchObject({ ok: false, code: 'APP_ERR_URL_NOT_ALLOWED' });
      else expect([400, 413], bad.slice(0, 80)).toContain(status);
    }
    expect(opened).toEqual([good]);
    // The share itself is the real engine: it serves the folder.
    const served = await exchange(port, 'GET /a.txt HTTP/1.0\r\n\r\n', [SECRET]);
    expect(firstStatus(served.data)).toBe(200);
    expect(result(await invoke('server:stop', []))).toMatchObject({ state: 'stopped' });
  });

  it('listens on 127.0.0.1 only: ::1 and the machine\'s other addresses are refused', async () => {
    const tryConnect = (hostAddr: string): Promise<boolean> =>
      new Promise((resolve) => {
        const s = connect({ host: hostAddr, port: control.port });
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      });
    expect(await tryConnect('127.0.0.1')).toBe(true);
    expect(await tryConnect('::1')).toBe(false);
  });
});

describe('IPC gateway under fuzz (real contract validators, recording service)', () => {
  const PAGE = 'file:///app/out/renderer/index.html';

  /** FAKE ipcMain: records handlers so the test can call them as Electron would. */
  class FakeIpcMain implements IpcLike {
    readonly handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
    handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void {
      this.handlers.set(channel, listener);
    }
    removeHandler(channel: string): void {
      this.handlers.delete(channel);
    }
  }

  const setup = () => {
    const mainFrame = { url: PAGE };
    const win = { webContents: { mainFrame }, isDestroyed: () => false };
    const ipc = new FakeIpcMain();
    const reached: { channel: string; args: unknown[] }[] = [];
    const handlers = Object.fromEntries(
      INVOKE_CHANNELS.map((channel) => [channel, async (...args: unknown[]) => void reached.push({ channel, args })]),
    ) as unknown as InvokeHandlers;
    registerInvokeHandlers(ipc, handlers, trustOnlyMainFrame(() => win, PAGE));
    return { ipc, mainFrame, reached };
  };

  it('random payloads reach the service only when the contract accepts them; nothing throws', async () => {
    const { ipc, mainFrame, reached } = setup();
    const channel = fc.constantFrom(...INVOKE_CHANNELS);
    const value = fc.oneof(
      fc.anything({ maxDepth: 3, withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true }),
      fc.record({ port: fc.oneof(fc.integer(), fc.string(), fc.double()), directory: fc.string(), bind: fc.string(), cgi: fc.anything() }, { requiredKeys: [] }),
      fc.constantFrom('http://127.0.0.1:8000/', 'javascript:alert(1)', '/etc', '..', '\u0000', 'x'.repeat(70_000)),
    );
    await fc.assert(
      fc.asyncProperty(channel, fc.array(value, { maxLength: 3 }), async (ch, args) => {
        const before = reached.length;
        const result = await (ipc.handlers.get(ch)!({ senderFrame: mainFrame }, ...args) as Promise<unknown>);
        const accepted = (invokeValidators[ch as InvokeChannel] as (a: readonly unknown[]) => boolean)(args);
        if (accepted) {
          expect(reached.length).toBe(before + 1);
        } else {
          expect(reached.length).toBe(before);
          expect(result).toMatchObject({ ok: false, code: 'APP_ERR_INVALID_PAYLOAD' });
        }
      }),
      { numRuns: 400 },
    );
  });

  it('random sender frames are refused for every channel', async () => {
    const { ipc, reached } = setup();
    const frameUrl = fc.oneof(
      fc.webUrl(),
      fc.constantFrom(
        'file:///app/out/renderer/index.html/../../../../etc/passwd',
        'file:///app/out/renderer/other.html',
        'file:///app/out/renderer/',
        'file://evil/app/out/renderer/index.html',
        'http://127.0.0.1:8000/index.html',
        'about:blank',
        'devtools://devtools/bundled/inspector.html',
        '',
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...INVOKE_CHANNELS), frameUrl, async (ch, url) => {
        await expect(
          Promise.resolve().then(() => ipc.handlers.get(ch)!({ senderFrame: { url } })),
        ).rejects.toThrow(UNTRUSTED_SENDER_MESSAGE);
      }),
      { numRuns: 200 },
    );
    expect(reached).toEqual([]);
  });
});
