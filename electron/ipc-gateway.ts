/**
 * The IPC gateway: registers every invoke channel of the contract, and for each call
 * checks who is calling and what they sent before a service function runs.
 *
 * Runs in: the Electron main process. No Electron import: electron/ipc.ts hands in the
 * real `ipcMain`, tests hand in a fake {@link IpcLike}.
 */
import {
  INVOKE_CHANNELS,
  invokeValidators,
  type Failure,
  type InvokeChannel,
} from './ipc-contract';
import type { InvokeHandlers } from './app-service';

/** The frame that sent an IPC message (Electron `WebFrameMain`, structurally). */
export interface FrameLike {
  readonly url: string;
}

/** Electron's `IpcMainInvokeEvent`, structurally. */
export interface InvokeEventLike {
  readonly senderFrame: FrameLike | null;
}

/** Electron's `ipcMain`, structurally: only what the gateway uses. */
export interface IpcLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** The window whose main frame may call us. */
export interface TrustedWindowLike {
  readonly webContents: { readonly mainFrame: FrameLike };
  isDestroyed(): boolean;
}

/** A URL without its fragment and query, for comparing "is this our page". */
function pageOf(url: string): string | null {
  try {
    const u = new URL(url);
    u.hash = '';
    u.search = '';
    return u.href;
  } catch {
    return null;
  }
}

/**
 * A sender check: the call must come from the main frame of our window (not an iframe,
 * not another window), and that frame must still show our own page (`expectedUrl`).
 */
export function trustOnlyMainFrame(
  getWindow: () => TrustedWindowLike | null,
  expectedUrl: string,
): (event: InvokeEventLike) => boolean {
  const expected = pageOf(expectedUrl);
  return (event) => {
    const win = getWindow();
    const frame = event.senderFrame;
    if (!win || win.isDestroyed() || !frame) return false;
    if (frame !== win.webContents.mainFrame) return false;
    return expected !== null && pageOf(frame.url) === expected;
  };
}

export const UNTRUSTED_SENDER_MESSAGE = 'Servedir refused a request that did not come from its own window.';

/** The answer for arguments that fail the channel's validator. */
export function invalidPayload(channel: InvokeChannel): Failure {
  return {
    ok: false,
    code: 'APP_ERR_INVALID_PAYLOAD',
    message: `Servedir received a request (${channel}) it could not understand, so nothing was changed.`,
  };
}

/**
 * Registers one `handle` per invoke channel. Returns a function that removes them all.
 * An untrusted sender gets a rejected invoke; invalid arguments get an
 * `APP_ERR_INVALID_PAYLOAD` failure value; both leave the service untouched.
 */
export function registerInvokeHandlers(
  ipc: IpcLike,
  handlers: InvokeHandlers,
  isTrustedSender: (event: InvokeEventLike) => boolean,
): () => void {
  for (const channel of INVOKE_CHANNELS) {
    const validate = invokeValidators[channel] as (args: readonly unknown[]) => boolean;
    const handler = handlers[channel] as (...args: unknown[]) => Promise<unknown>;
    ipc.handle(channel, async (event, ...args) => {
      if (!isTrustedSender(event)) throw new Error(UNTRUSTED_SENDER_MESSAGE);
      if (!validate(args)) return invalidPayload(channel);
      return handler(...args);
    });
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipc.removeHandler(channel);
  };
}
