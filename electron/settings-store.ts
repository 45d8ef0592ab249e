/**
 * Loads, validates and saves the user's settings as `settings.json` in the user-data
 * folder.
 *
 * Runs in: the Electron main process and the browser-fallback control server. Pure Node
 * (no Electron import), so it is tested in plain Node.
 *
 * Never loses what the user had: a file that cannot be read or does not validate is
 * renamed `settings.json.bad-<timestamp>` and kept beside the new one, and every field of
 * it that still validates is carried over. Writes are atomic (temporary file + rename),
 * so a crash mid-write leaves the previous file intact.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { appDefaults, isSettingsPatch, type Settings, type SettingsPatch } from './ipc-contract';
import { migrateStoredSettings } from '../server/share-settings';

/**
 * The settings of a first start: the app's value of every row of the settings table
 * (server/share-settings.ts). `directory: ''` lets the window suggest a folder.
 */
export const DEFAULT_SETTINGS: Settings = Object.freeze({ ...appDefaults(), recentFolders: [] });

/** Most recent folders kept. */
export const MAX_RECENT_FOLDERS = 8;

export const SETTINGS_FILE = 'settings.json';

export interface SettingsStore {
  /** The current settings (always valid). */
  get(): Settings;
  /** Applies an already-validated patch and saves. */
  update(patch: SettingsPatch): Promise<Settings>;
  /** Moves `folder` to the front of the recent list and saves. */
  addRecentFolder(folder: string): Promise<Settings>;
  /** Where a rejected file was kept aside during load, if one was. */
  readonly keptAside: string | null;
}

/** The file-system calls the store makes; injectable to test failures. */
export interface StoreFs {
  readFile(p: string, enc: 'utf8'): Promise<string>;
  writeFile(p: string, data: string, enc: 'utf8'): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(p: string, opts: { recursive: true }): Promise<unknown>;
  unlink(p: string): Promise<void>;
}

export interface OpenStoreOptions {
  /** The user-data folder (Electron `app.getPath('userData')`). */
  readonly dir: string;
  readonly fs?: StoreFs;
  readonly now?: () => Date;
  /** Where to report a kept-aside file; defaults to console.warn. */
  readonly warn?: (message: string) => void;
}

/**
 * The settings of a parsed file, brought up to this version's table: a setting the file
 * lacks (it was saved before that setting existed) takes its default silently; a value that
 * does not validate takes its default too, and `damaged` says so (the file is then kept
 * aside, so nothing the user had is lost). Recent folders that validate are kept.
 */
function migrate(raw: unknown): { readonly settings: Settings; readonly damaged: boolean } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { settings: DEFAULT_SETTINGS, damaged: true };
  const rec = raw as Record<string, unknown>;
  const { settings, rejected } = migrateStoredSettings(rec);
  const recent = rec['recentFolders'];
  const recentOk = recent === undefined || (Array.isArray(recent) && recent.length <= MAX_RECENT_FOLDERS);
  const folders = Array.isArray(recent)
    ? recent.filter((f) => f !== '' && isSettingsPatch({ directory: f })).slice(0, MAX_RECENT_FOLDERS)
    : [];
  const damaged = rejected.length > 0 || !recentOk || (Array.isArray(recent) && folders.length !== recent.length);
  return { settings: { ...settings, recentFolders: folders }, damaged };
}

/** Reads the settings file (or defaults) and returns a store that saves every change. */
export async function openSettingsStore(opts: OpenStoreOptions): Promise<SettingsStore> {
  const fs: StoreFs = opts.fs ?? fsp;
  const now = opts.now ?? (() => new Date());
  const warn = opts.warn ?? ((m: string) => console.warn(m));
  const file = path.join(opts.dir, SETTINGS_FILE);

  let current: Settings = DEFAULT_SETTINGS;
  let keptAside: string | null = null;
  let text: string | null = null;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      warn(`Servedir could not read its settings file (${file}); using the defaults for now.`);
      // Unreadable (permissions, a folder in its place): move it aside so that saving
      // the defaults later cannot overwrite what the user had.
      keptAside = await keepAside(fs, file, now, warn);
    }
  }
  if (text !== null) {
    let parsed: unknown;
    let parsedOk = true;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsedOk = false;
    }
    const migrated = parsedOk ? migrate(parsed) : { settings: DEFAULT_SETTINGS, damaged: true };
    current = migrated.settings;
    if (migrated.damaged) keptAside = await keepAside(fs, file, now, warn);
  }

  // One write at a time, in order: the last update always wins on disk.
  let writing: Promise<void> = Promise.resolve();
  const save = (s: Settings): Promise<void> => {
    const job = writing.then(async () => {
      await fs.mkdir(opts.dir, { recursive: true });
      const tmp = `${file}.tmp-${process.pid}`;
      await fs.writeFile(tmp, JSON.stringify(s, null, 2) + '\n', 'utf8');
      try {
        await fs.rename(tmp, file);
      } catch (err) {
        await fs.unlink(tmp).catch(() => {});
        throw err;
      }
    });
    // Keep the queue alive after a failed write; the caller still sees the error.
    writing = job.catch(() => {});
    return job;
  };

  return {
    get: () => current,
    get keptAside() {
      return keptAside;
    },
    async update(patch) {
      const next: Settings = { ...current, ...patch };
      await save(next);
      current = next;
      return current;
    },
    async addRecentFolder(folder) {
      const recent = [folder, ...current.recentFolders.filter((f) => f !== folder)].slice(0, MAX_RECENT_FOLDERS);
      const next: Settings = { ...current, recentFolders: recent };
      await save(next);
      current = next;
      return current;
    },
  };
}

async function keepAside(
  fs: StoreFs,
  file: string,
  now: () => Date,
  warn: (m: string) => void,
): Promise<string | null> {
  const stamp = now().toISOString().replace(/[:.]/g, '-');
  const aside = `${file}.bad-${stamp}`;
  try {
    await fs.rename(file, aside);
    warn(`Servedir's settings file was damaged; it was kept as ${aside} and the defaults are used.`);
    return aside;
  } catch {
    return null;
  }
}
