// Tests for server-host.ts (the supervisor) over an in-process fake host process.
import { describe, expect, it, vi } from 'vitest';
import { createServerHost } from './server-host';
import { createFakeEngine, fakeFork } from './test-support/fake-host-process';
import type { ServeSettings } from '../server/host/protocol';

const settings = (over: Partial<ServeSettings> = {}): ServeSettings => ({
  directory: '/srv',
  port: 0,
  bind: '127.0.0.1',
  protocolVersion: 'HTTP/1.0',
  cgi: false,
  cgiDirectories: ['/cgi-bin'],
  followSymlinks: false,
  ...over,
});

describe('createServerHost', () => {
  it('spawns lazily, waits for ready, and returns the listening answer', async () => {
    const engine = createFakeEngine();
    const fork = fakeFork(engine);
    const host = createServerHost({ fork, entryPath: '/x/host.cjs' });
    expect(fork.spawned).toHaveLength(0);
    const out = await host.start(settings());
    expect(out).toEqual({ ok: true, port: 41001, address: '127.0.0.1', urls: [] });
    expect(fork.spawned).toHaveLength(1);
    // A second start reuses the same process (restart with new settings).
    const again = await host.start(settings({ port: 9100 }));
    expect(again).toMatchObject({ ok: true, port: 9100 });
    expect(fork.spawned).toHaveLength(1);
    await host.shutdown();
  });

  it('passes an engine failure through as a value', async () => {
    const engine = createFakeEngine();
    engine.failNext(Object.assign(new Error('in use'), { code: 'EADDRINUSE' }));
    const host = createServerHost({ fork: fakeFork(engine), entryPath: 'h' });
    const out = await host.start(settings({ port: 8000 }));
    expect(out).toMatchObject({ ok: false, hostDied: false, failure: { code: 'SRV_ERR_PORT_IN_USE', field: 'port' } });
    await host.shutdown();
  });

  it('forwards log batches', async () => {
    const engine = createFakeEngine();
    const onLog = vi.fn();
    const host = createServerHost({ fork: fakeFork(engine), entryPath: 'h', onLog });
    await host.start(settings());
    engine.log({ id: 1 } as never);
    engine.log({ id: 2 } as never);
    await vi.waitFor(() => expect(onLog).toHaveBeenCalled());
    expect(onLog).toHaveBeenCalledWith({ entries: [{ id: 1 }, { id: 2 }], dropped: 0 });
    await host.shutdown();
  });

  it('reports a crash while serving, and Restart (start again) spawns a new process', async () => {
    const engine = createFakeEngine();
    const fork = fakeFork(engine);
    const onUnexpectedExit = vi.fn();
    const host = createServerHost({ fork, entryPath: 'h', onUnexpectedExit });
    await host.start(settings());
    fork.spawned[0]!.crash(139);
    await vi.waitFor(() => expect(onUnexpectedExit).toHaveBeenCalledWith(139));
    const out = await host.start(settings());
    expect(out.ok).toBe(true);
    expect(fork.spawned).toHaveLength(2);
    await host.shutdown();
  });

  it('gives up on a host that never says ready, kills it, and says so plainly', async () => {
    const engine = createFakeEngine();
    const fork = fakeFork(engine, { silent: true });
    const host = createServerHost({ fork, entryPath: 'h', readyTimeoutMs: 50 });
    const out = await host.start(settings());
    expect(out).toMatchObject({ ok: false, hostDied: true });
    expect(out.ok ? '' : out.failure.message).toMatch(/did not start/);
    expect(fork.spawned[0]!.killed).toBe(true);
  });

  it('shutdown asks the host to exit and does not report it as a crash', async () => {
    const engine = createFakeEngine();
    const fork = fakeFork(engine);
    const onUnexpectedExit = vi.fn();
    const host = createServerHost({ fork, entryPath: 'h', onUnexpectedExit });
    await host.start(settings());
    await host.shutdown();
    expect(fork.spawned[0]!.killed).toBe(false);
    expect(onUnexpectedExit).not.toHaveBeenCalled();
  });

  it('stop answers after the host says stopped; stop with no process is a no-op', async () => {
    const engine = createFakeEngine();
    const fork = fakeFork(engine);
    const host = createServerHost({ fork, entryPath: 'h' });
    await host.stop();
    expect(fork.spawned).toHaveLength(0);
    await host.start(settings());
    await host.stop();
    await host.shutdown();
  });
});

describe('createServerHost when fork throws', () => {
  it('reports a plain failure and can try again later', async () => {
    const engine = createFakeEngine();
    const good = fakeFork(engine);
    let fail = true;
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const host = createServerHost({
      fork: (p) => {
        if (fail) throw new Error('spawn ENOENT');
        return good(p);
      },
      entryPath: 'h',
    });
    const out = await host.start(settings());
    expect(out).toMatchObject({ ok: false, hostDied: true });
    expect(out.ok ? '' : out.failure.message).not.toMatch(/ENOENT/);
    fail = false;
    expect((await host.start(settings())).ok).toBe(true);
    await host.shutdown();
    err.mockRestore();
  });
});
