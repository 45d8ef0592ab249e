/**
 * The window's one way to talk to the app: `window.servedir` (Electron preload) when
 * present, otherwise the browser-fallback web transport. The same renderer code runs
 * on both; the API type comes from electron/ipc-contract.ts.
 *
 * Runs in: the renderer.
 */
import { API_GLOBAL, type ServedirApi } from '../electron/ipc-contract';
import { createWebClient, type ConnectionMonitor } from './transport/web-client';

export interface AppApi {
  readonly api: ServedirApi;
  /** The web transport's connection state; null in Electron, where IPC cannot drop. */
  readonly connection: ConnectionMonitor | null;
}

let cached: AppApi | null = null;

/** The API for this window (created once). */
export function getApi(): AppApi {
  if (cached !== null) return cached;
  const exposed = (globalThis as Record<string, unknown>)[API_GLOBAL] as ServedirApi | undefined;
  if (exposed !== undefined) {
    cached = { api: exposed, connection: null };
  } else {
    const client = createWebClient({
      fetch: (input, init) => fetch(input, init),
      EventSource,
      setTimeout: (cb, ms) => setTimeout(cb, ms),
    });
    cached = { api: client, connection: client.connection };
  }
  return cached;
}
