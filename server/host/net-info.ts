/**
 * Where the server can be reached: the bind-address choices for the Share panel and the
 * URLs to show once a folder is shared, ranked so that the first one is the address a
 * phone on the same Wi-Fi can open.
 *
 * Runs in: the utility host and the shell (Electron main or the web fallback). Pure Node
 * (`node:os`, `node:net`, `node:fs`, `node:child_process`). The interface table and the
 * routing table are injectable, so the ranking rules are tested over tables of real
 * machines' layouts without the machine's own network.
 *
 * The ranking, first to last (a stable sort keeps the system's order within a rank):
 *  1. IPv4 on the interface that carries the default route (lowest metric first): the
 *     network the computer reaches the internet through is the one the phone is on;
 *  2. other private IPv4 (10/8, 172.16/12, 192.168/16), then other IPv4;
 *  3. IPv6 (default-route interface first): ULA and global addresses work on a LAN, but
 *     after IPv4, which every phone can open;
 *  4. IPv4 in the carrier-grade NAT range 100.64.0.0/10, then link-local 169.254/16;
 *  5. VPN interfaces (tailscale*, utun*, wg*, zt*, tun*, tap*, …): only devices on the
 *     same VPN reach them;
 *  6. loopback: this computer only;
 *  7. container and VM interfaces (docker*, br-*, veth*, virbr*, vmnet*, vboxnet*,
 *     vEthernet (WSL / Default Switch), bridge100, …): only this computer's containers
 *     and virtual machines reach them, so they come after even loopback, which at least
 *     opens on this computer.
 * A container/VM interface that carries the default route is the machine's own LAN
 * bridged through a virtual switch (Hyper-V's external switch, a KVM host's br0), so it
 * ranks as the LAN; a VPN that carries the default route (a full tunnel) does not: its
 * address is still unreachable from a phone on the Wi-Fi.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as net from 'node:net';
import type { ShareUrl, ShareUrlKind } from './protocol.js';

/** The shape of `os.networkInterfaces()`. */
export type InterfaceTable = NodeJS.Dict<os.NetworkInterfaceInfo[]>;

/**
 * One bind-address choice. Structurally the same as `NetInterface` in
 * electron/ipc-contract.ts (server/ may not import from electron/).
 */
export interface BindChoice {
  readonly name: string;
  readonly address: string;
  readonly family: 'IPv4' | 'IPv6';
  readonly internal: boolean;
  readonly label: string;
}

/**
 * One default route from the system's routing table. The interface is named by `iface`
 * (as `os.networkInterfaces()` names it) or, where the table only gives that (Windows'
 * `route print`), by one of its local `address`es.
 */
export interface DefaultRoute {
  readonly family: 'IPv4' | 'IPv6';
  readonly iface?: string;
  readonly address?: string;
  /** Lower is preferred (the table's metric, or its order where it has none). */
  readonly metric: number;
}

// ---------------------------------------------------------------------------------------
// Address and interface classes

/** IPv6 link-local (fe80::/10): needs a zone id, which browsers do not accept in URLs. */
export function isLinkLocalV6(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}

/** 169.254.0.0/16: self-assigned when no DHCP answered; rarely what a visitor can reach. */
function isLinkLocalV4(address: string): boolean {
  return address.startsWith('169.254.');
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === 'localhost';
}

function v4Octets(address: string): number[] | null {
  if (!net.isIPv4(address)) return null;
  return address.split('.').map(Number);
}

/** RFC 1918: 10/8, 172.16/12, 192.168/16. */
function isPrivateV4(address: string): boolean {
  const o = v4Octets(address);
  if (!o) return false;
  return o[0] === 10 || (o[0] === 172 && o[1]! >= 16 && o[1]! <= 31) || (o[0] === 192 && o[1] === 168);
}

/** RFC 6598 shared address space 100.64.0.0/10 (carrier-grade NAT; Tailscale uses it too). */
function isCgnatV4(address: string): boolean {
  const o = v4Octets(address);
  return o !== null && o[0] === 100 && o[1]! >= 64 && o[1]! <= 127;
}

function familyOf(address: string): 'IPv4' | 'IPv6' {
  return net.isIPv6(address) ? 'IPv6' : 'IPv4';
}

/**
 * Interfaces no phone on the Wi-Fi can reach, by name, with the plain words the window
 * shows. Names as Linux, macOS and Windows give them (case-insensitive prefixes).
 */
