/**
 * Opens a URL in the user's default browser with the system opener (`xdg-open`, `open`,
 * `start`), for the browser fallback where Electron's `shell.openExternal` is absent.
 *
 * Runs in: the browser-fallback control server. Pure Node.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The opener command for this platform, or null when none is installed. */
export function systemOpener(
  platform: NodeJS.Platform = process.platform,
  envPath: string = process.env['PATH'] ?? '',
): { command: string; args: (url: string) => string[] } | null {
  if (platform === 'win32') {
    // `start` is a cmd built-in; "" is its window-title argument. Arguments go to cmd
    // verbatim (see openInBrowser), so the URL is quoted here and & needs no escaping.
    return { command: 'cmd', args: (url) => ['/c', 'start', '""', `"${url.replace(/"/g, '')}"`] };
  }
  const name = platform === 'darwin' ? 'open' : 'xdg-open';
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const full = path.join(dir, name);
    try {
      fs.accessSync(full, fs.constants.X_OK);
      return { command: full, args: (url) => [url] };
    } catch {
      // not in this PATH entry
    }
  }
  return null;
}

/**
 * Opens `url`. Resolves false when there is no opener, it could not be started, or it
 * exited with an error: xdg-open is often installed where no browser is (a server, a
 * container) and then exits 3 ("no method available"), so having started it proves
 * nothing, and the caller must tell the user to open the address by hand. Openers exit
 * once the browser has the URL; one still running after `waitMs` is taken as success.
 */
export function openInBrowser(
  url: string,
  opener: ReturnType<typeof systemOpener> = systemOpener(),
  waitMs = 5000,
): Promise<boolean> {
  if (!opener) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(opener.command, opener.args(url), {
      stdio: 'ignore',
      detached: true,
      windowsVerbatimArguments: process.platform === 'win32',
    });
    let timer: NodeJS.Timeout | undefined;
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('spawn', () => {
      timer = setTimeout(() => {
        child.unref();
        resolve(true);
      }, waitMs);
      timer.unref();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}
