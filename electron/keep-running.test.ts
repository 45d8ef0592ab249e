// The keep-running logic with fakes: tray view per state, the close question asked once and
// remembered, quitting per OS, the sleep blocker per setting, sharing at start-up.
import { describe, expect, it } from 'vitest';
import { appDefaults } from '../server/share-settings';
import type { ServerStatus, Settings, SettingsPatch } from './ipc-contract';
import {
  askKeepSharing,
  createKeepRunning,
  createTrayPresenter,
  trayViewOf,
  type CloseAnswer,
  type KeepRunningDeps,
  type TrayKit,
  type TrayView,
} from './keep-running';
import { TRAY_ICONS } from './tray-icons';

const RUNNING: ServerStatus = {
  state: 'running',
  settings: { ...appDefaults(), directory: '/srv', recentFolders: [] },
  port: 8000,
  urls: [{ url: 'http://192.168.1.5:8000/', label: 'Local network (wlan0)', scope: 'lan', family: 'IPv4' }],
  since: 0,
};

function setup(opts: { platform?: NodeJS.Platform; settings?: Partial<Settings>; answer?: CloseAnswer } = {}) {
  let settings: Settings = { ...appDefaults(), directory: '/srv', recentFolders: [], ...opts.settings };
  let status: ServerStatus = { state: 'stopped' };
  const views: TrayView[] = [];
  const log: string[] = [];
  const saved: SettingsPatch[] = [];
  let nextId = 41;
  const deps: KeepRunningDeps = {
    platform: opts.platform ?? 'linux',
    showTray: (v) => views.push(v),
    powerSaveBlocker: {
      start: (type) => (log.push(`block:${type}`), ++nextId),
      stop: (id) => void log.push(`unblock:${id}`),
    },
    askOnClose: async () => (log.push('asked'), opts.answer ?? 'keep'),
    settings: () => settings,
    saveSettings: async (patch) => {
      saved.push(patch);
      settings = { ...settings, ...patch };
    },
    status: () => status,
    startSharing: async () => void log.push('start'),
    stopSharing: async () => void log.push('stop'),
    showWindow: () => void log.push('show'),
    quit: () => void log.push('quit'),
  };
  const kr = createKeepRunning(deps);
  const setStatus = (s: ServerStatus): void => {
    status = s;
    kr.statusChanged(s);
  };
  return { kr, views, log, saved, setStatus, settings: () => settings };
}

const labels = (v: TrayView): string[] => v.menu.map((i) => ('label' in i ? `${i.label}${i.enabled ? '' : ' (off)'}` : '—'));
const click = (v: TrayView, label: string): void => {
  const item = v.menu.find((i) => 'label' in i && i.label === label);
  if (!item || !('click' in item) || !item.click) throw new Error(`no ${label}`);
  item.click();
};
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('the tray', () => {
  it('shows the state in its tooltip, image and first menu line', () => {
    const { views, setStatus } = setup();
    expect(views[0]).toMatchObject({ icon: 'idle', tooltip: 'Servedir: Not sharing' });
    expect(labels(views[0]!)).toEqual(['Not sharing (off)', '—', 'Show Servedir', 'Stop sharing (off)', '—', 'Quit Servedir']);
    setStatus(RUNNING);
    expect(views.at(-1)).toMatchObject({ icon: 'sharing', tooltip: 'Servedir: Sharing at http://192.168.1.5:8000/' });
    expect(labels(views.at(-1)!)).toContain('Stop sharing');
    setStatus({ state: 'failed', error: { ok: false, code: 'SRV_ERR_PORT_IN_USE', message: 'Port 8000 is already in use.' } });
    expect(views.at(-1)).toMatchObject({ icon: 'failed', tooltip: 'Servedir: Sharing could not start: Port 8000 is already in use.' });
  });

  it('Show, Stop sharing and Quit do what they say', async () => {
    const { views, log, setStatus } = setup();
    setStatus(RUNNING);
    click(views.at(-1)!, 'Show Servedir');
    click(views.at(-1)!, 'Stop sharing');
    click(views.at(-1)!, 'Quit Servedir');
    await flush();
    expect(log.filter((l) => !l.startsWith('block'))).toEqual(['show', 'stop', 'quit']);
  });

  it('a status without URLs still names the port', () => {
    const v = trayViewOf({ ...RUNNING, urls: [] } as ServerStatus, { show() {}, stop() {}, quit() {} });
    expect(v.tooltip).toBe('Servedir: Sharing at port 8000');
  });
});

