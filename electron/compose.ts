/**
 * Builds the shell's object graph (settings store, server host supervisor, service) from
 * the few things that differ between Electron and the browser fallback.
 *
 * Runs in: the Electron main process and the browser-fallback control server. No Electron
 * import: the fork function, dialog and opener are injected.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AppInfo } from './ipc-contract';
import { createAppService, type AppService, type EmitFn } from './app-service';
import { createServerHost, type ForkFn } from './server-host';
import { openSettingsStore, type SettingsStore } from './settings-store';
import { listBindChoices, suggestFreePort } from '../server/host/net-info';

export interface ShellDeps {
  readonly userDataDir: string;
  readonly fork: ForkFn;
  /** Absolute path of out/main/host.cjs. */
  readonly hostEntry: string;
  readonly emit: EmitFn;
  readonly transport: AppInfo['transport'];
  readonly version: string;
  readonly chooseFolder?: () => Promise<string | null>;
  readonly openExternal: (url: string) => Promise<void>;
  readonly openFolder?: (folder: string) => Promise<boolean>;
}

export interface Shell {
  readonly service: AppService;
  readonly store: SettingsStore;
}

/** The folder offered when none is chosen: ~/Public where it exists, else home. */
export function suggestFolder(home: string = os.homedir()): string {
  const pub = path.join(home, 'Public');
  try {
    if (fs.statSync(pub).isDirectory()) return pub;
  } catch {
    // no Public folder: home it is
  }
  return home;
}

export async function composeShell(deps: ShellDeps): Promise<Shell> {
  const store = await openSettingsStore({ dir: deps.userDataDir });
  // The service and the host refer to each other (logs and exits flow up, commands down).
  let service: AppService | null = null;
  const host = createServerHost({
    fork: deps.fork,
    entryPath: deps.hostEntry,
    onLog: (batch) => service?.acceptLog(batch),
    onUnexpectedExit: (code, why) => service?.hostExited(code, why),
    onFolder: (present, message) => service?.folderChanged(present, message),
  });
  service = createAppService({
    store,
    host,
    emit: deps.emit,
    info: {
      transport: deps.transport,
      version: deps.version,
      platform: process.platform,
      suggestedFolder: suggestFolder(),
      ...(store.keptAside !== null ? { settingsKeptAside: store.keptAside } : {}),
    },
    chooseFolder: deps.chooseFolder,
    openExternal: deps.openExternal,
    openFolder: deps.openFolder,
    listInterfaces: () => listBindChoices(),
    suggestPort: suggestFreePort,
  });
  return { service, store };
}
