/**
 * FAKE ELECTRON — a small stand-in for the 'electron' module, for tests only.
 *
 * No Electron binary can run on our machines, so tests load the BUILT main bundle
 * (out/main/main.cjs) in plain Node with `require('electron')` answered by this fake. It
 * implements just what main.ts and preload.ts use, with the same observable contract:
 *   - `app`: single-instance lock, whenReady, lifecycle events, quit → before-quit;
 *   - `BrowserWindow`: records its options; `loadFile` runs the REAL built preload (the
 *     path from webPreferences.preload) in a separate vm context whose `require('electron')`
 *     is the renderer half of this fake, like a sandboxed preload;
 *   - `ipcMain` / `ipcRenderer`: invoke → handle with a structured clone of the arguments
 *     and an event whose senderFrame is the window's main frame; webContents.send → on;
 *   - `utilityProcess.fork` → Node `child_process.fork` with `serialization: 'advanced'`
 *     (a real child process running the real host bundle);
 *   - `session`: records permission handlers and the onHeadersReceived listener;
 *   - `protocol`: registerSchemesAsPrivileged (before ready only) and handle (after ready
 *     only) are recorded; `BrowserWindow.loadURL` of a handled scheme asks the REAL handler
 *     for the page with a fetch `Request`, and keeps the Response it got.
 *   - `Tray` (records image, tooltip and the menu template), `Menu.buildFromTemplate` (keeps
 *     the template), `nativeImage.createFromDataURL` (checks it is a PNG), `powerSaveBlocker`
 *     (records start/stop), `dialog.showMessageBox` (answers `nextMessageBoxResponse`), and
 *     a window's 'close' event, which main may prevent, before 'closed'.
 * What it cannot show: Chromium's sandbox, real contextIsolation, CSP enforcement, how
 * each OS draws the tray or the message box, whether the computer really stays awake.
 */
import { EventEmitter } from 'node:events';
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as vm from 'node:vm';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Listener = (...args: never[]) => unknown;

export interface FakeFrame {
  url: string;
}

/** The renderer side of one window: the global the preload exposed things on. */
export interface FakeRendererWorld {
  /** `window` as the page would see it (only what the preload put there). */
  readonly window: Record<string, unknown>;
}

export interface FakeState {
  readonly windows: FakeBrowserWindow[];
  readonly ipcHandlers: Map<string, (event: unknown, ...args: unknown[]) => unknown>;
  readonly children: ChildProcess[];
  readonly forkCalls: { modulePath: string; args: readonly string[]; options: unknown }[];
  readonly openedExternal: string[];
  readonly errorBoxes: { title: string; content: string }[];
  /** Arguments of every dialog.showOpenDialog call. */
  readonly dialogCalls: unknown[][];
  quitCalls: number;
  /** True once before-quit ran without being prevented. */
  quitted: boolean;
  userDataDir: string;
  /** What the next showOpenDialog returns. */
  nextDialogPaths: string[] | null;
  readonly trays: FakeTray[];
  /** Arguments of every dialog.showMessageBox call. */
  readonly messageBoxes: unknown[][];
  /** The button index the next showMessageBox returns. */
  nextMessageBoxResponse: number;
  /** Every powerSaveBlocker.start, with whether it was stopped since. */
  readonly powerSaveBlocks: { id: number; type: string; stopped: boolean }[];
  /** Every protocol.registerSchemesAsPrivileged call's argument. */
  readonly privilegedSchemes: { scheme: string; privileges?: Record<string, unknown> }[];
  /** protocol.handle's handlers, by scheme. */
  readonly protocolHandlers: Map<string, (request: Request) => Response | Promise<Response>>;
  /** True once whenReady has resolved (the fake's 'ready'). */
  ready: boolean;
}

class FakeSession {
  permissionRequestHandler: ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void) | null = null;
  permissionCheckHandler: ((...a: unknown[]) => boolean) | null = null;
  headersListener: ((details: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void) | null = null;
  setPermissionRequestHandler(h: FakeSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = h;
  }
  setPermissionCheckHandler(h: FakeSession['permissionCheckHandler']): void {
    this.permissionCheckHandler = h;
  }
  readonly webRequest = {
    onHeadersReceived: (l: FakeSession['headersListener']) => {
      this.headersListener = l;
    },
  };
}

