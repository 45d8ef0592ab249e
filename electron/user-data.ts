/**
 * Where the app keeps its settings: the same folder Electron's `app.getPath('userData')`
 * gives for an app named "Servedir", so the desktop app and the browser fallback share
 * one settings file.
 *
 * Runs in: the browser-fallback control server (Electron main asks Electron instead).
 * Pure Node.
 */
import * as os from 'node:os';
import * as path from 'node:path';

export const APP_NAME = 'Servedir';

/**
 * `$SERVEDIR_USER_DATA` when set (tests), else the platform's per-user config folder:
 * `$XDG_CONFIG_HOME/Servedir` or `~/.config/Servedir` (Linux), `~/Library/Application
 * Support/Servedir` (macOS), `%APPDATA%\Servedir` (Windows).
 */
export function userDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  const override = env['SERVEDIR_USER_DATA'];
  if (override) return override;
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', APP_NAME);
    case 'win32':
      return path.join(env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
    default: {
      const xdg = env['XDG_CONFIG_HOME'];
      return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config'), APP_NAME);
    }
  }
}
