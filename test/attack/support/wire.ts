/**
 * Raw-socket helpers for the attack suite (vitest worker, plain Node, loopback only).
 *
 * Every byte a server sends back goes through {@link Answer}, and every helper that
 * returns an answer has already checked it against the forbidden markers of the server
 * it came from: no test can forget to look for the secret.
 */
import { connect, type Socket } from 'node:net';
import { expect } from 'vitest';

/** What one connection received. */
export interface Answer {
  /** Every byte received, in order. */
  readonly data: Buffer;
  /** The server closed (FIN or reset) before we stopped waiting. */
  readonly closed: boolean;
  /** The close was a reset (ECONNRESET / EPIPE): still a close. */
  readonly reset: boolean;
  /** We gave up waiting (total timeout) with the connection still open. */
  readonly timedOut: boolean;
  /** Milliseconds from connect to the end of the exchange. */
  readonly elapsedMs: number;
}

export interface ExchangeOptions {
  /** Half-close our side after writing (EOF tells the server no more requests come). */
  readonly end?: boolean;
  /** Stop after this much silence once at least one byte arrived (default 400 ms). */
  readonly quietMs?: number;
  /** Stop after this long in any case (default 5000 ms). */
  readonly totalMs?: number;
  /** Stop as soon as the data contains this (e.g. the end of an expected body). */
  readonly until?: (data: Buffer) => boolean;
  /** Write the chunks one by one with this gap (default: all in one write). */
  readonly gapMs?: number;
  /** Stop collecting after this many bytes (protects the test process). */
  readonly maxBytes?: number;
}

/** Forbidden byte strings: an answer containing any of them is a leak. */
export type Forbidden = readonly string[];

/** Assert that no forbidden marker occurs anywhere in `data`. */
export function expectNoLeak(data: Buffer, forbidden: Forbidden, what = 'answer'): void {
  for (const marker of forbidden) {
    const at = data.indexOf(marker, 0, 'latin1');
    if (at >= 0) {
      const context = data.subarray(Math.max(0, at - 200), at + marker.length + 50).toString('latin1');
      expect.fail(`${what} leaked ${JSON.stringify(marker)}:\n${context}`);
    }
  }
}

/** Open a TCP connection to 127.0.0.1:port. */
export function open(port: number, timeoutMs = 5000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to 127.0.0.1:${port} timed out`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Send `request` on a fresh connection and collect what comes back until the server
 * closes, the answer goes quiet, `until` matches or the total time runs out. Then check
 * it for leaks.
 */
export async function exchange(
  port: number,
  request: Buffer | string | readonly (Buffer | string)[],
  forbidden: Forbidden,
  options: ExchangeOptions = {},
): Promise<Answer> {
  const chunks = (Array.isArray(request) ? request : [request]).map((c: Buffer | string) =>
    typeof c === 'string' ? Buffer.from(c, 'latin1') : c,
  );
  const quietMs = options.quietMs ?? 400;
  const totalMs = options.totalMs ?? 5000;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const started = Date.now();
  const socket = await open(port);
  const answer = await new Promise<Answer>((resolve) => {
    const received: Buffer[] = [];
    let size = 0;
    let done = false;
    let quietTimer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean, reset: boolean, timedOut: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(totalTimer);
      clearTimeout(quietTimer);
      socket.destroy();
      resolve({ data: Buffer.concat(received), closed, reset, timedOut, elapsedMs: Date.now() - started });
    };
    const totalTimer = setTimeout(() => finish(false, false, true), totalMs);
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) return finish(false, false, false);
      if (options.until?.(Buffer.concat(received))) return finish(false, false, false);
      clearTimeout(quietTimer);
      quietTimer = setTimeout(() => finish(false, false, false), quietMs);
    });
    socket.on('end', () => finish(true, false, false));
    socket.on('close', () => finish(true, false, false));
    socket.on('error', (err: NodeJS.ErrnoException) => finish(true, err.code === 'ECONNRESET' || err.code === 'EPIPE', false));
    void (async () => {
      for (let i = 0; i < chunks.length && !done; i++) {
        if (i > 0 && options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
        if (!done && socket.writable) socket.write(chunks[i]!);
      }
      if (options.end && !done && socket.writable) socket.end();
    })();
  });
  expectNoLeak(answer.data, forbidden);
  return answer;
}

/** A GET request line plus headers, CRLF-terminated. */
export function get(target: string, version = 'HTTP/1.0', headers: readonly string[] = []): string {
  return `GET ${target} ${version}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
}

/** Status codes of every HTTP/1.x status line found at the start of a line. */
export function statuses(data: Buffer): number[] {
  const text = data.toString('latin1');
  const out: number[] = [];
  for (const m of text.matchAll(/(?:^|\n)HTTP\/1\.[01] (\d{3})[ \r\n]/g)) out.push(Number(m[1]));
  return out;
}

/** First status code, or null when the answer has no status line. */
export function firstStatus(data: Buffer): number | null {
  return statuses(data)[0] ?? null;
}

/** The header block of the first response (names lower-cased; repeated names joined). */
export function firstHeaders(data: Buffer): Map<string, string[]> {
  const text = data.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = end >= 0 ? text.slice(0, end) : text;
  const headers = new Map<string, string[]>();
  for (const line of block.split(/\r?\n/).slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return headers;
}

/** The body of a single response (after the first blank line). */
export function bodyOf(data: Buffer): Buffer {
  const crlf = data.indexOf('\r\n\r\n');
  const lf = data.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return Buffer.alloc(0);
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return data.subarray(crlf + 4);
  return data.subarray(lf + 2);
}

/** Sleep. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
