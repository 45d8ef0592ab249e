/**
 * The logic of the utility host: message channel detection, the start/stop/shutdown
 * protocol, log batching (as columns, log-columns.ts) and mapping of engine errors to plain sentences.
 *
 * Runs in: the utility host process (Electron `utilityProcess` or Node
 * `child_process.fork`), and in-process under tests. Pure Node: the only file that
 * touches `process.parentPort` for real is utility-entry.ts, which passes `process` in.
 * Everything process-global (`exit`, `serve`) is injected so tests can drive it.
 */
import { entryWithoutRequest, type LogSink, type RequestLogEntry } from '../log.js';
import { msgSharedFolderBack, msgSharedFolderGone, serveErrorForStart } from '../errors.js';
import { watchSharedFolder, type FolderPresence, type FolderWatch } from './folder-watch.js';
import type { HostToMain, MainToHost, ServeFailure, ServeSettings, ShareUrl } from './protocol.js';
import { findShareUrls } from './net-info.js';
import { LogColumnsWriter } from './log-columns.js';
import { checkServeSettings } from '../share-settings.js';

// ---------------------------------------------------------------------------------------
// Channel

/** A bidirectional message channel to the shell, whichever API carries it. */
export interface HostChannel {
  readonly kind: 'parentPort' | 'fork';
  send(message: HostToMain): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called when the shell went away (Node fork only; Electron kills us instead). */
  onDisconnect(listener: () => void): void;
}

/** Electron's `process.parentPort`, structurally (server/ has no Electron types). */
export interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown; ports: readonly unknown[] }) => void): unknown;
}

/** The parts of `process` the channel detection looks at. */
export interface ProcessLike {
  parentPort?: ParentPortLike;
  send?: (message: unknown) => boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
}

/**
 * Picks Electron's `parentPort` when present, else Node's fork IPC.
 * @throws when the script was started with neither (e.g. `node host.cjs` by hand).
 */
export function detectChannel(proc: ProcessLike): HostChannel {
  const port = proc.parentPort;
  if (port) {
    return {
      kind: 'parentPort',
      send: (m) => port.postMessage(m),
      // Electron wraps each message in { data, ports }; ports are never used (protocol.ts).
      onMessage: (l) => void port.on('message', (e) => l(e.data)),
      onDisconnect: () => {},
    };
  }
  const send = proc.send;
  if (typeof send === 'function') {
    return {
      kind: 'fork',
      send: (m) => void send.call(proc, m),
      onMessage: (l) => void proc.on('message', l),
      onDisconnect: (l) => void proc.on('disconnect', l),
    };
  }
  throw new Error(
    'The Servedir server host must be started by the app (Electron utilityProcess or Node child_process.fork); it has no channel to talk to.',
  );
}

// ---------------------------------------------------------------------------------------
// Error mapping

/**
 * Turns whatever the engine threw into a {@link ServeFailure}: the engine's own sentences
 * (server/errors.ts `serveErrorForStart`, the one mapping of system errors to plain words),
 * so no errno ever reaches a user.
 */
export function toServeFailure(err: unknown, settings: ServeSettings): ServeFailure {
  const e = serveErrorForStart(err, settings);
  return { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) };
}

// ---------------------------------------------------------------------------------------
// Log batching

