import { describe, expect, it } from 'vitest';
import { checkBindAddress, checkCgiDirectories, parsePort, portWarning } from './validate';

describe('parsePort', () => {
  it('accepts 1–65535', () => {
    expect(parsePort('8000')).toEqual({ ok: true, value: 8000 });
    expect(parsePort(' 1 ')).toEqual({ ok: true, value: 1 });
    expect(parsePort('65535')).toEqual({ ok: true, value: 65535 });
  });
  it('rejects 0, too large, decimals, signs and words with a plain message', () => {
    for (const bad of ['0', '65536', '80.5', '-1', '+80', 'eighty', '', '123456']) {
      const r = parsePort(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/1 to 65535/);
    }
  });
  it('warns below 1024 only', () => {
    expect(portWarning(80)).toMatch(/administrator/);
    expect(portWarning(1024)).toBeNull();
  });
});

describe('checkBindAddress', () => {
  it('accepts empty (all interfaces), IPv4 and IPv6, with a zone', () => {
    for (const ok of ['', '0.0.0.0', '127.0.0.1', '192.168.1.5', '::', '::1', 'fe80::1%eth0', '2001:db8::42'])
      expect(checkBindAddress(ok).ok, ok).toBe(true);
  });
  it('rejects host names, bad octets and junk', () => {
    for (const bad of ['localhost', '256.1.1.1', '1.2.3', '01.2.3.4', 'fe80::1%', ':::1', '1.2.3.4:80', 'a b'])
      expect(checkBindAddress(bad).ok, bad).toBe(false);
  });
});

describe('checkCgiDirectories', () => {
  it('cleans the list: trims, drops blank lines, trailing slashes and duplicates', () => {
    expect(checkCgiDirectories([' /cgi-bin/ ', '', '/htbin', '/cgi-bin'])).toEqual({ ok: true, value: ['/cgi-bin', '/htbin'] });
  });
  it('explains what is wrong', () => {
    const r1 = checkCgiDirectories(['cgi-bin']);
    expect(r1.ok === false && r1.message).toMatch(/start with a slash/);
    const r2 = checkCgiDirectories(['/']);
    expect(r2.ok).toBe(false);
    const r3 = checkCgiDirectories(['/a?b']);
    expect(r3.ok).toBe(false);
    const r4 = checkCgiDirectories(['  ']);
    expect(r4.ok === false && r4.message).toMatch(/at least one/);
  });
  it('rejects folders that could never match a collapsed request path (., .., //)', () => {
    for (const bad of ['/cgi-bin/../x', '/./cgi-bin', '/a//b', '/..']) {
      const r = checkCgiDirectories([bad]);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.message).toContain(bad);
    }
    expect(checkCgiDirectories(['/a.b/c..d'])).toEqual({ ok: true, value: ['/a.b/c..d'] });
  });
});
