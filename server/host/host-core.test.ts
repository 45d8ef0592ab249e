// Tests for host-core.ts in-process: the Electron parentPort path with a fake
// `{data, ports}` port, the fork path with a fake process, log batching and error mapping.
// The built host under a real child_process.fork is covered in test/shell/host-fork.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import type { RequestLogEntry } from '../log.js';
import type { HostToMain, LogColumns, ServeSettings } from './protocol.js';
import { LOG_NUMBER_LAYOUT } from './log-columns.js';
import {
  createLogBatcher,
  detectChannel,
  runHost,
  toServeFailure,
  type ProcessLike,
  type RunningServerLike,
  type ServeFn,
} from './host-core.js';
import { appDefaults } from '../share-settings.js';

const settings = (over: Partial<ServeSettings> = {}): ServeSettings => ({
  ...appDefaults(),
  directory: '/srv/share',
  ...over,
});

const entry = (id: number): RequestLogEntry => ({
  id,
  kind: 'request',
  time: 0,
  connectionId: 1,
  clientAddress: '127.0.0.1',
  clientPort: 5000,
  method: 'GET',
  path: '/',
  protocol: 'HTTP/1.1',
  status: 200,
  bytesSent: 10,
  bodyBytes: 4,
  headerBytes: 6,
  expectedBytes: 4,
  outcome: 'done',
  durationMs: 1,
  userAgent: null,
  referer: null,
  message: '"GET / HTTP/1.1" 200 -',
});

/** The entry ids of a batch, read from its number column. */
const ids = (c: LogColumns): number[] =>
  Array.from({ length: c.count }, (_, i) => c.numbers[i * LOG_NUMBER_LAYOUT.stride + LOG_NUMBER_LAYOUT.id]!);

/** A fake Electron parentPort: the host receives `{data, ports}` events. */
class FakeParentPort extends EventEmitter {
  readonly sent: HostToMain[] = [];
  postMessage(m: unknown): void {
    this.sent.push(m as HostToMain);
  }
  deliver(data: unknown): void {
    this.emit('message', { data, ports: [] });
  }
}

function fakeProcessWithPort(port: FakeParentPort): ProcessLike {
  const p = new EventEmitter() as unknown as ProcessLike;
  p.parentPort = port;
  return p;
}

/** A fake engine: records calls, lets the test fail a start or emit log entries. */
function fakeEngine() {
  const calls: ServeSettings[] = [];
  const closed: number[] = [];
  let nextError: unknown = null;
  let sink: ((e: RequestLogEntry) => void) | null = null;
  const serve: ServeFn = async (s, { onLog }) => {
    calls.push(s);
    if (nextError) {
      const e = nextError;
      nextError = null;
      throw e;
    }
    sink = onLog;
    const port = s.port === 0 ? 40000 + calls.length : s.port;
    const server: RunningServerLike = { port, address: '127.0.0.1', close: async () => void closed.push(port) };
    return server;
  };
  return {
    serve,
    calls,
    closed,
    failNext: (e: unknown) => (nextError = e),
    log: (e: RequestLogEntry) => sink?.(e),
  };
}

describe('detectChannel', () => {
  it('throws a clear error when there is neither parentPort nor fork IPC', () => {
    const bare = new EventEmitter() as unknown as ProcessLike;
    expect(() => detectChannel(bare)).toThrow(/no channel/);
  });

  it('prefers parentPort and unwraps e.data', () => {
    const port = new FakeParentPort();
    const ch = detectChannel(fakeProcessWithPort(port));
    expect(ch.kind).toBe('parentPort');
    const got: unknown[] = [];
    ch.onMessage((m) => got.push(m));
    port.deliver({ type: 'stop' });
    expect(got).toEqual([{ type: 'stop' }]);
  });

  it('uses process.send/on(message) under child_process.fork', () => {
    const proc = new EventEmitter() as unknown as ProcessLike & EventEmitter;
    const sent: unknown[] = [];
    proc.send = (m: unknown) => (sent.push(m), true);
    const ch = detectChannel(proc);
    expect(ch.kind).toBe('fork');
    ch.send({ type: 'stopped' });
    expect(sent).toEqual([{ type: 'stopped' }]);
  });
});

