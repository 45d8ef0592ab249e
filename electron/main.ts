/**
 * Electron entry point (out/main/main.cjs).
 *
 * Runs in: the Electron main process, with full Node and Electron access. A thin adapter
 * only: it hands Electron's objects to modules that hold the logic (compose.ts,
 * app-service.ts, server-host.ts, window.ts, ipc.ts) and wires the app lifecycle.
 */
import { app, BrowserWindow, dialog, protocol, shell, utilityProcess } from 'electron';
import * as path from 'node:path';
import { APP_INDEX_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app-protocol';
import { composeShell, type Shell } from './compose';
import { registerIpc } from './ipc';
import { chooseFolder, createMainWindow } from './window';

const HOST_ENTRY = path.join(__dirname, 'host.cjs');
const PRELOAD = path.join(__dirname, '../preload/preload.cjs');
const RENDERER_DIR = path.join(__dirname, '../renderer');

let win: BrowserWindow | null = null;
let shellApp: Shell | null = null;

async function onReady(): Promise<void> {
  shellApp = await composeShell({
    userDataDir: app.getPath('userData'),
    fork: (entry) => utilityProcess.fork(entry, [], { serviceName: 'Servedir server', stdio: 'inherit' }),
    hostEntry: HOST_ENTRY,
    emit: (channel, payload) => {
      if (win && !win.isDestroyed()) win.webContents.send(channel, payload);
    },
    transport: 'electron',
    version: app.getVersion(),
    chooseFolder: () => chooseFolder(dialog, win),
    openExternal: (url) => shell.openExternal(url),
  });
  const { service } = shellApp;
  // Handlers first, so the page's first call never races the registration.
  registerIpc(service.handlers, () => win, APP_INDEX_URL);
  // The page comes from app://servedir/ (out/renderer only), never from file://.
  protocol.handle(APP_SCHEME, createAppProtocolHandler(RENDERER_DIR));
  win = createMainWindow(BrowserWindow, { preloadPath: PRELOAD, rendererUrl: APP_INDEX_URL });
  // Until the (re)loaded page says app:ready, log batches are queued, not lost.
  win.webContents.on('did-start-loading', () => service.rendererGone());
  win.webContents.on('render-process-gone', () => service.rendererGone());
  win.on('closed', () => {
    win = null;
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
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  // Sharing belongs to the window: closing it stops sharing, on every platform.
  app.on('window-all-closed', () => app.quit());
  let stopped = false;
  app.on('before-quit', (event) => {
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
