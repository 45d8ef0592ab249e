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

/** Opens `url`; resolves false when there is no opener or it could not be started. */
export function openInBrowser(url: string): Promise<boolean> {
  const opener = systemOpener();
  if (!opener) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(opener.command, opener.args(url), {
      stdio: 'ignore',
      detached: true,
      windowsVerbatimArguments: process.platform === 'win32',
    });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
