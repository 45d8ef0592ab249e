/**
 * Electron entry point (out/main/main.cjs).
 *
 * Runs in: the Electron main process, with full Node and Electron access. A thin adapter
 * only: it hands Electron's objects to modules that hold the logic (compose.ts,
 * app-service.ts, server-host.ts, window.ts, ipc.ts) and wires the app lifecycle.
 */
import { app, BrowserWindow, dialog, Menu, nativeImage, powerSaveBlocker, protocol, shell, Tray, utilityProcess } from 'electron';
import * as path from 'node:path';
import { APP_INDEX_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app-protocol';
import { composeShell, type Shell } from './compose';
import type { ServerStatus } from './ipc-contract';
import { askKeepSharing, createKeepRunning, createTrayPresenter, type KeepRunning } from './keep-running';
import { registerIpc } from './ipc';
import { chooseFolder, createMainWindow } from './window';

const HOST_ENTRY = path.join(__dirname, 'host.cjs');
const PRELOAD = path.join(__dirname, '../preload/preload.cjs');
const RENDERER_DIR = path.join(__dirname, '../renderer');

let win: BrowserWindow | null = null;
let shellApp: Shell | null = null;
let keep: KeepRunning | null = null;

/** Focuses the window, or opens it again after it was closed (sharing went on in the tray). */
function showWindow(): void {
  if (!shellApp) return;
  if (!win || win.isDestroyed()) return openWindow(shellApp);
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

async function onReady(): Promise<void> {
  shellApp = await composeShell({
    userDataDir: app.getPath('userData'),
    fork: (entry) => utilityProcess.fork(entry, [], { serviceName: 'Servedir server', stdio: 'inherit' }),
    hostEntry: HOST_ENTRY,
    emit: (channel, payload) => {
      if (channel === 'server:status') keep?.statusChanged(payload as ServerStatus);
      if (win && !win.isDestroyed()) win.webContents.send(channel, payload);
    },
    transport: 'electron',
    version: app.getVersion(),
    chooseFolder: () => chooseFolder(dialog, win),
    openExternal: (url) => shell.openExternal(url),
    openFolder: async (folder) => (await shell.openPath(folder)) === '',
  });
  const { service, store } = shellApp;
  // Handlers first, so the page's first call never races the registration.
  registerIpc(service.handlers, () => win, APP_INDEX_URL);
  // The page comes from app://servedir/ (out/renderer only), never from file://.
  protocol.handle(APP_SCHEME, createAppProtocolHandler(RENDERER_DIR));
  // The tray, the close question, the sleep blocker, sharing at start-up: keep-running.ts.
  keep = createKeepRunning({
    platform: process.platform,
    showTray: createTrayPresenter({ Tray, Menu, nativeImage }, { platform: process.platform, onClick: showWindow }),
    powerSaveBlocker,
    askOnClose: () => askKeepSharing(dialog, win),
    settings: () => store.get(),
    saveSettings: (patch) => store.update(patch),
    status: () => service.status(),
    startSharing: () => service.handlers['server:start'](),
    stopSharing: () => service.handlers['server:stop'](),
    showWindow,
    quit: () => app.quit(),
  });
  openWindow(shellApp);
  await keep.startUp();
}

function openWindow({ service }: Shell): void {
  const w = createMainWindow(BrowserWindow, { preloadPath: PRELOAD, rendererUrl: APP_INDEX_URL });
  win = w;
  // Until the (re)loaded page says app:ready, log batches are queued, not lost.
  w.webContents.on('did-start-loading', () => service.rendererGone());
  w.webContents.on('render-process-gone', () => service.rendererGone());
  // While sharing: keep sharing in the tray, stop, or ask (once) which.
  w.on('close', (event) => keep?.windowClosing(event, () => w.close()));
  w.on('closed', () => {
    if (win === w) win = null;
    service.rendererGone();
  });
}

// Privileges can only be given before 'ready'.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);

// Tests (and portable setups) may keep settings elsewhere; same variable as the web fallback.
if (process.env['SERVEDIR_USER_DATA']) app.setPath('userData', process.env['SERVEDIR_USER_DATA']);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  // The Dock icon clicked on a Mac with the window closed.
  app.on('activate', () => showWindow());
  // Windows and Linux quit with their last window unless sharing goes on in the tray; a Mac never does.
  app.on('window-all-closed', () => {
    if (!keep || keep.quitWhenAllClosed()) app.quit();
  });
  let stopped = false;
  app.on('before-quit', (event) => {
    keep?.markQuitting();
    if (stopped || !shellApp) return;
    event.preventDefault();
    void shellApp.service.shutdown().finally(() => {
      stopped = true;
      app.quit();
    });
  });
  app
    .whenReady()
    .then(onReady)
    .catch((err: unknown) => {
      dialog.showErrorBox('Servedir could not start', err instanceof Error ? err.message : String(err));
      app.quit();
    });
}
