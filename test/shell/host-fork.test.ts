// The BUILT utility host (out/main/host.cjs) under a real Node child_process.fork with
// `serialization: 'advanced'`, serving real HTTP on 127.0.0.1: the same script Electron
// runs in a utilityProcess. Driven raw (protocol messages) and through the supervisor.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fork, type ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostToMain, ServeSettings } from '../../server/host/protocol';
import { createServerHost, nodeFork } from '../../electron/server-host';
import { checkLogColumns, decodeLogColumns } from '../../electron/ipc-contract';
import { HOST_CJS, requireBuilt } from './built';
import { appDefaults } from '../../server/share-settings';

let dir: string;
let dirA: string;
let dirB: string;

const settings = (over: Partial<ServeSettings> = {}): ServeSettings => ({
  ...appDefaults(),
  directory: dirA,
  port: 0,
  bind: '127.0.0.1',
  ...over,
});

/** A raw protocol client over a forked host. */
function spawnHost() {
  const cp: ChildProcess = fork(HOST_CJS, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: HostToMain[] = [];
  const waiters: (() => void)[] = [];
  cp.on('message', (m) => {
    inbox.push(m as HostToMain);
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => cp.on('exit', (code, signal) => r({ code, signal })));
  /** Waits for the next message of `type` (consuming messages before it). */
  const next = async <T extends HostToMain['type']>(type: T, timeoutMs = 10_000): Promise<Extract<HostToMain, { type: T }>> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return inbox.splice(0, i + 1).at(-1) as Extract<HostToMain, { type: T }>;
      if (Date.now() > deadline) throw new Error(`no ${type} message; got ${inbox.map((m) => m.type).join(',')}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  };
  return { cp, inbox, next, exited, send: (m: unknown) => cp.send(m as never) };
}

beforeAll(async () => {
  requireBuilt(HOST_CJS);
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'servedir-host-'));
  dirA = path.join(dir, 'a');
  dirB = path.join(dir, 'b');
  await fsp.mkdir(dirA);
  await fsp.mkdir(dirB);
  await fsp.writeFile(path.join(dirA, 'which.txt'), 'folder A');
  await fsp.writeFile(path.join(dirB, 'which.txt'), 'folder B');
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('built host.cjs under child_process.fork', () => {
  it('ready → start on port 0 → real HTTP answer → its log entry arrives in a batch', async () => {
    const h = spawnHost();
    const ready = await h.next('ready');
    expect(ready.pid).toBe(h.cp.pid);
    h.send({ type: 'start', settings: settings() });
    const listening = await h.next('listening');
    expect(listening.port).toBeGreaterThan(0);
    expect(listening.address).toBe('127.0.0.1');
    expect(listening.urls).toEqual([
      { url: `http://127.0.0.1:${listening.port}/`, label: 'This computer', scope: 'loopback', family: 'IPv4', kind: 'loopback', note: 'Only on this computer' },
    ]);
    const res = await fetch(`http://127.0.0.1:${listening.port}/which.txt`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('folder A');
    const log = await h.next('log');
    expect(log.dropped).toBe(0);
    // Columns (typed arrays) through real fork IPC, read with the shell's own decoder.
    expect(log.columns.numbers).toBeInstanceOf(Float64Array);
    expect(checkLogColumns(log.columns)).toBeNull();
    expect(decodeLogColumns(log.columns)).toEqual([
      expect.objectContaining({ kind: 'request', method: 'GET', path: '/which.txt', status: 200, clientAddress: '127.0.0.1' }),
    ]);
    h.send({ type: 'shutdown' });
    expect(await h.exited).toEqual({ code: 0, signal: null });
  });

  it('start with new settings restarts: the new port serves the new folder, the old port is closed', async () => {
    const h = spawnHost();
    await h.next('ready');
    h.send({ type: 'start', settings: settings() });
    const first = await h.next('listening');
    h.send({ type: 'start', settings: settings({ directory: dirB }) });
    const second = await h.next('listening');
    expect(await (await fetch(`http://127.0.0.1:${second.port}/which.txt`)).text()).toBe('folder B');
    if (second.port !== first.port) {
      await expect(fetch(`http://127.0.0.1:${first.port}/which.txt`)).rejects.toThrow();
    }
    h.send({ type: 'stop' });
    await h.next('stopped');
    await expect(fetch(`http://127.0.0.1:${second.port}/`)).rejects.toThrow();
    // Still alive after stop, ready for another start.
    h.send({ type: 'start', settings: settings() });
    await h.next('listening');
    h.send({ type: 'shutdown' });
    expect((await h.exited).code).toBe(0);
  });

  it('failures come back as plain sentences next to a field', async () => {
    const h = spawnHost();
    await h.next('ready');
    h.send({ type: 'start', settings: settings({ directory: path.join(dir, 'missing') }) });
    const missing = await h.next('failed');
    expect(missing).toMatchObject({ field: 'directory' });
    expect(missing.code).toMatch(/^SRV_ERR_DIRECTORY_/);
    expect(missing.message).not.toMatch(/ENOENT|errno/i);

    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as net.AddressInfo).port;
    h.send({ type: 'start', settings: settings({ port: taken }) });
    const inUse = await h.next('failed');
    blocker.close();
    expect(inUse).toMatchObject({ code: 'SRV_ERR_PORT_IN_USE', field: 'port' });
    expect(inUse.message).not.toMatch(/EADDRINUSE/);
    h.send({ type: 'start', settings: settings({ directory: path.join(dirA, 'which.txt') }) });
    const notFolder = await h.next('failed');
    expect(notFolder).toMatchObject({ code: 'SRV_ERR_DIRECTORY_NOT_A_DIRECTORY', field: 'directory' });

    // 198.51.100.0/24 is TEST-NET-2, documentation-only: not an address of this machine, so binding fails locally
    // (nothing is sent anywhere).
    h.send({ type: 'start', settings: settings({ bind: '198.51.100.77' }) });
    const notHere = await h.next('failed');
    expect(notHere).toMatchObject({ code: 'SRV_ERR_ADDRESS_UNAVAILABLE', field: 'bind' });
    expect(notHere.message).not.toMatch(/EADDRNOTAVAIL/);

    h.send({ type: 'shutdown' });
    expect((await h.exited).code).toBe(0);
  });

  it('ignores SIGINT (Ctrl-C reaches the whole process group; the shell owns shutdown)', async () => {
    const h = spawnHost();
    await h.next('ready');
    h.send({ type: 'start', settings: settings() });
    const l = await h.next('listening');
    h.cp.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 100));
    expect(await (await fetch(`http://127.0.0.1:${l.port}/which.txt`)).text()).toBe('folder A');
    h.send({ type: 'shutdown' });
    expect(await h.exited).toEqual({ code: 0, signal: null });
  });

  it('exits by itself when the shell disconnects (no orphaned server)', async () => {
    const h = spawnHost();
    await h.next('ready');
    h.send({ type: 'start', settings: settings() });
    const l = await h.next('listening');
    h.cp.disconnect();
    expect((await h.exited).code).toBe(0);
    await expect(fetch(`http://127.0.0.1:${l.port}/`)).rejects.toThrow();
  });
});

