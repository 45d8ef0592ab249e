// Tests for settings-store.ts against a real temporary folder.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_SETTINGS, openSettingsStore, type StoreFs } from './settings-store';

let dir: string;
const file = () => path.join(dir, 'settings.json');
const quiet = () => {};

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'servedir-store-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('openSettingsStore', () => {
  it('starts from the documented defaults when there is no file', async () => {
    const store = await openSettingsStore({ dir: path.join(dir, 'not-yet') });
    expect(store.get()).toEqual({
      directory: '',
      port: 8000,
      bind: '',
      protocolVersion: 'HTTP/1.0',
      cgi: false,
      cgiDirectories: ['/cgi-bin', '/htbin'],
      followSymlinks: false,
      range: true,
      folderZip: true,
      listing: 'modern',
      showHidden: false,
      upload: false,
      uploadReplace: false,
      uploadMaxSize: '4G',
      password: null,
      preventSleep: true,
      shareOnOpen: false,
      closeWhileSharing: 'ask',
      recentFolders: [],
    });
    expect(store.keptAside).toBeNull();
  });

  it('keeps a password as its scrypt verifier only; a file with anything else there is not used for it', async () => {
    const { hashPassword } = await import('../server/auth');
    const verifier = await hashPassword('river candle maple stone');
    const store = await openSettingsStore({ dir });
    await store.update({ password: verifier });
    const text = await fsp.readFile(path.join(dir, 'settings.json'), 'utf8');
    expect(JSON.parse(text).password).toEqual(verifier);
    expect(text).not.toContain('river');
    expect((await openSettingsStore({ dir })).get().password).toEqual(verifier);
    // A clear password or a key secret in the file is never taken as the password.
    for (const bad of ['river candle maple stone', { ...verifier, keySecret: 'A'.repeat(43) }, { ...verifier, N: 2 }]) {
      await fsp.writeFile(path.join(dir, 'settings.json'), JSON.stringify({ ...JSON.parse(text), password: bad }));
      const again = await openSettingsStore({ dir });
      expect(again.get().password).toBeNull();
    }
  });

  it('saves updates atomically and reads them back', async () => {
    const store = await openSettingsStore({ dir });
    await store.update({ port: 9001, directory: '/tmp' });
    const again = await openSettingsStore({ dir });
    expect(again.get()).toMatchObject({ port: 9001, directory: '/tmp' });
    // No temporary file is left behind.
    expect((await fsp.readdir(dir)).sort()).toEqual(['settings.json']);
  });

  it('keeps a corrupt file aside as settings.json.bad-<timestamp> and uses defaults', async () => {
    await fsp.writeFile(file(), '{"port": 9001, oops');
    const warn = vi.fn();
    const store = await openSettingsStore({ dir, now: () => new Date('2026-01-02T03:04:05.678Z'), warn });
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.keptAside).toBe(path.join(dir, 'settings.json.bad-2026-01-02T03-04-05-678Z'));
    expect(await fsp.readFile(store.keptAside!, 'utf8')).toBe('{"port": 9001, oops');
    expect(warn).toHaveBeenCalledOnce();
    // Saving afterwards never touches the kept file.
    await store.update({ port: 8080 });
    expect(await fsp.readFile(store.keptAside!, 'utf8')).toBe('{"port": 9001, oops');
  });

  it('salvages the fields that still validate from an invalid file', async () => {
    await fsp.writeFile(
      file(),
      JSON.stringify({ directory: '/data', port: 70000, bind: '127.0.0.1', cgi: 'yes', recentFolders: ['/a', 5, '/b'] }),
    );
    const store = await openSettingsStore({ dir, warn: quiet });
    expect(store.get()).toMatchObject({ directory: '/data', port: 8000, bind: '127.0.0.1', cgi: false, recentFolders: ['/a', '/b'] });
    expect(store.keptAside).not.toBeNull();
  });

  it('migrates a file saved before a setting existed: the default, silently, nothing kept aside', async () => {
    // What the version before the settings table wrote (no setting added since then).
    const { followSymlinks: _, ...older } = { ...DEFAULT_SETTINGS, directory: '/data', port: 9001, recentFolders: ['/data'] };
    await fsp.writeFile(file(), JSON.stringify(older));
    const warn = vi.fn();
    const store = await openSettingsStore({ dir, warn });
    expect(store.get()).toEqual({ ...DEFAULT_SETTINGS, directory: '/data', port: 9001, recentFolders: ['/data'] });
    expect(store.keptAside).toBeNull();
    expect(warn).not.toHaveBeenCalled();
    expect((await fsp.readdir(dir)).sort()).toEqual(['settings.json']);
  });

  it('keeps at most 8 recent folders, most recent first, without duplicates', async () => {
    const store = await openSettingsStore({ dir });
    for (let i = 1; i <= 10; i++) await store.addRecentFolder(`/f${i}`);
    await store.addRecentFolder('/f5');
    expect(store.get().recentFolders).toEqual(['/f5', '/f10', '/f9', '/f8', '/f7', '/f6', '/f4', '/f3']);
  });

  it('a failed write leaves the previous file and the in-memory settings intact', async () => {
    const store0 = await openSettingsStore({ dir });
    await store0.update({ port: 8100 });
    const failing: StoreFs = {
      ...fsp,
      readFile: (p, e) => fsp.readFile(p, e),
      writeFile: (p, d, e) => fsp.writeFile(p, d, e),
      mkdir: (p, o) => fsp.mkdir(p, o),
      unlink: (p) => fsp.unlink(p),
      rename: async () => {
        throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      },
    };
    const store = await openSettingsStore({ dir, fs: failing });
    await expect(store.update({ port: 8200 })).rejects.toThrow('disk full');
    expect(store.get().port).toBe(8100);
    expect(JSON.parse(await fsp.readFile(file(), 'utf8')).port).toBe(8100);
    expect((await fsp.readdir(dir)).sort()).toEqual(['settings.json']);
  });
});
