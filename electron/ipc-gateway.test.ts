// Tests for ipc-gateway.ts with a fake ipcMain (IpcLike) and fake frames/windows.
import { describe, expect, it, vi } from 'vitest';
import { INVOKE_CHANNELS } from './ipc-contract';
import type { InvokeHandlers } from './app-service';
import {
  registerInvokeHandlers,
  trustOnlyMainFrame,
  UNTRUSTED_SENDER_MESSAGE,
  type FrameLike,
  type InvokeEventLike,
  type IpcLike,
} from './ipc-gateway';

/** FAKE ipcMain: records handlers so the test can invoke them like Electron would. */
class FakeIpcMain implements IpcLike {
  readonly handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, event: InvokeEventLike, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return Promise.resolve().then(() => h(event, ...args));
  }
}

const PAGE = 'file:///app/out/renderer/index.html';

function setup() {
  const mainFrame: FrameLike = { url: PAGE };
  const win = { webContents: { mainFrame }, isDestroyed: () => false };
  const ipc = new FakeIpcMain();
  const settingsGet = vi.fn(async () => ({ port: 8000 }));
  const update = vi.fn(async (patch: unknown) => ({ ok: true, value: patch }));
  const handlers = new Proxy({} as Record<string, unknown>, {
    get: (_t, k) => (k === 'settings:get' ? settingsGet : k === 'settings:update' ? update : vi.fn(async () => 'other')),
  }) as unknown as InvokeHandlers;
  const unregister = registerInvokeHandlers(ipc, handlers, trustOnlyMainFrame(() => win, PAGE));
  return { ipc, mainFrame, win, settingsGet, update, unregister };
}

describe('registerInvokeHandlers', () => {
  it('registers exactly the contract’s invoke channels, and can remove them', () => {
    const { ipc, unregister } = setup();
    expect([...ipc.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
    unregister();
    expect(ipc.handlers.size).toBe(0);
  });

  it('a good call from our main frame reaches the service', async () => {
    const { ipc, mainFrame, settingsGet, update } = setup();
    expect(await ipc.invoke('settings:get', { senderFrame: mainFrame })).toEqual({ port: 8000 });
    expect(await ipc.invoke('settings:update', { senderFrame: mainFrame }, { port: 8080 })).toEqual({
      ok: true,
      value: { port: 8080 },
    });
    expect(settingsGet).toHaveBeenCalledOnce();
    expect(update).toHaveBeenCalledWith({ port: 8080 });
  });

  it('our page with a fragment or query is still our page', async () => {
    const { ipc, mainFrame, settingsGet } = setup();
    (mainFrame as { url: string }).url = PAGE + '#/settings';
    await ipc.invoke('settings:get', { senderFrame: mainFrame });
    expect(settingsGet).toHaveBeenCalledOnce();
  });

  it('rejects senders that are not our window’s main frame showing our page', async () => {
    const { ipc, mainFrame, settingsGet } = setup();
    const iframe: FrameLike = { url: PAGE };
    await expect(ipc.invoke('settings:get', { senderFrame: iframe })).rejects.toThrow(UNTRUSTED_SENDER_MESSAGE);
    await expect(ipc.invoke('settings:get', { senderFrame: null })).rejects.toThrow(UNTRUSTED_SENDER_MESSAGE);
    (mainFrame as { url: string }).url = 'https://evil.example/';
    await expect(ipc.invoke('settings:get', { senderFrame: mainFrame })).rejects.toThrow(UNTRUSTED_SENDER_MESSAGE);
    expect(settingsGet).not.toHaveBeenCalled();
  });

  it('rejects everything once the window is destroyed', async () => {
    const { ipc, mainFrame, win, settingsGet } = setup();
    win.isDestroyed = () => true;
    await expect(ipc.invoke('settings:get', { senderFrame: mainFrame })).rejects.toThrow(UNTRUSTED_SENDER_MESSAGE);
    expect(settingsGet).not.toHaveBeenCalled();
  });

  it('a bad payload gets APP_ERR_INVALID_PAYLOAD and never reaches the service', async () => {
    const { ipc, mainFrame, update, settingsGet } = setup();
    for (const args of [[], [{ port: 'eighty' }], [{ port: 8000, evil: true }], [{}], [{ port: 8000 }, 'extra']]) {
      expect(await ipc.invoke('settings:update', { senderFrame: mainFrame }, ...args)).toMatchObject({
        ok: false,
        code: 'APP_ERR_INVALID_PAYLOAD',
      });
    }
    expect(await ipc.invoke('settings:get', { senderFrame: mainFrame }, 'unexpected')).toMatchObject({
      code: 'APP_ERR_INVALID_PAYLOAD',
    });
    expect(update).not.toHaveBeenCalled();
    expect(settingsGet).not.toHaveBeenCalled();
  });
});
