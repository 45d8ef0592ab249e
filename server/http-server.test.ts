// Live-socket tests of HTTPServer's connection bookkeeping (server/http-server.ts).
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serve, type RunningServer } from './serve.js';
import { makeTempDir, writeFile } from './test-support/harness.js';
import { appDefaults } from './share-settings.js';

function oneRequest(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end('GET /a.txt HTTP/1.0\r\n\r\n'));
    s.on('data', () => {});
    s.on('error', reject);
    s.on('close', () => resolve());
  });
}

describe('HTTPServer', () => {
  let running: RunningServer | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
    vi.useRealTimers();
  });

  it('leaves no timer behind for a connection that has closed (a pending timer kept each finished connection in memory)', async () => {
    const dir = makeTempDir();
    writeFile(dir, 'a.txt', 'hello');
    // Only the global timer functions are faked: sockets still do real I/O, and every
    // setTimeout the engine makes for a connection shows in vi.getTimerCount().
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    running = await serve({
      ...appDefaults(), directory: dir, port: 0, bind: '127.0.0.1', followSymlinks: true,
    });
    const before = vi.getTimerCount();
    for (let i = 0; i < 20; i++) await oneRequest(running.port);
    // Let the server side see each close.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(vi.getTimerCount()).toBe(before);
  });
});
