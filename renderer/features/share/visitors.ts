/**
 * Who has connected, from the live log: a request from an address that is not this
 * computer's own (loopback, or a host of one of the share's addresses) means another
 * device reached the share. Its User-Agent names the device in plain words.
 *
 * Runs in: the renderer. Pure.
 */
import type { RequestLogEntry, ShareUrl } from '../../../electron/ipc-contract';

export interface Visitor {
  /** The address as people read it (an IPv4-mapped IPv6 address as plain IPv4). */
  readonly address: string;
  /** "iPhone", "Android phone", "Windows PC", …, or null when the User-Agent does not say. */
  readonly device: string | null;
}

/** `::ffff:192.168.1.23` → `192.168.1.23`; `[::1]` → `::1`; lower case. */
export function plainAddress(a: string): string {
  const t = a.trim().replace(/^\[|\]$/g, '').toLowerCase();
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  return m ? m[1]! : t;
}

/** Hosts of the share's own addresses (this computer's), plain. */
export function ownHosts(urls: readonly ShareUrl[]): Set<string> {
  const out = new Set<string>();
  for (const u of urls) {
    try {
      out.add(plainAddress(new URL(u.url).hostname));
    } catch {
      // not a URL: not an address of ours either
    }
  }
  return out;
}

/** Loopback (127.0.0.0/8, ::1) or one of this computer's own addresses. */
export function isOwnAddress(address: string, own: ReadonlySet<string>): boolean {
  const a = plainAddress(address);
  if (a === '' || a === '::1' || a === 'localhost' || /^127\./.test(a)) return true;
  // A zone id ("fe80::1%eth0") is not part of the URL's host.
  return own.has(a) || own.has(a.replace(/%.*$/, ''));
}

/** The device a User-Agent names, in the words people use; null when it does not say. */
export function deviceLabel(ua: string | null | undefined): string | null {
  if (!ua) return null;
  if (/iPhone|iPod/.test(ua)) return 'iPhone';
  if (/iPad/.test(ua)) return 'iPad';
  if (/Windows Phone/.test(ua)) return 'Windows phone';
  if (/Android/.test(ua)) return /Mobile/.test(ua) ? 'Android phone' : 'Android tablet';
  if (/CrOS/.test(ua)) return 'Chromebook';
  if (/SMART-TV|SmartTV|Tizen|Web0S|webOS|BRAVIA|AFT[A-Z]/.test(ua)) return 'smart TV';
  if (/PlayStation|Xbox|Nintendo/.test(ua)) return 'game console';
  if (/Windows/.test(ua)) return 'Windows PC';
  if (/Macintosh|Mac OS X/.test(ua)) return 'Mac';
  if (/Linux|X11/.test(ua)) return 'Linux computer';
  if (/^curl\//i.test(ua)) return 'curl';
  if (/^Wget\//i.test(ua)) return 'wget';
  return null;
}

/**
 * The visitors seen, most recent first, one per address (the newest User-Agent that names
 * a device wins), after `entries` (in arrival order) are added to `known`.
 */
export function addVisitors(
  known: readonly Visitor[],
  entries: Iterable<Pick<RequestLogEntry, 'clientAddress' | 'userAgent'>>,
  own: ReadonlySet<string>,
): readonly Visitor[] {
  let out = known;
  for (const e of entries) {
    if (isOwnAddress(e.clientAddress, own)) continue;
    const address = plainAddress(e.clientAddress);
    const prev = out.find((v) => v.address === address);
    const device = deviceLabel(e.userAgent) ?? prev?.device ?? null;
    if (out[0]?.address === address && out[0].device === device) continue;
    out = [{ address, device }, ...out.filter((v) => v.address !== address)];
  }
  return out;
}

/** "Connected: 192.168.1.23 (iPhone)", "… and 2 other devices". */
export function connectedText(visitors: readonly Visitor[]): string | null {
  const v = visitors[0];
  if (!v) return null;
  const more = visitors.length - 1;
  const tail = more === 0 ? '' : more === 1 ? ' and 1 other device' : ` and ${more} other devices`;
  return `Connected: ${v.address}${v.device ? ` (${v.device})` : ''}${tail}`;
}
