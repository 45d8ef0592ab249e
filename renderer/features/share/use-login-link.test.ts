// Tests for use-login-link.ts: the address a phone gets carries the key as its only query field.
import { describe, expect, it } from 'vitest';
import { withLoginKey } from './use-login-link';

describe('withLoginKey', () => {
  it('adds ?key= to the shared address, IPv4 and IPv6 alike', () => {
    const key = 'a'.repeat(51);
    expect(withLoginKey('http://192.168.1.5:8000/', key)).toBe(`http://192.168.1.5:8000/?key=${key}`);
    expect(withLoginKey('http://[fe80::1%25eth0]:8000/', key)).toBe(`http://[fe80::1%25eth0]:8000/?key=${key}`);
  });

  it('replaces an older key rather than adding a second one', () => {
    expect(withLoginKey('http://10.0.0.2:9000/?key=old', 'new')).toBe('http://10.0.0.2:9000/?key=new');
  });
});
