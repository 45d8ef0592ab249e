// Tests for net-info.ts: bind choices and share-URL ranking over injected interface and
// routing tables (real machines' layouts), the routing-table readers, and free-port
// discovery on the real loopback.
import { describe, expect, it } from 'vitest';
import * as net from 'node:net';
import {
  findShareUrls,
  freePort,
  listBindChoices,
  parseNetstatRn,
  parseProcNetIpv6Route,
  parseProcNetRoute,
  parseRoutePrint,
  readDefaultRoutes,
  shareUrlsFor,
  suggestFreePort,
  type InterfaceTable,
} from './net-info.js';

const info = (address: string, family: 'IPv4' | 'IPv6', internal = false) => ({
  address,
  family,
  internal,
  netmask: '',
  mac: '00:00:00:00:00:00',
  cidr: null,
  ...(family === 'IPv6' ? { scopeid: 0 } : {}),
});

// Loopback listed first on purpose: ordering must not depend on the system's order.
const table = {
  lo: [info('127.0.0.1', 'IPv4', true), info('::1', 'IPv6', true)],
  wlan0: [info('fe80::1', 'IPv6'), info('fd00::5', 'IPv6'), info('192.168.1.5', 'IPv4')],
  eth1: [info('169.254.3.3', 'IPv4'), info('10.0.0.7', 'IPv4')],
} as unknown as InterfaceTable;

describe('listBindChoices', () => {
  it('puts the two special choices first, then LAN addresses, IPv4 before IPv6, link-local last, no link-local v6', () => {
    const choices = listBindChoices(table);
    expect(choices.map((c) => c.address)).toEqual(['', '127.0.0.1', '192.168.1.5', '10.0.0.7', 'fd00::5', '169.254.3.3']);
    expect(choices[0]?.label).toBe('All network interfaces');
    expect(choices[1]?.label).toBe('This computer only');
    expect(choices[2]?.label).toBe('wlan0 — 192.168.1.5');
  });
});

describe('shareUrlsFor', () => {
  it('a dual-stack bind lists every address: LAN IPv4, LAN IPv6, link-local v4, then loopback', () => {
    const urls = shareUrlsFor('::', 8000, table).map((u) => u.url);
    expect(urls).toEqual([
      'http://192.168.1.5:8000/',
      'http://10.0.0.7:8000/',
      'http://[fd00::5]:8000/',
      'http://169.254.3.3:8000/',
      'http://127.0.0.1:8000/',
      'http://[::1]:8000/',
    ]);
    const all = shareUrlsFor('::', 8000, table);
    expect(all.at(-1)).toMatchObject({ scope: 'loopback', label: 'This computer', family: 'IPv6' });
    expect(all[0]).toMatchObject({ scope: 'lan', label: 'Local network (wlan0)', family: 'IPv4' });
  });

  it('0.0.0.0 lists IPv4 only', () => {
    const urls = shareUrlsFor('0.0.0.0', 80, table).map((u) => u.url);
    expect(urls).toEqual(['http://192.168.1.5:80/', 'http://10.0.0.7:80/', 'http://169.254.3.3:80/', 'http://127.0.0.1:80/']);
  });

  it('a specific address lists just that address', () => {
    expect(shareUrlsFor('127.0.0.1', 9000, table)).toEqual([
      { url: 'http://127.0.0.1:9000/', label: 'This computer', scope: 'loopback', family: 'IPv4', kind: 'loopback', note: 'Only on this computer' },
    ]);
    expect(shareUrlsFor('192.168.1.5', 9000, table)).toEqual([
      { url: 'http://192.168.1.5:9000/', label: 'Local network (wlan0)', scope: 'lan', family: 'IPv4', kind: 'lan' },
    ]);
  });

  it('a link-local bind with a zone keeps the zone, percent-encoded', () => {
    expect(shareUrlsFor('fe80::1%wlan0', 8000, table)[0]?.url).toBe('http://[fe80::1%25wlan0]:8000/');
  });

  it('a machine with only loopback still gets a loopback URL for a wildcard bind', () => {
    expect(shareUrlsFor('::', 8000, {}).map((u) => u.url)).toEqual(['http://127.0.0.1:8000/']);
  });
});

