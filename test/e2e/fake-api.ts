/**
 * A FAKE `window.servedir` for the renderer load test only (test/e2e/log-load.e2e.test.ts).
 * It is injected with `page.addInitScript` and streams synthetic log batches, so the
 * window's own cost can be measured without the engine and the load generator sharing
 * the CPU. The real app is exercised by app.e2e.test.ts; nothing here ships.
 *
 * The function is serialized into the page: it must not reference anything outside itself.
 */
export function installFakeServedirApi(opts: {
  readonly total: number;
  readonly perBatch: number;
  readonly everyMs: number;
  /** The app's defaults of every setting (`appDefaults()`, passed in: this function cannot import). */
  readonly defaults: Record<string, unknown>;
}): void {
  type Listener = (payload: unknown) => void;
  const listeners: Record<string, Set<Listener>> = { 'log:batch': new Set(), 'server:status': new Set() };
  const settings = { ...opts.defaults, directory: '/srv/fake', protocolVersion: 'HTTP/1.1', recentFolders: [] };
  const running = {
    state: 'running',
    settings,
    port: 8000,
    urls: [{ url: 'http://127.0.0.1:8000/', label: 'This computer', scope: 'loopback', family: 'IPv4' }],
    since: Date.now(),
  };
  const invoke: Record<string, (...a: unknown[]) => Promise<unknown>> = {
    'app:info': async () => ({ transport: 'electron', version: 'fake', platform: 'linux', suggestedFolder: '/srv' }),
    'app:ready': async () => running,
    'settings:get': async () => settings,
    'net:interfaces': async () => [],
    'server:status': async () => running,
    'folder:check': async (p) => ({ ok: true, value: { path: p, entries: 1 } }),
  };
  let id = 0;
  /** Requests sent in progress, made final in the next batch: [id, time]. */
  const inProgress: Array<[number, number]> = [];
  const stream = () => {
    const timer = setInterval(() => {
      // Columns as the utility host writes them (server/host/protocol.ts LogColumns): 12
      // numbers and 7 string references per entry, each distinct string once per batch,
      // -2 for the usual request line. Every 100th request first arrives in progress and is
      // made final in the next batch (same id and time: the window updates its row in place).
      const strings: string[] = [];
      const index = new Map<string, number>();
      const ref = (s: string | null): number => {
        if (s === null) return -1;
        let i = index.get(s);
        if (i === undefined) {
          i = strings.length;
          strings.push(s);
          index.set(s, i);
        }
        return i;
      };
      const numbers: number[] = [];
      const refs: number[] = [];
      let count = 0;
      const push = (n: number, time: number, outcome: number): void => {
        count++;
        const status = n % 17 === 0 ? 404 : 200;
        // id, kind (0 = request), time, connectionId, clientPort, status, bytesSent, durationMs,
        // bodyBytes, headerBytes, expectedBytes, outcome (0 done, 1 in progress)
        numbers.push(n, 0, time, n, 40000 + (n % 20000), status, outcome ? 700 : 1200, 0.4, outcome ? 500 : 1000, 200, 1000, outcome);
        // clientAddress, method, path, protocol, userAgent, referer, message (-2 = usual line)
        refs.push(ref('127.0.0.1'), ref(n % 50 === 0 ? 'HEAD' : 'GET'), ref(`/1k.bin?i=${n}`), ref('HTTP/1.1'), ref('load-test/1.0'), -1, -2);
      };
      for (const [n, time] of inProgress.splice(0)) push(n, time, 0);
      for (let i = 0; i < opts.perBatch && id < opts.total; i++) {
        id++;
        const time = Date.now();
        if (id % 100 === 0) {
          push(id, time, 1);
          inProgress.push([id, time]);
        } else push(id, time, 0);
      }
      // JSON arrays, as the browser fallback delivers a batch.
      const batch = JSON.parse(JSON.stringify({ columns: { count, numbers, refs, strings }, dropped: 0 }));
      for (const l of listeners['log:batch']!) l(batch);
      if (id >= opts.total && inProgress.length === 0) clearInterval(timer);
    }, opts.everyMs);
  };
  (globalThis as Record<string, unknown>).servedir = {
    invoke,
    on(channel: string, l: Listener) {
      listeners[channel]!.add(l);
      if (channel === 'log:batch' && id === 0) setTimeout(stream, 200);
      return () => listeners[channel]!.delete(l);
    },
    pathForFile: () => null,
  };
}