const VIRTUAL_INTERFACES: readonly { readonly re: RegExp; readonly words: string; readonly vpn: boolean }[] = [
  // Windows names first: "vEthernet" must not be read as Linux's veth.
  { re: /^vEthernet \(WSL/i, words: 'WSL', vpn: false },
  { re: /^vEthernet/i, words: 'Hyper-V', vpn: false },
  { re: /^VirtualBox Host-Only/i, words: 'VirtualBox', vpn: false },
  { re: /^VMware Network Adapter/i, words: 'VMware', vpn: false },
  { re: /^(docker|br-|veth)/, words: 'Docker', vpn: false },
  { re: /^(podman|cni|flannel|cali|kube|lxcbr|lxdbr)/, words: 'Containers', vpn: false },
  { re: /^virbr/, words: 'Virtual machines', vpn: false },
  { re: /^vmnet/, words: 'VMware', vpn: false },
  { re: /^vboxnet/, words: 'VirtualBox', vpn: false },
  // macOS: bridge100+ is Internet Sharing or a VM app's network (UTM, Parallels, Lima).
  { re: /^(bridge1\d\d|vnic)/i, words: 'Virtual machines', vpn: false },
  { re: /^tailscale/i, words: 'Tailscale VPN', vpn: true },
  { re: /^zt/i, words: 'ZeroTier VPN', vpn: true },
  { re: /^ZeroTier/i, words: 'ZeroTier VPN', vpn: true },
  { re: /^wg/i, words: 'WireGuard VPN', vpn: true },
  { re: /^(utun|tun|tap|ipsec)/i, words: 'VPN', vpn: true },
  { re: /^(OpenVPN|WireGuard|NordLynx|ProtonVPN|Mullvad|Cisco AnyConnect|PANGP)/i, words: 'VPN', vpn: true },
];

function virtualInterface(name: string): { readonly words: string; readonly vpn: boolean } | null {
  return VIRTUAL_INTERFACES.find((v) => v.re.test(name)) ?? null;
}

interface Addr {
  readonly name: string;
  readonly address: string;
  readonly family: 'IPv4' | 'IPv6';
  readonly internal: boolean;
}

function flatten(table: InterfaceTable): Addr[] {
  const out: Addr[] = [];
  for (const [name, infos] of Object.entries(table)) {
    for (const info of infos ?? []) {
      // Node 18.0–18.3 reported family as a number; normalise so both shapes work.
      const fam = String(info.family);
      const family = fam === 'IPv6' || fam === '6' ? 'IPv6' : 'IPv4';
      out.push({ name, address: info.address, family, internal: info.internal });
    }
  }
  return out;
}

/** An address with its place in the ranking and what the window says about it. */
interface Ranked extends Addr {
  readonly rank: number;
  readonly kind: ShareUrlKind;
  readonly label: string;
  readonly note?: string;
}

/** "Docker (docker0)", or "Hyper-V — vEthernet (WSL)" where the name has its own brackets. */
function named(words: string, name: string): string {
  if (name === '') return words;
  return name.includes('(') ? `${words} — ${name}` : `${words} (${name})`;
}

/**
 * The metric of the best default route out of `a`'s interface, or null when none is.
 * An IPv6 address counts on the interface of an IPv4 default route too (and back): the
 * interface is the network, whichever family its default route was read for.
 */
function routeMetric(a: Addr, routes: readonly DefaultRoute[], table: readonly Addr[]): number | null {
  let best: number | null = null;
  for (const r of routes) {
    const iface = r.iface ?? table.find((x) => x.address === r.address)?.name;
    if (iface !== a.name) continue;
    // Same-family routes first: a metric from the other family only breaks ties after them.
    const m = r.family === a.family ? r.metric : r.metric + 1e9;
    if (best === null || m < best) best = m;
  }
  return best;
}

/**
 * Where `a` sorts (lower first; see the file comment) and its plain label. `metric`
 * orders addresses within the default-route rank.
 */
function classify(a: Addr, routes: readonly DefaultRoute[], table: readonly Addr[]): Ranked & { readonly metric: number } {
  if (a.internal || isLoopback(a.address)) {
    return { ...a, rank: a.family === 'IPv4' ? 60 : 61, metric: 0, kind: 'loopback', label: 'This computer', note: 'Only on this computer' };
  }
  const metric = routeMetric(a, routes, table);
  const virt = virtualInterface(a.name);
  const lan = (rank: number): Ranked & { metric: number } => ({
    ...a,
    rank,
    metric: metric ?? 0,
    kind: 'lan',
    label: a.name === '' ? 'Local network' : `Local network (${a.name})`,
  });
  if (virt?.vpn) {
    return { ...a, rank: 50, metric: 0, kind: 'vpn', label: named(virt.words, a.name), note: 'Only devices on the same VPN' };
  }
  if (virt && metric === null) {
    return {
      ...a,
      rank: 70,
      metric: 0,
      kind: 'virtual',
      label: named(virt.words, a.name),
      note: 'Not reachable from a phone or another computer',
    };
  }
  if (a.family === 'IPv4') {
    if (isLinkLocalV4(a.address)) {
      return { ...a, rank: 41, metric: 0, kind: 'link-local', label: named('Self-assigned', a.name), note: 'Only a device plugged straight into this one' };
    }
    if (isCgnatV4(a.address)) {
      // Tailscale's addresses are in this range too, whatever the interface is called.
      return { ...a, rank: 40, metric: 0, kind: 'vpn', label: named('VPN or provider network', a.name), note: 'Devices on your Wi-Fi may not reach it' };
    }
    if (metric !== null) return lan(0);
    return lan(isPrivateV4(a.address) ? 10 : 11);
  }
  if (isLinkLocalV6(a.address)) {
    return { ...a, rank: 42, metric: 0, kind: 'link-local', label: named('Self-assigned', a.name), note: 'Only a device plugged straight into this one' };
  }
  return lan(metric !== null ? 20 : 21);
}

function ranked(addrs: readonly Addr[], routes: readonly DefaultRoute[], table: readonly Addr[]): Ranked[] {
  return addrs
    .map((a) => classify(a, routes, table))
    .sort((x, y) => x.rank - y.rank || x.metric - y.metric);
}

/**
 * The choices for the bind dropdown: "All network interfaces" and "This computer only"
 * first, then every non-loopback address, in the share ranking's order (without the
 * routing table: the dropdown is filled at once). IPv6 link-local addresses are left
 * out: they need a zone id to bind and cannot be typed into a browser.
 */
export function listBindChoices(table: InterfaceTable = os.networkInterfaces()): BindChoice[] {
  const special: BindChoice[] = [
    { name: '', address: '', family: 'IPv6', internal: false, label: 'All network interfaces' },
    { name: '', address: '127.0.0.1', family: 'IPv4', internal: true, label: 'This computer only' },
  ];
  const all = flatten(table);
  const rest = ranked(
    all.filter((a) => !a.internal && !isLoopback(a.address) && !isLinkLocalV6(a.address)),
    [],
    all,
  ).map((a) => ({ name: a.name, address: a.address, family: a.family, internal: a.internal, label: `${a.name} — ${a.address}` }));
  return [...special, ...rest];
}

function urlFor(address: string, port: number): string {
  if (net.isIPv6(address.split('%')[0] ?? address)) {
    // RFC 6874: the zone separator is percent-encoded inside the brackets.
    return `http://[${address.replace('%', '%25')}]:${port}/`;
  }
  return `http://${address}:${port}/`;
}

function toShareUrl(a: Ranked, port: number): ShareUrl {
  return {
    url: urlFor(a.address, port),
    label: a.label,
    scope: a.kind === 'loopback' ? 'loopback' : 'lan',
    family: a.family,
    kind: a.kind,
    ...(a.note !== undefined ? { note: a.note } : {}),
  };
}

/**
 * The URLs a server bound to `address:port` answers on, best first (see the file
 * comment for the ranking; `routes` are the default routes, from
 * {@link readDefaultRoutes}). A wildcard bind (`::`, `0.0.0.0`, `''`) lists every
 * interface address: `::` is dual-stack in Node, so it includes IPv4 too; `0.0.0.0`
 * only IPv4. IPv6 link-local addresses are omitted from wildcard lists (a browser cannot
 * open them).
 */
export function shareUrlsFor(
  address: string,
  port: number,
  table: InterfaceTable = os.networkInterfaces(),
  routes: readonly DefaultRoute[] = [],
): ShareUrl[] {
  const all = flatten(table);
  let picked: Addr[];
  if (address === '' || address === '::' || address === '0.0.0.0') {
    const v4Only = address === '0.0.0.0';
    picked = all.filter((a) => !isLinkLocalV6(a.address) && (!v4Only || a.family === 'IPv4'));
    // A host with no loopback entry in the table is unusual, but the URL still works.
    if (!picked.some((a) => a.address === '127.0.0.1')) {
      picked.push({ name: 'lo', address: '127.0.0.1', family: 'IPv4', internal: true });
    }
  } else {
    const bare = address.split('%')[0] ?? address;
    const known = all.find((a) => a.address === bare || a.address === address);
    picked = [
      known
        ? { ...known, address }
        : { name: '', address, family: familyOf(bare), internal: isLoopback(bare) },
    ];
  }
  // Deduplicate (the same address can be listed on two aliases).
  const seen = new Set<string>();
  const unique = picked.filter((a) => (seen.has(a.address) ? false : (seen.add(a.address), true)));
  return ranked(unique, routes, all).map((a) => toShareUrl(a, port));
}

// ---------------------------------------------------------------------------------------
// The routing table

/**
 * Linux `/proc/net/route`: one line per IPv4 route, hex fields. A default route has
 * Destination and Mask 00000000 and the RTF_UP flag (0x1).
 */
export function parseProcNetRoute(text: string): DefaultRoute[] {
  const out: DefaultRoute[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, , flags, , , metric, mask] = f;
    if (dest !== '00000000' || mask !== '00000000') continue;
    if ((parseInt(flags!, 16) & 0x1) === 0) continue;
    out.push({ family: 'IPv4', iface: iface!, metric: Number(metric) || 0 });
  }
  return out;
}

