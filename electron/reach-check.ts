/**
 * "Phone can't connect?": what the shell can find out by itself. A self-check (does the
 * address shown big answer from this computer? It catches a server bound to the wrong
 * interface), and the firewall facts an unprivileged app may read on each OS: ufw's
 * config file and firewalld's unit on Linux, the network profile (Public/Private) on
 * Windows, the application firewall's global state on macOS.
 *
 * Runs in: the Electron main process and the browser-fallback control server. The
 * parsers are pure and tested with real outputs; the HTTP probe, the command runner and
 * the file reader are injected (defaults at the end), each with a short timeout.
 */
import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { SelfCheck } from './ipc-contract';

/** Each probe gives up after this; the panel must open fast even when a command hangs. */
export const PROBE_TIMEOUT_MS = 2_000;

/** Answers the HTTP status of a GET to `url`, or rejects (refused, timed out, …). */
export type HttpProbe = (url: string, timeoutMs: number) => Promise<number>;
/** Runs a command without a shell; resolves with its exit code and output, rejects when it cannot start or times out. */
export type RunFn = (cmd: string, args: readonly string[], timeoutMs: number) => Promise<{ readonly code: number | null; readonly stdout: string }>;
export type ReadFileFn = (path: string) => Promise<string>;

export interface ReachDeps {
  readonly platform: string;
  readonly probe?: HttpProbe;
  readonly run?: RunFn;
  readonly readFile?: ReadFileFn;
}

// ---------------------------------------------------------------------------------------
// Parsers (pure)

/** `/etc/ufw/ufw.conf` (world-readable; `ufw status` needs root): ENABLED=yes means ufw is on. */
export function parseUfwConf(text: string): boolean | null {
  const m = /^\s*ENABLED\s*=\s*"?(\w+)"?\s*$/im.exec(text);
  if (!m) return null;
  return m[1]!.toLowerCase() === 'yes';
}

/** `systemctl is-active firewalld`: "active" (exit 0) or inactive/unknown/failed. */
export function parseIsActive(stdout: string, code: number | null): boolean {
  return code === 0 && stdout.trim() === 'active';
}

export interface NetProfile {
  readonly name: string;
  readonly alias: string;
  readonly category: string;
}

/**
 * `Get-NetConnectionProfile` as PowerShell prints it (a list of `Key : Value` blocks):
 * one profile per connected network.
 */
export function parseNetConnectionProfiles(text: string): NetProfile[] {
  const out: NetProfile[] = [];
  for (const block of text.split(/\r?\n\s*\r?\n/)) {
    const kv = new Map<string, string>();
    for (const line of block.split(/\r?\n/)) {
      const m = /^\s*([A-Za-z0-9]+)\s*:\s*(.*?)\s*$/.exec(line);
      if (m) kv.set(m[1]!, m[2]!);
    }
    const category = kv.get('NetworkCategory');
    if (category === undefined) continue;
    out.push({ name: kv.get('Name') ?? '', alias: kv.get('InterfaceAlias') ?? '', category });
  }
  return out;
}

/**
 * `socketfilterfw --getglobalstate`: "Firewall is enabled. (State = 1)", "… disabled.
 * (State = 0)", State = 2 blocks all incoming connections.
 */
export function parseMacFirewallState(stdout: string): 'off' | 'on' | 'block-all' | null {
  const m = /State\s*=\s*(\d)/.exec(stdout);
  if (m) return m[1] === '0' ? 'off' : m[1] === '2' ? 'block-all' : 'on';
  if (/is disabled/i.test(stdout)) return 'off';
  if (/is enabled/i.test(stdout)) return 'on';
  return null;
}

// ---------------------------------------------------------------------------------------
// The facts, in plain words

const MSG_UFW_ON =
  'The ufw firewall is on. It blocks other devices unless the port is allowed: in a terminal, run: sudo ufw allow PORT/tcp';
const MSG_FIREWALLD_ON =
  'The firewalld firewall is running. It blocks other devices unless the port is open: in a terminal, run: sudo firewall-cmd --add-port=PORT/tcp';
const msgPublic = (names: string) =>
  `Windows treats ${names} as a Public network, where Windows Defender Firewall blocks other devices. If this is your home or office network, make it Private: Settings → Network & internet → Wi-Fi (or Ethernet) → your network → Network profile type → Private.`;
