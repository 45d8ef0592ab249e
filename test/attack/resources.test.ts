/**
 * Attack suite: resources. Idle connections, slowloris, pipelining without reading,
 * a 256 MiB download nobody reads; and (through the app's `serve()` limits, set short so
 * the suite stays fast) the header-read timeout, the idle keep-alive timeout and the
 * connection cap. Every attack is bounded in count and time, and stops early if the
 * server's memory runs away, so a regression fails the test without hurting the machine.
 */
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, type AttackFixture } from './support/fixture.js';
import { AGAINST_PYTHON, startServer, underAttack, type ServerKind, type Target } from './support/servers.js';
import { exchange, firstStatus, get, open, sleep, statuses } from './support/wire.js';

const kinds: readonly ServerKind[] = AGAINST_PYTHON ? ['cli'] : ['cli', 'app'];

/** Open `count` connections, `batch` at a time; each one counts its own closing. */
async function openMany(port: number, count: number, batch = 100): Promise<{ sockets: Socket[]; closed: () => number }> {
  const sockets: Socket[] = [];
  let closed = 0;
  for (let i = 0; i < count; i += batch) {
    const opened = await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => open(port, 15_000)));
    for (const s of opened) {
      s.on('error', () => {});
      s.once('close', () => closed++);
      sockets.push(s);
    }
  }
  return { sockets, closed: () => closed };
}

/** Time a normal request while an attack is going on. */
async function timedProbe(srv: Target): Promise<number> {
  const started = Date.now();
  await srv.alive();
  return Date.now() - started;
}

for (const kind of kinds) {
  describe(`resources (${kind})`, () => {
    let fx: AttackFixture;
    let srv: Target;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      fx = buildFixture({ huge: true });
      srv = await startServer(kind, fx, { protocol: 'HTTP/1.1' });
      await srv.alive(); // warm up before any baseline is taken
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await srv?.stop();
      fx?.cleanup();
    });

    it('1,000 idle connections stay open, cost bounded memory, and a normal client is served within 2 s', async () => {
      let closedEarly = -1;
      await underAttack(srv, async () => {
        const idle = await openMany(srv.port, 1000);
        sockets.push(...idle.sockets);
        await sleep(1500);
        expect(await timedProbe(srv)).toBeLessThan(2000);
        closedEarly = idle.closed();
      });
      // The idle keep-alive timeout is generous (CPython never closes an idle client).
      expect(closedEarly).toBe(0);
      for (const s of sockets.splice(0)) s.destroy();
      await sleep(200);
      await srv.alive();
    }, 60_000);

    it('200 slowloris connections do not stop a normal client from being served within 2 s', async () => {
      await underAttack(srv, async () => {
        const slow = await openMany(srv.port, 200);
        sockets.push(...slow.sockets);
        for (const s of slow.sockets) s.write('GET /plain.txt HTTP/1.1\r\nHost: x\r\n');
        let line = 0;
        const drip = setInterval(() => {
          line++;
          for (const s of slow.sockets) if (s.writable) s.write(`X-Slow-${line}: y\r\n`);
        }, 400);
        try {
          await sleep(1000);
          expect(await timedProbe(srv)).toBeLessThan(2000);
          await sleep(1000);
          expect(await timedProbe(srv)).toBeLessThan(2000);
        } finally {
          clearInterval(drip);
        }
      });
      for (const s of sockets.splice(0)) s.destroy();
    }, 60_000);

    it('10,000 pipelined requests that are never read cost bounded memory', async () => {
      const socket = await open(srv.port);
      socket.on('error', () => {});
      sockets.push(socket);
      socket.pause(); // never read a byte
      await underAttack(
        srv,
        async (signal) => {
          socket.write('GET /chunk-32k.bin HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(10_000));
          for (let i = 0; i < 40 && !signal.runaway; i++) await sleep(100);
        },
        { abortKiB: 512 * 1024, onRunaway: () => socket.destroy() },
      );
      socket.destroy();
    }, 60_000);

    it('a 256 MiB download nobody reads (twice at once) costs bounded memory', async () => {
      const pair = await Promise.all([open(srv.port), open(srv.port)]);
      for (const s of pair) {
        s.on('error', () => {});
        s.pause();
        sockets.push(s);
      }
      await underAttack(
        srv,
        async (signal) => {
          for (const s of pair) s.write(get('/huge-256m.bin'));
          for (let i = 0; i < 40 && !signal.runaway; i++) await sleep(100);
        },
        { abortKiB: 768 * 1024, onRunaway: () => pair.forEach((s) => s.destroy()) },
      );
      for (const s of pair) s.destroy();
      await sleep(200);
      await srv.alive();
    }, 60_000);

    it('a client that reads the 256 MiB slowly still gets correct bytes (backpressure, not truncation)', async () => {
      const answer = await exchange(srv.port, get('/huge-256m.bin'), srv.forbidden, {
        maxBytes: 4 * 1024 * 1024,
        totalMs: 10_000,
      });
      expect(firstStatus(answer.data)).toBe(200);
      expect(answer.data.toString('latin1')).toMatch(/Content-Length: 268435456\r\n/i);
    }, 30_000);
  });
}

