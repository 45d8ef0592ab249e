/**
 * Preload: exposes the one typed API object `window.servedir` to the window.
 *
 * Runs in: the renderer process, sandboxed and context-isolated, before the page's own
 * scripts. Built as CommonJS (out/preload/preload.cjs) because a sandboxed preload may
 * only `require('electron')`; it imports nothing else at runtime (ipc-contract.ts has no
 * runtime imports). The ONLY module that imports `ipcRenderer`.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import {
  API_GLOBAL,
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  type EventChannel,
  type EventChannels,
  type InvokeApi,
  type ServedirApi,
} from './ipc-contract';

// One function per channel, generated from the contract so no channel can be forgotten
// and no other channel can be reached.
const invoke = Object.freeze(
  Object.fromEntries(
    INVOKE_CHANNELS.map((channel) => [channel, (...args: unknown[]) => ipcRenderer.invoke(channel, ...args)]),
  ),
) as unknown as InvokeApi;

const api = {
  invoke,
  on<K extends EventChannel>(channel: K, listener: EventChannels[K]): () => void {
    if (!EVENT_CHANNELS.includes(channel)) throw new Error(`Unknown event channel: ${String(channel)}`);
    // Never hand the IpcRendererEvent to the page: it exposes `sender` (ipcRenderer).
    const wrapped = (_event: IpcRendererEvent, payload: unknown): void =>
      (listener as (p: unknown) => void)(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  },
  pathForFile(file: File): string | null {
    try {
      return webUtils.getPathForFile(file) || null;
    } catch {
      return null;
    }
  },
} satisfies ServedirApi;

contextBridge.exposeInMainWorld(API_GLOBAL, api);