/**
 * A FAKE Electron preload API (test/e2e/electron-paths.e2e.test.ts only): reports the
 * 'electron' transport, answers the folder picker with `/srv/picked`, resolves dropped
 * files to `/srv/dropped/<name>`, and records every invoke in `globalThis.__fakeCalls`,
 * so the Electron-only paths of the window (Choose…, drop, open-url) can be checked in
 * Chromium where no Electron binary exists. Serialized into the page: self-contained.
 */
export function installFakeElectronApi(defaults: { readonly port: number; readonly bind: string } & Record<string, unknown>): void {
  type Listener = (payload: unknown) => void;
  const calls: Array<{ channel: string; args: unknown[] }> = [];
  (globalThis as Record<string, unknown>).__fakeCalls = calls;
  const listeners: Record<string, Set<Listener>> = { 'log:batch': new Set(), 'server:status': new Set() };
  let settings = { ...defaults, recentFolders: ['/srv/older'] };
  const handlers: Record<string, (...a: unknown[]) => unknown> = {
    'app:info': () => ({ transport: 'electron', version: 'fake', platform: 'linux', suggestedFolder: '/home/ada' }),
    'app:ready': () => ({ state: 'stopped' }),
    'settings:get': () => settings,
    'settings:update': (patch) => {
      settings = { ...settings, ...(patch as object) };
      return { ok: true, value: settings };
    },
    'net:interfaces': () => [
      { name: '', address: '', family: 'IPv6', internal: false, label: 'All network interfaces' },
      { name: '', address: '127.0.0.1', family: 'IPv4', internal: true, label: 'This computer only' },
    ],
    'dialog:choose-folder': () => ({ ok: true, value: '/srv/picked' }),
    'folder:check': (p) => ({ ok: true, value: { path: p, entries: 7 } }),
    'server:start': () => {
      if (settings.bind === '10.99.99.99')
        return { ok: false, code: 'SRV_ERR_ADDRESS_UNAVAILABLE', field: 'bind', message: 'The address 10.99.99.99 is not available on this computer.' };
      if (settings.port < 1024)
        return { ok: false, code: 'SRV_ERR_PORT_PRIVILEGED', field: 'port', message: `Port ${settings.port} needs administrator rights.` };
      const status = {
        state: 'running',
        settings,
        port: settings.port,
        urls: [
          { url: `http://127.0.0.1:${settings.port}/`, label: 'This computer', scope: 'loopback', family: 'IPv4' },
          { url: `http://192.0.2.7:${settings.port}/`, label: 'Local network (eth0)', scope: 'lan', family: 'IPv4' },
        ],
        since: Date.now(),
      };
      return { ok: true, value: status };
    },
    'shell:open-url': () => ({ ok: true, value: null }),
    'shell:open-folder': () => ({ ok: true, value: null }),
    'server:stop': () => ({ state: 'stopped' }),
  };
  const invoke = new Proxy(
    {},
    {
      get: (_t, channel: string) => async (...args: unknown[]) => {
        calls.push({ channel, args });
        const h = handlers[channel];
        if (h === undefined) throw new Error(`fake API: no handler for ${channel}`);
        return h(...args);
      },
    },
  );
  // Tests may replace a handler from a later init script.
  (globalThis as Record<string, unknown>).__fakeHandlers = handlers;
  (globalThis as Record<string, unknown>).servedir = {
    invoke,
    on(channel: string, l: Listener) {
      listeners[channel]!.add(l);
      return () => listeners[channel]!.delete(l);
    },
    pathForFile: (file: File) => `/srv/dropped/${file.name}`,
  };
}
