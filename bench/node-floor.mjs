// Node (harness). The floor for a Node HTTP server on this machine: a `net` server that parses
// nothing and answers every read with the same 1 KiB response held in memory (keep-alive).
// Whatever our engine costs above this is our own JavaScript, not Node's sockets.
//
//   taskset -c 0 node bench/node-floor.mjs PORT &
//   taskset -c 1 wrk -t1 -c64 -d5s http://127.0.0.1:PORT/   # then compare CPU time per request
import net from 'node:net';

const body = Buffer.alloc(1024, 0x61);
const head = Buffer.from(
  'HTTP/1.1 200 OK\r\nServer: SimpleHTTP/0.6 Node\r\nDate: Sun, 22 Nov 2026 16:00:00 GMT\r\n' +
    'Content-type: application/octet-stream\r\nContent-Length: 1024\r\nLast-Modified: Sun, 22 Nov 2026 16:00:00 GMT\r\n\r\n',
);
const response = Buffer.concat([head, body]);
const port = Number(process.argv[2] ?? 8080);
net
  .createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => {});
    socket.on('data', () => socket.write(response));
  })
  .listen(port, '127.0.0.1', () => console.log(`node-floor on 127.0.0.1:${port}`));
