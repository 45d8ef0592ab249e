/**
 * Where the server can be reached: the bind-address choices for the Share panel and the
 * URLs to show once a folder is shared.
 *
 * Runs in: the utility host and the shell (Electron main or the web fallback). Pure Node
 * (`node:os`, `node:net`); the interface table is injectable so the ordering rules are
 * testable without the machine's real network.
 */
import * as os from 'node:os';
import * as net from 'node:net';
import type { ShareUrl } from './protocol.js';

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

function familyOf(address: string): 'IPv4' | 'IPv6' {
  return net.isIPv6(address) ? 'IPv6' : 'IPv4';
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

/**
 * Rank for "LAN first, IPv4 before IPv6, link-local last": lower sorts first.
 * The stable sort keeps the system's interface order within a rank.
 */
function rank(a: Addr): number {
  if (a.internal || isLoopback(a.address)) return a.family === 'IPv4' ? 10 : 11;
  if (a.family === 'IPv4') return isLinkLocalV4(a.address) ? 2 : 0;
  return isLinkLocalV6(a.address) ? 3 : 1;
}

/**
 * The choices for the bind dropdown: "All network interfaces" and "This computer only"
 * first, then every non-loopback address. IPv6 link-local addresses are left out: they
 * need a zone id to bind and cannot be typed into a browser.
 */
export function listBindChoices(table: InterfaceTable = os.networkInterfaces()): BindChoice[] {
  const special: BindChoice[] = [
    { name: '', address: '', family: 'IPv6', internal: false, label: 'All network interfaces' },
    { name: '', address: '127.0.0.1', family: 'IPv4', internal: true, label: 'This computer only' },
  ];
  const rest = flatten(table)
    .filter((a) => !a.internal && !isLoopback(a.address) && !isLinkLocalV6(a.address))
    .sort((x, y) => rank(x) - rank(y))
    .map((a) => ({ ...a, label: `${a.name} — ${a.address}` }));
  return [...special, ...rest];
}

function urlFor(address: string, port: number): string {
  if (net.isIPv6(address.split('%')[0] ?? address)) {
    // RFC 6874: the zone separator is percent-encoded inside the brackets.
    return `http://[${address.replace('%', '%25')}]:${port}/`;
  }
  return `http://${address}:${port}/`;
}

function toShareUrl(a: Addr, port: number): ShareUrl {
  const loop = a.internal || isLoopback(a.address);
  return {
    url: urlFor(a.address, port),
    label: loop ? 'This computer' : `Local network (${a.name})`,
    scope: loop ? 'loopback' : 'lan',
    family: a.family,
  };
}

/**
 * The URLs a server bound to `address:port` answers on, LAN first (IPv4 before IPv6),
 * loopback last. A wildcard bind (`::`, `0.0.0.0`, `''`) lists every interface address:
 * `::` is dual-stack in Node, so it includes IPv4 too; `0.0.0.0` only IPv4. IPv6
 * link-local addresses are omitted from wildcard lists (a browser cannot open them).
 */
export function shareUrlsFor(
  address: string,
  port: number,
  table: InterfaceTable = os.networkInterfaces(),
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
  unique.sort((x, y) => rank(x) - rank(y));
  return unique.map((a) => {
    const u = toShareUrl(a, port);
    return a.name === '' && u.scope === 'lan' ? { ...u, label: 'Local network' } : u;
  });
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
