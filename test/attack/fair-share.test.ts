/**
 * Attack suite: a fair share of connections (issue 12 part 2). Before, 2,100 idle connections
 * from one address filled the 2,048-connection cap and every other visitor got `503` until they
 * were released. Now (PORT NOTE 31), in the hardened profile (the app, `--hardened`):
 *  - one address holds at most 1,024 connections at once (half the global cap) (`DEFAULT_MAX_CONNECTIONS_PER_ADDRESS`);
 *    its next ones get the complete `503` and are closed, other addresses are not affected;
 *  - when several addresses fill the global cap, a newcomer from an address holding fewer is
 *    still let in: the busiest address's newest connection is closed to make room.
 * The CLI's default keeps CPython's "no per-address limit" (its global cap is PORT NOTE 12).
 *
 * Clients come from several loopback addresses (127.0.0.2, 127.0.0.3, ...: Linux routes all of
 * 127/8 to lo) through `localAddress`. Idle sockets only: they hold no data in the kernels.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, type AttackFixture } from './support/fixture.js';
import { AGAINST_PYTHON, startServer, underAttack, type Target } from './support/servers.js';
import { firstStatus, sleep } from './support/wire.js';

const PER_ADDRESS = 1024;
const GLOBAL = 2048;

/** A connection from `from` that records what it received and whether it was closed. */
interface Held {
  readonly socket: Socket;
  data(): Buffer;
  closed(): boolean;
}

function openFrom(port: number, from: string): Promise<Held> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: from });
    const chunks: Buffer[] = [];
    let closed = false;
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('close', () => (closed = true));
    socket.once('error', (err) => {
      if (!socket.readyState.startsWith('open')) reject(err);
    });
    socket.on('error', () => {});
    socket.once('connect', () =>
      resolve({ socket, data: () => Buffer.concat(chunks), closed: () => closed }),
    );
  });
}

/** `count` connections from `from`, 100 at a time. */
async function manyFrom(port: number, from: string, count: number): Promise<Held[]> {
  const out: Held[] = [];
  for (let i = 0; i < count; i += 100) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => openFrom(port, from)))));
  }
  return out;
}

/** A GET of /plain.txt from `from` on a fresh connection: its status and how long it took. */
async function visit(port: number, from: string, fx: AttackFixture): Promise<{ status: number | null; ms: number }> {
  const started = performance.now();
  const held = await openFrom(port, from);
  held.socket.write('GET /plain.txt HTTP/1.0\r\n\r\n');
  const deadline = Date.now() + 5000;
  while (!held.closed() && Date.now() < deadline) await sleep(2);
  const ms = performance.now() - started;
  held.socket.destroy();
  const data = held.data();
  const status = firstStatus(data);
  if (status === 200) expect(data.toString('latin1').endsWith(fx.plainText)).toBe(true);
  return { status, ms };
}

/** Wait until what was refused has been answered and closed. */
async function settle(held: readonly Held[], refused: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (held.filter((h) => h.closed()).length < refused && Date.now() < deadline) await sleep(20);
  await sleep(200);
}

const all: Held[] = [];
afterEach(() => {
  for (const h of all.splice(0)) h.socket.destroy();
});

