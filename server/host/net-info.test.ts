// Tests for net-info.ts: bind choices and share-URL ordering over injected interface
// tables, and free-port discovery on the real loopback.
import { describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { freePort, listBindChoices, shareUrlsFor, suggestFreePort, type InterfaceTable } from './net-info.js';

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
      { url: 'http://127.0.0.1:9000/', label: 'This computer', scope: 'loopback', family: 'IPv4' },
    ]);
    expect(shareUrlsFor('192.168.1.5', 9000, table)).toEqual([
      { url: 'http://192.168.1.5:9000/', label: 'Local network (wlan0)', scope: 'lan', family: 'IPv4' },
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