describe('runHost over a fake parentPort', () => {
  const boot = () => {
    const port = new FakeParentPort();
    const engine = fakeEngine();
    const exit = vi.fn();
    const host = runHost(detectChannel(fakeProcessWithPort(port)), {
      serve: engine.serve,
      exit,
      pid: 4242,
      batcher: { intervalMs: 20 },
      shareUrls: (address, p) => [{ url: `http://${address}:${p}/`, label: 'This computer', scope: 'loopback', family: 'IPv4' }],
    });
    return { port, engine, exit, host };
  };

  it('sends ready, then listening with port, address and URLs', async () => {
    const { port, engine, host } = boot();
    expect(port.sent[0]).toEqual({ type: 'ready', pid: 4242 });
    port.deliver({ type: 'start', settings: settings({ port: 0 }) });
    await host.idle();
    expect(engine.calls).toHaveLength(1);
    expect(port.sent[1]).toEqual({
      type: 'listening',
      port: 40001,
      address: '127.0.0.1',
      urls: [{ url: 'http://127.0.0.1:40001/', label: 'This computer', scope: 'loopback', family: 'IPv4' }],
    });
  });

  it('waits for URLs that take a while (the routing table is read asynchronously) before listening', async () => {
    const port = new FakeParentPort();
    const engine = fakeEngine();
    const host = runHost(detectChannel(fakeProcessWithPort(port)), {
      serve: engine.serve,
      exit: vi.fn(),
      shareUrls: async (address, p) => {
        await new Promise((r) => setTimeout(r, 30));
        return [{ url: `http://${address}:${p}/`, label: 'Local network (eth0)', scope: 'lan', family: 'IPv4', kind: 'lan' }];
      },
    });
    port.deliver({ type: 'start', settings: settings({ port: 0 }) });
    port.deliver({ type: 'stop' });
    await host.idle();
    // In order: listening with the URLs, then stopped; never a stop overtaking the answer.
    expect(port.sent.slice(1).map((m) => m.type)).toEqual(['listening', 'stopped']);
    expect(port.sent[1]).toMatchObject({ urls: [{ url: 'http://127.0.0.1:40001/', kind: 'lan' }] });
  });

  it('start while serving closes the old server and serves the new settings', async () => {
    const { port, engine, host } = boot();
    port.deliver({ type: 'start', settings: settings({ port: 8001 }) });
    port.deliver({ type: 'start', settings: settings({ port: 8002, directory: '/other' }) });
    await host.idle();
    expect(engine.closed).toEqual([8001]);
    expect(engine.calls.map((c) => c.directory)).toEqual(['/srv/share', '/other']);
    expect(port.sent.filter((m) => m.type === 'listening').map((m) => (m as { port: number }).port)).toEqual([8001, 8002]);
  });

  it('a failed start becomes a plain failure next to a field, never an errno', async () => {
    const { port, engine, host } = boot();
    engine.failNext(Object.assign(new Error('listen EADDRINUSE: address already in use :::8000'), { code: 'EADDRINUSE' }));
    port.deliver({ type: 'start', settings: settings() });
    await host.idle();
    const failed = port.sent.find((m) => m.type === 'failed') as { code: string; message: string; field: string };
    expect(failed.code).toBe('SRV_ERR_PORT_IN_USE');
    expect(failed.field).toBe('port');
    expect(failed.message).not.toMatch(/EADDRINUSE/);
  });

  it('stop closes and answers stopped; the last log entries arrive before stopped', async () => {
    const { port, engine, host } = boot();
    port.deliver({ type: 'start', settings: settings() });
    await host.idle();
    engine.log(entry(1));
    port.deliver({ type: 'stop' });
    await host.idle();
    const types = port.sent.map((m) => m.type);
    expect(types.slice(-2)).toEqual(['log', 'stopped']);
    expect(engine.closed).toEqual([8000]);
  });

  it('batches log entries: many entries in one message, not one message each', async () => {
    const { port, engine, host } = boot();
    port.deliver({ type: 'start', settings: settings() });
    await host.idle();
    for (let i = 1; i <= 100; i++) engine.log(entry(i));
    expect(port.sent.filter((m) => m.type === 'log')).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 60));
    const logs = port.sent.filter((m) => m.type === 'log');
    expect(logs).toHaveLength(1);
    expect(logs[0]?.columns.count).toBe(100);
    expect(ids(logs[0]!.columns)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(logs[0]?.dropped).toBe(0);
  });

  it('shutdown closes the server and calls the injected exit (not process.exit)', async () => {
    const { port, engine, exit, host } = boot();
    port.deliver({ type: 'start', settings: settings() });
    port.deliver({ type: 'shutdown' });
    await host.idle();
    expect(engine.closed).toEqual([8000]);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('ignores malformed messages and keeps working', async () => {
    const { port, engine, host } = boot();
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    port.deliver('garbage');
    port.deliver({ type: 'start', settings: 5 });
    port.deliver({ type: 'start', settings: settings() });
    await host.idle();
    expect(engine.calls).toHaveLength(1);
    expect(err).toHaveBeenCalledTimes(2);
    err.mockRestore();
  });

  it("checks a start's settings with the settings table: a bad one fails on its field, the engine is not called", async () => {
    const { port, engine, host } = boot();
    port.deliver({ type: 'start', settings: { ...settings(), directory: 5 } });
    port.deliver({ type: 'start', settings: { ...settings(), port: 70000 } });
    port.deliver({ type: 'start', settings: { ...settings(), cgiDirectories: ['cgi-bin'] } });
    const { followSymlinks: _, ...withoutOne } = settings();
    port.deliver({ type: 'start', settings: withoutOne });
    await host.idle();
    expect(engine.calls).toHaveLength(0);
    expect(port.sent.filter((m) => m.type === 'failed')).toEqual([
      { type: 'failed', code: 'SRV_ERR_DIRECTORY_MISSING', message: 'Choose a folder to share.', field: 'directory' },
      { type: 'failed', code: 'SRV_ERR_PORT_INVALID', message: 'The port must be a whole number from 0 to 65535.', field: 'port' },
      { type: 'failed', code: 'SRV_ERR_BAD_SETTINGS', message: 'Each script folder must be a web path starting with "/", like /cgi-bin.', field: 'cgi' },
      { type: 'failed', code: 'SRV_ERR_BAD_SETTINGS', message: 'Following links must be on or off.', field: 'followSymlinks' },
    ]);
  });
});

describe('runHost heartbeat', () => {
  it('answers ping with its number at once, even while a start is still in progress; a ping without a whole number is ignored', async () => {
    const proc = new EventEmitter() as unknown as ProcessLike & EventEmitter;
    const sent: HostToMain[] = [];
    proc.send = (m: unknown) => (sent.push(m as HostToMain), true);
    let release: () => void = () => {};
    const serve = () =>
      new Promise<{ port: number; address: string; close: () => Promise<void> }>((resolve) => {
        release = () => resolve({ port: 8000, address: '127.0.0.1', close: async () => {} });
      });
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const host = runHost(detectChannel(proc), { serve, exit: vi.fn(), shareUrls: () => [], watchFolder: () => ({ close() {}, check: async () => {} }) });
    proc.emit('message', { type: 'start', settings: settings() });
    await new Promise((r) => setImmediate(r));
    proc.emit('message', { type: 'ping', n: 7 });
    proc.emit('message', { type: 'ping', n: 'x' });
    expect(sent.map((m) => m.type)).toEqual(['ready', 'pong']);
    expect(sent[1]).toEqual({ type: 'pong', n: 7 });
    release();
    await host.idle();
    expect(sent.map((m) => m.type)).toEqual(['ready', 'pong', 'listening']);
    expect(err).toHaveBeenCalledWith('servedir host: ignoring a malformed message', { type: 'ping', n: 'x' });
    err.mockRestore();
  });
});

describe('runHost over fork IPC', () => {
  it('closes the server and exits when the shell disconnects', async () => {
    const proc = new EventEmitter() as unknown as ProcessLike & EventEmitter;
    proc.send = () => true;
    const engine = fakeEngine();
    const exit = vi.fn();
    const host = runHost(detectChannel(proc), { serve: engine.serve, exit, shareUrls: () => [] });
    proc.emit('message', { type: 'start', settings: settings() });
    await host.idle();
    proc.emit('disconnect');
    await host.idle();
    expect(engine.closed).toEqual([8000]);
    expect(exit).toHaveBeenCalledWith(0);
  });
});

describe('createLogBatcher', () => {
  it('writes at most maxQueued entries per batch and counts the ones beyond it as dropped', () => {
    const sent: HostToMain[] = [];
    const b = createLogBatcher((m) => sent.push(m), { maxQueued: 3, setTimer: () => 1, clearTimer: () => {} });
    for (let i = 1; i <= 5; i++) b.sink(entry(i));
    b.flush();
    expect(sent).toHaveLength(1);
    const m = sent[0] as Extract<HostToMain, { type: 'log' }>;
    expect(m.dropped).toBe(2);
    expect(m.columns.count).toBe(3);
    expect(ids(m.columns)).toEqual([1, 2, 3]);
    b.flush();
    expect(sent).toHaveLength(1);
    // The next interval starts empty, with room again.
    b.sink(entry(6));
    b.flush();
    expect(ids((sent[1] as Extract<HostToMain, { type: 'log' }>).columns)).toEqual([6]);
    expect((sent[1] as Extract<HostToMain, { type: 'log' }>).dropped).toBe(0);
  });

  it('under a flood, progress updates give way once a batch is half full, so final entries keep their room', () => {
    const sent: HostToMain[] = [];
    const b = createLogBatcher((m) => sent.push(m), { maxQueued: 4, setTimer: () => 1, clearTimer: () => {} });
    const progress = (id: number): RequestLogEntry => ({ ...entry(id), outcome: 'in-progress' });
    b.sink(progress(1)); // room: kept
    b.sink(entry(2));
    b.sink(progress(3)); // half full: skipped, not counted
    b.sink(entry(4));
    b.sink(entry(5));
    b.sink(entry(6)); // full: counted
    b.flush();
    const m = sent[0] as Extract<HostToMain, { type: 'log' }>;
    expect(ids(m.columns)).toEqual([1, 2, 4, 5]);
    expect(m.dropped).toBe(1);
  });

  it('keeps no entry object: a batch is typed arrays plus the distinct strings', () => {
    const sent: HostToMain[] = [];
    const b = createLogBatcher((m) => sent.push(m), { setTimer: () => 1, clearTimer: () => {} });
    for (let i = 1; i <= 50; i++) b.sink(entry(i));
    b.flush();
    const { columns } = sent[0] as Extract<HostToMain, { type: 'log' }>;
    expect(columns.numbers).toBeInstanceOf(Float64Array);
    expect(columns.refs).toBeInstanceOf(Int32Array);
    expect(columns.numbers.length).toBe(50 * LOG_NUMBER_LAYOUT.stride);
    // client, method, path, protocol: the usual message is not sent at all.
    expect(columns.strings).toEqual(['127.0.0.1', 'GET', '/', 'HTTP/1.1']);
  });
});

describe('toServeFailure', () => {
  const cases: [string, Partial<ServeSettings>, string, string][] = [
    ['EADDRINUSE', {}, 'SRV_ERR_PORT_IN_USE', 'port'],
    ['EACCES', { port: 80 }, 'SRV_ERR_PORT_PRIVILEGED', 'port'],
    ['EADDRNOTAVAIL', { bind: '10.9.9.9' }, 'SRV_ERR_ADDRESS_UNAVAILABLE', 'bind'],
    ['ENOENT', {}, 'SRV_ERR_DIRECTORY_MISSING', 'directory'],
    ['ENOTDIR', {}, 'SRV_ERR_DIRECTORY_MISSING', 'directory'],
    ['EAFNOSUPPORT', { bind: '::1' }, 'SRV_ERR_ADDRESS_INVALID', 'bind'],
  ];
  it.each(cases)('%s maps to %s on a field, in plain words', (errno, over, code, field) => {
    const f = toServeFailure(Object.assign(new Error(`boom ${errno}`), { code: errno }), settings(over));
    expect(f).toMatchObject({ code, field });
    expect(f.message).not.toContain(errno);
    expect(f.message).toMatch(/^[A-Z].*\.$/);
  });

  it('passes the engine’s own ServeError through unchanged', () => {
    const e = Object.assign(new Error('That folder is empty of meaning.'), { code: 'SRV_ERR_BAD_SETTINGS', field: 'cgi' });
    expect(toServeFailure(e, settings())).toEqual({ code: 'SRV_ERR_BAD_SETTINGS', message: 'That folder is empty of meaning.', field: 'cgi' });
  });

  it('anything else is an internal error without technical detail', () => {
    expect(toServeFailure(new TypeError('x is undefined'), settings())).toEqual({
      code: 'SRV_ERR_INTERNAL',
      message: 'The server could not start because of an unexpected problem.',
    });
  });
});
