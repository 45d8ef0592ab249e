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
import type { ForkFn, HostProcessLike } from '../server-host';

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
  /** Simulate a crash: the process dies with this code. */
  crash(code: number): void;
  readonly killed: boolean;
}

/** A ForkFn whose children run host-core in-process. `silent` children never say ready. */
export function fakeFork(engine: FakeEngine, opts: { silent?: boolean } = {}): ForkFn & { spawned: FakeHostProcess[] } {
  const spawned: FakeHostProcess[] = [];
  const fn = ((_entry: string): FakeHostProcess => {
    const toHost = new EventEmitter();
    const fromHost = new EventEmitter();
    let dead = false;
    let killed = false;
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
            setImmediate(() => !dead && fromHost.emit('message', copy));
          },
          onMessage: (l) => void toHost.on('message', l),
          onDisconnect: (l) => void toHost.on('disconnect', l),
        },
        { serve: engine.serve, exit: (code) => die(code), pid: 1000 + spawned.length, batcher: { intervalMs: 10 }, shareUrls: () => [] },
      );
    }
    const child: FakeHostProcess = {
      postMessage(m) {
        const copy = structuredClone(m);
        setImmediate(() => !dead && toHost.emit('message', copy));
      },
      on(event: 'message' | 'exit', l: (arg: never) => void) {
        fromHost.on(event, l as (...a: unknown[]) => void);
        return child;
      },
      kill() {
        killed = true;
        die(1);
        return true;
      },
      crash: (code) => die(code),
      get killed() {
        return killed;
      },
    } as FakeHostProcess;
    spawned.push(child);
    return child;
  }) as unknown as ForkFn & { spawned: FakeHostProcess[] };
  fn.spawned = spawned;
  return fn;
}
