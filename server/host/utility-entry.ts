/**
 * Entry of the utility host bundle (`out/main/host.cjs`): runs the engine out of the
 * shell's process.
 *
 * Runs in: an Electron `utilityProcess` (talks over `process.parentPort`) or a Node
 * `child_process.fork` child in the browser fallback and tests (talks over
 * `process.send`). Pure Node, no Electron import. This is the ONLY file that hands
 * `process` (and so `process.parentPort`) to the host logic in host-core.ts.
 */
import { serve } from '../serve.js';
import { capOldGenerationGrowth } from '../old-generation.js';
import { capYoungGeneration } from '../young-generation.js';
import { detectChannel, runHost, type ProcessLike } from './host-core.js';

// Same young-generation cap as the CLI (young-generation.ts): V8's default lets the new space
// grow to 32 MiB under load and keep it; capped, the host's peak RSS in the benchmark went
// 113 → ~90 MiB and its a64 CPU per request 40 → 34 µs (more frequent, much cheaper scavenges).
capYoungGeneration();
// And the old generation grows 1.3× over what is alive instead of V8's ~2× (old-generation.ts):
// the host's peak during the bench's g went 92–101 → 86 MiB at the same CPU per request.
capOldGenerationGrowth();

const channel = detectChannel(process as unknown as ProcessLike);

// Ctrl-C in a terminal signals the whole process group, this host included. The shell
// owns the shutdown (it sends `shutdown`, and we also exit when it disconnects), so a
// SIGINT here must not cut open connections and CGI children off before it does.
process.on('SIGINT', () => {});

runHost(channel, {
  serve,
  exit: (code) => {
    if (channel.kind === 'fork' && process.connected) {
      // Let pending IPC messages drain, then exit on our own; the timer is a backstop
      // in case something (a stuck socket) keeps the event loop alive.
      process.exitCode = code;
      process.disconnect();
      setTimeout(() => process.exit(code), 2000).unref();
    } else {
      setImmediate(() => process.exit(code));
    }
  },
});