const MSG_MAC_ON =
  'The macOS firewall is on. When macOS asks whether to allow incoming connections for Servedir (or node), choose Allow; or in System Settings → Network → Firewall → Options, allow Servedir.';
const MSG_MAC_BLOCK_ALL =
  'The macOS firewall blocks all incoming connections. Turn off "Block all incoming connections" in System Settings → Network → Firewall → Options.';

/** Reads what the OS lets an unprivileged app read about its firewall; each fact is one plain sentence. */
export async function firewallFacts(deps: ReachDeps, port: number): Promise<string[]> {
  const run = deps.run ?? runCommand;
  const readFile = deps.readFile ?? ((p: string) => fsp.readFile(p, 'utf8'));
  const withPort = (s: string) => s.replace('PORT', String(port));
  const facts: string[] = [];
  const tries: Promise<void>[] = [];
  if (deps.platform === 'linux') {
    tries.push(
      readFile('/etc/ufw/ufw.conf').then((t) => {
        if (parseUfwConf(t) === true) facts.push(withPort(MSG_UFW_ON));
      }),
      run('systemctl', ['is-active', 'firewalld'], PROBE_TIMEOUT_MS).then((r) => {
        if (parseIsActive(r.stdout, r.code)) facts.push(withPort(MSG_FIREWALLD_ON));
      }),
    );
  } else if (deps.platform === 'win32') {
    tries.push(
      run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', 'Get-NetConnectionProfile'], PROBE_TIMEOUT_MS).then((r) => {
        const pub = parseNetConnectionProfiles(r.stdout).filter((p) => p.category === 'Public');
        if (pub.length > 0) facts.push(msgPublic(pub.map((p) => `“${p.name || p.alias}”`).join(' and ')));
      }),
    );
  } else if (deps.platform === 'darwin') {
    tries.push(
      run('/usr/libexec/ApplicationFirewall/socketfilterfw', ['--getglobalstate'], PROBE_TIMEOUT_MS).then((r) => {
        const s = parseMacFirewallState(r.stdout);
        if (s === 'on') facts.push(MSG_MAC_ON);
        if (s === 'block-all') facts.push(MSG_MAC_BLOCK_ALL);
      }),
    );
  }
  // A probe that cannot run says nothing: the panel's general steps still apply.
  await Promise.allSettled(tries);
  return facts;
}

export const MSG_SELF_OK = 'This computer can open the address, so the server is listening on it.';
export const msgSelfFailed = (url: string, why: string): string =>
  `This computer could not open ${url} (${why}). The server may be listening on another network connection: stop sharing, choose “All network interfaces” under “Who can connect”, and share again.`;

/** Opens the address from this computer, and reads the firewall facts, at the same time. */
export async function selfCheck(deps: ReachDeps, url: string, port: number): Promise<SelfCheck> {
  const probe = deps.probe ?? httpStatus;
  const [answer, firewall] = await Promise.all([
    probe(url, PROBE_TIMEOUT_MS).then(
      () => ({ answered: true, message: MSG_SELF_OK }),
      (e: unknown) => ({ answered: false, message: msgSelfFailed(url, whyNot(e)) }),
    ),
    firewallFacts(deps, port),
  ]);
  return { url, ...answer, firewall };
}

function whyNot(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ECONNREFUSED') return 'nothing answered there';
  if (code === 'ETIMEDOUT' || code === 'ABORT_ERR') return 'no answer within 2 seconds';
  if (code === 'ECONNRESET') return 'the connection was cut';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return 'this computer has no such address now';
  return 'no answer';
}

// ---------------------------------------------------------------------------------------
// Defaults

/** A GET on a fresh connection with a deadline; any HTTP answer counts (a 403 still proves the server listens). */
export const httpStatus: HttpProbe = (url, timeoutMs) =>
  new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, { agent: false, timeout: timeoutMs, rejectUnauthorized: false, headers: { 'User-Agent': 'Servedir self-check' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });

export const runCommand: RunFn = (cmd, args, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, windowsHide: true, encoding: 'utf8' }, (err, stdout) => {
      const e = err as (NodeJS.ErrnoException & { code?: unknown; killed?: boolean }) | null;
      if (e && (typeof e.code === 'string' || e.killed)) reject(e);
      else resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout });
    });
  });
