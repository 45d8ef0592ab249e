/**
 * Pure Node. Keeps V8's young generation (the "new space", where every short-lived object of a
 * request starts) at a few MiB instead of letting it grow to its default maximum of 2 × 16 MiB.
 * Under load the default lets the new space grow to 32 MiB of memory the server keeps for good;
 * 2 × 4 MiB cost no more garbage-collection time per request in our measurements (a busy
 * server's short-lived objects die young either way) and keep ~25 MiB less resident.
 *
 * `--max-semi-space-size=4` does exactly this, but only on the command line or in
 * NODE_OPTIONS: V8 reads it when the heap is created, so `v8.setFlagsFromString` after start-up
 * changes nothing (checked: the new space still grows to 32 MiB). `node dist/server/cli.js`
 * has no place for the flag. What V8 does read at run time is the factor by which the new space
 * grows (`--semi-space-growth-factor`, read at each growth): after every garbage collection
 * this sets it to 1 (no growth) once the new space has reached the cap, and back to 2 below it
 * (V8 shrinks the new space again when the server is idle). The check runs between tasks (a
 * `gc` performance observer): one long synchronous task could still grow it past the cap, but
 * requests are short tasks. A process started
 * with `--max-semi-space-size` is left alone.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

/** Semi-space size kept by `capYoungGeneration` by default, in MiB (the new space is twice it). */
export const YOUNG_SEMI_SPACE_MIB = 4;

/** The new space's current size in bytes (both semi-spaces). */
export function newSpaceBytes(): number {
  for (const space of v8.getHeapSpaceStatistics()) if (space.space_name === 'new_space') return space.space_size;
  return 0;
}

/** True when V8 was given `--max-semi-space-size` at start-up (command line or NODE_OPTIONS). */
export function semiSpaceSetAtStartup(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): boolean {
  const named = (arg: string): boolean => /^--max[-_]semi[-_]space[-_]size(=|$)/.test(arg);
  return execArgv.some(named) || nodeOptions.split(/\s+/).some(named);
}

/**
 * Keep the young generation at about `semiSpaceMiB` per semi-space from now on. Returns a
 * function that stops doing so (the growth factor goes back to V8's default, 2). Does nothing
 * when `--max-semi-space-size` was given at start-up.
 */
export function capYoungGeneration(semiSpaceMiB = YOUNG_SEMI_SPACE_MIB): () => void {
  if (semiSpaceSetAtStartup()) return () => {};
  const limit = 2 * semiSpaceMiB * 1024 * 1024;
  let factor = 2; // V8's default
  const adjust = (): void => {
    // Doubling below the cap (V8's default), no growth at it.
    const next = newSpaceBytes() < limit ? 2 : 1;
    if (next === factor) return;
    factor = next;
    v8.setFlagsFromString(`--semi-space-growth-factor=${factor}`);
  };
  adjust();
  const observer = new PerformanceObserver(adjust);
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    if (factor !== 2) v8.setFlagsFromString('--semi-space-growth-factor=2');
    factor = 2;
  };
}
