/**
 * Starts the server under attack as a CHILD PROCESS (so its memory can be read from
 * /proc and its death observed), in one of three shapes:
 *
 *  - `cli`          `node dist/server/cli.js 0 -b 127.0.0.1 -d ROOT ...`: CPython's
 *                   behaviour, byte for byte (follows symlinks, parses an unread GET body
 *                   as the next request). Timeouts, caps, backpressure, escaping and
 *                   crash-proofing still apply.
 *  - `cli-hardened` the same CLI with `--hardened` (no symlinks out of the root, unread
 *                   bodies discarded, strict framing).
 *  - `app`          `serve()` from dist/server/serve.js, as the desktop app runs it
 *                   (always hardened; followSymlinks false), through serve-child.mjs.
 *
 * `ATTACK_SERVER=python` swaps the CLI for `python3 -m http.server` to sanity-check the
 * harness against the reference (hardened shapes are then skipped).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { AttackFixture } from './fixture.js';
import { bodyOf, exchange, firstStatus, get, type Forbidden } from './wire.js';
import { appDefaults } from '../../../server/share-settings';

export type ServerKind = 'cli' | 'cli-hardened' | 'app';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, '../../..');
/** `ATTACK_CLI` points the suite at another build of the CLI (e.g. to prove a test can fail). */
const CLI = process.env.ATTACK_CLI ?? join(REPO, 'dist/server/cli.js');
const SERVE = join(REPO, 'dist/server/serve.js');

/** True when the suite runs against CPython (`ATTACK_SERVER=python`). */
export const AGAINST_PYTHON = process.env.ATTACK_SERVER === 'python';

/** Kinds to run a suite against: the hardened ones only exist in our engine. */
export const KINDS: readonly ServerKind[] = AGAINST_PYTHON ? ['cli'] : ['cli', 'cli-hardened', 'app'];
export const HARDENED_KINDS: readonly ServerKind[] = AGAINST_PYTHON ? [] : ['cli-hardened', 'app'];

/** CLI flag turning the hardening profile on (the app always has it). */
export const HARDENED_FLAG = '--hardened';

/** Limits the app's `serve()` accepts as `ServeOptions` fields (milliseconds, counts, bytes). */
export interface ServeLimits {
  readonly headerTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly maxConnections?: number;
  readonly maxPipelined?: number;
  readonly cgiTimeoutMs?: number;
  readonly maxBodyBytes?: number;
}

export interface StartOptions {
  readonly cgi?: boolean;
  readonly protocol?: 'HTTP/1.0' | 'HTTP/1.1';
  /** Only for `app` (the CLI has no flags for them; its defaults are tested instead). */
  readonly limits?: ServeLimits;
}

export interface Target {
  readonly kind: ServerKind;
  readonly port: number;
  readonly pid: number;
  readonly fixture: AttackFixture;
  /** Markers no answer from this server may contain. */
  readonly forbidden: Forbidden;
  readonly hardened: boolean;
  readonly cgi: boolean;
  /** Everything the server wrote to stderr (first 8 MiB). */
  stderr(): Buffer;
  /** Total stderr bytes, including those not kept. */
  stderrTotal(): number;
  /** Set once the process exited. */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | null;
  /** Resident memory of the server process in KiB (VmRSS). */
  rssKiB(): number;
  /** Assert the process is up and answers a plain GET correctly within 5 s. */
  alive(): Promise<void>;
  stop(): Promise<void>;
}

const STDERR_KEEP = 8 * 1024 * 1024;

/** VmRSS of a process in KiB, from /proc. */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

/** Fail early and clearly when the engine has not been built. */
export function requireBuild(kind: ServerKind): void {
  if (AGAINST_PYTHON) return;
  const file = kind === 'app' ? SERVE : CLI;
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build:server\` first`);
}

function command(kind: ServerKind, fx: AttackFixture, opts: StartOptions): { cmd: string; args: string[] } {
  const protocol = opts.protocol ?? 'HTTP/1.1';
  if (kind === 'app') {
    const config = {
      // The app's defaults (every setting of the table), as the app would share.
      settings: {
        ...appDefaults(),
        directory: fx.root,
        port: 0,
        bind: '127.0.0.1',
        protocolVersion: protocol,
        cgi: opts.cgi ?? false,
      },
      options: { ...(opts.limits ?? {}) },
    };
    return { cmd: process.execPath, args: [join(here, 'serve-child.mjs'), JSON.stringify(config)] };
  }
  const common = ['0', '-b', '127.0.0.1', '-d', fx.root, '-p', protocol, ...(opts.cgi ? ['--cgi'] : [])];
  if (AGAINST_PYTHON) return { cmd: 'python3', args: ['-u', '-m', 'http.server', ...common] };
  return { cmd: process.execPath, args: [CLI, ...common, ...(kind === 'cli-hardened' ? [HARDENED_FLAG] : [])] };
}

