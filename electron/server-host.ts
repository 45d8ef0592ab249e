/**
 * Supervises the utility host that runs the engine (out/main/host.cjs): spawns it on
 * first use, waits for its `ready` handshake, sends start/stop, receives log batches,
 * and notices when it dies.
 *
 * Every wait has a deadline ({@link HOST_DEADLINES}). A host that misses one is never
 * reused: it gets SIGTERM (with SIGCONT, so a stopped process can act on it), SIGKILL
 * after a short grace, and the next request forks a fresh one. A start whose host dies,
 * hangs or never gets ready is tried once more on a fresh host within the same call.
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
  /**
   * The process id once running (Electron: undefined until spawned). The supervisor sends
   * SIGKILL through it, since `kill()` is SIGTERM only (Electron's UtilityProcess as Node's).
   */
  readonly pid?: number | undefined;
  postMessage(message: MainToHost): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  /** Asks the process to end (SIGTERM on POSIX). */
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
    pid: cp.pid,
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

/**
 * How long the host may take before the supervisor gives up on it. A host that misses one
 * is never used again: it is killed (SIGTERM, then SIGKILL after `killGraceMs`) and the
 * next request gets a fresh one.
 *
 * Measured on the built host under `child_process.fork` (2 shared cores): `ready` arrives
 * 160–190 ms after the fork, and a start on an idle host answers in 2–5 ms. A start or stop
 * on a host that is serving first closes that server, and the engine waits up to 2 s for
 * the handlers still running (server/http-server.ts `close`), hence `closeMs`.
 */
export interface HostDeadlines {
  /** From the fork to the host's `ready`. */
  readonly readyMs: number;
  /** A start or stop on a host that is not serving. */
  readonly requestMs: number;
  /** Added to `requestMs` when the host must first close the server it runs. */
  readonly closeMs: number;
  /** Between SIGTERM and SIGKILL. */
  readonly killGraceMs: number;
  /** `shutdown`: the host's own clean exit before it is killed. */
  readonly shutdownMs: number;
  /** While serving, a `ping` this often (0: no heartbeat). */
  readonly heartbeatMs: number;
  /**
   * A ping unanswered this long means the host is frozen (SIGSTOP, a stuck loop): it is
   * replaced at once, not at the next Stop or Share. Generous: the host answers a ping
   * between two requests, in well under a millisecond even at 45,000 requests a second.
   */
  readonly heartbeatMissMs: number;
}

export const HOST_DEADLINES: HostDeadlines = {
  readyMs: 3_000,
  requestMs: 2_000,
  closeMs: 2_000,
  killGraceMs: 1_000,
  shutdownMs: 3_000,
  heartbeatMs: 2_000,
  heartbeatMissMs: 8_000,
};

/** How long to wait for the exit after SIGKILL before carrying on without it. */
const AFTER_KILL_MS = 2_000;

/** Sends a signal to a process id; `process.kill` unless a test watches. */
export type SignalFn = (pid: number, signal: 'SIGCONT' | 'SIGKILL') => void;

export interface ServerHostOptions {
  readonly fork: ForkFn;
  readonly entryPath: string;
  readonly deadlines?: Partial<HostDeadlines>;
  readonly signal?: SignalFn;
  readonly onLog?: (batch: LogBatchFromHost) => void;
  /** While serving, the shared folder vanished (`present` false) or came back; `message` in plain words. */
  readonly onFolder?: (present: boolean, message: string) => void;
  /**
   * A host that was serving exited without being asked to (crash, killed from outside:
   * `exited`), or stopped answering the heartbeat and was ended (`not-responding`, exit code null).
   */
  readonly onUnexpectedExit?: (exitCode: number | null, why: 'exited' | 'not-responding') => void;
}

/**
 * What went wrong with a host the supervisor then replaced: it exited, it did not answer a
 * start or stop in time, or it did not say `ready` in time.
 */
export type HostFault = 'exited' | 'not-responding' | 'not-ready';

export type StartOutcome =
  | {
      readonly ok: true;
      readonly port: number;
      readonly address: string;
      readonly urls: readonly ShareUrl[];
      /** Set when the first host failed and a fresh one is serving instead. */
      readonly replaced?: HostFault;
    }
  | { readonly ok: false; readonly failure: ServeFailure; readonly hostDied: boolean };

export interface StopOutcome {
  /** The host did not answer in time and was killed (which also stopped the serving). */
  readonly forced: boolean;
}

export interface ServerHost {
  /**
   * Starts serving; when already serving, the host restarts with the new settings. A host
   * that dies, hangs or never gets ready is replaced once within the same call.
   */
  start(settings: ServeSettings): Promise<StartOutcome>;
  /** Stops serving; the host process stays up for the next start unless it had to be killed. */
  stop(): Promise<StopOutcome>;
  /** Stops serving and ends the host process (kills it if it does not exit in time). */
  shutdown(): Promise<void>;
}

