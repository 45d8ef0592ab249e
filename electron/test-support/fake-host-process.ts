/**
 * TEST FAKE: a "host process" that runs the real host-core loop in-process over an
 * asynchronous, structured-clone message channel, with a fake engine. Lets the
 * supervisor (server-host.ts) be tested without spawning anything. The real child
 * process is covered by test/shell/host-fork.test.ts.
 */
import { EventEmitter } from 'node:events';
import { runHost, type RunningServerLike, type ServeFn } from '../../server/host/host-core';
import type { ServeSettings } from '../../server/host/protocol';
import type { RequestLogEntry } from '../../server/log';
import type { ForkFn, HostProcessLike, SignalFn } from '../server-host';

export interface FakeEngine {
  readonly serve: ServeFn;
  readonly calls: ServeSettings[];
  /** Make the next serve() reject with this error. */
  failNext(err: unknown): void;
  /** Emit a log entry from the running server. */
  log(e: RequestLogEntry): void;
}

export function createFakeEngine(): FakeEngine {
  const calls: ServeSettings[] = [];
  let nextError: unknown = null;
  let sink: ((e: RequestLogEntry) => void) | null = null;
  return {
    calls,
    failNext: (e) => void (nextError = e),
    log: (e) => sink?.(e),
    serve: async (s, { onLog }) => {
      calls.push(s);
      if (nextError) {
        const e = nextError;
        nextError = null;
        throw e;
      }
      sink = onLog;
      const server: RunningServerLike = {
        port: s.port === 0 ? 41000 + calls.length : s.port,
        address: s.bind === '' ? '::' : s.bind,
        close: async () => void (sink = null),
      };
      return server;
    },
  };
}

export interface FakeHostProcess extends HostProcessLike {
  readonly pid: number;
  /** Simulate a crash: the process dies with this code. */
  crash(code: number): void;
  /** Simulate SIGSTOP: nothing is delivered either way until SIGCONT. */
  freeze(): void;
  /** What a signal does to it (the test's `signal` function routes here by pid). */
  signal(sig: 'SIGCONT' | 'SIGKILL'): void;
  /** `kill()` (SIGTERM) was called. */
  readonly killed: boolean;
  /** Signals received, in order (`SIGTERM` for kill()). */
  readonly signals: readonly string[];
  readonly dead: boolean;
}

export interface FakeForkOptions {
  /** Children never say ready. */
  readonly silent?: boolean;
  /** Children ignore SIGTERM (a handler that hangs): only SIGKILL ends them. */
  readonly ignoreTerm?: boolean;
}

/** A ForkFn whose children run host-core in-process, with fake pids from 1000. */
export function fakeFork(
  engine: FakeEngine,
  opts: FakeForkOptions = {},
): ForkFn & { spawned: FakeHostProcess[]; signal: SignalFn } {
  const spawned: FakeHostProcess[] = [];
  const fn = ((_entry: string): FakeHostProcess => {
    const toHost = new EventEmitter();
    const fromHost = new EventEmitter();
    const pid = 1000 + spawned.length;
    const signals: string[] = [];
    let dead = false;
    let killed = false;
    let frozen = false;
    let termPending = false;
    /** Messages held while frozen, in order, with their direction. */
    const held: Array<() => void> = [];
    const deliver = (go: () => void): void => {
      setImmediate(() => {
        if (dead) return;
        if (frozen) held.push(go);
        else go();
      });
    };
    const die = (code: number): void => {
      if (dead) return;
      dead = true;
      setImmediate(() => fromHost.emit('exit', code));
    };
    if (!opts.silent) {
      runHost(
        {
          kind: 'fork',
          send: (m) => {
            const copy = structuredClone(m);
            deliver(() => fromHost.emit('message', copy));
          },
          onMessage: (l) => void toHost.on('message', l),
          onDisconnect: (l) => void toHost.on('disconnect', l),
        },
        { serve: engine.serve, exit: (code) => die(code), pid, batcher: { intervalMs: 10 }, shareUrls: () => [] },
      );
    }
    const child: FakeHostProcess = {
      pid,
      postMessage(m) {
        const copy = structuredClone(m);
        deliver(() => toHost.emit('message', copy));
      },
      on(event: 'message' | 'exit', l: (arg: never) => void) {
        fromHost.on(event, l as (...a: unknown[]) => void);
        return child;
      },
      kill() {
        killed = true;
        signals.push('SIGTERM');
        if (opts.ignoreTerm) return true;
        if (frozen) termPending = true;
        else die(143);
        return true;
      },
      crash: (code) => die(code),
      freeze: () => void (frozen = true),
      signal(sig) {
        signals.push(sig);
        if (sig === 'SIGKILL') {
          die(137);
          return;
        }
        frozen = false;
        if (termPending) die(143);
        for (const go of held.splice(0)) deliver(go);
      },
      get killed() {
        return killed;
      },
      get signals() {
        return signals;
      },
      get dead() {
        return dead;
      },
    } as FakeHostProcess;
    spawned.push(child);
    return child;
  }) as unknown as ForkFn & { spawned: FakeHostProcess[]; signal: SignalFn };
  fn.spawned = spawned;
  fn.signal = (p, sig) => {
    const c = spawned.find((x) => x.pid === p);
    if (!c || c.dead) throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
    c.signal(sig);
  };
  return fn;
}
