// Tests for server-host.ts (the supervisor) over an in-process fake host process.
import { describe, expect, it, vi } from 'vitest';
import { createServerHost, logBatchFromHost } from './server-host';
import { decodeLogColumns, type LogBatch, type RequestLogEntry } from './ipc-contract';
import { createFakeEngine, fakeFork } from './test-support/fake-host-process';
import type { ServeSettings } from '../server/host/protocol';
import { appDefaults } from '../server/share-settings';

const settings = (over: Partial<ServeSettings> = {}): ServeSettings => ({
  ...appDefaults(),
  directory: '/srv',
  port: 0,
  bind: '127.0.0.1',
  ...over,
});

const logEntry = (id: number): RequestLogEntry => ({
  id,
  kind: 'request',
  time: 1_763_820_000_000 + id,
  connectionId: 1,
  clientAddress: '127.0.0.1',
  clientPort: 5000,
  method: 'GET',
  path: `/f${id}`,
  protocol: 'HTTP/1.1',
  status: 200,
  bytesSent: 10,
  durationMs: 1,
  userAgent: null,
  referer: null,
  message: `"GET /f${id} HTTP/1.1" 200 -`,
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
    engine.log(logEntry(1));
    engine.log(logEntry(2));
    await vi.waitFor(() => expect(onLog).toHaveBeenCalled());
    const batch = onLog.mock.calls[0]![0] as LogBatch;
    expect(batch.dropped).toBe(0);
    // Forwarded as the host wrote it: columns, not re-made objects.
    expect(batch.columns.numbers).toBeInstanceOf(Float64Array);
    expect(decodeLogColumns(batch.columns)).toEqual([logEntry(1), logEntry(2)]);
    await host.shutdown();
  });

  it('never forwards a log batch it cannot read: its entries become a dropped count, with a clear error', () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const out = logBatchFromHost({ columns: { count: 2, numbers: new Float64Array(3), refs: new Int32Array(14), strings: [] }, dropped: 1 });
    expect(out).toEqual({ columns: { count: 0, numbers: [], refs: [], strings: [] }, dropped: 3 });
    expect(err).toHaveBeenCalledWith(expect.stringMatching(/could not be read \(the log batch's numbers must be 16 numbers/));
    // The old format (an array of entry objects) is refused the same way.
    expect(logBatchFromHost({ entries: [logEntry(1)], dropped: 0 } as never).dropped).toBe(0);
    expect(err).toHaveBeenCalledTimes(2);
    err.mockRestore();
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
