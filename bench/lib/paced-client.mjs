#!/usr/bin/env node
/**
 * Benchmark harness: a paced HTTP load generator (plain Node child process, pinned to the
 * load generator's CPU by its parent). Used by bench/window.mjs, where the point is a
 * SUSTAINED rate (5,000 requests/s) rather than a maximum, which wrk cannot pace.
 *
 *   node bench/lib/paced-client.mjs --port=P --path=/1k.bin --rate=5000 --total=1000000 [--conns=16]
 *
 * Request i is due at start + i/rate; a 5 ms ticker hands due requests to idle keep-alive
 * connections. Prints one JSON line per second ({"progress": ...}) and a final
 * {"done": ...} line with requests answered, failures and the achieved rate. Bounded: it
 * stops after `total` requests or `total/rate * 2 + 30` seconds, whichever comes first.
 */
import net from 'node:net';
import { readOneResponse } from './clients.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v];
  }),
);
const port = Number(args.port);
const path = args.path ?? '/1k.bin';
const rate = Number(args.rate ?? 5000);
const total = Number(args.total ?? 1000000);
const conns = Number(args.conns ?? 16);
if (!Number.isInteger(port) || port <= 0) {
  console.error('paced-client: --port=N is required');
  process.exit(2);
}
const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: servedir-bench-window\r\n\r\n`);

let issued = 0;
let answered = 0;
let failed = 0;
let non200 = 0;
const idle = [];
const start = Date.now();
const deadline = start + ((total / rate) * 2 + 30) * 1000;

/** Hands every request that is due by now to an idle connection. */
function pump() {
  const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * rate));
  while (issued < due && idle.length > 0) {
    issued++;
    void fire(idle.pop());
  }
  return due;
}

function connect() {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

async function fire(sock) {
  try {
    sock.write(request);
    const status = await readOneResponse(sock, 10000);
    answered++;
    if (status !== 200) non200++;
    idle.push(sock);
    pump();
  } catch {
    failed++;
    sock.destroy();
    try {
      idle.push(await connect());
    } catch {
      /* retried at the next tick with fewer connections */
    }
  }
}

for (let i = 0; i < conns; i++) idle.push(await connect());

let lastReport = start;
await new Promise((resolve) => {
  const timer = setInterval(() => {
    const now = Date.now();
    const due = pump();
    if (now - lastReport >= 1000) {
      lastReport = now;
      process.stdout.write(JSON.stringify({ progress: { issued, answered, failed, behind: due - issued, seconds: (now - start) / 1000 } }) + '\n');
    }
    if ((answered + failed >= total) || now > deadline) {
      clearInterval(timer);
      resolve();
    }
  }, 5);
});
const seconds = (Date.now() - start) / 1000;
process.stdout.write(JSON.stringify({ done: { issued, answered, failed, non200, seconds, rate: answered / seconds } }) + '\n');
for (const s of idle) s.destroy();
process.exit(0);
