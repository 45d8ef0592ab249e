// Node (harness). The engine's JavaScript cost per keep-alive request, without sockets:
// one SimpleHTTPRequestHandler over an in-memory Duplex, the next request pushed when the
// response is written. Steadier than wrk on a shared machine (no kernel, no client), so it is
// what the hot-path changes were A/B-tested with. Pin it: `taskset -c 0 node bench/micro-request.mjs`.
//
//   node bench/micro-request.mjs [--dist=dist/server] [--requests=200000] [--path=/1k.bin] [--hardened] [--no-log]
//
// Serves bench/.fixture (run `npm run bench` once to build it). Prints µs per request (wall
// and CPU). The log entry is formatted as the CLI does unless --no-log.
import { Duplex } from 'node:stream';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
const dist = path.resolve(REPO, arg('dist', 'dist/server'));
const N = Number(arg('requests', 200000));
const target = arg('path', '/1k.bin');
const hardened = process.argv.includes('--hardened');
const noLog = process.argv.includes('--no-log');
const root = path.join(REPO, 'bench', '.fixture');
if (!existsSync(path.join(dist, 'simple-handler.js'))) throw new Error(`${dist} has no build: npm run build:server`);
if (!existsSync(root)) throw new Error('bench/.fixture is missing: run npm run bench once');

const { SimpleHTTPRequestHandler } = await import(pathToFileURL(path.join(dist, 'simple-handler.js')).href);
const { formatNcsaLine } = await import(pathToFileURL(path.join(dist, 'log.js')).href);
const request = Buffer.from(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n`);
const WARMUP = Math.min(20000, N / 10);

let done = 0;
let t0 = 0;
let cpu0 = process.cpuUsage();
let finish;
const finished = new Promise((r) => (finish = r));
class LoopbackSocket extends Duplex {
  remoteAddress = '127.0.0.1';
  remotePort = 50000;
  constructor() {
    super({ allowHalfOpen: true });
  }
  _read() {}
  _write(_chunk, _enc, cb) {
    cb();
    if (++done === WARMUP) {
      t0 = performance.now();
      cpu0 = process.cpuUsage();
    }
    if (done >= N + WARMUP) {
      this.push(null);
      finish();
      return;
    }
    // A new turn of the event loop for each request, as the next read from a socket would be.
    setImmediate(() => this.push(request));
  }
}
let logBytes = 0;
const server = {
  serverName: 'localhost',
  serverPort: 8000,
  emitLog(draft) {
    if (!noLog) logBytes += formatNcsaLine(draft).length;
  },
};
const socket = new LoopbackSocket();
const options = { directory: root, protocolVersion: 'HTTP/1.1', ...(hardened ? { hardened: true, followSymlinks: false } : {}) };
const handler = new SimpleHTTPRequestHandler({ socket, clientAddress: ['127.0.0.1', 50000], server, connectionId: 1, options });
handler.setup();
socket.push(request);
void handler.handle();
await finished;
const wallUs = ((performance.now() - t0) * 1000) / N;
const cpu = process.cpuUsage(cpu0);
console.log(`${N} requests of ${target}${hardened ? ' (hardened)' : ''}${noLog ? ' (no log)' : ''}: ${wallUs.toFixed(2)} µs wall, ${((cpu.user + cpu.system) / N).toFixed(2)} µs CPU per request (log ${logBytes} bytes)`);
process.exit(0);