describe('freePort / suggestFreePort', () => {
  it('returns a port that can be listened on', async () => {
    const p = await freePort('127.0.0.1');
    expect(p).toBeGreaterThan(0);
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(p, '127.0.0.1', r));
    srv.close();
  });

  it('suggests a port near the one that is taken, never the taken one', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const taken = (srv.address() as net.AddressInfo).port;
    try {
      const s = await suggestFreePort('127.0.0.1', taken);
      expect(s).not.toBe(taken);
      expect(s).toBeGreaterThan(0);
    } finally {
      srv.close();
    }
  });
});

// ---------------------------------------------------------------------------------------
// Real layouts: os.networkInterfaces() and the routing table as these machines print them
// (addresses changed to documentation-like ones; interface names, order and formats kept).

const v4 = (address: string, netmask = '255.255.255.0') => ({ ...info(address, 'IPv4'), netmask, cidr: null });
const v6 = (address: string) => info(address, 'IPv6');
const urlsOf = (urls: readonly { url: string }[]) => urls.map((u) => u.url.replace(/:8000\/$/, ''));

/** Linux laptop on Wi-Fi, with Docker (docker0 + a compose network) and Tailscale. */
const linuxLaptop = {
  table: {
    lo: [info('127.0.0.1', 'IPv4', true), info('::1', 'IPv6', true)],
    // The kernel lists docker0 before the Wi-Fi here: what made 172.17.0.1 the first address.
    docker0: [v4('172.17.0.1', '255.255.0.0'), v6('fe80::42:d4ff:fe9b:1c3e')],
    'br-5f3a9c1e2d4b': [v4('172.18.0.1', '255.255.0.0'), v6('fe80::42:1aff:fe2b:7d10')],
    wlp0s20f3: [
      v4('192.168.1.42'),
      v6('2a02:8071:5e1:9b00:1c2d:3e4f:5a6b:7c8d'),
      v6('fd12:3456:789a:1::42'),
      v6('fe80::9a3b:16ff:fe22:4d1e'),
    ],
    tailscale0: [v4('100.101.102.103', '255.255.255.255'), v6('fd7a:115c:a1e0::1234:5678'), v6('fe80::7c5b:1e7a:9d3:aa11')],
    veth3c1d2e4: [v6('fe80::e4b1:4fff:fe3c:9a02')],
  } as unknown as InterfaceTable,
  // /proc/net/route: NetworkManager's default on the Wi-Fi (metric 600); Tailscale routes
  // through its own policy table (52), so nothing of it shows in the main table.
  route: [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       ',
    'wlp0s20f3\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0                                                                               ',
    'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0                                                                               ',
    'br-5f3a9c1e2d4b\t000012AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0                                                                               ',
    'wlp0s20f3\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0                                                                               ',
    '',
  ].join('\n'),
  ipv6Route: [
    '2a028071005e19b00000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000258 00000001 00000000 00000001 wlp0s20f3',
    'fd123456789a00010000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000258 00000001 00000000 00000001 wlp0s20f3',
    'fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001  docker0',
    '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000258 00000002 00000000 00450003 wlp0s20f3',
    '00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000004 00000000 80200001       lo',
    '00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo',
    '',
  ].join('\n'),
};