if (!AGAINST_PYTHON) {
  describe('timeouts (app, short limits)', () => {
    let fx: AttackFixture;
    let srv: Target;
    beforeAll(async () => {
      fx = buildFixture();
      srv = await startServer('app', fx, { protocol: 'HTTP/1.1', limits: { headerTimeoutMs: 1500, idleTimeoutMs: 1500 } });
    });
    afterAll(async () => {
      await srv?.stop();
      fx?.cleanup();
    });

    it('a slowloris client dripping header lines is cut off by the header-read timeout', async () => {
      await underAttack(srv, async () => {
        const answer = await exchange(
          srv.port,
          ['GET /plain.txt HTTP/1.1\r\nHost: x\r\n', ...Array.from({ length: 30 }, (_, i) => `X-Drip-${i}: y\r\n`)],
          srv.forbidden,
          { gapMs: 300, totalMs: 8000, quietMs: 8000 },
        );
        expect(answer.closed, 'connection still open 8 s into a 1.5 s header timeout').toBe(true);
        expect(answer.elapsedMs).toBeLessThan(5000);
        const status = firstStatus(answer.data);
        expect(status === null || status === 408, `answered ${status}`).toBe(true);
      });
    });

    it('a connection that never sends a byte is closed by a timeout (idle or header-read)', async () => {
      const answer = await exchange(srv.port, [], srv.forbidden, { totalMs: 8000, quietMs: 8000 });
      expect(answer.closed).toBe(true);
      expect(answer.elapsedMs).toBeLessThan(5000);
    });

    it('an idle keep-alive connection is closed by the idle timeout', async () => {
      const answer = await exchange(srv.port, get('/plain.txt', 'HTTP/1.1', ['Host: x']), srv.forbidden, {
        totalMs: 8000,
        quietMs: 8000,
      });
      expect(statuses(answer.data)).toEqual([200]);
      expect(answer.closed, 'idle keep-alive connection still open after 8 s').toBe(true);
      expect(answer.elapsedMs).toBeLessThan(5000);
      await srv.alive();
    });
  });

  describe('connection cap (app, maxConnections 50)', () => {
    let fx: AttackFixture;
    let srv: Target;
    beforeAll(async () => {
      fx = buildFixture();
      srv = await startServer('app', fx, { protocol: 'HTTP/1.1', limits: { maxConnections: 50 } });
    });
    afterAll(async () => {
      await srv?.stop();
      fx?.cleanup();
    });

    it('connections over the cap get a clean refusal; held ones still work; the server recovers', async () => {
      const held = await openMany(srv.port, 50, 50);
      try {
        await sleep(300);
        const extra = await Promise.all(
          Array.from({ length: 10 }, () => exchange(srv.port, get('/plain.txt'), srv.forbidden, { totalMs: 4000 })),
        );
        for (const answer of extra) {
          expect(answer.closed, 'a connection over the cap was left hanging').toBe(true);
          // A complete answer, so the client can tell "busy" from "broken".
          expect(firstStatus(answer.data), `over the cap answered ${answer.data.toString('latin1').slice(0, 80)}`).toBe(503);
        }
        // A connection inside the cap is served normally.
        const inside = held.sockets[0]!;
        const reply = new Promise<string>((resolve) => {
          let text = '';
          inside.on('data', (d: Buffer) => {
            text += d.toString('latin1');
            if (text.includes('hello from the shared folder')) resolve(text);
          });
          setTimeout(() => resolve(text), 3000);
        });
        inside.write(get('/plain.txt', 'HTTP/1.1', ['Host: x']));
        expect(firstStatus(Buffer.from(await reply, 'latin1'))).toBe(200);
      } finally {
        for (const s of held.sockets) s.destroy();
      }
      await sleep(300);
      await srv.alive();
    });
  });
}