/** Start a server of `kind` on a free port over `fx.root`. */
export async function startServer(kind: ServerKind, fx: AttackFixture, opts: StartOptions = {}): Promise<Target> {
  requireBuild(kind);
  const { cmd, args } = command(kind, fx, opts);
  const child: ChildProcess = spawn(cmd, args, {
    cwd: fx.base,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1', SERVEDIR_ATTACK_PARENT_ENV: fx.parentEnvMarker },
  });
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let total = 0;
  child.stderr!.on('data', (chunk: Buffer) => {
    total += chunk.length;
    if (keptBytes < STDERR_KEEP) {
      const part = chunk.subarray(0, STDERR_KEEP - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    }
  });
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exitedPromise = new Promise<void>((r) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      r();
    }),
  );
  const port = await new Promise<number>((resolvePort, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${kind} did not start in 15 s: ${out} ${Buffer.concat(kept)}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /LISTENING (\d+)/.exec(out) ?? /port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    });
    void exitedPromise.then(() => {
      clearTimeout(timer);
      reject(new Error(`${kind} exited before listening: ${out} ${Buffer.concat(kept).toString('utf8')}`));
    });
  });
  const hardened = kind !== 'cli';
  const cgi = opts.cgi ?? false;
  const forbidden: string[] = [fx.secretMarker, fx.nameMarker, fx.ranOutsideMarker, 'root:x:0:0:'];
  if (cgi) forbidden.push(fx.sourceMarker);
  if (hardened) forbidden.push(fx.smuggledMarker);
  const target: Target = {
    kind,
    port,
    pid: child.pid!,
    fixture: fx,
    forbidden,
    hardened,
    cgi,
    stderr: () => Buffer.concat(kept),
    stderrTotal: () => total,
    exited: () => exit,
    rssKiB: () => rssKiB(child.pid!),
    alive: async () => {
      expect(exit, `${kind} server process exited`).toBeNull();
      const answer = await exchange(port, get('/plain.txt'), forbidden, { totalMs: 5000 });
      expect(firstStatus(answer.data), `${kind} liveness probe: ${answer.data.toString('latin1').slice(0, 300)}`).toBe(200);
      expect(bodyOf(answer.data).toString('latin1')).toBe(fx.plainText);
    },
    stop: async () => {
      if (exit) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exitedPromise;
      clearTimeout(killer);
    },
  };
  return target;
}

/**
 * Samples a process's RSS every 50 ms while `during` runs and returns the growth over
 * the baseline taken just before. If the growth passes `abortKiB` (default 1 GiB) the
 * `onRunaway` callback is called so the test can stop the attack before the machine
 * suffers; the growth is then still reported (and fails the test).
 */
export async function measureGrowth<T>(
  pid: number,
  during: (signal: { runaway: boolean }) => Promise<T>,
  options: { abortKiB?: number; onRunaway?: () => void } = {},
): Promise<{ result: T; baselineKiB: number; peakKiB: number; growthMiB: number }> {
  const baselineKiB = rssKiB(pid);
  let peakKiB = baselineKiB;
  const signal = { runaway: false };
  const timer = setInterval(() => {
    try {
      const now = rssKiB(pid);
      peakKiB = Math.max(peakKiB, now);
      if (!signal.runaway && now - baselineKiB > (options.abortKiB ?? 1024 * 1024)) {
        signal.runaway = true;
        options.onRunaway?.();
      }
    } catch {
      // the process died: the liveness check afterwards reports it
    }
  }, 50);
  try {
    const result = await during(signal);
    try {
      peakKiB = Math.max(peakKiB, rssKiB(pid));
    } catch {
      // died
    }
    return { result, baselineKiB, peakKiB, growthMiB: (peakKiB - baselineKiB) / 1024 };
  } finally {
    clearInterval(timer);
  }
}

/** Memory growth allowed for any attack (the bound). */
export const MAX_GROWTH_MIB = 64;

/**
 * Run one attack against `srv` and then assert the three promises every attack test
 * makes: (the wire helpers already checked every answer for the secrets) the server is
 * still alive and answers correctly, and its memory grew by less than 64 MiB.
 */
export async function underAttack<T>(
  srv: Target,
  attack: (signal: { runaway: boolean }) => Promise<T>,
  options: { abortKiB?: number; onRunaway?: () => void } = {},
): Promise<{ result: T; growthMiB: number }> {
  const measured = await measureGrowth(srv.pid, attack, options);
  await srv.alive();
  expect(measured.growthMiB, `${srv.kind}: memory grew by ${measured.growthMiB.toFixed(1)} MiB`).toBeLessThan(MAX_GROWTH_MIB);
  return { result: measured.result, growthMiB: measured.growthMiB };
}