/** Windows 11 laptop on Wi-Fi with WSL 2 and Hyper-V's Default Switch. */
const windowsLaptop = {
  table: {
    'vEthernet (Default Switch)': [v6('fe80::3d1b:5c2e:7a4f:9e10'), v4('172.29.96.1', '255.255.240.0')],
    'vEthernet (WSL (Hyper-V firewall))': [v6('fe80::8b2c:1d4e:5f6a:7b8c'), v4('172.22.208.1', '255.255.240.0')],
    'Wi-Fi': [v6('2a02:8071:5e1:9b00:e5a1:2b3c:4d5e:6f70'), v6('fe80::b1c2:d3e4:f5a6:b7c8'), v4('192.168.0.23')],
    'Loopback Pseudo-Interface 1': [info('::1', 'IPv6', true), info('127.0.0.1', 'IPv4', true)],
  } as unknown as InterfaceTable,
  routePrint: [
    '===========================================================================',
    'Interface List',
    ' 18...00 15 5d 01 c8 0a ......Hyper-V Virtual Ethernet Adapter',
    ' 12...3c 58 c2 9a 11 7e ......Intel(R) Wi-Fi 6 AX201 160MHz',
    ' 31...00 15 5d 7a 3e 21 ......Hyper-V Virtual Ethernet Adapter #2',
    '  1...........................Software Loopback Interface 1',
    '===========================================================================',
    '',
    'IPv4 Route Table',
    '===========================================================================',
    'Active Routes:',
    'Network Destination        Netmask          Gateway       Interface  Metric',
    '          0.0.0.0          0.0.0.0      192.168.0.1     192.168.0.23     35',
    '        127.0.0.0        255.0.0.0         On-link         127.0.0.1    331',
    '        127.0.0.1  255.255.255.255         On-link         127.0.0.1    331',
    '  127.255.255.255  255.255.255.255         On-link         127.0.0.1    331',
    '     172.22.208.0    255.255.240.0         On-link      172.22.208.1   5256',
    '     172.22.208.1  255.255.255.255         On-link      172.22.208.1   5256',
    '      172.29.96.0    255.255.240.0         On-link       172.29.96.1   5256',
    '      192.168.0.0    255.255.255.0         On-link      192.168.0.23    291',
    '     192.168.0.23  255.255.255.255         On-link      192.168.0.23    291',
    '        224.0.0.0        240.0.0.0         On-link         127.0.0.1    331',
    '  255.255.255.255  255.255.255.255         On-link         127.0.0.1    331',
    '===========================================================================',
    'Persistent Routes:',
    '  Network Address          Netmask  Gateway Address  Metric',
    '          0.0.0.0          0.0.0.0      192.168.0.1  Default',
    '===========================================================================',
    '',
  ].join('\r\n'),
};

/** MacBook on Wi-Fi (en0), a corporate VPN (utun3), iCloud Private Relay's utun0–2, and a UTM VM (bridge100). */
const macLaptop = {
  table: {
    lo0: [info('127.0.0.1', 'IPv4', true), info('::1', 'IPv6', true), info('fe80::1', 'IPv6', true)],
    anpi0: [v6('fe80::6c2f:3aff:fe11:2233')],
    en0: [v6('fe80::18f2:7a3b:c4d5:e6f7'), v6('2003:e4:1f0a:5c00:1c8a:2b3d:4e5f:6071'), v4('192.168.178.34')],
    awdl0: [v6('fe80::a8b1:c2ff:fed3:e4f5')],
    llw0: [v6('fe80::a8b1:c2ff:fed3:e4f5')],
    utun0: [v6('fe80::5c2d:8e1f:a2b3:c4d5')],
    utun1: [v6('fe80::9d1a:2b3c:4d5e:6f70')],
    utun2: [v6('fe80::ce81:b1c:bd2c:69e')],
    utun3: [v4('10.8.0.6', '255.255.255.0')],
    bridge100: [v4('192.168.64.1'), v6('fe80::5ac1:2aff:fe3b:4c64')],
  } as unknown as InterfaceTable,
  netstat: `Routing tables

Internet:
Destination        Gateway            Flags               Netif Expire
default            192.168.178.1      UGScg                 en0       
default            link#22            UCSIg               utun3       
10.8.0/24          10.8.0.6           UGSc                utun3       
127                127.0.0.1          UCS                   lo0       
127.0.0.1          127.0.0.1          UH                    lo0       
169.254            link#6             UCS                   en0      !
192.168.64         link#24            UC              bridge100      !
192.168.64.1       5a.c1.2a.3b.4c.64  UHLWI                 lo0       
192.168.178        link#6             UCS                   en0      !
192.168.178.1/32   link#6             UCS                   en0      !
192.168.178.1      3c:a6:2f:11:22:33  UHLWIir               en0   1185
192.168.178.34/32  link#6             UCS                   en0      !

Internet6:
Destination                             Gateway                                 Flags               Netif Expire
default                                 fe80::%utun0                            UGcIg               utun0       
default                                 fe80::%utun1                            UGcIg               utun1       
default                                 fe80::3ea6:2fff:fe11:2233%en0           UGcg                  en0       
::1                                     ::1                                     UHL                   lo0       
2003:e4:1f0a:5c00::/64                  link#6                                  UC                    en0       
fe80::%lo0/64                           fe80::1%lo0                             UcI                   lo0       
fe80::1%lo0                             link#1                                  UHLI                  lo0       
ff00::/8                                ::1                                     UmCI                  lo0       
`,
};