describe.skipIf(AGAINST_PYTHON)('fair share of connections (app)', () => {
  let fx: AttackFixture;
  let srv: Target;
  beforeAll(async () => {
    fx = buildFixture();
    srv = await startServer('app', fx, { protocol: 'HTTP/1.1' });
    await srv.alive();
  });
  afterAll(async () => {
    await srv?.stop();
    fx?.cleanup();
  });

  it(`2,100 idle connections from one address: ${PER_ADDRESS} held, the rest get 503; another address is served at once`, async () => {
    await underAttack(srv, async () => {
      const hog = await manyFrom(srv.port, '127.0.0.2', 2100);
      all.push(...hog);
      await settle(hog, 2100 - PER_ADDRESS);
      const refused = hog.filter((h) => h.closed());
      expect(refused.length).toBe(2100 - PER_ADDRESS);
      for (const h of refused) expect(firstStatus(h.data())).toBe(503);
      // The ones held are the first ones, untouched.
      expect(hog.slice(0, PER_ADDRESS).every((h) => !h.closed())).toBe(true);
      const times: number[] = [];
      for (const from of ['127.0.0.3', '127.0.0.4', '127.0.0.5']) {
        const { status, ms } = await visit(srv.port, from, fx);
        expect(status, `a visitor from ${from} while 127.0.0.2 holds ${PER_ADDRESS}`).toBe(200);
        times.push(ms);
      }
      console.log(`one address at its cap: other visitors served in ${times.map((t) => t.toFixed(1)).join(', ')} ms`);
      // No wait: well under a second even on a loaded 2-core CI machine (measured: a few ms).
      expect(Math.min(...times)).toBeLessThan(100);
      expect(Math.max(...times)).toBeLessThan(1000);
      // A connection of the capped address is refused, not queued.
      const again = await visit(srv.port, '127.0.0.2', fx);
      expect(again.status).toBe(503);
    });
  }, 60_000);

  it(`2 addresses × ${PER_ADDRESS} fill the ${GLOBAL.toLocaleString('en')}-connection cap: a 3rd address is still served, a full one is refused`, async () => {
    await underAttack(srv, async () => {
      const byAddress: Held[][] = [];
      for (let a = 2; a < 4; a++) {
        const held = await manyFrom(srv.port, `127.0.0.${a}`, PER_ADDRESS);
        byAddress.push(held);
        all.push(...held);
      }
      await sleep(300);
      expect(byAddress.flat().filter((h) => h.closed()).length, 'all 2,048 held').toBe(0);
      // A newcomer from a fresh address takes the place of one connection of a busiest address.
      const times: number[] = [];
      for (const from of ['127.0.0.10', '127.0.0.11', '127.0.0.12']) {
        const { status, ms } = await visit(srv.port, from, fx);
        expect(status, `a visitor from ${from} at the global cap`).toBe(200);
        times.push(ms);
      }
      console.log(`global cap full: visitors from new addresses served in ${times.map((t) => t.toFixed(1)).join(', ')} ms`);
      expect(Math.max(...times)).toBeLessThan(1000);
      await sleep(200);
      // The first visitor took the place of one connection of a busiest address; it left
      // again (HTTP/1.0), so the next ones found the free place: one closed in all.
      const evicted = byAddress.flat().filter((h) => h.closed());
      expect(evicted.length).toBe(1);
      expect(firstStatus(evicted[0]!.data())).toBeNull(); // closed, never answered anything
      // An address already at its own cap is still refused.
      expect((await visit(srv.port, '127.0.0.3', fx)).status).toBe(503);
    });
  }, 60_000);

  it(`slowloris from one address (1,100 connections dripping headers) does not starve another`, async () => {
    await underAttack(srv, async () => {
      const slow = await manyFrom(srv.port, '127.0.0.2', 1100);
      all.push(...slow);
      for (const h of slow) h.socket.write('GET /plain.txt HTTP/1.1\r\nHost: x\r\n');
      let line = 0;
      const drip = setInterval(() => {
        line++;
        for (const h of slow) if (h.socket.writable) h.socket.write(`X-Slow-${line}: y\r\n`);
      }, 300);
      try {
        await settle(slow, 1100 - PER_ADDRESS);
        expect(slow.filter((h) => h.closed()).length).toBe(1100 - PER_ADDRESS);
        const times: number[] = [];
        for (let i = 0; i < 5; i++) {
          const { status, ms } = await visit(srv.port, '127.0.0.3', fx);
          expect(status).toBe(200);
          times.push(ms);
          await sleep(200);
        }
        times.sort((a, b) => a - b);
        console.log(`slowloris from one address: another served in ${times.map((t) => t.toFixed(1)).join(', ')} ms`);
        expect(times[2]!).toBeLessThan(100);
      } finally {
        clearInterval(drip);
      }
    });
  }, 60_000);
});

describe.skipIf(AGAINST_PYTHON)('per-address cap in the CLI', () => {
  let fx: AttackFixture;
  beforeAll(() => {
    fx = buildFixture();
  });
  afterAll(() => fx?.cleanup());

  it('the default CLI has none (as CPython): 1,100 connections from one address are all held', async () => {
    const srv = await startServer('cli', fx);
    try {
      const held = await manyFrom(srv.port, '127.0.0.2', 1100);
      all.push(...held);
      await sleep(500);
      expect(held.filter((h) => h.closed()).length).toBe(0);
      expect((await visit(srv.port, '127.0.0.3', fx)).status).toBe(200);
    } finally {
      await srv.stop();
    }
  }, 60_000);

  it(`--hardened has the app's: ${PER_ADDRESS} held, the rest of 1,100 get 503`, async () => {
    const srv = await startServer('cli-hardened', fx);
    try {
      const held = await manyFrom(srv.port, '127.0.0.2', 1100);
      all.push(...held);
      await settle(held, 1100 - PER_ADDRESS);
      expect(held.filter((h) => h.closed()).length).toBe(1100 - PER_ADDRESS);
      expect((await visit(srv.port, '127.0.0.3', fx)).status).toBe(200);
    } finally {
      await srv.stop();
    }
  }, 60_000);
});
