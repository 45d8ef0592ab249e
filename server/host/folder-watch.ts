/**
 * Notices the shared folder vanishing (deleted, renamed, its drive unmounted) and coming back,
 * for the app's host (never the engine core: serving is unchanged, a missing folder answers
 * CPython's 404s). Cheap: one `stat` every `FOLDER_CHECK_INTERVAL_MS`, plus a watch on the
 * folder's parent (where a rename or delete of the folder shows up at once) that only asks
 * for an early look; the watch is optional (a parent that cannot be watched leaves the timer).
 *
 * Runs in: the utility host (server/host/host-core.ts). Pure Node.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FOLDER_CHECK_INTERVAL_MS } from '../limits.js';

/** What a look at the folder found: there (and the same mount), or not. */
export type FolderPresence = 'present' | 'gone';

/** The file-system calls the watcher makes; injected by tests. */
export interface FolderWatchFs {
  stat(p: string): Promise<{ isDirectory(): boolean; dev: number }>;
  /** Watches a folder; returns a closer, or throws when it cannot be watched. */
  watch(p: string, onEvent: () => void): () => void;
}

const nodeWatchFs: FolderWatchFs = {
  stat: (p) => fs.promises.stat(p),
  watch: (p, onEvent) => {
    const w = fs.watch(p, { persistent: false }, onEvent);
    w.on('error', () => {});
    return () => w.close();
  },
};

export interface FolderWatchOptions {
  readonly intervalMs?: number;
  readonly fs?: FolderWatchFs;
}

export interface FolderWatch {
  /** Look now (also what the timer and the parent's watch do); resolves when the look is done. */
  check(): Promise<void>;
  close(): void;
}

/**
 * Watches `directory`, which is there when called (the server just started on it), and calls
 * `onChange` once per change: `gone` when it is no longer a folder at that path, or (for a
 * folder that was a mount point, such as a USB drive's) no longer a mount point; `present`
 * when it is back.
 */
export function watchSharedFolder(directory: string, onChange: (presence: FolderPresence) => void, opts: FolderWatchOptions = {}): FolderWatch {
  const wfs = opts.fs ?? nodeWatchFs;
  const parent = path.dirname(directory);
  let state: FolderPresence = 'present';
  let closed = false;
  /** Device of the parent when the folder was a mount point at the start (else null). */
  let mountedOver: number | null = null;
  let ready: Promise<void>;
  let running: Promise<void> | null = null;
  let again = false;

  const look = async (): Promise<FolderPresence> => {
    try {
      const st = await wfs.stat(directory);
      if (!st.isDirectory()) return 'gone';
      // A drive unmounted under its mount point leaves an empty folder of the parent's disk.
      if (mountedOver !== null && st.dev === mountedOver) return 'gone';
      return 'present';
    } catch {
      return 'gone';
    }
  };

  const check = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      await ready;
      do {
        again = false;
        const now = await look();
        if (closed) return;
        if (now !== state) {
          state = now;
          onChange(now);
        }
      } while (again && !closed);
    })().finally(() => {
      running = null;
    });
    return running;
  };

  ready = (async () => {
    try {
      const [own, up] = await Promise.all([wfs.stat(directory), wfs.stat(parent)]);
      if (own.dev !== up.dev) mountedOver = up.dev;
    } catch {
      // Gone already or a root: the first check says so.
    }
  })();

  let unwatch: (() => void) | null = null;
  try {
    unwatch = wfs.watch(parent, () => void check());
  } catch {
    // Not watchable (permissions, a network folder): the timer alone notices.
  }
  const timer = setInterval(() => void check(), opts.intervalMs ?? FOLDER_CHECK_INTERVAL_MS);
  timer.unref?.();

  return {
    check,
    close: () => {
      closed = true;
      clearInterval(timer);
      unwatch?.();
    },
  };
}