describe('closing the window while sharing', () => {
  const closeEvent = () => {
    const e = { prevented: false, preventDefault: () => void (e.prevented = true) };
    return e;
  };

  it('not sharing: the window just closes, and on Windows and Linux the app quits', () => {
    const { kr, log } = setup();
    const e = closeEvent();
    kr.windowClosing(e, () => log.push('closed'));
    expect(e.prevented).toBe(false);
    expect(kr.quitWhenAllClosed()).toBe(true);
    expect(log).toEqual([]);
  });

  it('asks once; "Keep sharing" is remembered, the window closes, the app stays in the tray', async () => {
    const { kr, log, saved, setStatus } = setup({ answer: 'keep' });
    setStatus(RUNNING);
    const e = closeEvent();
    kr.windowClosing(e, () => log.push('closed'));
    expect(e.prevented).toBe(true);
    await flush();
    expect(saved).toEqual([{ closeWhileSharing: 'keep' }]);
    expect(log).toEqual(['block:prevent-app-suspension', 'asked', 'closed']);
    expect(kr.quitWhenAllClosed()).toBe(false);
    // The next time, the setting answers: no question, no holding back.
    const e2 = closeEvent();
    kr.windowClosing(e2, () => log.push('closed again'));
    expect(e2.prevented).toBe(false);
    expect(log.filter((l) => l === 'asked')).toHaveLength(1);
  });

  it('"Stop sharing" is remembered, stops sharing, and the app quits on Linux', async () => {
    const { kr, log, saved, setStatus } = setup({ answer: 'stop' });
    setStatus(RUNNING);
    kr.windowClosing(closeEvent(), () => log.push('closed'));
    await flush();
    expect(saved).toEqual([{ closeWhileSharing: 'stop' }]);
    expect(log).toEqual(['block:prevent-app-suspension', 'asked', 'stop', 'closed']);
    expect(kr.quitWhenAllClosed()).toBe(true);
  });

  it('Cancel keeps the window open and remembers nothing', async () => {
    const { kr, log, saved, setStatus } = setup({ answer: 'cancel' });
    setStatus(RUNNING);
    const e = closeEvent();
    kr.windowClosing(e, () => log.push('closed'));
    await flush();
    expect(e.prevented).toBe(true);
    expect(saved).toEqual([]);
    expect(log).not.toContain('closed');
  });

  it('the setting "stop" stops sharing without asking', () => {
    const { kr, log, setStatus } = setup({ settings: { closeWhileSharing: 'stop' } });
    setStatus(RUNNING);
    const e = closeEvent();
    kr.windowClosing(e, () => {});
    expect(e.prevented).toBe(false);
    expect(log).toEqual(['block:prevent-app-suspension', 'stop']);
  });

  it('while quitting (tray Quit, Cmd-Q), closing never asks', () => {
    const { kr, log, setStatus } = setup();
    setStatus(RUNNING);
    kr.markQuitting();
    const e = closeEvent();
    kr.windowClosing(e, () => {});
    expect(e.prevented).toBe(false);
    expect(log).not.toContain('asked');
    expect(kr.quitWhenAllClosed()).toBe(true);
  });

  it('on a Mac, closing the last window never quits', () => {
    const { kr } = setup({ platform: 'darwin' });
    expect(kr.quitWhenAllClosed()).toBe(false);
  });
});

describe('keeping the computer awake', () => {
  it('blocks app suspension while sharing, and stops when sharing stops', () => {
    const { kr, log, setStatus } = setup();
    setStatus({ state: 'starting', settings: RUNNING.settings });
    setStatus(RUNNING);
    expect(kr.blockerId()).toBe(42);
    setStatus({ state: 'stopped' });
    expect(kr.blockerId()).toBeNull();
    expect(log).toEqual(['block:prevent-app-suspension', 'unblock:42']);
  });

  it('does nothing with the setting off', () => {
    const { kr, log, setStatus } = setup({ settings: { preventSleep: false } });
    setStatus(RUNNING);
    expect(kr.blockerId()).toBeNull();
    expect(log).toEqual([]);
  });
});

