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
  bodyBytes: 4,
  headerBytes: 6,
  expectedBytes: 4,
  outcome: 'done',
  durationMs: 1,
  userAgent: null,
  referer: null,
  message: `"GET /f${id} HTTP/1.1" 200 -`,
});

/** Short deadlines so the fault tests run in milliseconds. */
const FAST = { readyMs: 150, requestMs: 150, closeMs: 100, killGraceMs: 80, shutdownMs: 150 };

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
    expect(err).toHaveBeenCalledWith(expect.stringMatching(/could not be read \(the log batch's numbers must be 24 numbers/));
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
    await vi.waitFor(() => expect(onUnexpectedExit).toHaveBeenCalledWith(139, 'exited'));
    const out = await host.start(settings());
    expect(out.ok).toBe(true);
    expect(fork.spawned).toHaveLength(2);
    await host.shutdown();
  });

  it('gives up on a host that never says ready (after one fresh try), kills both, and says so plainly', async () => {
    const engine = createFakeEngine();
    const fork = fakeFork(engine, { silent: true });
    const host = createServerHost({ fork, signal: fork.signal, entryPath: 'h', deadlines: FAST });
    const t0 = Date.now();
    const out = await host.start(settings());
    expect(Date.now() - t0).toBeLessThan(2 * FAST.readyMs + 500);
    expect(out).toMatchObject({ ok: false, hostDied: true });
    expect(out.ok ? '' : out.failure.message).toMatch(/did not start/);
    expect(fork.spawned).toHaveLength(2);
    for (const c of fork.spawned) {
      expect(c.killed).toBe(true);
      expect(c.dead).toBe(true);
    }
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

describe('createServerHost with a host that misses a deadline', () => {
  it('a frozen idle host (SIGSTOP): start kills it (SIGTERM + SIGCONT) and serves from a fresh one in the same call', async () => {
    const engine = createFakeEngine();
    const fork = fakeFork(engine);
    const onUnexpectedExit = vi.fn();
    const host = createServerHost({ fork, signal: fork.signal, entryPath: 'h', deadlines: FAST, onUnexpectedExit });
    await host.start(settings());
    await host.stop();
    fork.spawned[0]!.freeze();
    const t0 = Date.now();
    const out = await host.start(settings());
    const took = Date.now() - t0;
    expect(out).toMatchObject({ ok: true, replaced: 'not-responding' });
    expect(took).toBeGreaterThanOrEqual(FAST.requestMs - 5);
    expect(took).toBeLessThan(FAST.requestMs + FAST.killGraceMs + 500);
    const frozen = fork.spawned[0]!;
    expect(frozen.signals).toEqual(['SIGTERM', 'SIGCONT']);
    expect(frozen.dead).toBe(true);
    expect(fork.spawned).toHaveLength(2);
    // Killing a host we gave up on is no surprise to report.
    expect(onUnexpectedExit).not.toHaveBeenCalled();
    await host.shutdown();
  });

  it('a frozen serving host: stop waits the request deadline plus the close allowance, kills it, says forced; the next start forks a fresh one', async () => {
    const engine = createFakeEngine();
    const fork = fakeFork(engine);
    const host = createServerHost({ fork, signal: fork.signal, entryPath: 'h', deadlines: FAST });
    await host.start(settings());
    fork.spawned[0]!.freeze();
    const t0 = Date.now();
    expect(await host.stop()).toEqual({ forced: true });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(FAST.requestMs + FAST.closeMs - 5);
    expect(fork.spawned[0]!.dead).toBe(true);
    const again = await host.start(settings());
    expect(again).toMatchObject({ ok: true });
    expect(again.ok && again.replaced).toBeFalsy();
    expect(fork.spawned).toHaveLength(2);
    await host.shutdown();
  });

  it('a host that ignores SIGTERM gets SIGKILL after the grace', async () => {
    const engine = createFakeEngine();
    const fork = fakeFork(engine, { ignoreTerm: true });
    const host = createServerHost({ fork, signal: fork.signal, entryPath: 'h', deadlines: FAST });
    await host.start(settings());
    fork.spawned[0]!.freeze();
    const out = await host.start(settings());
    expect(out.ok).toBe(true);
    expect(fork.spawned[0]!.signals).toEqual(['SIGTERM', 'SIGCONT', 'SIGKILL']);
    expect(fork.spawned[0]!.dead).toBe(true);
    // Frozen at quit: the SIGCONT that follows SIGTERM lets it read the `shutdown` it was
    // sent, so it exits cleanly before SIGKILL is needed.
    fork.spawned[1]!.freeze();
    await host.shutdown();
    expect(fork.spawned[1]!.signals).toEqual(['SIGTERM', 'SIGCONT']);
    expect(fork.spawned[1]!.dead).toBe(true);
  });

  it('a host that dies during a start is replaced within the same call', async () => {
    const engine = createFakeEngine();
    const fork = fakeFork(engine);
    const host = createServerHost({ fork, signal: fork.signal, entryPath: 'h', deadlines: FAST });
    await host.start(settings());
    await host.stop();
    fork.spawned[0]!.freeze();
    const started = host.start(settings());
    setTimeout(() => fork.spawned[0]!.crash(139), 20);
    expect(await started).toMatchObject({ ok: true, replaced: 'exited' });
    expect(fork.spawned).toHaveLength(2);
    await host.shutdown();
  });

  it('never reuses a host that missed a deadline, even when its late answer arrives', async () => {
    const engine = createFakeEngine();
    const fork = fakeFork(engine, { ignoreTerm: true });
    // SIGKILL is lost too: the supervisor carries on without waiting for that exit forever.
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const host = createServerHost({ fork, signal: () => {}, entryPath: 'h', deadlines: FAST });
    await host.start(settings());
    await host.stop();
    fork.spawned[0]!.freeze();
    const out = await host.start(settings());
    expect(out.ok).toBe(true);
    expect(err).toHaveBeenCalledWith(expect.stringMatching(/did not exit after SIGKILL/));
    fork.spawned[0]!.signal('SIGCONT'); // the old one wakes up and answers its start, late
    await new Promise((r) => setTimeout(r, 30));
    await host.stop();
    await host.start(settings());
    expect(fork.spawned).toHaveLength(2);
    expect(engine.calls).toHaveLength(4); // first, the late one, the replacement's, the last
    err.mockRestore();
    fork.spawned[0]!.signal('SIGKILL');
    await host.shutdown();
  });
});

describe('createServerHost heartbeat (a host frozen while serving is noticed without a Stop or Share)', () => {
  const BEAT = { ...FAST, heartbeatMs: 25, heartbeatMissMs: 150 };

  it('a serving host that answers is kept; frozen, it is ended (SIGTERM + SIGCONT) and reported as not responding, not as a crash', async () => {
    const fork = fakeFork(createFakeEngine());
    const onUnexpectedExit = vi.fn();
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const host = createServerHost({ fork, signal: fork.signal, entryPath: 'h', deadlines: BEAT, onUnexpectedExit });
    expect(await host.start(settings())).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 8 * BEAT.heartbeatMs));
    expect(onUnexpectedExit).not.toHaveBeenCalled();
    expect(fork.spawned[0]!.signals).toEqual([]);
    fork.spawned[0]!.freeze();
    await vi.waitFor(() => expect(onUnexpectedExit).toHaveBeenCalledWith(null, 'not-responding'), { timeout: 2000 });
    expect(onUnexpectedExit).toHaveBeenCalledTimes(1);
    expect(fork.spawned[0]!.signals.slice(0, 2)).toEqual(['SIGTERM', 'SIGCONT']);
    expect(fork.spawned[0]!.dead).toBe(true);
    expect(err.mock.calls.flat().join(' ')).toMatch(/has not answered for \d+ ms; ending it/);
    // The next start runs on a fresh host.
    expect(await host.start(settings())).toMatchObject({ ok: true });
    expect(fork.spawned).toHaveLength(2);
    err.mockRestore();
    await host.shutdown();
  });

  it('a frozen host that is not serving is left to the next start or stop (which have their own deadlines)', async () => {
    const fork = fakeFork(createFakeEngine());
    const onUnexpectedExit = vi.fn();
    const host = createServerHost({ fork, signal: fork.signal, entryPath: 'h', deadlines: BEAT, onUnexpectedExit });
    await host.start(settings());
    await host.stop();
    fork.spawned[0]!.freeze();
    await new Promise((r) => setTimeout(r, 3 * BEAT.heartbeatMissMs));
    expect(onUnexpectedExit).not.toHaveBeenCalled();
    expect(fork.spawned[0]!.signals).toEqual([]);
    fork.spawned[0]!.signal('SIGKILL');
    await host.shutdown();
  });

  it('heartbeatMs 0: no pings at all', async () => {
    const fork = fakeFork(createFakeEngine());
    const onUnexpectedExit = vi.fn();
    const host = createServerHost({ fork, signal: fork.signal, entryPath: 'h', deadlines: { ...BEAT, heartbeatMs: 0 }, onUnexpectedExit });
    await host.start(settings());
    fork.spawned[0]!.freeze();
    await new Promise((r) => setTimeout(r, 2 * BEAT.heartbeatMissMs));
    expect(onUnexpectedExit).not.toHaveBeenCalled();
    fork.spawned[0]!.signal('SIGKILL');
    await host.shutdown();
  });
});