class FakeWebContents extends EventEmitter {
  readonly session = new FakeSession();
  readonly mainFrame: FakeFrame = { url: '' };
  windowOpenHandler: ((d: { url: string }) => { action: string }) | null = null;
  /** ipcRenderer.on listeners of the page in this window. */
  readonly rendererListeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
  destroyed = false;
  setWindowOpenHandler(h: FakeWebContents['windowOpenHandler']): void {
    this.windowOpenHandler = h;
  }
  send(channel: string, payload: unknown): void {
    const copy = structuredClone(payload);
    for (const l of this.rendererListeners.get(channel) ?? []) l({ sender: 'ipcRenderer-event' }, copy);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Emits a navigation event like Chromium would; returns true if main prevented it. */
  tryNavigate(event: 'will-navigate' | 'will-redirect', url: string): boolean {
    let prevented = false;
    this.emit(event, { preventDefault: () => (prevented = true), url }, url);
    return prevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  loadedFile: string | null = null;
  loadedUrl: string | null = null;
  /** The response of the scheme handler for loadedUrl (body already read into `text`). */
  loadedResponse: { status: number; headers: Headers; text: string } | null = null;
  renderer: FakeRendererWorld | null = null;
  shown = false;
  focused = 0;
  destroyed = false;
  constructor(
    readonly options: Record<string, unknown> & { webPreferences?: Record<string, unknown> },
    private readonly state: FakeState,
    private readonly onClosedAll: () => void,
  ) {
    super();
    state.windows.push(this);
  }
  async loadFile(file: string): Promise<void> {
    this.loadedFile = file;
    if (!fs.existsSync(file)) throw new Error(`ERR_FILE_NOT_FOUND: ${file}`);
    this.webContents.mainFrame.url = pathToFileURL(file).href;
    this.webContents.emit('did-start-loading');
    this.renderer = runPreload(this, this.state);
    this.emit('ready-to-show');
  }
  /**
   * Like Electron: a scheme registered with protocol.handle is answered by its handler,
   * file: like loadFile, anything else fails (no network in the fake).
   */
  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    const scheme = new URL(url).protocol.slice(0, -1);
    if (scheme === 'file') return this.loadFile(fileURLToPath(url));
    const handler = this.state.protocolHandlers.get(scheme);
    if (!handler) throw new Error(`ERR_UNKNOWN_URL_SCHEME: ${url} (fake electron)`);
    const res = await handler(new Request(url));
    this.loadedResponse = { status: res.status, headers: res.headers, text: await res.text() };
    if (res.status !== 200) throw new Error(`ERR_HTTP_RESPONSE_CODE_FAILURE ${res.status}: ${url} (fake electron)`);
    this.webContents.mainFrame.url = url;
    this.webContents.emit('did-start-loading');
    this.renderer = runPreload(this, this.state);
    this.emit('ready-to-show');
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {
    this.focused++;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /**
   * Closes like the user clicking ×: 'close' (main may prevent it), then 'closed', then
   * window-all-closed when it was the last.
   */
  close(): void {
    if (this.destroyed) return;
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
    if (this.state.windows.every((w) => w.destroyed)) this.onClosedAll();
  }
}

/** A nativeImage made from a data URL (only PNGs, as ours are). */
export class FakeNativeImage {
  readonly representations: { scaleFactor: number; dataURL?: string }[] = [];
  constructor(readonly dataURL: string) {
    const b64 = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(dataURL)?.[1];
    if (!b64 || !Buffer.from(b64, 'base64').subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
      throw new Error('fake electron: createFromDataURL got something that is not a PNG data URL');
    }
  }
  addRepresentation(o: { scaleFactor: number; dataURL?: string }): void {
    if (o.dataURL !== undefined) new FakeNativeImage(o.dataURL);
    this.representations.push(o);
  }
}

/** A menu item as main gave it to Menu.buildFromTemplate. */
export interface FakeMenuItem {
  type?: string;
  label?: string;
  enabled?: boolean;
  click?: () => void;
}

/** The tray (menu-bar) icon: what main last set, and its menu's items. */
export class FakeTray extends EventEmitter {
  tooltip = '';
  menu: FakeMenuItem[] = [];
  destroyed = false;
  constructor(public image: FakeNativeImage) {
    super();
    if (!(image instanceof FakeNativeImage)) throw new Error('fake electron: new Tray() needs a nativeImage');
  }
  setImage(image: FakeNativeImage): void {
    this.image = image;
  }
  setToolTip(t: string): void {
    this.tooltip = t;
  }
  setContextMenu(menu: { items: FakeMenuItem[] }): void {
    this.menu = menu.items;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** Test helper: clicks the menu item labelled `label` like the user would. */
  fakeClick(label: string): void {
    const item = this.menu.find((i) => i.label === label);
    if (!item) throw new Error(`fake electron: the tray menu has no "${label}"`);
    if (item.enabled === false) throw new Error(`fake electron: "${label}" is disabled`);
    item.click?.();
  }
}

/** Runs the real built preload of `win` in its own context, with the renderer-side fake. */
function runPreload(win: FakeBrowserWindow, state: FakeState): FakeRendererWorld {
  const preloadPath = win.options.webPreferences?.['preload'];
  if (typeof preloadPath !== 'string') throw new Error('fake electron: the window has no preload');
  const source = fs.readFileSync(preloadPath, 'utf8');
  const pageWindow: Record<string, unknown> = {};
  const wc = win.webContents;
  const rendererElectron = {
    contextBridge: {
      exposeInMainWorld(key: string, api: unknown) {
        // contextBridge copies the API into the page's world; a structured deep freeze
        // is not possible here, but the page only ever sees this object.
        pageWindow[key] = api;
      },
    },
    ipcRenderer: {
      invoke(channel: string, ...args: unknown[]): Promise<unknown> {
        const handler = state.ipcHandlers.get(channel);
        if (!handler) return Promise.reject(new Error(`Error invoking remote method '${channel}': No handler registered`));
        const event = { senderFrame: wc.mainFrame, sender: wc };
        return Promise.resolve()
          .then(() => handler(event, ...structuredClone(args)))
          .then((v) => structuredClone(v))
          .catch((err: Error) => {
            // Electron forwards only the message of a thrown error.
            throw new Error(`Error invoking remote method '${channel}': Error: ${err.message}`);
          });
      },
      on(channel: string, l: (event: unknown, payload: unknown) => void) {
        let set = wc.rendererListeners.get(channel);
        if (!set) wc.rendererListeners.set(channel, (set = new Set()));
        set.add(l);
        return this;
      },
      removeListener(channel: string, l: (event: unknown, payload: unknown) => void) {
        wc.rendererListeners.get(channel)?.delete(l);
        return this;
      },
    },
    webUtils: {
      getPathForFile: (file: { fakePath?: string }) => file.fakePath ?? '',
    },
  };
  const requires: string[] = [];
  const sandboxRequire = (id: string): unknown => {
    requires.push(id);
    // A sandboxed preload gets only a few modules; our preload must need only 'electron'.
    if (id === 'electron') return rendererElectron;
    throw new Error(`fake electron: a sandboxed preload cannot require('${id}')`);
  };
  const module = { exports: {} as unknown };
  const context = vm.createContext({ require: sandboxRequire, module, exports: module.exports, console });
  vm.runInContext(source, context, { filename: preloadPath });
  return { window: pageWindow };
}

/** Creates a fresh fake 'electron' module and the state it records. */
export function createFakeElectron(userDataDir: string): { electron: Record<string, unknown>; state: FakeState } {
  const state: FakeState = {
    windows: [],
    ipcHandlers: new Map(),
    children: [],
    forkCalls: [],
    openedExternal: [],
    errorBoxes: [],
    dialogCalls: [],
    quitCalls: 0,
    quitted: false,
    userDataDir,
    nextDialogPaths: null,
    trays: [],
    messageBoxes: [],
    nextMessageBoxResponse: 0,
    powerSaveBlocks: [],
    privilegedSchemes: [],
    protocolHandlers: new Map(),
    ready: false,
  };
  const appEvents = new EventEmitter();
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));

  const app = {
    requestSingleInstanceLock: () => true,
    whenReady: () => ready,
    getPath: (name: string) => {
      if (name !== 'userData') throw new Error(`fake electron: getPath(${name}) not faked`);
      return state.userDataDir;
    },
    setPath: (name: string, value: string) => {
      if (name !== 'userData') throw new Error(`fake electron: setPath(${name}) not faked`);
      state.userDataDir = value;
    },
    getVersion: () => '0.0.0-fake',
    on: (ev: string, l: Listener) => (appEvents.on(ev, l as (...a: unknown[]) => void), app),
    once: (ev: string, l: Listener) => (appEvents.once(ev, l as (...a: unknown[]) => void), app),
    quit: () => {
      state.quitCalls++;
      let prevented = false;
      appEvents.emit('before-quit', { preventDefault: () => (prevented = true) });
      if (!prevented) {
        state.quitted = true;
        appEvents.emit('will-quit', { preventDefault: () => {} });
        appEvents.emit('quit');
      }
    },
    /** Test helpers (not Electron API). */
    fakeReady: () => {
      state.ready = true;
      readyResolve();
    },
    fakeEmit: (ev: string, ...args: unknown[]) => appEvents.emit(ev, ...args),
  };

  const BrowserWindow = class extends FakeBrowserWindow {
    constructor(options: Record<string, unknown>) {
      super(options, state, () => appEvents.emit('window-all-closed'));
    }
  };

  const utilityProcess = {
    fork(modulePath: string, args: string[] = [], options: unknown = {}) {
      state.forkCalls.push({ modulePath, args, options });
      const cp = fork(modulePath, args, { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      state.children.push(cp);
      const emitter = new EventEmitter();
      cp.on('message', (m) => emitter.emit('message', m));
      cp.on('exit', (code, signal) => emitter.emit('exit', code ?? (signal ? 1 : 0)));
      return Object.assign(emitter, {
        pid: cp.pid,
        postMessage: (m: unknown) => {
          if (cp.connected) cp.send(m as never);
        },
        kill: () => cp.kill(),
      });
    },
  };

  const electron = {
    app,
    BrowserWindow,
    ipcMain: {
      handle(channel: string, l: (event: unknown, ...args: unknown[]) => unknown) {
        if (state.ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        state.ipcHandlers.set(channel, l);
      },
      removeHandler(channel: string) {
        state.ipcHandlers.delete(channel);
      },
    },
    utilityProcess,
    dialog: {
      showOpenDialog: async (...a: unknown[]) => {
        state.dialogCalls.push(a);
        return state.nextDialogPaths ? { canceled: false, filePaths: state.nextDialogPaths } : { canceled: true, filePaths: [] };
      },
      showErrorBox: (title: string, content: string) => void state.errorBoxes.push({ title, content }),
      showMessageBox: async (...a: unknown[]) => {
        state.messageBoxes.push(a);
        return { response: state.nextMessageBoxResponse, checkboxChecked: false };
      },
    },
    Tray: class extends FakeTray {
      constructor(image: FakeNativeImage) {
        super(image);
        state.trays.push(this);
      }
    },
    Menu: {
      buildFromTemplate: (items: FakeMenuItem[]) => ({ items: [...items] }),
    },
    nativeImage: {
      createFromDataURL: (url: string) => new FakeNativeImage(url),
    },
    powerSaveBlocker: {
      start(type: string) {
        if (type !== 'prevent-app-suspension' && type !== 'prevent-display-sleep') throw new Error(`fake electron: unknown blocker ${type}`);
        const id = state.powerSaveBlocks.length + 100;
        state.powerSaveBlocks.push({ id, type, stopped: false });
        return id;
      },
      stop(id: number) {
        const b = state.powerSaveBlocks.find((x) => x.id === id);
        if (!b || b.stopped) throw new Error(`fake electron: no running blocker ${id}`);
        b.stopped = true;
      },
      isStarted: (id: number) => state.powerSaveBlocks.some((x) => x.id === id && !x.stopped),
    },
    shell: {
      openExternal: async (url: string) => void state.openedExternal.push(url),
    },
    protocol: {
      // Electron's rules: privileges before ready, handlers after, one handler a scheme.
      registerSchemesAsPrivileged(schemes: { scheme: string; privileges?: Record<string, unknown> }[]) {
        if (state.ready) throw new Error('fake electron: registerSchemesAsPrivileged must be called before app is ready');
        state.privilegedSchemes.push(...structuredClone(schemes));
      },
      handle(scheme: string, handler: (request: Request) => Response | Promise<Response>) {
        if (!state.ready) throw new Error('fake electron: protocol.handle must be called after app is ready');
        if (state.protocolHandlers.has(scheme)) throw new Error(`fake electron: scheme '${scheme}' is already handled`);
        state.protocolHandlers.set(scheme, handler);
      },
    },
  };
  return { electron, state };
}
