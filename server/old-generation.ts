/**
 * Pure Node. Keeps V8's old generation close to what is really alive in a busy server.
 *
 * After each full garbage collection V8 lets the old generation grow to a multiple of what
 * survived it before the next one: a factor it picks between 1.1 and 4 from its measured
 * collection and allocation speeds, usually about 2 on a server under load. A server's
 * short-lived objects that outlive two scavenges (a request still queued for writing, a log
 * batch waiting its 50 ms) are promoted, so at tens of thousands of requests a second the old
 * generation fills with garbage and doubles before it is collected.
 *
 * Measured (bench, 2026-12-06, the app's host through the full workload sequence a1 … g on 2
 * busy cores): with V8's own factor the old space swung between ~10 and ~24 MiB used and the
 * host peaked at 92–101 MiB during g; with a fixed factor of 1.3 it swung between ~6 and ~13
 * MiB and peaked at 85.6 MiB, at the same CPU time per request (a16: 39.6 against 39.5–40.7
 * µs). A full collection of a ~10 MiB heap is a few milliseconds, mostly concurrent.
 *
 * V8 reads `--heap-growing-percent` at each full collection, so setting it at run time works
 * (unlike `--max-semi-space-size`, see young-generation.ts). A process given the flag on its
 * command line is left alone (Node refuses it in NODE_OPTIONS).
 */
import v8 from 'node:v8';

/** The old generation may grow by this percent over what survived the last full collection. */
export const OLD_GENERATION_GROWING_PERCENT = 30;

/** True when V8 was given `--heap-growing-percent` on the command line. */
export function heapGrowingSetAtStartup(execArgv: readonly string[] = process.execArgv): boolean {
  return execArgv.some((arg) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg));
}

/**
 * From now on, let the old generation grow by `percent` over the live size before the next
 * full collection, instead of V8's own factor. Does nothing when the flag was given at start-up.
 */
export function capOldGenerationGrowth(percent = OLD_GENERATION_GROWING_PERCENT): void {
  if (heapGrowingSetAtStartup()) return;
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
