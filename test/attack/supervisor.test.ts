/**
 * Attack suite: the server process under faults. The shell's real object graph
 * (electron/compose.ts: settings store, supervisor, app service, with the production
 * deadlines of HOST_DEADLINES) runs the BUILT engine host (out/main/host.cjs) under
 * `child_process.fork`, the way the browser fallback does and the way Electron runs the
 * same script in a utility process. Then the host is:
 *
 *  - killed with SIGKILL while sharing: the share must answer again within 5 s, by itself;
 *  - stopped with SIGSTOP while sharing, then Stop pressed: Stop must return within 5 s,
 *    the frozen process must be gone and its port closed (visitors are not left hanging);
 *    Share must then work within 5 s;
 *  - stopped with SIGSTOP while idle, then Share pressed: sharing within 5 s;
 *  - replaced by a host script that never answers (tiny stand-ins written below: one that
 *    never says `ready`, one that says it and then ignores every request): Share within
 *    5 s on a fresh real host; when every host stays silent, a plain failure and no
 *    process left behind.
 *
 * Each test prints the time it measured. Needs `npm run build:app` (out/main/host.cjs).
 */
import { fork as cpFork } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { connect, type Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { composeShell, type Shell } from '../../electron/compose';
import type { ServerStatus } from '../../electron/ipc-contract';
import { HOST_DEADLINES, nodeFork, type ForkFn, type HostProcessLike } from '../../electron/server-host';
import { freePort } from '../../server/host/net-info';
import { HOST_CJS, requireBuilt } from '../shell/built';
import { AGAINST_PYTHON } from './support/servers';

/** What the issue asks: Share works again within 5 s after any fault of the host. */
const RECOVERY_LIMIT_MS = 5_000;

let dir: string;
let share: string;
let silentHost: string;
let muteHost: string;
const shells: Shell[] = [];
const forked: HostProcessLike[] = [];

/** nodeFork of `entries` in turn (the last one for every later fork), remembering each child. */
function forkSequence(...entries: string[]): ForkFn {
  let n = 0;
  return () => {
    const child = nodeFork(entries[Math.min(n++, entries.length - 1)]!);
    forked.push(child);
    return child;
  };
}

async function shell(fork: ForkFn): Promise<{ s: Shell; port: number; statuses: ServerStatus[] }> {
  const statuses: ServerStatus[] = [];
  const s = await composeShell({
    userDataDir: await fsp.mkdtemp(path.join(dir, 'ud-')),
    fork,
    hostEntry: HOST_CJS,
    emit: (channel, payload) => {
      if (channel === 'server:status') statuses.push(payload as ServerStatus);
    },
    transport: 'web',
    version: '0',
    openExternal: async () => {},
  });
  shells.push(s);
  const port = await freePort('127.0.0.1');
  const saved = await s.service.handlers['settings:update']({ directory: share, bind: '127.0.0.1', port });
  expect(saved.ok).toBe(true);
  return { s, port, statuses };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** One GET over a fresh connection; the body, or null when refused or not answered in `ms`. */
function fetchNote(port: number, ms = 1000): Promise<string | null> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (v: string | null) => {
      clearTimeout(t);
      s.destroy();
      resolve(v);
    };
    const t = setTimeout(() => done(null), ms);
    s.on('error', () => done(null));
    s.on('connect', () => s.write('GET /note.txt HTTP/1.0\r\n\r\n'));
    s.on('data', (c) => (data += c.toString('latin1')));
    s.on('end', () => done(data.startsWith('HTTP/1.0 200') ? data.slice(data.indexOf('\r\n\r\n') + 4) : null));
  });
}

/** Polls until the share serves note.txt; the time that took. */
async function untilServing(port: number, limitMs: number): Promise<number> {
  const t0 = Date.now();
  while ((await fetchNote(port, 250)) !== 'the shared note') {
    if (Date.now() - t0 > limitMs) throw new Error(`not serving ${limitMs} ms later`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - t0;
}

const report = (what: string, ms: number) => console.log(`[supervisor] ${what}: ${ms} ms`);

beforeAll(async () => {
  requireBuilt(HOST_CJS);
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'servedir-supervisor-'));
  share = path.join(dir, 'share');
  await fsp.mkdir(share);
  await fsp.writeFile(path.join(share, 'note.txt'), 'the shared note');
  // Stand-ins for a host that hangs: connected over IPC, alive, and silent.
  silentHost = path.join(dir, 'silent-host.cjs');
  await fsp.writeFile(silentHost, "process.on('message', () => {});\n");
  muteHost = path.join(dir, 'mute-host.cjs');
  await fsp.writeFile(muteHost, "process.send({ type: 'ready', pid: process.pid });\nprocess.on('message', () => {});\n");
});

