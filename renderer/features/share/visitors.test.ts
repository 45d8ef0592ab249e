// Tests for visitors.ts: who counts as another device, and the device named by real User-Agents.
import { describe, expect, it } from 'vitest';
import type { ShareUrl } from '../../../electron/ipc-contract';
import { addVisitors, connectedText, deviceLabel, isOwnAddress, ownHosts } from './visitors';

const urls: ShareUrl[] = [
  { url: 'http://192.168.1.42:8000/', label: '', scope: 'lan', family: 'IPv4', kind: 'lan' },
  { url: 'http://[fd12:3456:789a:1::42]:8000/', label: '', scope: 'lan', family: 'IPv6', kind: 'lan' },
  { url: 'http://127.0.0.1:8000/', label: '', scope: 'loopback', family: 'IPv4', kind: 'loopback' },
];
const own = ownHosts(urls);

const UA = {
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  ipad: 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  pixel: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36',
  tab: 'Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  win: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.0.0',
  mac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  cros: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36',
  linux: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0',
  tv: 'Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) 85.0.4183.93/6.0 TV Safari/537.36',
  curl: 'curl/8.5.0',
};

describe('deviceLabel', () => {
  it.each([
    ['iphone', 'iPhone'],
    ['ipad', 'iPad'],
    ['pixel', 'Android phone'],
    ['tab', 'Android tablet'],
    ['win', 'Windows PC'],
    ['mac', 'Mac'],
    ['cros', 'Chromebook'],
    ['linux', 'Linux computer'],
    ['tv', 'smart TV'],
    ['curl', 'curl'],
  ] as const)('%s → %s', (k, want) => expect(deviceLabel(UA[k])).toBe(want));
  it('says nothing without a User-Agent, or with one that names no device', () => {
    expect(deviceLabel(null)).toBeNull();
    expect(deviceLabel('Go-http-client/1.1')).toBeNull();
  });
});

describe('isOwnAddress', () => {
  it("loopback and this computer's own addresses (also IPv4-mapped) are not another device", () => {
    for (const a of ['127.0.0.1', '127.0.1.1', '::1', '::ffff:127.0.0.1', '192.168.1.42', '::ffff:192.168.1.42', 'fd12:3456:789a:1::42'])
      expect(isOwnAddress(a, own)).toBe(true);
    for (const a of ['192.168.1.23', '::ffff:192.168.1.23', 'fe80::1c2d:3e4f:5a6b:7c8d%wlan0'])
      expect(isOwnAddress(a, own)).toBe(false);
  });
});

describe('addVisitors / connectedText', () => {
  it('waits while only this computer asks; then names the newest visitor and counts the others', () => {
    let v = addVisitors([], [{ clientAddress: '127.0.0.1', userAgent: UA.linux }, { clientAddress: '192.168.1.42', userAgent: null }], own);
    expect(connectedText(v)).toBeNull();
    v = addVisitors(v, [{ clientAddress: '::ffff:192.168.1.23', userAgent: UA.iphone }], own);
    expect(connectedText(v)).toBe('Connected: 192.168.1.23 (iPhone)');
    v = addVisitors(v, [{ clientAddress: '192.168.1.30', userAgent: UA.pixel }, { clientAddress: '192.168.1.23', userAgent: null }], own);
    // The iPhone asked last (its request without a User-Agent keeps its name).
    expect(connectedText(v)).toBe('Connected: 192.168.1.23 (iPhone) and 1 other device');
    v = addVisitors(v, [{ clientAddress: '192.168.1.31', userAgent: 'Go-http-client/1.1' }, { clientAddress: '192.168.1.32', userAgent: UA.win }], own);
    expect(connectedText(v)).toBe('Connected: 192.168.1.32 (Windows PC) and 3 other devices');
    expect(v.find((x) => x.address === '192.168.1.31')?.device).toBeNull();
  });
});