/**
 * Linux `/proc/net/ipv6_route`: destination, prefix length, source, source prefix,
 * next hop, metric, refcount, use, flags, device. A default route is ::/0, up (0x1),
 * and not a reject route (RTF_REJECT 0x200, which the kernel adds on `lo`).
 */
export function parseProcNetIpv6Route(text: string): DefaultRoute[] {
  const out: DefaultRoute[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [dest, plen, , , , metric, , , flags, iface] = f;
    if (!/^0{32}$/.test(dest!) || plen !== '00') continue;
    const fl = parseInt(flags!, 16);
    if ((fl & 0x1) === 0 || (fl & 0x200) !== 0 || iface === 'lo') continue;
    out.push({ family: 'IPv6', iface: iface!, metric: parseInt(metric!, 16) || 0 });
  }
  return out;
}

/**
 * macOS (and the BSDs) `netstat -rn`: "Internet:" and "Internet6:" sections of
 * `Destination Gateway Flags Netif Expire`. macOS lists the default routes in priority
 * order; an interface-scoped one (flag I) is a second choice, kept after the others.
 */
export function parseNetstatRn(text: string): DefaultRoute[] {
  const out: DefaultRoute[] = [];
  let family: 'IPv4' | 'IPv6' | null = null;
  let netifCol = 3;
  let order = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (/^Internet:/i.test(line)) family = 'IPv4';
    else if (/^Internet6:/i.test(line)) family = 'IPv6';
    if (family === null) continue;
    const f = line.split(/\s+/);
    if (f[0] === 'Destination') {
      // FreeBSD prints Refs/Use columns before Netif on older releases.
      const i = f.indexOf('Netif');
      netifCol = i > 0 ? i : 3;
      continue;
    }
    if (f[0] !== 'default' || f.length <= netifCol) continue;
    const flags = f[2] ?? '';
    if (!flags.includes('U')) continue;
    out.push({ family, iface: f[netifCol]!, metric: (flags.includes('I') ? 1000 : 0) + order++ });
  }
  return out;
}

