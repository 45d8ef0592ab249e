// Attack-suite helper, runs as its own Node process: the desktop app's way of running the
// engine (`serve()` from the built dist/server/serve.js, hardened as the app always is),
// without Electron, so a test can measure this process's memory and see it die.
//
// argv[2] is JSON: { settings: ServeSettings, options?: ServeOptions minus onLog }.
// Prints `LISTENING <port>` on stdout once bound, every log entry as `LOG <json>` on
// stderr, and closes the server on SIGTERM.
const config = JSON.parse(process.argv[2]);
const { serve } = await import(new URL('../../../dist/server/serve.js', import.meta.url).href);
const server = await serve(config.settings, {
  ...(config.options ?? {}),
  onLog: (entry) => process.stderr.write(`LOG ${JSON.stringify(entry)}\n`),
});
process.stdout.write(`LISTENING ${server.port}\n`);
process.on('SIGTERM', () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