/** Options of {@link createLogBatcher}. */
export interface LogBatcherOptions {
  /** Longest time an entry waits before it is sent. */
  readonly intervalMs?: number;
  /** Most entries one batch holds; entries beyond it within one interval are dropped (and counted). */
  readonly maxQueued?: number;
  readonly setTimer?: (fn: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
}

/** Collects log entries and sends them as one `log` message at most every interval. */
export interface LogBatcher {
  readonly sink: LogSink;
  /** Send whatever is queued now (before `stopped`, so the last requests arrive first). */
  flush(): void;
  dispose(): void;
}

/**
 * The host's log sink: each entry is copied into the columns of the current batch at once
 * (log-columns.ts), so no entry object outlives the request that made it, and the batch
 * is sent as one `log` message at most every `intervalMs`.
 *
 * Measured on the built host under `child_process.fork` (1 KiB at 64 connections, host on
 * its own CPU, quiet rounds): CPU per request 24–28 µs with the sink doing nothing, 36–42 µs
 * when this batcher queued entry objects, 26–29 µs with columns; the receiving process
 * spends 0.4 instead of 2.6 µs per request, and a batch is ~92 instead of ~256 bytes per
 * entry.
 *
 * When more than `maxQueued` entries arrive within one interval, the later ones are
 * counted in `dropped` without being written (the window shows the count): under such
 * a flood, skipping the work is what keeps serving fast. Earlier versions kept the newest
 * instead; within one 50 ms interval the difference is invisible to a person.
 */
export function createLogBatcher(send: (m: HostToMain) => void, opts: LogBatcherOptions = {}): LogBatcher {
  const intervalMs = opts.intervalMs ?? 50;
  const maxQueued = opts.maxQueued ?? 5000;
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  const writer = new LogColumnsWriter(maxQueued);
  let dropped = 0;
  let timer: unknown = null;

  const flush = (): void => {
    if (timer !== null) {
      clearTimer(timer);
      timer = null;
    }
    if (writer.count === 0 && dropped === 0) return;
    const d = dropped;
    dropped = 0;
    send({ type: 'log', columns: writer.take(), dropped: d });
  };

  const sink: LogSink = (entry) => {
    // A progress update is superseded by the next one or by the final entry: under a flood it
    // gives way (uncounted) while the batch is more than half full, so finals keep their room.
    if (entry.outcome === 'in-progress' && writer.count * 2 >= maxQueued) return;
    if (!writer.add(entry)) dropped++;
    if (timer === null) timer = setTimer(flush, intervalMs);
  };

  return {
    sink,
    flush,
    dispose: () => {
      if (timer !== null) clearTimer(timer);
      timer = null;
      writer.take();
      dropped = 0;
    },
  };
}

// ---------------------------------------------------------------------------------------
// The host loop

/** What `serve()` resolves to (server/serve.ts). */
export interface RunningServerLike {
  readonly port: number;
  readonly address: string;
  close(): Promise<void>;
}

export type ServeFn = (settings: ServeSettings, options: { onLog: LogSink }) => Promise<RunningServerLike>;

export interface HostDeps {
  readonly serve: ServeFn;
  /** Ends the process; injected so tests of the parentPort path stay in-process. */
  readonly exit: (code: number) => void;
  readonly pid?: number;
  readonly batcher?: LogBatcherOptions;
  /**
   * For the URL list, best first; defaults to the machine's interfaces ranked with its
   * routing table (read with a short timeout: never holds the `listening` answer long).
   */
  readonly shareUrls?: (address: string, port: number) => readonly ShareUrl[] | Promise<readonly ShareUrl[]>;
  /** Watches the shared folder while serving (folder-watch.ts); tests inject their own. */
  readonly watchFolder?: (directory: string, onChange: (presence: FolderPresence) => void) => FolderWatch;
}

/**
 * The log entry of a change of the shared folder: kind `event` (the host's own news, never a
 * CPython line), not tied to a request. Id 0: the engine's ids are its own.
 */
export function folderEventEntry(message: string, time: number): RequestLogEntry {
  return entryWithoutRequest('event', message, { time, connectionId: 0, clientAddress: '', clientPort: 0 });
}

/** A handle for tests: resolves when every message received so far has been handled. */
export interface HostHandle {
  idle(): Promise<void>;
}

function isMainToHost(m: unknown): m is MainToHost {
  const t = (m as { type?: unknown } | null)?.type;
  if (t === 'stop' || t === 'shutdown') return true;
  if (t === 'ping') return Number.isSafeInteger((m as { n?: unknown }).n);
  if (t !== 'start') return false;
  // The settings themselves are checked by `handle` (the table's check), so that a bad one
  // is answered with `failed` on its field rather than ignored.
  const s = (m as { settings?: unknown }).settings;
  return typeof s === 'object' && s !== null && !Array.isArray(s);
}

/**
 * Serves the protocol of protocol.ts over `channel`: sends `ready`, then handles
 * messages one at a time, in order (a `start` while serving closes the old server first,
 * then starts with the new settings).
 */
export function runHost(channel: HostChannel, deps: HostDeps): HostHandle {
  const batcher = createLogBatcher((m) => channel.send(m), deps.batcher);
  const urls = deps.shareUrls ?? findShareUrls;
  const watchFolder = deps.watchFolder ?? ((dir, onChange) => watchSharedFolder(dir, onChange));
  let server: RunningServerLike | null = null;
  let folderWatch: FolderWatch | null = null;
  let chain: Promise<void> = Promise.resolve();
  let exiting = false;

  const closeServer = async (): Promise<void> => {
    const s = server;
    server = null;
    folderWatch?.close();
    folderWatch = null;
    if (s) {
      try {
        await s.close();
      } catch (err) {
        // A failed close still means we are not serving; say so on stderr for developers.
        console.error('servedir host: close failed:', err);
      }
    }
  };

  const handle = async (msg: MainToHost): Promise<void> => {
    switch (msg.type) {
      case 'start': {
        await closeServer();
        batcher.flush();
        const problem = checkServeSettings(msg.settings);
        if (problem) {
          channel.send({ type: 'failed', ...problem });
          return;
        }
        try {
          server = await deps.serve(msg.settings, { onLog: batcher.sink });
          const { port, address } = server;
          channel.send({ type: 'listening', port, address, urls: await urls(address, port) });
          const directory = msg.settings.directory;
          folderWatch = watchFolder(directory, (presence) => {
            const present = presence === 'present';
            const message = present ? msgSharedFolderBack(directory) : msgSharedFolderGone(directory);
            batcher.sink(folderEventEntry(message, Date.now()));
            channel.send({ type: 'folder', present, message });
          });
        } catch (err) {
          channel.send({ type: 'failed', ...toServeFailure(err, msg.settings) });
        }
        return;
      }
      case 'stop':
        await closeServer();
        batcher.flush();
        channel.send({ type: 'stopped' });
        return;
      case 'ping': // answered before the queue (onMessage below)
        return;
      case 'shutdown':
        exiting = true;
        await closeServer();
        batcher.flush();
        batcher.dispose();
        deps.exit(0);
        return;
      default: {
        const unreachable: never = msg;
        console.error('servedir host: unknown message', unreachable);
      }
    }
  };

  channel.onMessage((raw) => {
    if (exiting) return;
    if (!isMainToHost(raw)) {
      console.error('servedir host: ignoring a malformed message', raw);
      return;
    }
    // The heartbeat is answered at once, not after a start or stop in progress: it asks
    // whether this process still runs, not whether the last request is done.
    if (raw.type === 'ping') {
      channel.send({ type: 'pong', n: raw.n });
      return;
    }
    chain = chain
      .then(() => handle(raw))
      .catch((err: unknown) => console.error('servedir host: message handling failed:', err));
  });
  channel.onDisconnect(() => {
    // The shell is gone (crashed or killed without shutdown): do not leave a server behind.
    if (exiting) return;
    exiting = true;
    chain = chain.then(async () => {
      await closeServer();
      batcher.dispose();
      deps.exit(0);
    });
  });
  channel.send({ type: 'ready', pid: deps.pid ?? process.pid });
  return { idle: () => chain };
}