/**
 * Windows `route print -4`: rows of `Network Destination, Netmask, Gateway, Interface,
 * Metric`, where Interface is the local address of the interface. Read by shape, not by
 * the section titles, which Windows translates ("Active Routes:", "Aktive Routen:"); the
 * persistent copy of a route has no interface address and so never matches.
 */
export function parseRoutePrint(text: string): DefaultRoute[] {
  const out: DefaultRoute[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const f = raw.trim().split(/\s+/);
    if (f.length !== 5 || f[0] !== '0.0.0.0' || f[1] !== '0.0.0.0') continue;
    if (!net.isIPv4(f[3]!) || !/^\d+$/.test(f[4]!)) continue;
    out.push({ family: 'IPv4', address: f[3]!, metric: Number(f[4]) });
  }
  return out;
}

/** What {@link readDefaultRoutes} needs from the system; injected by tests. */
export interface RouteSources {
  readonly platform: NodeJS.Platform;
  readFile(path: string): Promise<string>;
  /** Runs `file args…` and resolves its stdout; rejects on failure or after `timeoutMs`. */
  run(file: string, args: readonly string[], timeoutMs: number): Promise<string>;
}

const systemSources: RouteSources = {
  platform: process.platform,
  readFile: (p) => readFile(p, 'utf8'),
  run: (file, args, timeoutMs) =>
    new Promise((resolve, reject) => {
      execFile(file, [...args], { timeout: timeoutMs, windowsHide: true, maxBuffer: 1 << 20, encoding: 'utf8' }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      );
    }),
};

