/**
 * Supervises the utility host that runs the engine (out/main/host.cjs): spawns it on
 * first use, waits for its `ready` handshake, sends start/stop, receives log batches,
 * and notices when it dies.
 *
 * Runs in: the Electron main process (fork = Electron's `utilityProcess.fork`) and the
 * browser-fallback control server / tests (fork = {@link nodeFork}). No runtime Electron
 * import: the fork function is injected.
 */
import { fork as cpFork } from 'node:child_process';
import type {
  HostToMain,
  MainToHost,
  ServeFailure,
  ServeSettings,
  ShareUrl,
} from '../server/host/protocol';
import { checkLogColumns, entriesClaimedBy, type LogBatch } from './ipc-contract';

/** What the supervisor needs of a child process. Electron's `UtilityProcess` fits. */
export interface HostProcessLike {
  postMessage(message: MainToHost): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

/** Starts the host script at `entryPath`. */
export type ForkFn = (entryPath: string) => HostProcessLike;

/**
 * Node's `child_process.fork` shaped like a utility process. `serialization: 'advanced'`
 * gives the same structured-clone semantics as Electron's parentPort.
 */
export function nodeFork(entryPath: string): HostProcessLike {
  const cp = cpFork(entryPath, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exitListeners: ((code: number) => void)[] = [];
  let exited = false;
  const fireExit = (code: number): void => {
    if (exited) return;
    exited = true;
    for (const l of exitListeners) l(code);
  };
  // A signal death has no exit code; report it the way a shell does (128 + signal number
  // would need a table, and callers only distinguish 0 from "not 0").
  cp.on('exit', (code, signal) => fireExit(code ?? (signal ? 1 : 0)));
  cp.on('error', () => fireExit(1));
  return {
    postMessage(m) {
      if (cp.connected) cp.send(m, (err) => void err /* the exit handler reports a dead child */);
    },
    on(event: 'message' | 'exit', listener: (arg: never) => void) {
      if (event === 'exit') exitListeners.push(listener as (code: number) => void);
      else cp.on('message', listener as (m: unknown) => void);
      return this;
    },
    kill: () => cp.kill(),
  } as HostProcessLike;
}

export type StartOutcome =
  | { readonly ok: true; readonly port: number; readonly address: string; readonly urls: readonly ShareUrl[] }
  | { readonly ok: false; readonly failure: ServeFailure; readonly hostDied: boolean };

/** A host `log` message as the window receives it: the host's columns, unchanged. */
export type LogBatchFromHost = LogBatch;

const EMPTY_COLUMNS: LogBatch['columns'] = { count: 0, numbers: [], refs: [], strings: [] };

/**
 * Checks a host `log` message (checkLogColumns of the shared contract). A batch that cannot
 * be read is never forwarded: it becomes an empty batch whose `dropped` counts the entries
 * it claimed, so the window still says how many requests it did not receive.
 */
export function logBatchFromHost(msg: { readonly columns?: unknown; readonly dropped?: unknown }): LogBatchFromHost {
  const problem = checkLogColumns(msg.columns);
  const dropped = typeof msg.dropped === 'number' && Number.isSafeInteger(msg.dropped) && msg.dropped >= 0 ? msg.dropped : null;
  if (problem === null && dropped !== null) return { columns: msg.columns as LogBatch['columns'], dropped };
  console.error(`servedir: a log batch from the server host could not be read (${problem ?? 'its dropped count is not a whole number'}); its entries are counted as not received.`);
  return { columns: EMPTY_COLUMNS, dropped: entriesClaimedBy(msg) };
}

export interface ServerHostOptions {
  readonly fork: ForkFn;
  readonly entryPath: string;
  /** How long the host may take to say `ready`. */
  readonly readyTimeoutMs?: number;
  /** How long a start or stop may take before the host is considered hung. */
  readonly requestTimeoutMs?: number;
  /** How long `shutdown` waits for a clean exit before killing. */
  readonly shutdownTimeoutMs?: number;
  readonly onLog?: (batch: LogBatchFromHost) => void;
  /** The host exited without being asked to (crash, killed from outside). */
  readonly onUnexpectedExit?: (exitCode: number | null) => void;
}

export interface ServerHost {
  /** Starts serving; when already serving, the host restarts with the new settings. */
  start(settings: ServeSettings): Promise<StartOutcome>;
  /** Stops serving; the host process stays up for the next start. */
  stop(): Promise<void>;
  /** Stops serving and ends the host process (kills it if it does not exit in time). */
  shutdown(): Promise<void>;
}

const UNEXPECTED_EXIT: ServeFailure = {
  code: 'SRV_ERR_INTERNAL',
  message: 'The server stopped unexpectedly. Press Share to try again.',
};

const NOT_STARTED: ServeFailure = {
  code: 'SRV_ERR_INTERNAL',
  message: 'The part of Servedir that shares folders did not start. Press Share to try again.',
};

type Pending =
  | { readonly kind: 'start'; readonly resolve: (o: StartOutcome) => void }
  | { readonly kind: 'stop'; readonly resolve: () => void };

/** Creates the supervisor. Nothing is spawned until the first `start`. */
export function createServerHost(opts: ServerHostOptions): ServerHost {
  const readyTimeoutMs = opts.readyTimeoutMs ?? 10_000;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 20_000;
  const shutdownTimeoutMs = opts.shutdownTimeoutMs ?? 3_000;

  let proc: HostProcessLike | null = null;
  let ready: Promise<boolean> | null = null;
  let onReady: ((ok: boolean) => void) | null = null;
  let pending: Pending | null = null;
  let exitWaiters: (() => void)[] = [];
  let shuttingDown = false;
  let chain: Promise<unknown> = Promise.resolve();

  const settle = (outcome: 'exit' | 'timeout'): void => {
    const p = pending;
    pending = null;
    if (!p) return;
    if (p.kind === 'start') p.resolve({ ok: false, failure: outcome === 'exit' ? UNEXPECTED_EXIT : NOT_STARTED, hostDied: true });
    else p.resolve();
  };

  const onMessage = (raw: unknown): void => {
    const msg = raw as HostToMain;
    switch (msg?.type) {
      case 'ready':
        onReady?.(true);
        return;
      case 'listening':
        if (pending?.kind === 'start') {
          const p = pending;
          pending = null;
          p.resolve({ ok: true, port: msg.port, address: msg.address, urls: msg.urls });
        }
        return;
      case 'failed':
        if (pending?.kind === 'start') {
          const p = pending;
          pending = null;
          const { type: _t, ...failure } = msg;
          p.resolve({ ok: false, failure, hostDied: false });
        }
        return;
      case 'stopped':
        if (pending?.kind === 'stop') {
          const p = pending;
          pending = null;
          p.resolve();
        }
        return;
      case 'log':
        opts.onLog?.(logBatchFromHost(msg));
        return;
      default: {
        const unknownMessage: never = msg;
        console.error('servedir: unexpected message from the server host', unknownMessage);
      }
    }
  };

  const spawn = (): Promise<boolean> => {
    if (proc && ready) return ready;
    const child = opts.fork(opts.entryPath);
    proc = child;
    ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        onReady = null;
        resolve(false);
        child.kill();
      }, readyTimeoutMs);
      onReady = (ok) => {
        clearTimeout(timer);
        onReady = null;
        resolve(ok);
      };
    });
    child.on('message', onMessage);
    child.on('exit', (code) => {
      if (proc !== child) return;
      proc = null;
      ready = null;
      onReady?.(false);
      settle('exit');
      const waiters = exitWaiters;
      exitWaiters = [];
      for (const w of waiters) w();
      if (!shuttingDown) opts.onUnexpectedExit?.(typeof code === 'number' ? code : null);
    });
    return ready;
  };

  /** Sends one request and waits for its answer, the host's exit, or the timeout. */
  const request = <T>(kind: Pending['kind'], msg: MainToHost, make: (resolve: (v: T) => void) => Pending): Promise<T> =>
    new Promise<T>((resolve) => {
      const timer = setTimeout(() => {
        if (pending?.kind === kind) {
          settle('timeout');
          proc?.kill();
        }
      }, requestTimeoutMs);
      pending = make((v: T) => {
        clearTimeout(timer);
        resolve(v);
      });
      proc?.postMessage(msg);
    });

  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const run = chain.then(job, job);
    chain = run.catch(() => {});
    return run;
  };

  return {
    start: (settings) =>
      serial(async () => {
        shuttingDown = false;
        let ok: boolean;
        try {
          ok = await spawn();
        } catch (err) {
          // fork itself threw (missing file, out of resources): a failure, not a crash of ours.
          console.error('servedir: could not start the server host:', err);
          proc = null;
          ready = null;
          ok = false;
        }
        if (!ok || !proc) return { ok: false, failure: NOT_STARTED, hostDied: true } as StartOutcome;
        return request<StartOutcome>('start', { type: 'start', settings }, (resolve) => ({ kind: 'start', resolve }));
      }),
    stop: () =>
      serial(async () => {
        if (!proc) return;
        await request<void>('stop', { type: 'stop' }, (resolve) => ({ kind: 'stop', resolve: () => resolve() }));
      }),
    shutdown: () =>
      serial(async () => {
        shuttingDown = true;
        const child = proc;
        if (!child) return;
        const exited = new Promise<void>((resolve) => exitWaiters.push(resolve));
        child.postMessage({ type: 'shutdown' });
        const timer = setTimeout(() => child.kill(), shutdownTimeoutMs);
        await exited;
        clearTimeout(timer);
      }),
  };
}
