// The shared folder vanishing and coming back, over a real temp folder (folder-watch.ts), and
// the host telling the shell and the log (host-core.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchSharedFolder, type FolderPresence, type FolderWatch } from './folder-watch.js';
import { runHost, type HostChannel } from './host-core.js';
import type { HostToMain } from './protocol.js';
import type { LogColumns } from './log-columns.js';
import { decodeLogColumns } from './log-columns.js';
import { appDefaults } from '../share-settings.js';

const watches: FolderWatch[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const w of watches.splice(0)) w.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempParent(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'servedir-watch-'));
  dirs.push(d);
  return d;
}

async function until(what: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('watchSharedFolder', () => {
  it('says gone when the folder is deleted, present when it is back, once per change (the parent\'s watch, no timer)', async () => {
    const parent = tempParent();
    const dir = path.join(parent, 'Photos');
    fs.mkdirSync(dir);
    const seen: FolderPresence[] = [];
    // A long interval: only the watch on the parent can notice within the test.
    watches.push(watchSharedFolder(dir, (p) => seen.push(p), { intervalMs: 3_600_000 }));
    await new Promise((r) => setTimeout(r, 50));
    fs.rmSync(dir, { recursive: true });
    await until(() => seen.length === 1);
    expect(seen).toEqual(['gone']);
    fs.mkdirSync(dir);
    await until(() => seen.length === 2);
    // Unrelated changes in the parent are looked at, and say nothing.
    fs.writeFileSync(path.join(parent, 'other.txt'), 'x');
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual(['gone', 'present']);
  });

  it('a rename is gone; a file put in its place is not a folder: still gone; renamed back: present', async () => {
    const parent = tempParent();
    const dir = path.join(parent, 'Share');
    fs.mkdirSync(dir);
    const seen: FolderPresence[] = [];
    const w = watchSharedFolder(dir, (p) => seen.push(p), { intervalMs: 3_600_000 });
    watches.push(w);
    fs.renameSync(dir, path.join(parent, 'Share (old)'));
    await w.check();
    expect(seen).toEqual(['gone']);
    fs.writeFileSync(dir, 'not a folder');
    await w.check();
    expect(seen).toEqual(['gone']);
    fs.rmSync(dir);
    fs.renameSync(path.join(parent, 'Share (old)'), dir);
    await w.check();
    expect(seen).toEqual(['gone', 'present']);
  });

  it('without a usable watch, the timer alone notices (a stat every interval)', async () => {
    const parent = tempParent();
    const dir = path.join(parent, 'x');
    fs.mkdirSync(dir);
    const seen: FolderPresence[] = [];
    let stats = 0;
    watches.push(
      watchSharedFolder(dir, (p) => seen.push(p), {
        intervalMs: 50,
        fs: {
          stat: (p) => {
            stats++;
            return fs.promises.stat(p);
          },
          watch: () => {
            throw new Error('EACCES');
          },
        },
      }),
    );
    fs.rmdirSync(dir);
    await until(() => seen.length === 1);
    expect(seen).toEqual(['gone']);
    expect(stats).toBeGreaterThan(2);
  });

  it('a folder that was a mount point is gone when its drive is unmounted (the parent\'s disk shows through)', async () => {
    let dev = 7; // the drive
    const seen: FolderPresence[] = [];
    const w = watchSharedFolder('/media/usb', (p) => seen.push(p), {
      intervalMs: 3_600_000,
      fs: {
        stat: async (p) => ({ isDirectory: () => true, dev: p === '/media' ? 1 : dev }),
        watch: () => () => {},
      },
    });
    watches.push(w);
    await w.check();
    expect(seen).toEqual([]);
    dev = 1; // unmounted: an empty folder of the parent's disk
    await w.check();
    expect(seen).toEqual(['gone']);
    dev = 9; // mounted again
    await w.check();
    expect(seen).toEqual(['gone', 'present']);
  });

  it('close() stops the watch and the timer: nothing is reported after it', async () => {
    const parent = tempParent();
    const dir = path.join(parent, 'y');
    fs.mkdirSync(dir);
    const seen: FolderPresence[] = [];
    const w = watchSharedFolder(dir, (p) => seen.push(p), { intervalMs: 30 });
    w.close();
    fs.rmdirSync(dir);
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([]);
  });
});

describe('runHost: the shared folder gone and back', () => {
  it('sends a folder message and an event log entry in plain words, and stops watching when the share stops', async () => {
    const parent = tempParent();
    const dir = path.join(parent, 'Holiday');
    fs.mkdirSync(dir);
    const sent: HostToMain[] = [];
    let listener: (m: unknown) => void = () => {};
    const channel: HostChannel = {
      kind: 'fork',
      send: (m) => sent.push(m),
      onMessage: (l) => (listener = l),
      onDisconnect: () => {},
    };
    let watching: FolderWatch | null = null;
    const host = runHost(channel, {
      serve: async () => ({ port: 8000, address: '127.0.0.1', close: async () => {} }),
      exit: () => {},
      shareUrls: () => [],
      batcher: { intervalMs: 10 },
      watchFolder: (d, onChange) => (watching = watchSharedFolder(d, onChange, { intervalMs: 3_600_000 })),
    });
    listener({ type: 'start', settings: { ...appDefaults(), directory: dir, port: 0 } });
    await host.idle();
    expect(sent.some((m) => m.type === 'listening')).toBe(true);
    fs.rmdirSync(dir);
    await watching!.check();
    fs.mkdirSync(dir);
    await watching!.check();
    const folder = sent.filter((m): m is Extract<HostToMain, { type: 'folder' }> => m.type === 'folder');
    expect(folder.map((m) => m.present)).toEqual([false, true]);
    expect(folder[0]!.message).toBe(`The shared folder is gone (${dir} was deleted, renamed or its drive removed): visitors get errors until it comes back.`);
    expect(folder[1]!.message).toBe(`The shared folder is back (${dir}): visitors can open it again.`);
    // Both entries, which may come in one batch or two (a 10 ms interval may end between them).
    const logged = () => sent.filter((m) => m.type === 'log').flatMap((m) => decodeLogColumns((m as { columns: LogColumns }).columns));
    await until(() => logged().length >= 2);
    const entries = logged();
    expect(entries.map((e) => [e.kind, e.message])).toEqual([
      ['event', folder[0]!.message],
      ['event', folder[1]!.message],
    ]);
    listener({ type: 'stop' });
    await host.idle();
    const before = sent.length;
    fs.rmdirSync(dir);
    await watching!.check(); // closed: looks at nothing, says nothing
    expect(sent.slice(before).filter((m) => m.type === 'folder')).toEqual([]);
  });
});