/**
 * The system's default routes, best first, or `[]` when they cannot be read (no
 * /proc, a command missing or slower than `timeoutMs`): the URLs are then ranked
 * without them, never delayed by more than the timeout. Never rejects.
 */
export async function readDefaultRoutes(sources: RouteSources = systemSources, timeoutMs = 1500): Promise<DefaultRoute[]> {
  const within = <T>(p: Promise<T>, fallback: T): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<T>((resolve) => {
      timer = setTimeout(() => resolve(fallback), timeoutMs);
      timer.unref?.();
    });
    return Promise.race([p.catch(() => fallback), late]).finally(() => clearTimeout(timer));
  };
  const text = (p: Promise<string>) => within(p, '');
  let routes: DefaultRoute[];
  switch (sources.platform) {
    case 'linux':
    case 'android': {
      const [v4, v6] = await Promise.all([text(sources.readFile('/proc/net/route')), text(sources.readFile('/proc/net/ipv6_route'))]);
      routes = [...parseProcNetRoute(v4), ...parseProcNetIpv6Route(v6)];
      break;
    }
    case 'darwin':
    case 'freebsd':
    case 'openbsd':
    case 'netbsd':
      // By its full path on macOS, as route.exe below: not whatever `netstat` is on PATH.
      routes = parseNetstatRn(await text(sources.run(sources.platform === 'darwin' ? '/usr/sbin/netstat' : 'netstat', ['-rn'], timeoutMs)));
      break;
    case 'win32': {
      // route.exe by its full path: a `route` earlier on PATH is not the system's.
      const sysRoot = process.env.SystemRoot ?? 'C:\\Windows';
      routes = parseRoutePrint(await text(sources.run(`${sysRoot}\\System32\\route.exe`, ['print', '-4'], timeoutMs)));
      break;
    }
    default:
      routes = [];
  }
  return routes.sort((a, b) => a.metric - b.metric);
}

/**
 * {@link shareUrlsFor} with the system's default routes (read asynchronously, bounded by
 * a short timeout). What the host sends in its `listening` message.
 */
export async function findShareUrls(
  address: string,
  port: number,
  deps: { readonly table?: InterfaceTable; readonly routes?: () => Promise<readonly DefaultRoute[]> } = {},
): Promise<ShareUrl[]> {
  const wildcard = address === '' || address === '::' || address === '0.0.0.0';
  // A single bound address has nothing to rank: no need to read the routing table.
  const routes = wildcard ? await (deps.routes ?? readDefaultRoutes)().catch(() => []) : [];
  let table: InterfaceTable;
  try {
    table = deps.table ?? os.networkInterfaces();
  } catch {
    // Some sandboxes refuse the interface list (EPERM); the bound address still works.
    table = {};
  }
  return shareUrlsFor(address, port, table, routes);
}

/** Asks the system for a port that is free on `bind` right now ('' = every interface). */
export function freePort(bind: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    const host = bind === '' ? undefined : bind;
    srv.listen({ port, host, exclusive: true }, () => {
      const addr = srv.address();
      const got = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(got));
    });
  });
}

/**
 * A free port to offer when `taken` is in use: the next few numbers first (people
 * remember 8001 better than 41873), then any port the system hands out.
 */
export async function suggestFreePort(bind: string, taken: number): Promise<number> {
  const start = taken >= 1024 ? taken + 1 : 8000;
  for (let p = start; p < start + 20 && p <= 65535; p++) {
    try {
      return await freePort(bind, p);
    } catch {
      // taken or not allowed: try the next one
    }
  }
  return freePort(bind, 0);
}
