/**
 * Keeps sharing going when the window is closed, and keeps the computer awake meanwhile:
 * the tray (menu-bar) icon's menu, tooltip and image per sharing state; what closing the
 * window does while sharing (asked once, then the `closeWhileSharing` setting); the sleep
 * blocker while sharing (the `preventSleep` setting); sharing at start-up (`shareOnOpen`).
 *
 * Runs in: the Electron main process. No Electron import: main.ts hands in a tray view, the
 * power-save blocker, the question dialog and the service's start/stop, so this runs in
 * plain Node under vitest (keep-running.test.ts).
 */
import type { BrowserWindow, Dialog, MessageBoxOptions, Menu, MenuItemConstructorOptions, NativeImage, Tray, nativeImage } from 'electron';
import type { ServerStatus, Settings, SettingsPatch } from './ipc-contract';
import type { CloseWhileSharing } from '../server/share-settings';
import { TRAY_ICONS } from './tray-icons';

/** Which of the tray's images to show. */
export type TrayIconState = 'idle' | 'sharing' | 'failed';

/** One line of the tray's menu, as Electron's MenuItemConstructorOptions takes it. */
export type TrayMenuItem =
  | { readonly type: 'separator' }
  | { readonly label: string; readonly enabled: boolean; readonly click?: () => void };

/** What the tray shows: main.ts turns it into setImage, setToolTip and a built menu. */
export interface TrayView {
  readonly icon: TrayIconState;
  readonly tooltip: string;
  readonly menu: readonly TrayMenuItem[];
}

/** Electron's `powerSaveBlocker`, only what we use. */
export interface PowerSaveBlockerLike {
  start(type: 'prevent-app-suspension'): number;
  stop(id: number): void;
}

/** The answer to "Keep sharing when the window is closed?"; 'cancel' leaves the window open. */
export type CloseAnswer = 'keep' | 'stop' | 'cancel';

export const CLOSE_QUESTION = {
  message: 'Keep sharing when the window is closed?',
  detail:
    'Servedir can go on sharing the folder with its window closed. Its icon stays next to the clock (in the menu bar on a Mac): use it to show the window again, stop sharing or quit. Servedir remembers your answer; you can change it in Settings.',
  buttons: ['Keep sharing', 'Stop sharing', 'Cancel'] as const,
} as const;

export interface KeepRunningDeps {
  readonly platform: NodeJS.Platform;
  /** Shows the tray's state (called at once and on every change). */
  readonly showTray: (view: TrayView) => void;
  readonly powerSaveBlocker: PowerSaveBlockerLike;
  /** Asks {@link CLOSE_QUESTION} (attached to the window). */
  readonly askOnClose: () => Promise<CloseAnswer>;
  readonly settings: () => Settings;
  /** Saves app-only settings without touching the server (the settings store). */
  readonly saveSettings: (patch: SettingsPatch) => Promise<unknown>;
  readonly status: () => ServerStatus;
  readonly startSharing: () => Promise<unknown>;
  readonly stopSharing: () => Promise<unknown>;
  /** Focuses the window, or opens a new one when it was closed. */
  readonly showWindow: () => void;
  /** Quits the app for real (main.ts's before-quit stops the server first). */
  readonly quit: () => void;
}

/** What main.ts does with a window's 'close' event. */
export interface CloseEventLike {
  preventDefault(): void;
}

export interface KeepRunning {
  /** Feed of every `server:status` the service emits. */
  statusChanged(status: ServerStatus): void;
  /** Call once the service is ready: shares the folder when `shareOnOpen` is on and a folder is saved. */
  startUp(): Promise<void>;
  /**
   * The window's 'close' event. While sharing with the setting 'ask', the close is held
   * back, the question asked, the answer saved, then `closeWindow` runs.
   */
  windowClosing(event: CloseEventLike, closeWindow: () => void): void;
  /** Whether 'window-all-closed' should quit the app. */
  quitWhenAllClosed(): boolean;
  /** The app is quitting (tray Quit, Cmd-Q, the OS): closing windows no longer asks. */
  markQuitting(): void;
  /** The tray's current view (for tests and for a tray made later). */
  view(): TrayView;
  /** The blocker's id while the computer is kept awake, else null. */
  blockerId(): number | null;
}

const isSharing = (s: ServerStatus): boolean => s.state === 'running' || s.state === 'starting';

/** The tray's image, tooltip and menu for `status`. */
export function trayViewOf(status: ServerStatus, actions: { show(): void; stop(): void; quit(): void }): TrayView {
  let icon: TrayIconState = 'idle';
  let line = 'Not sharing';
  switch (status.state) {
    case 'running':
      icon = 'sharing';
      line = `Sharing at ${status.urls[0]?.url ?? `port ${status.port}`}`;
      break;
    case 'starting':
      icon = 'sharing';
      line = 'Starting to share…';
      break;
    case 'failed':
      icon = 'failed';
      line = `Sharing could not start: ${status.error.message}`;
      break;
    case 'crashed':
      icon = 'failed';
      line = status.message;
      break;
    case 'stopped':
      break;
    default: {
      const never: never = status;
      throw new Error(`unknown status ${JSON.stringify(never)}`);
    }
  }
  return {
    icon,
    tooltip: `Servedir: ${line}`,
    menu: [
      { label: line, enabled: false },
      { type: 'separator' },
      { label: 'Show Servedir', enabled: true, click: actions.show },
      { label: 'Stop sharing', enabled: isSharing(status), click: actions.stop },
      { type: 'separator' },
      { label: 'Quit Servedir', enabled: true, click: actions.quit },
    ],
  };
}

