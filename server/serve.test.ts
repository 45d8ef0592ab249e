/**
 * Tests for serve.ts: the engine API the shell codes against (start, log sink, close, and a
 * ServeError with code, plain sentence and field for each way a start can fail).
 */
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServeError } from './errors.js';
import type { ServeSettings } from './host/protocol.js';
import type { RequestLogEntry } from './log.js';
import { serve } from './serve.js';
import { makeTempDir, rawRequest, writeFile } from './test-support/harness.js';
import { appDefaults } from './share-settings.js';

function settings(over: Partial<ServeSettings> = {}): ServeSettings {
  return {
    ...appDefaults(),
    directory: makeTempDir(),
    port: 0,
    bind: '127.0.0.1',
    protocolVersion: 'HTTP/1.1',
    ...over,
  };
}

async function startError(s: ServeSettings): Promise<ServeError> {
  try {
    const running = await serve(s);
    await running.close();
  } catch (err) {
    expect(err).toBeInstanceOf(ServeError);
    return err as ServeError;
  }
  throw new Error('serve() did not fail');
}

describe('serve()', () => {
  it('serves the folder, reports port and address, and sends log entries to the sink', async () => {
    const s = settings();
    writeFile(s.directory, 'a.txt', 'A');
    const logs: RequestLogEntry[] = [];
    const running = await serve(s, { onLog: (e) => logs.push(e) });
    expect(running.address).toBe('127.0.0.1');
    expect(running.port).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${running.port}/a.txt`, { headers: { 'User-Agent': 'test-agent', Referer: 'http://r/' } });
    expect(await res.text()).toBe('A');
    await running.close();
    const entry = logs.find((e) => e.kind === 'request')!;
    expect(entry).toMatchObject({ method: 'GET', path: '/a.txt', protocol: 'HTTP/1.1', status: 200, userAgent: 'test-agent', referer: 'http://r/', clientAddress: '127.0.0.1' });
    expect(entry.bytesSent).toBeGreaterThan(1);
    expect(entry.durationMs).not.toBeNull();
    expect(entry.id).toBe(1);
  });

  it("bind '' is dual-stack '::'", async () => {
    const running = await serve(settings({ bind: '' }));
    expect(['::', '0.0.0.0']).toContain(running.address);
    await running.close();
  });

  it('close() ends idle keep-alive connections', async () => {
    const running = await serve(settings());
    const pending = rawRequest(running.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 100));
    await running.close();
    const out = (await pending).toString('latin1');
    expect(out.startsWith('HTTP/1.1 200 OK')).toBe(true);
  });

  it('rejects a missing folder, a file, a bad port, a busy port and a bad address', async () => {
    const missing = await startError(settings({ directory: path.join(makeTempDir(), 'nope') }));
    expect([missing.code, missing.field]).toEqual(['SRV_ERR_DIRECTORY_MISSING', 'directory']);
    expect(missing.message).toMatch(/does not exist\. It may have been moved or deleted\.$/);

    const dir = makeTempDir();
    const file = writeFile(dir, 'f.txt', 'x');
    const notDir = await startError(settings({ directory: file }));
    expect([notDir.code, notDir.field]).toEqual(['SRV_ERR_DIRECTORY_NOT_A_DIRECTORY', 'directory']);

    const badPort = await startError(settings({ port: 70000 }));
    expect([badPort.code, badPort.field]).toEqual(['SRV_ERR_PORT_INVALID', 'port']);

    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    const busy = await startError(settings({ port }));
    expect([busy.code, busy.field]).toEqual(['SRV_ERR_PORT_IN_USE', 'port']);
    expect(busy.message).toBe(`Port ${port} is already in use by another program; choose another port.`);
    blocker.close();

    const badBind = await startError(settings({ bind: '203.0.113.77' }));
    expect([badBind.code, badBind.field]).toEqual(['SRV_ERR_ADDRESS_UNAVAILABLE', 'bind']);
  });
});
