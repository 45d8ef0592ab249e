/**
 * Benchmark harness (plain Node, in the harness process, which is pinned to the load
 * generator's CPU): special-purpose HTTP clients over raw sockets.
 *
 * - {@link IdleHolder}: opens N keep-alive connections, makes one request on each, then
 *   leaves them idle (workload g), and later checks which ones still answer.
 * - {@link slowRead}: downloads a large file at a fixed slow rate, so a server that ignores
 *   backpressure shows up as memory growth.
 */
import net from 'node:net';

/**
 * Reads exactly one HTTP/1.x response with a Content-Length from a socket buffer stream.
 * Resolves with the status code; rejects on close/timeout.
 */
export function readOneResponse(sock, timeoutMs) {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let need = -1;
    let status = 0;
    const timer = setTimeout(() => finish(new Error('timeout')), timeoutMs);
    function finish(err, value) {
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('close', onClose);
      sock.off('error', onClose);
      if (err) reject(err);
      else resolve(value);
    }
    function onClose() {
      finish(new Error('closed'));
    }
    function onData(chunk) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (need < 0) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(head)?.[1] ?? 0);
        const len = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        if (!len) return finish(new Error('no content-length'));
        need = end + 4 + Number(len[1]);
      }
      if (buf.length >= need) finish(null, status);
    }
    sock.on('data', onData);
    sock.once('close', onClose);
    sock.once('error', onClose);
  });
}

/** Holds many idle keep-alive connections to one server. */
export class IdleHolder {
  /** @param {number} port @param {string} path */
  constructor(port, path) {
    this.port = port;
    this.request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: servedir-bench-idle\r\n\r\n`);
    /** @type {net.Socket[]} */
    this.sockets = [];
    this.failedToOpen = 0;
    this.closedWhileIdle = 0;
  }

  /** Opens `count` connections, `parallel` at a time, each with one answered request. */
  async open(count, parallel = 8, timeoutMs = 15000) {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        next++;
        try {
          const sock = await new Promise((resolve, reject) => {
            const s = net.connect(this.port, '127.0.0.1');
            s.setNoDelay(true);
            s.once('connect', () => resolve(s));
            s.once('error', reject);
            setTimeout(() => reject(new Error('connect timeout')), timeoutMs).unref();
          });
          sock.write(this.request);
          const status = await readOneResponse(sock, timeoutMs);
          if (status !== 200) throw new Error(`status ${status}`);
          sock.on('error', () => {});
          sock.once('close', () => {
            if (!sock.checking) this.closedWhileIdle++;
          });
          this.sockets.push(sock);
        } catch {
          this.failedToOpen++;
        }
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
  }

  /** Connections that have not been closed by either side. */
  openCount() {
    return this.sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
  }

  /** Sends one more request on every connection; counts those that still answer 200. */
  async check(parallel = 32, timeoutMs = 10000) {
    let answered = 0;
    let next = 0;
    const socks = this.sockets.slice();
    const worker = async () => {
      while (next < socks.length) {
        const s = socks[next++];
        if (s.destroyed) continue;
        try {
          s.write(this.request);
          if ((await readOneResponse(s, timeoutMs)) === 200) answered++;
        } catch {
          /* closed or silent: not answered */
        }
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    return answered;
  }

  closeAll() {
    for (const s of this.sockets) {
      s.checking = true;
      s.destroy();
    }
    this.sockets = [];
  }
}

/**
 * Downloads `path` reading at most `bytesPerSec`, for `durationMs`, then hangs up.
 * Calls `onTick` every `sampleMs` (used to sample the server's RSS).
 * @returns {Promise<{received: number, status: number}>}
 */
export function slowRead(port, path, { bytesPerSec, durationMs, sampleMs = 200, onTick }) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let received = 0;
    let status = 0;
    let headerSeen = false;
    let head = '';
    const started = Date.now();
    let resumeTimer = null;
    const ticker = setInterval(() => onTick?.(Date.now() - started), sampleMs);
    const stopTimer = setTimeout(() => done(), durationMs);
    function done(err) {
      clearInterval(ticker);
      clearTimeout(stopTimer);
      if (resumeTimer) clearTimeout(resumeTimer);
      sock.destroy();
      if (err) reject(err);
      else resolve({ received, status });
    }
    sock.once('connect', () => {
      sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\nUser-Agent: servedir-bench-slow\r\n\r\n`);
    });
    sock.on('data', (chunk) => {
      received += chunk.length;
      if (!headerSeen) {
        head += chunk.subarray(0, 200).toString('latin1');
        const m = /^HTTP\/\d\.\d (\d{3})/.exec(head);
        if (m) {
          status = Number(m[1]);
          headerSeen = true;
        }
      }
      // Token bucket: if ahead of the allowed rate, stop reading until back on schedule.
      const allowed = ((Date.now() - started) / 1000) * bytesPerSec;
      if (received > allowed) {
        sock.pause();
        const waitMs = Math.ceil(((received - allowed) / bytesPerSec) * 1000);
        resumeTimer = setTimeout(() => {
          resumeTimer = null;
          sock.resume();
        }, waitMs);
      }
    });
    sock.once('error', (e) => done(e));
    sock.once('close', () => done());
  });
}