/** Linux desktop with both a cable (enp3s0, metric 100) and Wi-Fi (wlp4s0, metric 600) on one router. */
const desktop = {
  table: {
    lo: [info('127.0.0.1', 'IPv4', true), info('::1', 'IPv6', true)],
    wlp4s0: [v4('192.168.1.61'), v6('fd00:1:2:3::61'), v6('fe80::2e0d:a7ff:fe11:6161')],
    enp3s0: [v4('192.168.1.60'), v6('fd00:1:2:3::60'), v6('fe80::d65d:64ff:fe7a:6060')],
  } as unknown as InterfaceTable,
  route: [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'wlp4s0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0',
    'enp3s0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0',
    'enp3s0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0',
    'wlp4s0\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0',
    '',
  ].join('\n'),
  ipv6Route: [
    '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000064 00000001 00000000 00450003   enp3s0',
    '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000258 00000001 00000000 00450003   wlp4s0',
    '',
  ].join('\n'),
};

/** Sources that answer from a layout; `run` records what was run. */
function sources(platform: NodeJS.Platform, files: Record<string, string>, commands: Record<string, string> = {}) {
  const ran: string[] = [];
  return {
    ran,
    src: {
      platform,
      readFile: async (p: string) => {
        const t = files[p];
        if (t === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
        return t;
      },
      run: async (file: string, args: readonly string[]) => {
        const cmd = [file.split(/[\\/]/).pop(), ...args].join(' ');
        ran.push(cmd);
        const t = commands[cmd];
        if (t === undefined) throw new Error(`not found: ${cmd}`);
        return t;
      },
    },
  };
}

describe('routing tables', () => {
  it('/proc/net/route: the default routes, with their metrics; other routes ignored', () => {
    expect(parseProcNetRoute(desktop.route)).toEqual([
      { family: 'IPv4', iface: 'wlp4s0', metric: 600 },
      { family: 'IPv4', iface: 'enp3s0', metric: 100 },
    ]);
  });
  it("/proc/net/ipv6_route: ::/0 that is up, not the kernel's reject route on lo; metrics in hex", () => {
    expect(parseProcNetIpv6Route(linuxLaptop.ipv6Route)).toEqual([{ family: 'IPv6', iface: 'wlp0s20f3', metric: 600 }]);
  });
  it('macOS netstat -rn: default routes in order, interface-scoped (I) ones after', () => {
    const r = parseNetstatRn(macLaptop.netstat);
    expect(r.map((x) => `${x.family} ${x.iface}`)).toEqual(['IPv4 en0', 'IPv4 utun3', 'IPv6 utun0', 'IPv6 utun1', 'IPv6 en0']);
    expect(r.find((x) => x.iface === 'en0')!.metric).toBeLessThan(r.find((x) => x.iface === 'utun3')!.metric);
  });
  it('Windows route print: the active 0.0.0.0/0 by its interface address, not the persistent copy', () => {
    expect(parseRoutePrint(windowsLaptop.routePrint)).toEqual([{ family: 'IPv4', address: '192.168.0.23', metric: 35 }]);
  });
  it("Windows route print in another language: read by the rows' shape, not the titles", () => {
    const german = windowsLaptop.routePrint
      .replace('Active Routes:', 'Aktive Routen:')
      .replace('Network Destination        Netmask          Gateway       Interface  Metric', '     Netzwerkziel    Netzwerkmaske          Gateway    Schnittstelle Metrik')
      .replace('Persistent Routes:', 'Ständige Routen:')
      .replace('192.168.0.1  Default', '192.168.0.1  Standard');
    expect(parseRoutePrint(german)).toEqual([{ family: 'IPv4', address: '192.168.0.23', metric: 35 }]);
  });
  it('unreadable or foreign text gives no routes', () => {
    for (const p of [parseProcNetRoute, parseProcNetIpv6Route, parseNetstatRn, parseRoutePrint]) {
      expect(p('')).toEqual([]);
      expect(p('<html>garbage</html>\n0.0.0.0 default\n')).toEqual([]);
    }
  });
});

describe('readDefaultRoutes', () => {
  it('Linux reads both /proc files, best metric first', async () => {
    const { src } = sources('linux', { '/proc/net/route': desktop.route, '/proc/net/ipv6_route': desktop.ipv6Route });
    expect((await readDefaultRoutes(src)).map((r) => `${r.family} ${r.iface} ${r.metric}`)).toEqual([
      'IPv4 enp3s0 100',
      'IPv6 enp3s0 100',
      'IPv4 wlp4s0 600',
      'IPv6 wlp4s0 600',
    ]);
  });
  it('macOS runs netstat -rn; Windows runs route print -4', async () => {
    const mac = sources('darwin', {}, { 'netstat -rn': macLaptop.netstat });
    expect((await readDefaultRoutes(mac.src))[0]).toMatchObject({ iface: 'en0' });
    expect(mac.ran).toEqual(['netstat -rn']);
    const win = sources('win32', {}, { 'route.exe print -4': windowsLaptop.routePrint });
    expect(await readDefaultRoutes(win.src)).toEqual([{ family: 'IPv4', address: '192.168.0.23', metric: 35 }]);
  });
  it('a missing file or command gives [] (never rejects)', async () => {
    expect(await readDefaultRoutes(sources('linux', {}).src)).toEqual([]);
    expect(await readDefaultRoutes(sources('darwin', {}).src)).toEqual([]);
    expect(await readDefaultRoutes(sources('win32', {}).src)).toEqual([]);
    expect(await readDefaultRoutes(sources('aix', {}).src)).toEqual([]);
  });
  it('a command that hangs is given up after the timeout', async () => {
    const t0 = Date.now();
    const hang = { platform: 'darwin' as const, readFile: async () => '', run: () => new Promise<string>(() => {}) };
    expect(await readDefaultRoutes(hang, 100)).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
  it('on this machine: resolves quickly, whatever the network', async () => {
    const t0 = Date.now();
    const routes = await readDefaultRoutes();
    expect(Array.isArray(routes)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('shareUrlsFor: real layouts', () => {
  it('Linux laptop with Docker and Tailscale: Wi-Fi first, then its IPv6, Tailscale, this computer, Docker last', async () => {
    const { src } = sources('linux', { '/proc/net/route': linuxLaptop.route, '/proc/net/ipv6_route': linuxLaptop.ipv6Route });
    const urls = await findShareUrls('::', 8000, { table: linuxLaptop.table, routes: () => readDefaultRoutes(src) });
    expect(urlsOf(urls)).toEqual([
      'http://192.168.1.42',
      'http://[2a02:8071:5e1:9b00:1c2d:3e4f:5a6b:7c8d]',
      'http://[fd12:3456:789a:1::42]',
      'http://100.101.102.103',
      'http://[fd7a:115c:a1e0::1234:5678]',
      'http://127.0.0.1',
      'http://[::1]',
      'http://172.17.0.1',
      'http://172.18.0.1',
    ]);
    expect(urls[0]).toEqual({ url: 'http://192.168.1.42:8000/', label: 'Local network (wlp0s20f3)', scope: 'lan', family: 'IPv4', kind: 'lan' });
    expect(urls.find((u) => u.url.includes('100.101'))).toMatchObject({ kind: 'vpn', label: 'Tailscale VPN (tailscale0)', note: 'Only devices on the same VPN' });
    expect(urls.find((u) => u.url.includes('172.17'))).toMatchObject({
      kind: 'virtual',
      scope: 'lan',
      label: 'Docker (docker0)',
      note: 'Not reachable from a phone or another computer',
    });
    expect(urls.find((u) => u.url.includes('172.18'))).toMatchObject({ kind: 'virtual', label: 'Docker (br-5f3a9c1e2d4b)' });
  });

  it('Linux laptop, routing table unreadable: Docker and Tailscale are still demoted by name', () => {
    expect(urlsOf(shareUrlsFor('0.0.0.0', 8000, linuxLaptop.table, []))).toEqual([
      'http://192.168.1.42',
      'http://100.101.102.103',
      'http://127.0.0.1',
      'http://172.17.0.1',
      'http://172.18.0.1',
    ]);
  });

  it('Windows with WSL and Hyper-V: Wi-Fi first, the vEthernet switches last with plain names', async () => {
    const { src } = sources('win32', {}, { 'route.exe print -4': windowsLaptop.routePrint });
    const urls = await findShareUrls('::', 8000, { table: windowsLaptop.table, routes: () => readDefaultRoutes(src) });
    expect(urlsOf(urls)).toEqual([
      'http://192.168.0.23',
      'http://[2a02:8071:5e1:9b00:e5a1:2b3c:4d5e:6f70]',
      'http://127.0.0.1',
      'http://[::1]',
      'http://172.29.96.1',
      'http://172.22.208.1',
    ]);
    expect(urls[0]).toMatchObject({ label: 'Local network (Wi-Fi)', kind: 'lan' });
    expect(urls.at(-2)).toMatchObject({ kind: 'virtual', label: 'Hyper-V — vEthernet (Default Switch)' });
    expect(urls.at(-1)).toMatchObject({ kind: 'virtual', label: 'WSL — vEthernet (WSL (Hyper-V firewall))' });
  });

  it("Windows with Hyper-V's external switch: the vEthernet that carries the default route is the LAN", () => {
    const table = {
      'vEthernet (External Switch)': [v6('fe80::1c2d:3e4f:5a6b:7c8d'), v4('192.168.0.23')],
      'vEthernet (WSL)': [v4('172.22.208.1', '255.255.240.0')],
      'Loopback Pseudo-Interface 1': [info('127.0.0.1', 'IPv4', true)],
    } as unknown as InterfaceTable;
    const urls = shareUrlsFor('0.0.0.0', 8000, table, parseRoutePrint(windowsLaptop.routePrint));
    expect(urlsOf(urls)).toEqual(['http://192.168.0.23', 'http://127.0.0.1', 'http://172.22.208.1']);
    expect(urls[0]).toMatchObject({ kind: 'lan', label: 'Local network (vEthernet (External Switch))' });
  });

  it('macOS with a VPN (utun3) and a VM bridge (bridge100): en0 first, the VPN after its IPv6, the bridge last', async () => {
    const { src } = sources('darwin', {}, { 'netstat -rn': macLaptop.netstat });
    const urls = await findShareUrls('::', 8000, { table: macLaptop.table, routes: () => readDefaultRoutes(src) });
    expect(urlsOf(urls)).toEqual([
      'http://192.168.178.34',
      'http://[2003:e4:1f0a:5c00:1c8a:2b3d:4e5f:6071]',
      'http://10.8.0.6',
      'http://127.0.0.1',
      'http://[::1]',
      'http://192.168.64.1',
    ]);
    expect(urls[2]).toMatchObject({ kind: 'vpn', label: 'VPN (utun3)' });
    expect(urls.at(-1)).toMatchObject({ kind: 'virtual', label: 'Virtual machines (bridge100)' });
  });

  it('macOS with a full-tunnel VPN listed first: its address is still not the one a phone can open', () => {
    const netstat = macLaptop.netstat
      .replace('default            192.168.178.1      UGScg                 en0', 'default            192.168.178.1      UGScIg                en0')
      .replace('default            link#22            UCSIg               utun3', 'default            link#22            UCSg                utun3');
    const routes = parseNetstatRn(netstat);
    expect(routes.filter((r) => r.family === 'IPv4').sort((a, b) => a.metric - b.metric)[0]).toMatchObject({ iface: 'utun3' });
    expect(urlsOf(shareUrlsFor('0.0.0.0', 8000, macLaptop.table, routes))).toEqual([
      'http://192.168.178.34',
      'http://10.8.0.6',
      'http://127.0.0.1',
      'http://192.168.64.1',
    ]);
  });

  it('Wi-Fi plus Ethernet desktop: the cable (lower metric) first even though Wi-Fi is listed first', async () => {
    const { src } = sources('linux', { '/proc/net/route': desktop.route, '/proc/net/ipv6_route': desktop.ipv6Route });
    const urls = await findShareUrls('::', 8000, { table: desktop.table, routes: () => readDefaultRoutes(src) });
    expect(urlsOf(urls)).toEqual([
      'http://192.168.1.60',
      'http://192.168.1.61',
      'http://[fd00:1:2:3::60]',
      'http://[fd00:1:2:3::61]',
      'http://127.0.0.1',
      'http://[::1]',
    ]);
    expect(urls.slice(0, 2).map((u) => u.label)).toEqual(['Local network (enp3s0)', 'Local network (wlp4s0)']);
  });

  it('CGNAT (100.64/10) and link-local IPv4 on a real interface come after the LAN, with a note', () => {
    const table = {
      eth0: [v4('169.254.20.3', '255.255.0.0')],
      wwan0: [v4('100.72.13.9', '255.255.255.252')],
      wlan0: [v4('192.168.4.20')],
    } as unknown as InterfaceTable;
    const urls = shareUrlsFor('0.0.0.0', 8000, table, []);
    expect(urlsOf(urls)).toEqual(['http://192.168.4.20', 'http://100.72.13.9', 'http://169.254.20.3', 'http://127.0.0.1']);
    expect(urls[1]).toMatchObject({ kind: 'vpn', note: 'Devices on your Wi-Fi may not reach it' });
    expect(urls[2]).toMatchObject({ kind: 'link-local', label: 'Self-assigned (eth0)', note: 'Only a device plugged straight into this one' });
  });

  it('a machine on a public (non-private) address: the default-route interface still comes first', () => {
    // As this test machine: eth0 on 192.0.2.2 (not RFC 1918) with the default route, and Docker.
    const table = {
      docker0: [v4('172.17.0.1', '255.255.0.0')],
      eth0: [v4('192.0.2.2'), v6('fd00::2'), v6('fe80::fc:ff:fe00:1')],
      lo: [info('127.0.0.1', 'IPv4', true), info('::1', 'IPv6', true)],
    } as unknown as InterfaceTable;
    const routes = parseProcNetRoute('Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\neth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\n');
    expect(urlsOf(shareUrlsFor('::', 8000, table, routes))).toEqual([
      'http://192.0.2.2',
      'http://[fd00::2]',
      'http://127.0.0.1',
      'http://[::1]',
      'http://172.17.0.1',
    ]);
  });

  it('a single bound address is not ranked, and the routing table is not read for it', async () => {
    let read = 0;
    const routes = async () => (read++, []);
    expect(urlsOf(await findShareUrls('192.168.1.42', 8000, { table: linuxLaptop.table, routes }))).toEqual(['http://192.168.1.42']);
    expect(read).toBe(0);
    await findShareUrls('::', 8000, { table: linuxLaptop.table, routes });
    expect(read).toBe(1);
  });

  it('the bind dropdown uses the same ranking (without the routing table)', () => {
    expect(listBindChoices(linuxLaptop.table).map((c) => c.address)).toEqual([
      '',
      '127.0.0.1',
      '192.168.1.42',
      '2a02:8071:5e1:9b00:1c2d:3e4f:5a6b:7c8d',
      'fd12:3456:789a:1::42',
      '100.101.102.103',
      'fd7a:115c:a1e0::1234:5678',
      '172.17.0.1',
      '172.18.0.1',
    ]);
  });
});