/** The failure a start reports when even the replacement host failed, by its fault. */
const FAULT_FAILURE: Readonly<Record<HostFault, ServeFailure>> = {
  exited: {
    code: 'SRV_ERR_INTERNAL',
    message: 'The server stopped unexpectedly. Press Share to try again.',
  },
  'not-responding': {
    code: 'SRV_ERR_INTERNAL',
    message: 'The server stopped responding, so Servedir ended it. Press Share to try again.',
  },
  'not-ready': {
    code: 'SRV_ERR_INTERNAL',
    message: 'The part of Servedir that shares folders did not start. Press Share to try again.',
  },
};

type Answer = Extract<HostToMain, { type: 'listening' | 'failed' | 'stopped' }> | 'timeout' | 'exit';

interface Pending {
  readonly expects: 'start' | 'stop';
  readonly resolve: (answer: Answer) => void;
}

/** One host process and what the supervisor knows of it. */
interface Child {
  readonly proc: HostProcessLike;
  /** Resolves true on `ready`, false when it exits first. */
  readonly ready: Promise<boolean>;
  readonly exited: Promise<void>;
  dead: boolean;
  /** We ended it (it missed a deadline, or shutdown): its exit is no surprise. */
  retired: boolean;
  /** It answered `listening` since its last `stopped`: a start or stop first closes a server. */
  serving: boolean;
  pending: Pending | null;
  /** The heartbeat's timer, from `ready` until the host exits or is retired. */
  beat: NodeJS.Timeout | null;
  /** The number of the last ping answered (pings are numbered from 1). */
  answered: number;
}