afterEach(async () => {
  for (const s of shells.splice(0)) await s.service.shutdown();
  // A failed assertion must not leave a stopped or silent process behind.
  for (const c of forked.splice(0)) {
    if (c.pid !== undefined && alive(c.pid)) {
      process.kill(c.pid, 'SIGKILL');
    }
  }
});

afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe.skipIf(AGAINST_PYTHON)('supervisor: the built host under faults (production deadlines)', () => {
  it('uses the deadlines SECURITY.md states', () => {
    expect(HOST_DEADLINES).toEqual({ readyMs: 3000, requestMs: 2000, closeMs: 2000, killGraceMs: 1000, shutdownMs: 3000, heartbeatMs: 2000, heartbeatMissMs: 8000 });
  });

  it('SIGSTOP while sharing, nobody presses anything: the heartbeat notices, the frozen host is ended and the share answers again by itself; the window says the server stopped responding', async () => {
    const { s, port, statuses } = await shell(forkSequence(HOST_CJS));
    expect((await s.service.handlers['server:start']()).ok).toBe(true);
    const frozen = forked[0]!.pid!;
    // Some heartbeats answered first: a host that serves is never judged frozen.
    await new Promise((r) => setTimeout(r, 2 * HOST_DEADLINES.heartbeatMs + 500));
    expect(forked).toHaveLength(1);
    expect(alive(frozen)).toBe(true);
    const t0 = Date.now();
    process.kill(frozen, 'SIGSTOP');
    // At most: the ping in flight unanswered for heartbeatMissMs, noticed at the next beat,
    // the kill grace, then a fresh host and a start.
    const limit = HOST_DEADLINES.heartbeatMissMs + 2 * HOST_DEADLINES.heartbeatMs + HOST_DEADLINES.killGraceMs + RECOVERY_LIMIT_MS;
    await untilServing(port, limit);
    const took = Date.now() - t0;
    report('SIGSTOP, untouched → serving again', took);
    expect(took).toBeGreaterThanOrEqual(HOST_DEADLINES.heartbeatMissMs - HOST_DEADLINES.heartbeatMs);
    expect(took).toBeLessThan(limit);
    expect(alive(frozen)).toBe(false);
    expect(forked).toHaveLength(2);
    expect(s.service.status()).toMatchObject({
      state: 'running',
      port,
      notice: { message: 'The server stopped responding, so Servedir ended it and restarted it.' },
    });
    expect(statuses.at(-1)).toMatchObject({ state: 'running', notice: { message: expect.stringMatching(/stopped responding/) } });
  }, 60_000);

  it('kill -9 while sharing: the share answers again by itself within 5 s, and the window is told', async () => {
    const { s, port } = await shell(forkSequence(HOST_CJS));
    expect((await s.service.handlers['server:start']()).ok).toBe(true);
    expect(await fetchNote(port)).toBe('the shared note');
    const victim = forked[0]!.pid!;
    const t0 = Date.now();
    process.kill(victim, 'SIGKILL');
    await untilServing(port, RECOVERY_LIMIT_MS);
    const took = Date.now() - t0;
    report('kill -9 → serving again', took);
    expect(took).toBeLessThan(RECOVERY_LIMIT_MS);
    expect(alive(victim)).toBe(false);
    expect(forked).toHaveLength(2);
    expect(s.service.status()).toMatchObject({
      state: 'running',
      port,
      notice: { message: 'The server stopped unexpectedly, so Servedir restarted it.' },
    });
  });

  it('SIGSTOP while sharing, then Stop: Stop returns within 5 s, the frozen process is gone, its port refuses; Share works within 5 s', async () => {
    const { s, port } = await shell(forkSequence(HOST_CJS));
    expect((await s.service.handlers['server:start']()).ok).toBe(true);
    const frozen = forked[0]!.pid!;
    process.kill(frozen, 'SIGSTOP');
    // A visitor now waits on a port nobody answers.
    const visitor: Socket = connect({ host: '127.0.0.1', port });
    visitor.on('error', () => {});
    const visitorClosed = new Promise<number>((r) => visitor.once('close', () => r(Date.now())));
    visitor.write('GET /note.txt HTTP/1.0\r\n\r\n');

    const t0 = Date.now();
    const stopped = await s.service.handlers['server:stop']();
    const stopMs = Date.now() - t0;
    report('SIGSTOP → Stop returned', stopMs);
    expect(stopMs).toBeGreaterThanOrEqual(HOST_DEADLINES.requestMs + HOST_DEADLINES.closeMs - 50);
    expect(stopMs).toBeLessThan(RECOVERY_LIMIT_MS);
    expect(stopped).toMatchObject({
      state: 'stopped',
      notice: { message: 'The server was not responding, so Servedir ended it. Sharing has stopped.' },
    });
    expect(alive(frozen)).toBe(false);
    const closedAt = await Promise.race([visitorClosed, new Promise<number>((r) => setTimeout(() => r(-1), 1000))]);
    expect(closedAt, 'the waiting visitor was let go').toBeGreaterThan(0);
    expect(await fetchNote(port)).toBeNull();

    const t1 = Date.now();
    const again = await s.service.handlers['server:start']();
    const shareMs = Date.now() - t1;
    report('after SIGSTOP + Stop → Share', shareMs);
    expect(again.ok && again.value.state).toBe('running');
    expect(shareMs).toBeLessThan(RECOVERY_LIMIT_MS);
    expect(await fetchNote(port)).toBe('the shared note');
  });

  it('SIGSTOP while idle, then Share: sharing within 5 s from a fresh host, and the window says the old one was ended', async () => {
    const { s, port } = await shell(forkSequence(HOST_CJS));
    expect((await s.service.handlers['server:start']()).ok).toBe(true);
    await s.service.handlers['server:stop']();
    const frozen = forked[0]!.pid!;
    process.kill(frozen, 'SIGSTOP');
    const t0 = Date.now();
    const r = await s.service.handlers['server:start']();
    const took = Date.now() - t0;
    report('SIGSTOP (idle) → Share', took);
    expect(r.ok && r.value).toMatchObject({
      state: 'running',
      notice: { message: 'The server was not responding, so Servedir ended it and started a new one.' },
    });
    expect(took).toBeGreaterThanOrEqual(HOST_DEADLINES.requestMs - 50);
    expect(took).toBeLessThan(RECOVERY_LIMIT_MS);
    expect(alive(frozen)).toBe(false);
    expect(await fetchNote(port)).toBe('the shared note');
  });

  it('a host that never says ready: Share works within 5 s on a fresh host; the silent one is killed', async () => {
    const { s, port } = await shell(forkSequence(silentHost, HOST_CJS));
    const t0 = Date.now();
    const r = await s.service.handlers['server:start']();
    const took = Date.now() - t0;
    report('silent host (no ready) → Share', took);
    expect(r.ok && r.value).toMatchObject({
      state: 'running',
      notice: { message: 'The server did not start the first time, so Servedir tried again.' },
    });
    expect(took).toBeGreaterThanOrEqual(HOST_DEADLINES.readyMs - 50);
    expect(took).toBeLessThan(RECOVERY_LIMIT_MS);
    expect(alive(forked[0]!.pid!)).toBe(false);
    expect(await fetchNote(port)).toBe('the shared note');
  });

  it('a host that says ready and then answers nothing: Share works within 5 s on a fresh host', async () => {
    const { s, port } = await shell(forkSequence(muteHost, HOST_CJS));
    const t0 = Date.now();
    const r = await s.service.handlers['server:start']();
    const took = Date.now() - t0;
    report('mute host (ready, then silent) → Share', took);
    expect(r.ok && r.value).toMatchObject({ state: 'running', notice: { message: expect.stringMatching(/not responding/) } });
    expect(took).toBeLessThan(RECOVERY_LIMIT_MS);
    expect(alive(forked[0]!.pid!)).toBe(false);
    expect(await fetchNote(port)).toBe('the shared note');
  });

  it('every host silent: Share fails in plain words within two ready deadlines, and no process is left', async () => {
    const { s } = await shell(forkSequence(silentHost));
    const t0 = Date.now();
    const r = await s.service.handlers['server:start']();
    const took = Date.now() - t0;
    report('always-silent host → Share fails', took);
    expect(r).toMatchObject({
      ok: false,
      code: 'APP_ERR_HOST_CRASHED',
      message: 'The part of Servedir that shares folders did not start. Press Share to try again.',
    });
    expect(took).toBeLessThan(2 * (HOST_DEADLINES.readyMs + HOST_DEADLINES.killGraceMs) + 1000);
    expect(forked).toHaveLength(2);
    for (const c of forked) expect(alive(c.pid!)).toBe(false);
  });

  it('the stand-in hosts are what they claim: alive and silent', async () => {
    // A check of the test itself: without it, a stand-in that crashed at once would make
    // the tests above measure the exit path instead of the deadline.
    for (const entry of [silentHost, muteHost]) {
      const cp = cpFork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const got: unknown[] = [];
      cp.on('message', (m) => got.push(m));
      cp.send({ type: 'start', settings: {} });
      await new Promise((r) => setTimeout(r, 500));
      expect(cp.exitCode).toBeNull();
      expect(got.filter((m) => (m as { type?: string }).type !== 'ready')).toEqual([]);
      cp.kill('SIGKILL');
    }
  });
});
