/**
 * Creates the main window with the security settings the app relies on.
 *
 * Runs in: the Electron main process. Takes the `BrowserWindow` class as a parameter
 * (main.ts passes Electron's), so this module has no runtime Electron import.
 */
import type { BrowserWindow, BrowserWindowConstructorOptions, Dialog, WebPreferences } from 'electron';

/** Sent as a response header for every page load (the renderer also has a meta tag). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";

/** The window's web preferences: the page gets no Node, and only the preload's API. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

/**
 * Every permission is refused (camera, microphone, notifications, geolocation, ...)
 * except writing text to the clipboard, which the "Copy" buttons for the share
 * addresses need (`navigator.clipboard.writeText` asks for clipboard-sanitized-write).
 * Reading the clipboard stays refused.
 */
export function isPermissionAllowed(permission: string): boolean {
  return permission === 'clipboard-sanitized-write';
}

export interface MainWindowOptions {
  readonly preloadPath: string;
  /** The page, on the app's own scheme (`APP_INDEX_URL` of app-protocol.ts), never `file://`. */
  readonly rendererUrl: string;
}

type BrowserWindowClass = new (options: BrowserWindowConstructorOptions) => BrowserWindow;

/**
 * Opens the window, locked down: CSP header, no navigation away, no new windows, no
 * permissions but clipboard writes (see {@link isPermissionAllowed}), no <webview>.
 */
export function createMainWindow(BrowserWindowCtor: BrowserWindowClass, opts: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindowCtor({
    width: 1040,
    height: 760,
    minWidth: 640,
    minHeight: 480,
    title: 'Servedir',
    show: false,
    webPreferences: secureWebPreferences(opts.preloadPath),
  });
  const contents = win.webContents;
  const ses = contents.session;
  ses.setPermissionRequestHandler((wc, permission, callback) => callback(wc === contents && isPermissionAllowed(permission)));
  ses.setPermissionCheckHandler((wc, permission) => wc === contents && isPermissionAllowed(permission));
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
  // The window only ever shows our own page; links to the shared folder open in the
  // user's browser through shell:open-url instead.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.rendererUrl);
  return win;
}

/**
 * The native folder picker, attached to `win` when it is open; null when cancelled.
 * Takes Electron's `dialog` as a parameter for the same reason as above.
 */
export async function chooseFolder(dialog: Pick<Dialog, 'showOpenDialog'>, win: BrowserWindow | null): Promise<string | null> {
  const options: Electron.OpenDialogOptions = { properties: ['openDirectory', 'createDirectory'] };
  const r = win && !win.isDestroyed() ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return r.canceled ? null : (r.filePaths[0] ?? null);
}
