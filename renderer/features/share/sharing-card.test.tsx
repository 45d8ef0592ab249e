// Tests for the sharing card: which address is shown big, the QR code of it, and the other
// addresses folded away with their plain notes. Rendered to static HTML (node environment).
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ServerStatus, ShareUrl } from '../../../electron/ipc-contract';
import { appDefaults } from '../../../electron/ipc-contract';
import { qrSegments } from '../../ui/qr-code';
import { mainAndOthers } from '../../../electron/ipc-contract';
import { folderName, SharingCard } from './sharing-card';

type Running = Extract<ServerStatus, { state: 'running' }>;

const u = (url: string, scope: 'lan' | 'loopback', extra: Partial<ShareUrl> = {}): ShareUrl => ({ url, label: '', scope, family: 'IPv4', ...extra });

// As the host ranks the Linux laptop with Docker and Tailscale (server/host/net-info.test.ts).
const ranked: ShareUrl[] = [
  { url: 'http://192.168.1.42:8000/', label: 'Local network (wlp0s20f3)', scope: 'lan', family: 'IPv4', kind: 'lan' },
  { url: 'http://[fd12:3456:789a:1::42]:8000/', label: 'Local network (wlp0s20f3)', scope: 'lan', family: 'IPv6', kind: 'lan' },
  { url: 'http://100.101.102.103:8000/', label: 'Tailscale VPN (tailscale0)', scope: 'lan', family: 'IPv4', kind: 'vpn', note: 'Only devices on the same VPN' },
  { url: 'http://127.0.0.1:8000/', label: 'This computer', scope: 'loopback', family: 'IPv4', kind: 'loopback', note: 'Only on this computer' },
  { url: 'http://172.17.0.1:8000/', label: 'Docker (docker0)', scope: 'lan', family: 'IPv4', kind: 'virtual', note: 'Not reachable from a phone or another computer' },
];

function status(urls: ShareUrl[], bind = ''): Running {
  return { state: 'running', settings: { ...appDefaults(), recentFolders: [], directory: '/home/ada/Holiday photos', bind }, port: 8000, urls, since: 0 };
}

const render = (s: Running) =>
  renderToStaticMarkup(<SharingCard status={s} interfaces={[]} busy={false} onOpen={() => {}} onStop={() => {}} />);

/** The text of the first element with `cls` in `html` (tags stripped), or null. */
function textOf(html: string, cls: string): string | null {
  const i = html.search(new RegExp(`class="[^"]*\\b${cls}\\b`));
  if (i < 0) return null;
  const tag = /^<([a-z0-9]+)/.exec(html.slice(html.lastIndexOf('<', i)))![1]!;
  const start = html.indexOf('>', i) + 1;
  const end = html.indexOf(`</${tag}>`, start);
  return html.slice(start, end).replace(/<[^>]+>/g, '');
}

describe('sharing card', () => {
  it('keeps the host ranking; an older host (loopback first, no kind) still gets the LAN address big', () => {
    expect(mainAndOthers(ranked).main?.url).toBe('http://192.168.1.42:8000/');
    expect(mainAndOthers(ranked).others.map((x) => x.url)).toEqual(ranked.slice(1).map((x) => x.url));
    const old = [u('a', 'loopback'), u('b', 'lan'), u('c', 'loopback'), u('d', 'lan')];
    expect(mainAndOthers(old).main?.url).toBe('b');
    expect(mainAndOthers(old).others.map((x) => x.url)).toEqual(['d', 'a', 'c']);
    // A container address never goes big while this computer's own address is there.
    expect(mainAndOthers([ranked[4]!, ranked[3]!]).main?.kind).toBe('loopback');
    expect(mainAndOthers([])).toEqual({ main: null, others: [] });
  });

  it('shows one big address with Copy, Open and its QR code, the rest under "Other addresses"', () => {
    const html = render(status(ranked));
    expect(textOf(html, 'url-big')).toBe('http://192.168.1.42:8000/');
    expect(textOf(html, 'sharing-lead')).toBe('On a phone or another computer on the same Wi-Fi or network, open:');
    expect(html).toContain('aria-label="Copy http://192.168.1.42:8000/"');
    expect(html).toMatch(/<a class="btn btn-small open-btn" href="http:\/\/192\.168\.1\.42:8000\/" target="_blank"/);
    // The QR code: an SVG drawn here, black on white, titled with the address.
    expect(html).toMatch(/<svg[^>]*class="qr-code"[^>]*data-value="http:\/\/192\.168\.1\.42:8000\/"/);
    expect(html).toContain('<title>QR code of http://192.168.1.42:8000/</title>');
    expect(html).toContain('fill="#ffffff"');
    expect(html).toContain('fill="#000000"');
    // Everything else folded away, with plain notes; the big address is not repeated.
    expect(html).toContain('<details class="other-urls"><summary>Other addresses (4)</summary>');
    const others = html.slice(html.indexOf('<details'));
    expect(others).not.toContain('192.168.1.42');
    expect(others).toContain('Docker (docker0)</div><div class="url-note">Not reachable from a phone or another computer</div>');
    expect(others).toContain('Tailscale VPN (tailscale0)</div><div class="url-note">Only devices on the same VPN</div>');
    expect(others.indexOf('127.0.0.1')).toBeLessThan(others.indexOf('172.17.0.1'));
  });

  it('the QR code has at least 200 px of modules inside its 4-module quiet zone', () => {
    const html = render(status(ranked));
    const svg = /<svg[^>]*class="qr-code"[^>]*>/.exec(html)![0];
    const size = Number(/ width="(\d+)"/.exec(svg)![1]);
    const cells = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)![1]);
    expect(((cells - 8) / cells) * size).toBeGreaterThanOrEqual(200);
  });

  it('sharing with this computer only: no QR code, and how to reach a phone instead', () => {
    const html = render(status([ranked[3]!], '127.0.0.1'));
    expect(textOf(html, 'url-big')).toBe('http://127.0.0.1:8000/');
    expect(textOf(html, 'sharing-lead')).toBe('Only this computer can open it:');
    expect(html).not.toContain('qr-code');
    expect(textOf(html, 'share-hint')).toMatch(/choose “All network interfaces” under “Who can connect”/);
    expect(html).not.toContain('Other addresses');
  });

  it('a VPN address shown big says who can open it', () => {
    const html = render(status([ranked[2]!, ranked[3]!]));
    expect(textOf(html, 'sharing-lead')).toBe('On a device connected to the same VPN, open:');
    expect(html).toContain('qr-code');
  });

  it('names the folder by its last segment', () => {
    expect(folderName('/home/ada/Holiday photos/')).toBe('Holiday photos');
    expect(folderName('C:\\Users\\Ada\\Public')).toBe('Public');
    expect(folderName('/')).toBe('/');
  });
});

describe('qrSegments', () => {
  it('puts an IPv4 address and port in the compact alphanumeric segment; leaves other URLs whole', () => {
    expect(qrSegments('http://192.168.1.42:8000/')).toEqual(['http://', '192.168.1.42:8000/']);
    expect(qrSegments('http://[fd12::42]:8000/')).toEqual(['http://[fd12::42]:8000/']);
    expect(qrSegments('http://my-laptop.local:8000/')).toEqual(['http://my-laptop.local:8000/']);
  });
});
