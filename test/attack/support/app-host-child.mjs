// Attack-suite helper, runs as its own Node process: the engine as the desktop app's utility
// host runs it (server/host/utility-entry.ts): the young-generation cap first, then `serve()`
// from the built dist/server/serve.js with the app's settings, hardened. Unlike serve-child.mjs
// it logs nothing (the host batches its log to the window; here it is dropped), so what its
// memory shows is the engine's.
//
// argv[2] is JSON: { settings: ServeSettings, options?: ServeOptions minus onLog }.
// Prints `LISTENING <port>` on stdout once bound; closes the server on SIGTERM.
const config = JSON.parse(process.argv[2]);
const dist = new URL('../../../dist/server/', import.meta.url).href;
const { capYoungGeneration } = await import(`${dist}young-generation.js`);
capYoungGeneration();
const { serve } = await import(`${dist}serve.js`);
const server = await serve(config.settings, { ...(config.options ?? {}), onLog: () => {} });
process.stdout.write(`LISTENING ${server.port}\n`);
process.on('SIGTERM', () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
