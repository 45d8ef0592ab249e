/**
 * Process helpers for the attack suite: is a CGI child (started by the server under
 * test, which records its pid in the fixture's pid folder) still running?
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './wire.js';

/** True while `pid` exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Wait for a CGI script to write its pid file `name`; returns the pid. */
export async function waitForPid(pidDir: string, name: string, timeoutMs = 5000): Promise<number> {
  const file = join(pidDir, name);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'latin1').trim();
      if (/^\d+$/.test(text)) return Number(text);
    }
    await sleep(50);
  }
  throw new Error(`CGI script never wrote ${file}`);
}

/** Wait until `pid` is gone; returns false if it is still running after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await sleep(50);
  }
  return !isRunning(pid);
}

/**
 * Kill every CGI child recorded in the pid folder that is still running (cleanup after
 * a server that failed to do it, so a failing test leaves nothing behind). Only pids of
 * `python3` processes running one of our fixture scripts are touched.
 */
export function killLeftovers(pidDir: string): void {
  if (!existsSync(pidDir)) return;
  for (const name of readdirSync(pidDir)) {
    const pid = Number(readFileSync(join(pidDir, name), 'latin1').trim());
    if (!Number.isInteger(pid) || pid <= 1 || !isRunning(pid)) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (cmdline.includes(pidDir.replace(/\/pids$/, ''))) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