/** Resolves true when `p` settles within `ms`, else false (the timer never outlives it). */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Creates the supervisor. Nothing is spawned until the first `start`. */
export function createServerHost(opts: ServerHostOptions): ServerHost {
  const d: HostDeadlines = { ...HOST_DEADLINES, ...opts.deadlines };
  const sendSignal: SignalFn = opts.signal ?? ((pid, sig) => void process.kill(pid, sig));

  /** The host in use: it said `ready` and has missed no deadline. */
  let current: Child | null = null;
  let shuttingDown = false;
  let chain: Promise<unknown> = Promise.resolve();

  const onMessage = (child: Child, raw: unknown, markReady: (ok: boolean) => void): void => {
    const msg = raw as HostToMain;
    switch (msg?.type) {
      case 'ready':
        markReady(true);
        return;
      case 'listening':
      case 'failed':
        if (child.pending?.expects === 'start') child.pending.resolve(msg);
        return;
      case 'stopped':
        if (child.pending?.expects === 'stop') child.pending.resolve(msg);
        return;
      case 'log':
        opts.onLog?.(logBatchFromHost(msg));
        return;
      case 'folder':
        if (typeof msg.present === 'boolean' && typeof msg.message === 'string') opts.onFolder?.(msg.present, msg.message);
        return;
      case 'pong':
        if (typeof msg.n === 'number' && msg.n > child.answered) child.answered = msg.n;
        return;
      default: {
        const unknownMessage: never = msg;
        console.error('servedir: unexpected message from the server host', unknownMessage);
      }
    }
  };

  /** Forks a host and wires its events. Throws when fork itself throws. */
  const spawn = (): Child => {
    const proc = opts.fork(opts.entryPath);
    let markReady: (ok: boolean) => void = () => {};
    let markExited: () => void = () => {};
    const child: Child = {
      proc,
      ready: new Promise<boolean>((resolve) => (markReady = resolve)),
      exited: new Promise<void>((resolve) => (markExited = resolve)),
      dead: false,
      retired: false,
      serving: false,
      pending: null,
      beat: null,
      answered: 0,
    };
    proc.on('message', (m) => onMessage(child, m, markReady));
    proc.on('exit', (code) => {
      if (child.dead) return;
      child.dead = true;
      child.serving = false;
      if (current === child) current = null;
      stopHeartbeat(child);
      markReady(false);
      child.pending?.resolve('exit');
      markExited();
      if (!child.retired && !shuttingDown) opts.onUnexpectedExit?.(typeof code === 'number' ? code : null, 'exited');
    });
    return child;
  };

  /** Signals the child's process id, if it has one and is still running. */
  const signal = (child: Child, sig: 'SIGCONT' | 'SIGKILL'): void => {
    const pid = child.proc.pid;
    if (child.dead || typeof pid !== 'number') return;
    try {
      sendSignal(pid, sig);
    } catch {
      // Already gone, or a signal the platform lacks (SIGCONT on Windows, where kill() is final).
    }
  };

  /**
   * Ends a host we will not use again: SIGTERM (Electron's and Node's `kill()`), and
   * SIGCONT so that a stopped process acts on it; SIGKILL after the grace. Resolves once it
   * exited, or when even SIGKILL did not make it exit in time (then we carry on without it).
   */
  const retire = async (child: Child): Promise<void> => {
    child.retired = true;
    stopHeartbeat(child);
    if (current === child) current = null;
    if (child.dead) return;
    try {
      child.proc.kill();
    } catch {
      // ends below with SIGKILL
    }
    signal(child, 'SIGCONT');
    if (await within(child.exited, d.killGraceMs)) return;
    signal(child, 'SIGKILL');
    if (await within(child.exited, AFTER_KILL_MS)) return;
    console.error(`servedir: the server host (pid ${child.proc.pid ?? '?'}) did not exit after SIGKILL; starting a new one without it.`);
  };

  const stopHeartbeat = (child: Child): void => {
    if (child.beat) clearInterval(child.beat);
    child.beat = null;
  };

  /**
   * While the host serves, one ping at a time; unanswered for `heartbeatMissMs`, the host is
   * frozen and replaced, and the service hears of it as of a crash (it restarts the share).
   * Nothing is judged while a start or stop is pending (those have their own deadlines), nor
   * across a gap in this process's own timers (the computer slept, or this process was
   * stopped): the wait starts again from then.
   */
  const startHeartbeat = (child: Child): void => {
    if (d.heartbeatMs <= 0 || child.beat) return;
    let sent = 0;
    let sentAt = 0;
    let lastTick = Date.now();
    child.beat = setInterval(() => {
      const t = Date.now();
      const gap = t - lastTick > 2 * d.heartbeatMs;
      lastTick = t;
      if (child.dead || child.retired) return stopHeartbeat(child);
      if (!child.serving || child.pending) {
        sentAt = t; // nothing to judge now; an answer still due gets a fresh wait
        return;
      }
      if (child.answered < sent) {
        if (gap) sentAt = t;
        else if (t - sentAt >= d.heartbeatMissMs) {
          stopHeartbeat(child);
          void serial(async () => {
            if (child.dead || child.retired || current !== child || !child.serving) return;
            console.error(`servedir: the server host (pid ${child.proc.pid ?? '?'}) has not answered for ${t - sentAt} ms; ending it.`);
            await retire(child);
            if (!shuttingDown) opts.onUnexpectedExit?.(null, 'not-responding');
          });
        }
        return;
      }
      sent++;
      sentAt = t;
      child.proc.postMessage({ type: 'ping', n: sent });
    }, d.heartbeatMs);
    child.beat.unref?.();
  };

  /** The current host, or a new one once it said `ready` in time; else why not. */
  const readyHost = async (): Promise<Child | HostFault> => {
    if (current && !current.dead) return current;
    let child: Child;
    try {
      child = spawn();
    } catch (err) {
      // fork itself threw (missing file, out of resources): a failure, not a crash of ours.
      console.error('servedir: could not start the server host:', err);
      return 'not-ready';
    }
    if ((await within(child.ready, d.readyMs)) && (await child.ready)) {
      current = child;
      startHeartbeat(child);
      return child;
    }
    await retire(child);
    return 'not-ready';
  };

  /** Sends one request and waits for its answer, the host's exit, or the deadline. */
  const request = (child: Child, msg: MainToHost, expects: Pending['expects']): Promise<Answer> =>
    new Promise<Answer>((resolve) => {
      if (child.dead) {
        resolve('exit');
        return;
      }
      const ms = d.requestMs + (child.serving ? d.closeMs : 0);
      const pending: Pending = {
        expects,
        resolve: (answer) => {
          if (child.pending !== pending) return;
          child.pending = null;
          clearTimeout(timer);
          resolve(answer);
        },
      };
      const timer = setTimeout(() => pending.resolve('timeout'), ms);
      child.pending = pending;
      child.proc.postMessage(msg);
    });

  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const run = chain.then(job, job);
    chain = run.catch(() => {});
    return run;
  };

  return {
    start: (settings) =>
      serial(async (): Promise<StartOutcome> => {
        shuttingDown = false;
        let fault: HostFault = 'not-ready';
        // A second try on a fresh host: a hung or dead host costs the user one wait, not a failure.
        for (let attempt = 0; attempt < 2; attempt++) {
          const child = await readyHost();
          if (typeof child === 'string') {
            fault = child;
            continue;
          }
          const answer = await request(child, { type: 'start', settings }, 'start');
          if (answer === 'timeout') {
            fault = 'not-responding';
            await retire(child);
            continue;
          }
          if (answer === 'exit') {
            fault = 'exited';
            continue;
          }
          if (answer.type === 'listening') {
            child.serving = true;
            const { port, address, urls } = answer;
            return attempt === 0 ? { ok: true, port, address, urls } : { ok: true, port, address, urls, replaced: fault };
          }
          // A start that fails has closed the previous server first (host-core.ts).
          child.serving = false;
          if (answer.type === 'failed') {
            const { type: _t, ...failure } = answer;
            return { ok: false, failure, hostDied: false };
          }
        }
        return { ok: false, failure: FAULT_FAILURE[fault], hostDied: true };
      }),
    stop: () =>
      serial(async (): Promise<StopOutcome> => {
        const child = current;
        if (!child) return { forced: false };
        const answer = await request(child, { type: 'stop' }, 'stop');
        if (answer === 'timeout') {
          await retire(child);
          return { forced: true };
        }
        child.serving = false;
        return { forced: false };
      }),
    shutdown: () =>
      serial(async () => {
        shuttingDown = true;
        const child = current;
        current = null;
        if (!child) return;
        child.proc.postMessage({ type: 'shutdown' });
        if (await within(child.exited, d.shutdownMs)) return;
        await retire(child);
      }),
  };
}