describe('supervisor (server-host.ts) with nodeFork of the built host', () => {
  it('start, serve, and a kill from outside is reported as an unexpected exit; start again recovers', async () => {
    const onUnexpectedExit = vi.fn();
    const onLog = vi.fn();
    const host = createServerHost({ fork: nodeFork, entryPath: HOST_CJS, onUnexpectedExit, onLog });
    const out = await host.start(settings());
    if (!out.ok) throw new Error(out.failure.message);
    expect(await (await fetch(`http://127.0.0.1:${out.port}/which.txt`)).text()).toBe('folder A');
    await vi.waitFor(() => expect(onLog).toHaveBeenCalled());

    // The supervisor does not expose its child: find it in /proc (our child running host.cjs).
    const pids = await childPids();
    expect(pids.length).toBe(1);
    process.kill(pids[0]!, 'SIGKILL');
    await vi.waitFor(() => expect(onUnexpectedExit).toHaveBeenCalledOnce());
    expect(onUnexpectedExit.mock.calls[0]![0]).not.toBe(0);

    const again = await host.start(settings({ directory: dirB }));
    if (!again.ok) throw new Error(again.failure.message);
    expect(await (await fetch(`http://127.0.0.1:${again.port}/which.txt`)).text()).toBe('folder B');
    await host.shutdown();
    expect(onUnexpectedExit).toHaveBeenCalledOnce();
  });
});

/** Pids of our child processes running host.cjs (Linux /proc). */
async function childPids(): Promise<number[]> {
  const out: number[] = [];
  for (const name of await fsp.readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await fsp.readFile(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmd = await fsp.readFile(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes('host.cjs')) out.push(Number(name));
    } catch {
      // process ended meanwhile
    }
  }
  return out;
}
