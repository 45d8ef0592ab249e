// Tests for reach-check.ts: the parsers with real outputs of each OS's tool, the facts
// with an injected runner, and the self-check against a real server on port 0.
import { afterEach, describe, expect, it } from 'vitest';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  firewallFacts,
  httpStatus,
  parseIsActive,
  parseMacFirewallState,
  parseNetConnectionProfiles,
  parseUfwConf,
  selfCheck,
  type RunFn,
} from './reach-check';

// Ubuntu 24.04's /etc/ufw/ufw.conf after `sudo ufw enable`.
const UFW_CONF_ON = `# /etc/ufw/ufw.conf
#

# Set to yes to start on boot. If setting this remotely, be sure to add a rule
# to allow your remote connection before starting ufw. Eg: 'ufw allow 22/tcp'
ENABLED=yes

# Please use the 'ufw' command to set the loglevel. Eg: 'ufw logging medium'.
# See 'man ufw' for details.
LOGLEVEL=low
`;

// Windows 11, `Get-NetConnectionProfile` in Windows PowerShell 5.1 (CRLF, a leading blank line).
const WIN_PROFILES = [
  '',
  '',
  'Name             : CoffeeShop Guest',
  'InterfaceAlias   : Wi-Fi',
  'InterfaceIndex   : 12',
  'NetworkCategory  : Public',
  'DomainAuthenticationKind : None',
  'IPv4Connectivity : Internet',
  'IPv6Connectivity : NoTraffic',
  '',
  'Name             : Network 2',
  'InterfaceAlias   : Ethernet',
  'InterfaceIndex   : 7',
  'NetworkCategory  : Private',
  'IPv4Connectivity : Internet',
  'IPv6Connectivity : NoTraffic',
  '',
  '',
].join('\r\n');

describe('parsers (real outputs)', () => {
  it('ufw.conf: ENABLED=yes / no; no line is unknown', () => {
    expect(parseUfwConf(UFW_CONF_ON)).toBe(true);
    expect(parseUfwConf(UFW_CONF_ON.replace('ENABLED=yes', 'ENABLED=no'))).toBe(false);
    expect(parseUfwConf('# nothing\n')).toBeNull();
  });

  it('systemctl is-active: only "active" with exit 0', () => {
    expect(parseIsActive('active\n', 0)).toBe(true);
    expect(parseIsActive('inactive\n', 3)).toBe(false);
    expect(parseIsActive('unknown\n', 3)).toBe(false);
  });

  it('Get-NetConnectionProfile: one profile per block, with its category', () => {
    expect(parseNetConnectionProfiles(WIN_PROFILES)).toEqual([
      { name: 'CoffeeShop Guest', alias: 'Wi-Fi', category: 'Public' },
      { name: 'Network 2', alias: 'Ethernet', category: 'Private' },
    ]);
    expect(parseNetConnectionProfiles('')).toEqual([]);
  });

  it('socketfilterfw --getglobalstate: on, off, block all', () => {
    expect(parseMacFirewallState('Firewall is enabled. (State = 1)\n')).toBe('on');
    expect(parseMacFirewallState('Firewall is disabled. (State = 0)\n')).toBe('off');
    expect(parseMacFirewallState('Firewall is enabled. (State = 2)\n')).toBe('block-all');
    expect(parseMacFirewallState('')).toBeNull();
  });
});

describe('firewallFacts', () => {
  const runner = (outputs: Record<string, { code: number | null; stdout: string } | Error>): RunFn => async (cmd) => {
    const o = outputs[cmd];
    if (o === undefined || o instanceof Error) throw o ?? Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return o;
  };
  const noFile = async () => {
    throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  };

  it('Linux: ufw on (from its config file) and firewalld active, each with the command for the port', async () => {
    const facts = await firewallFacts(
      { platform: 'linux', readFile: async () => UFW_CONF_ON, run: runner({ systemctl: { code: 0, stdout: 'active\n' } }) },
      8000,
    );
    expect(facts).toHaveLength(2);
    expect(facts.join('\n')).toContain('The ufw firewall is on');
    expect(facts.join('\n')).toContain('sudo ufw allow 8000/tcp');
    expect(facts.join('\n')).toContain('sudo firewall-cmd --add-port=8000/tcp');
  });

  it('Linux: nothing readable, nothing said', async () => {
    expect(await firewallFacts({ platform: 'linux', readFile: noFile, run: runner({ systemctl: { code: 3, stdout: 'inactive\n' } }) }, 8000)).toEqual([]);
    expect(await firewallFacts({ platform: 'linux', readFile: noFile, run: runner({}) }, 8000)).toEqual([]);
  });

  it('Windows: a Public network is named, with the way to make it Private', async () => {
    const facts = await firewallFacts({ platform: 'win32', run: runner({ 'powershell.exe': { code: 0, stdout: WIN_PROFILES } }) }, 8000);
    expect(facts).toHaveLength(1);
    expect(facts[0]).toMatch(/^Windows treats “CoffeeShop Guest” as a Public network, where Windows Defender Firewall blocks other devices/);
    expect(facts[0]).toContain('Network profile type → Private');
  });

  it('macOS: the application firewall on, or blocking all', async () => {
    const mac = (stdout: string) =>
      firewallFacts({ platform: 'darwin', run: runner({ '/usr/libexec/ApplicationFirewall/socketfilterfw': { code: 0, stdout } }) }, 8000);
    expect((await mac('Firewall is enabled. (State = 1)\n'))[0]).toMatch(/^The macOS firewall is on/);
    expect((await mac('Firewall is enabled. (State = 2)\n'))[0]).toMatch(/blocks all incoming connections/);
    expect(await mac('Firewall is disabled. (State = 0)\n')).toEqual([]);
  });
});

describe('selfCheck', () => {
  let server: http.Server | null = null;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it('an address that answers (any status) passes; a refused one fails in plain words', async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(403);
      res.end();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const ok = await selfCheck({ platform: 'test' }, `http://127.0.0.1:${port}/`, port);
    expect(ok).toMatchObject({ answered: true, firewall: [] });
    expect(await httpStatus(`http://127.0.0.1:${port}/`, 1000)).toBe(403);
    await new Promise<void>((r) => server!.close(() => r()));
    server = null;
    const bad = await selfCheck({ platform: 'test' }, `http://127.0.0.1:${port}/`, port);
    expect(bad.answered).toBe(false);
    expect(bad.message).toMatch(/^This computer could not open http:\/\/127\.0\.0\.1:\d+\/ \(nothing answered there\)\./);
  });

  it('a probe that hangs is given up after its timeout', async () => {
    const hung = await selfCheck(
      { platform: 'test', probe: (_u, ms) => new Promise((_, rej) => setTimeout(() => rej(Object.assign(new Error('t'), { code: 'ETIMEDOUT' })), Math.min(ms, 50))) },
      'http://192.0.2.1:8000/',
      8000,
    );
    expect(hung.message).toContain('no answer within 2 seconds');
  });
});
