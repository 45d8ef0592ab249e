/**
 * Tests for connection-io.ts: the reader's timed waits (one lazily re-armed timer per
 * connection, never one per wait), its synchronous `tryReadline` and its count of the body
 * bytes consumed.
 */
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReadTimeoutError, SocketReader, SocketWriter } from './connection-io.js';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('SocketReader timed waits', () => {
  it('arms one timer for many waits on a connection, and still times out a later wait', async () => {
    const sock = new PassThrough();
    const reader = new SocketReader(sock);
    const armed = vi.spyOn(globalThis, 'setTimeout');
    // A keep-alive connection: 50 requests, each awaited with a 60 s idle timeout.
    for (let i = 0; i < 50; i++) {
      const wait = reader.waitForInput(60_000);
      sock.write(`GET /${i} HTTP/1.1\n`);
      await wait;
      expect((await reader.readline(100)).toString()).toBe(`GET /${i} HTTP/1.1\n`);
    }
    expect(armed.mock.calls.length).toBeLessThanOrEqual(1);
    // A shorter deadline than the armed timer's re-arms it: the wait still times out on time.
    const t0 = performance.now();
    await expect(reader.waitForInput(80)).rejects.toBeInstanceOf(ReadTimeoutError);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
    sock.destroy();
  });

  it('a wait that ends before the armed timer does not time out the next wait early', async () => {
    const sock = new PassThrough();
    const reader = new SocketReader(sock);
    // First wait: deadline 150 ms, satisfied at once.
    const first = reader.waitForInput(150);
    sock.write('a\n');
    await first;
    await reader.readline(10);
    await new Promise((r) => setTimeout(r, 100));
    // Second wait, 100 ms after the first: its own 150 ms count, so it must survive the
    // first timer firing (at ~150 ms) and time out only at ~250 ms.
    const t0 = performance.now();
    const second = reader.waitForInput(150);
    setTimeout(() => sock.write('b\n'), 120);
    await second;
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
    expect((await reader.readline(10)).toString()).toBe('b\n');
    sock.destroy();
  });

  it('clears its timer when the connection closes (a closed connection holds nothing)', async () => {
    const sock = new PassThrough();
    const reader = new SocketReader(sock);
    const cleared = vi.spyOn(globalThis, 'clearTimeout');
    const wait = reader.waitForInput(60_000);
    sock.write('x\n');
    await wait;
    sock.destroy();
    await new Promise((r) => setImmediate(r));
    expect(cleared).toHaveBeenCalled();
  });
});

describe('SocketReader.tryReadline', () => {
  it('answers from the buffer without waiting, null when the line is incomplete', async () => {
    const sock = new PassThrough();
    const reader = new SocketReader(sock);
    expect(reader.tryReadline(100)).toBeNull();
    sock.write('GET / HTTP/1.1\r\nHo');
    await new Promise((r) => setImmediate(r));
    expect(reader.tryReadline(100)?.toString()).toBe('GET / HTTP/1.1\r\n');
    expect(reader.tryReadline(100)).toBeNull();
    // The limit applies as in readline: `limit` bytes without a newline come out as they are.
    expect(reader.tryReadline(2)?.toString()).toBe('Ho');
    sock.end('st');
    await new Promise((r) => setImmediate(r));
    expect(reader.tryReadline(100)?.toString()).toBe('st');
    expect(reader.tryReadline(100)?.length).toBe(0);
  });
});

describe('SocketReader.bodyBytesRead', () => {
  it('counts every way of consuming input since markBodyStart, and nothing before it', async () => {
    const sock = new PassThrough();
    const reader = new SocketReader(sock);
    const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
    sock.write('PUT / HTTP/1.1\r\n\r\nline one\nabcdefghij');
    await tick();
    await reader.readline(100);
    reader.tryReadline(100);
    reader.markBodyStart();
    expect(reader.bodyBytesRead).toBe(0);
    expect(reader.tryReadline(100)?.toString()).toBe('line one\n');
    expect(reader.bodyBytesRead).toBe(9);
    expect((await reader.read(3)).toString()).toBe('abc');
    expect(reader.bodyBytesRead).toBe(12);
    expect(await reader.discard(2)).toBe(2);
    expect(reader.bodyBytesRead).toBe(14);
    expect(reader.takeBuffered().toString()).toBe('fghij');
    expect(reader.bodyBytesRead).toBe(19);
    // Diverted bytes count too: those buffered when the diversion starts, and those after.
    sock.write('12');
    await tick();
    const sunk: string[] = [];
    const undivert = reader.divert((chunk) => sunk.push(chunk.toString()), () => {});
    sock.write('XYZ');
    await tick();
    undivert();
    expect(sunk.join('')).toBe('12XYZ');
    expect(reader.bodyBytesRead).toBe(24);
    // The next request's body counts from its own start.
    sock.write('next\n');
    await tick();
    await reader.readline(100);
    reader.markBodyStart();
    expect(reader.bodyBytesRead).toBe(0);
    sock.destroy();
  });
});

describe('SocketWriter over TCP: the answers of one turn go out together', () => {
  async function pair(): Promise<{ server: net.Socket; client: net.Socket; close: () => void }> {
    const listener = net.createServer();
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const accepted = new Promise<net.Socket>((r) => listener.once('connection', r));
    const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
    const server = await accepted;
    return { server, client, close: () => (client.destroy(), server.destroy(), listener.close()) };
  }

  it('holds what two connections write in one turn, then sends both when the turn ends', async () => {
    const a = await pair();
    const b = await pair();
    const received: string[] = [];
    a.client.on('data', (d) => received.push('a:' + d.toString()));
    b.client.on('data', (d) => received.push('b:' + d.toString()));
    const wa = new SocketWriter(a.server);
    const wb = new SocketWriter(b.server);
    wa.write(Buffer.from('one'));
    expect(wa.flush()).toBe(true);
    wb.write(Buffer.from('two'));
    wb.flush();
    // Still held in this turn of the event loop...
    expect(a.server.writableCorked).toBe(1);
    expect(b.server.writableLength).toBe(3);
    // ...and sent when it ends.
    await new Promise((r) => setImmediate(r));
    expect(a.server.writableCorked).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(received.sort()).toEqual(['a:one', 'b:two']);
    a.close();
    b.close();
  });

  it('ending the connection right after a write still delivers it', async () => {
    const p = await pair();
    const chunks: Buffer[] = [];
    p.client.on('data', (d) => chunks.push(d));
    const closed = new Promise((r) => p.client.once('end', r));
    const w = new SocketWriter(p.server);
    w.write(Buffer.from('last words'));
    w.flush();
    p.server.end();
    await closed;
    expect(Buffer.concat(chunks).toString()).toBe('last words');
    p.close();
  });
});
