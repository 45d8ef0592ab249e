/**
 * Browser fallback entry (out/main/web.cjs): the same window as the desktop app, served
 * to the user's own browser from 127.0.0.1, for machines where Electron cannot start.
 *
 * Runs in: a plain Node process (`node out/main/web.cjs [--port N] [--open]`). NO
 * Electron import. It runs the engine in out/main/host.cjs through
 * `child_process.fork`, exactly as Electron runs it in a utility process.
 *
 * Prints one line `Servedir is open at <url>` and, with --open, hands the system's browser
 * opener another one. Each is a sign-in address (web-protocol.ts) that works once: the
 * printed one for ten minutes, the opener's for one (it sits on the opener's command
 * line, which other local users can read while it runs). When an address is opened
 * again, or too late, a fresh one is printed. Ctrl-C stops sharing and exits.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { composeShell } from '../compose';
import { nodeFork } from '../server-host';
import { userDataDir } from '../user-data';
import { startControlServer, type ControlServer } from './control-server';
import { openInBrowser } from './system-open';
import { OPENER_LINK_TTL_MS, PRINTED_LINK_TTL_MS } from './web-protocol';
import { serveErrorForListen } from '../../server/errors';

interface Args {
  readonly port: number;
  readonly open: boolean;
}

function parseArgs(argv: readonly string[]): Args | string {
  let port = 0;
  let open = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--open') open = true;
    else if (a === '--port' || a?.startsWith('--port=')) {
      const v = a === '--port' ? argv[++i] : a.slice('--port='.length);
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) return `The port must be a number from 0 to 65535, not "${v ?? ''}".`;
      port = n;
    } else return `Unknown option "${a}". Use --port N and --open.`;
  }
  return { port, open };
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    console.error(args);
    process.exitCode = 2;
    return;
  }
  const rendererDir = path.join(__dirname, '../renderer');
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    console.error('The Servedir window has not been built yet. Run "npm run build" first.');
    process.exitCode = 1;
    return;
  }

  let control: ControlServer | null = null;
  const { service } = await composeShell({
    userDataDir: userDataDir(),
    fork: nodeFork,
    hostEntry: path.join(__dirname, 'host.cjs'),
    emit: (channel, payload) => control?.broadcast(channel, payload),
    transport: 'web',
    version: readVersion(),
    openExternal: async (url) => {
      if (!(await openInBrowser(url))) console.log(`Open ${url} in your browser.`);
    },
    // The system opener shows a folder in the file manager as it opens a URL in the browser.
    openFolder: (folder) => openInBrowser(folder),
  });

  try {
    control = await startControlServer({
      handlers: service.handlers,
      rendererDir,
      port: args.port,
      onLastClientGone: () => service.rendererGone(),
      onStaleLink: () => {
        if (!control) return;
        console.log(`An address that was already used or has expired was opened. To open Servedir, use this one: ${control.issueLink(PRINTED_LINK_TTL_MS)}`);
      },
    });
  } catch (err) {
    const e = serveErrorForListen(err, args.port, '127.0.0.1');
    console.error(
      e.code === 'SRV_ERR_INTERNAL'
        ? `Servedir could not start its window server: ${(err as Error).message}`
        : `${e.message}${e.code === 'SRV_ERR_PORT_IN_USE' ? ' Or start without --port to pick a free one.' : ''}`,
    );
    await service.shutdown();
    process.exitCode = 1;
    return;
  }

  // Before the address is printed: whoever reads it may stop us at once, and a signal
  // that arrives before these handlers exist ends the process without shutting down.
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping Servedir…');
    const c = control;
    void Promise.allSettled([service.shutdown(), c?.close()]).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(`Servedir is open at ${control.issueLink(PRINTED_LINK_TTL_MS)}`);
  console.log('Keep this terminal open while you share; press Ctrl-C to stop. The address works once, within 10 minutes.');
  if (args.open && !(await openInBrowser(control.issueLink(OPENER_LINK_TTL_MS)))) {
    console.log('Open the address above in your web browser.');
  }
}

void main().catch((err: unknown) => {
  console.error('Servedir could not start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
