/**
 * Registers the IPC handlers with Electron's real `ipcMain`.
 *
 * Runs in: the Electron main process. The ONLY module that imports `ipcMain`; the checks
 * themselves live in ipc-gateway.ts so they are tested without Electron.
 */
import { ipcMain } from 'electron';
import type { InvokeHandlers } from './app-service';
import { registerInvokeHandlers, trustOnlyMainFrame, type TrustedWindowLike } from './ipc-gateway';

/** Wires every invoke channel to `handlers`, accepting calls only from `getWindow()`'s page. */
export function registerIpc(
  handlers: InvokeHandlers,
  getWindow: () => TrustedWindowLike | null,
  rendererUrl: string,
): () => void {
  return registerInvokeHandlers(ipcMain, handlers, trustOnlyMainFrame(getWindow, rendererUrl));
}
