/**
 * The browser-fallback transport: the same {@link ServedirApi} as Electron's preload,
 * carried over HTTP + server-sent events to the control server (`npm run web`).
 *
 * Runs in: the renderer, in an ordinary browser tab. Wire format: electron/web/web-protocol.ts.
 * - No secret ever reaches this code: the sign-in address left an HttpOnly session cookie
 *   (path /api/), which the browser sends with our own same-origin requests.
 * - Invoke: `fetch` POST. Transport failures (app gone, not signed in, a bug on the other
 *   side) become a {@link TransportError} with a plain message; expected failures stay
 *   ordinary `Result` values.
 * - Events: one `EventSource`, reconnected with backoff; the connection state is a small
 *   store the window shows as a banner.
 */
import {
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  type EventChannel,
  type EventChannels,
  type InvokeApi,
  type InvokeChannel,
  type ServedirApi,
} from '../../electron/ipc-contract';
import { EVENTS_PATH, INVOKE_PATH_PREFIX, type InvokeResponse } from '../../electron/web/web-protocol';

/** A failure of the transport itself, with a message meant for the user. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
}

export type ConnectionState =
  | { readonly state: 'connecting' }
  | { readonly state: 'connected' }
  /** Lost contact; trying again. */
  | { readonly state: 'reconnecting'; readonly message: string }
  /** Will not work without the user's help (not signed in, or Servedir restarted). */
  | { readonly state: 'broken'; readonly message: string };

/** Connection state as an external store (`useSyncExternalStore`). */
export interface ConnectionMonitor {
  getState(): ConnectionState;
  subscribe(listener: () => void): () => void;
  /** Called after the event stream came back, so the window can refresh what it shows. */
  onReconnect(listener: () => void): () => void;
}

export interface WebClient extends ServedirApi {
  readonly connection: ConnectionMonitor;
}

/** What the client needs from the page; injectable for tests. */
export interface WebClientEnv {
  readonly fetch: typeof fetch;
  readonly EventSource: typeof EventSource;
  readonly setTimeout: (cb: () => void, ms: number) => unknown;
}

const MSG_NO_ACCESS =
  'This page is not signed in to Servedir. Open the address Servedir printed in its terminal. Each address works once; when an old one is opened, Servedir prints a new one there.';
const MSG_UNREACHABLE = 'Cannot reach Servedir. It may have been closed; start it again and reload this page.';
const MSG_LOST = 'Lost contact with Servedir. Trying to reconnect…';

export function createWebClient(env: WebClientEnv): WebClient {
  let connection: ConnectionState = { state: 'connecting' };
  const connectionListeners = new Set<() => void>();
  const reconnectListeners = new Set<() => void>();
  const setConnection = (s: ConnectionState) => {
    connection = s;
    for (const l of connectionListeners) l();
  };

  const listeners: { [K in EventChannel]: Set<EventChannels[K]> } = {
    'log:batch': new Set(),
    'server:status': new Set(),
  };
  let source: EventSource | null = null;
  let everOpened = false;
  let attempt = 0;
  let resolveOpen: () => void = () => {};
  const firstOpen = new Promise<void>((r) => (resolveOpen = r));

  function connectEvents(): void {
    if (connection.state === 'broken') return;
    const es = new env.EventSource(EVENTS_PATH);
    source = es;
    es.addEventListener('open', () => {
      attempt = 0;
      const wasReconnect = everOpened;
      everOpened = true;
      setConnection({ state: 'connected' });
      resolveOpen();
      if (wasReconnect) for (const l of reconnectListeners) l();
    });
    es.addEventListener('error', () => {
      // Retry ourselves with backoff: the browser gives up for good on a non-200 answer
      // (for example after the app restarted and forgot our session).
      es.close();
      if (source !== es) return;
      source = null;
      // A refused session will not get better by retrying; say that instead of "reconnecting".
      if (connection.state === 'broken') return;
      setConnection({ state: 'reconnecting', message: MSG_LOST });
      const delay = Math.min(500 * 2 ** attempt++, 5000);
      env.setTimeout(connectEvents, delay);
    });
    for (const channel of EVENT_CHANNELS) {
      es.addEventListener(channel, (ev) => {
        let payload: unknown;
        try {
          payload = JSON.parse((ev as MessageEvent<string>).data);
        } catch {
          return; // a garbled message is dropped; the next status/batch supersedes it
        }
        for (const l of listeners[channel]) (l as (p: unknown) => void)(payload);
      });
    }
  }

  async function call(channel: InvokeChannel, args: unknown[]): Promise<unknown> {
    if (connection.state === 'broken') throw new TransportError(connection.message);
    // The shell flushes queued log batches on app:ready: make sure the stream is open
    // first so none of them is sent into the void.
    if (channel === 'app:ready') await Promise.race([firstOpen, new Promise((r) => env.setTimeout(() => r(null), 5000))]);
    let res: Response;
    try {
      res = await env.fetch(INVOKE_PATH_PREFIX + channel, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ args }),
        cache: 'no-store',
        credentials: 'same-origin',
      });
    } catch {
      throw new TransportError(MSG_UNREACHABLE);
    }
    if (res.status === 403) {
      source?.close();
      source = null;
      setConnection({ state: 'broken', message: MSG_NO_ACCESS });
      throw new TransportError(MSG_NO_ACCESS);
    }
    let body: InvokeResponse | null = null;
    try {
      body = (await res.json()) as InvokeResponse;
    } catch {
      body = null;
    }
    if (res.ok && body !== null && body.ok) return body.value;
    const detail = body !== null && !body.ok && typeof body.error === 'string' ? ` (${body.error})` : '';
    if (res.status === 400) throw new TransportError(`Servedir did not understand a request from this window${detail}.`);
    throw new TransportError(`Something went wrong inside Servedir${detail}.`);
  }

  const invoke = Object.fromEntries(
    INVOKE_CHANNELS.map((ch) => [ch, (...args: unknown[]) => call(ch, args)]),
  ) as unknown as InvokeApi;

  return {
    invoke,
    on(channel, listener) {
      (listeners[channel] as Set<typeof listener>).add(listener);
      if (source === null && connection.state !== 'reconnecting') connectEvents();
      return () => {
        (listeners[channel] as Set<typeof listener>).delete(listener);
      };
    },
    // A browser never reveals where a dropped folder lives on disk.
    pathForFile: () => null,
    connection: {
      getState: () => connection,
      subscribe(l) {
        connectionListeners.add(l);
        return () => connectionListeners.delete(l);
      },
      onReconnect(l) {
        reconnectListeners.add(l);
        return () => reconnectListeners.delete(l);
      },
    },
  };
}