export function createKeepRunning(deps: KeepRunningDeps): KeepRunning {
  let blocker: number | null = null;
  let quitting = false;
  let asking = false;
  let current: TrayView;

  const report = (what: string) => (err: unknown) => console.error(`servedir: ${what} failed:`, err);

  const actions = {
    show: () => deps.showWindow(),
    stop: () => void deps.stopSharing().catch(report('stop sharing')),
    quit: () => {
      quitting = true;
      deps.quit();
    },
  };

  /** The blocker runs exactly while sharing with `preventSleep` on. */
  const reconcileBlocker = (status: ServerStatus): void => {
    const want = isSharing(status) && deps.settings().preventSleep;
    if (want && blocker === null) blocker = deps.powerSaveBlocker.start('prevent-app-suspension');
    else if (!want && blocker !== null) {
      deps.powerSaveBlocker.stop(blocker);
      blocker = null;
    }
  };

  const refresh = (status: ServerStatus): void => {
    current = trayViewOf(status, actions);
    deps.showTray(current);
    reconcileBlocker(status);
  };

  /** After the question: stop first (so closing again finds nothing shared), then close. */
  const decide = async (choice: CloseWhileSharing, closeWindow: () => void): Promise<void> => {
    if (choice === 'stop') await deps.stopSharing().catch(report('stop sharing'));
    closeWindow();
  };

  refresh(deps.status());

  return {
    statusChanged: refresh,
    async startUp() {
      const s = deps.settings();
      // A start that fails shows as a status (tray and window); it never stops the app opening.
      if (s.shareOnOpen && s.directory !== '' && !isSharing(deps.status())) await deps.startSharing().catch(report('share on open'));
    },
    windowClosing(event, closeWindow) {
      if (quitting || !isSharing(deps.status())) return;
      const choice = deps.settings().closeWhileSharing;
      if (choice === 'keep') return;
      if (choice === 'stop') {
        void deps.stopSharing().catch(report('stop sharing'));
        return;
      }
      event.preventDefault();
      if (asking) return;
      asking = true;
      void deps
        .askOnClose()
        .then(async (answer) => {
          if (answer === 'cancel') return;
          await deps.saveSettings({ closeWhileSharing: answer }).catch(report('saving the answer'));
          await decide(answer, closeWindow);
        })
        .catch(report('asking about closing'))
        .finally(() => (asking = false));
    },
    quitWhenAllClosed() {
      if (quitting) return true;
      // On a Mac, an app stays open without windows (its icons bring it back).
      if (deps.platform === 'darwin') return false;
      return !(isSharing(deps.status()) && deps.settings().closeWhileSharing === 'keep');
    },
    markQuitting() {
      quitting = true;
    },
    view: () => current,
    blockerId: () => blocker,
  };
}

// ---------------------------------------------------------------------------------------
// Adapters for main.ts: Electron's classes come in as parameters (as in window.ts), so this
// module still has no runtime Electron import.

/** The Electron pieces a tray needs. */
export interface TrayKit {
  readonly Tray: new (image: NativeImage) => Tray;
  readonly Menu: Pick<typeof Menu, 'buildFromTemplate'>;
  readonly nativeImage: Pick<typeof nativeImage, 'createFromDataURL'>;
}

/**
 * The `showTray` of {@link KeepRunningDeps}: makes the tray on the first view, then swaps
 * its image, tooltip and menu. On Windows a click on the icon shows the window (there the
 * menu is on the right button); elsewhere a click opens the menu.
 */
export function createTrayPresenter(kit: TrayKit, opts: { platform: NodeJS.Platform; onClick: () => void }): (view: TrayView) => void {
  const images = new Map<TrayIconState, NativeImage>();
  const imageOf = (state: TrayIconState): NativeImage => {
    let img = images.get(state);
    if (!img) {
      img = kit.nativeImage.createFromDataURL(TRAY_ICONS[state].x1);
      img.addRepresentation({ scaleFactor: 2, dataURL: TRAY_ICONS[state].x2 });
      images.set(state, img);
    }
    return img;
  };
  let tray: Tray | null = null;
  return (view) => {
    if (!tray) {
      tray = new kit.Tray(imageOf(view.icon));
      if (opts.platform === 'win32') tray.on('click', () => opts.onClick());
    } else {
      tray.setImage(imageOf(view.icon));
    }
    tray.setToolTip(view.tooltip);
    const template: MenuItemConstructorOptions[] = view.menu.map((item) =>
      'type' in item ? { type: 'separator' } : { label: item.label, enabled: item.enabled, ...(item.click ? { click: item.click } : {}) },
    );
    tray.setContextMenu(kit.Menu.buildFromTemplate(template));
  };
}

const ANSWERS: readonly CloseAnswer[] = ['keep', 'stop', 'cancel'];

/** The `askOnClose` of {@link KeepRunningDeps}: {@link CLOSE_QUESTION} as a message box on `win`. */
export async function askKeepSharing(dialog: Pick<Dialog, 'showMessageBox'>, win: BrowserWindow | null): Promise<CloseAnswer> {
  const options: MessageBoxOptions = {
    type: 'question',
    message: CLOSE_QUESTION.message,
    detail: CLOSE_QUESTION.detail,
    buttons: [...CLOSE_QUESTION.buttons],
    defaultId: 0,
    cancelId: 2,
    noLink: true,
  };
  const r = win && !win.isDestroyed() ? await dialog.showMessageBox(win, options) : await dialog.showMessageBox(options);
  return ANSWERS[r.response] ?? 'cancel';
}
