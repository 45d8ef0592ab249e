/**
 * Benchmark harness: preloaded into our CLI with `node --import` when profiling
 * (`npm run bench -- --cpu-prof`). Node writes a --cpu-prof profile only when the process
 * exits normally; the default SIGTERM action kills it without writing. This turns SIGTERM
 * into an orderly process.exit(0) so the profile is saved.
 */
process.on('SIGTERM', () => process.exit(0));