describe('sharing when Servedir opens', () => {
  it('starts sharing when the setting is on and a folder is saved', async () => {
    const on = setup({ settings: { shareOnOpen: true } });
    await on.kr.startUp();
    expect(on.log).toEqual(['start']);
    const noFolder = setup({ settings: { shareOnOpen: true, directory: '' } });
    await noFolder.kr.startUp();
    const off = setup();
    await off.kr.startUp();
    expect([...noFolder.log, ...off.log]).toEqual([]);
  });
});

describe('the Electron adapters, with stand-ins', () => {
  function kit() {
    const trays: { image: unknown; tooltip: string; menu: unknown; clicks: (() => void)[] }[] = [];
    const k = {
      Tray: class {
        rec = { image: null as unknown, tooltip: '', menu: null as unknown, clicks: [] as (() => void)[] };
        constructor(image: unknown) {
          this.rec.image = image;
          trays.push(this.rec);
        }
        setImage(i: unknown) {
          this.rec.image = i;
        }
        setToolTip(t: string) {
          this.rec.tooltip = t;
        }
        setContextMenu(m: unknown) {
          this.rec.menu = m;
        }
        on(ev: string, l: () => void) {
          if (ev === 'click') this.rec.clicks.push(l);
          return this;
        }
      },
      Menu: { buildFromTemplate: (t: unknown[]) => ({ template: t }) },
      nativeImage: {
        createFromDataURL: (url: string) => ({ url, reps: [] as unknown[], addRepresentation(r: unknown) { this.reps.push(r); } }),
      },
    };
    return { kit: k as unknown as TrayKit, trays };
  }
  const view = (icon: TrayView['icon']): TrayView => trayViewOf(icon === 'sharing' ? RUNNING : { state: 'stopped' }, { show() {}, stop() {}, quit() {} });

  it('one tray, its image swapped per state (1x and 2x), one image per state', () => {
    const { kit: k, trays } = kit();
    const show = createTrayPresenter(k, { platform: 'linux', onClick: () => {} });
    show(view('idle'));
    show(view('sharing'));
    show(view('idle'));
    expect(trays).toHaveLength(1);
    expect(trays[0]!.image).toMatchObject({ url: TRAY_ICONS.idle.x1, reps: [{ scaleFactor: 2, dataURL: TRAY_ICONS.idle.x2 }] });
    expect(trays[0]!.tooltip).toBe('Servedir: Not sharing');
    expect((trays[0]!.menu as { template: { label?: string }[] }).template.map((i) => i.label ?? '—')).toEqual([
      'Not sharing', '—', 'Show Servedir', 'Stop sharing', '—', 'Quit Servedir',
    ]);
    expect(trays[0]!.clicks).toHaveLength(0); // Linux and Mac: a click opens the menu
  });

  it('on Windows a click on the icon shows the window', () => {
    const { kit: k, trays } = kit();
    let shown = 0;
    createTrayPresenter(k, { platform: 'win32', onClick: () => void shown++ })(view('idle'));
    trays[0]!.clicks[0]!();
    expect(shown).toBe(1);
  });

  it('the question: buttons in order, Escape (cancelId) and anything odd mean Cancel', async () => {
    const calls: unknown[][] = [];
    const dialog = (response: number) => ({
      showMessageBox: async (...a: unknown[]) => (calls.push(a), { response, checkboxChecked: false }),
    });
    expect(await askKeepSharing(dialog(0) as never, null)).toBe('keep');
    expect(await askKeepSharing(dialog(1) as never, null)).toBe('stop');
    expect(await askKeepSharing(dialog(2) as never, null)).toBe('cancel');
    expect(await askKeepSharing(dialog(7) as never, null)).toBe('cancel');
    expect(calls[0]![0]).toMatchObject({ message: 'Keep sharing when the window is closed?', cancelId: 2, defaultId: 0 });
  });
});
