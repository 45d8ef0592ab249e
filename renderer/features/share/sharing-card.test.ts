import { describe, expect, it } from 'vitest';
import { folderName, lanFirst } from './sharing-card';

describe('sharing card helpers', () => {
  it('lists LAN addresses first, otherwise keeping the order', () => {
    const u = (url: string, scope: 'lan' | 'loopback') => ({ url, label: '', scope, family: 'IPv4' as const });
    expect(lanFirst([u('a', 'loopback'), u('b', 'lan'), u('c', 'loopback'), u('d', 'lan')]).map((x) => x.url)).toEqual(['b', 'd', 'a', 'c']);
  });
  it('names the folder by its last segment', () => {
    expect(folderName('/home/ada/Holiday photos/')).toBe('Holiday photos');
    expect(folderName('C:\\Users\\Ada\\Public')).toBe('Public');
    expect(folderName('/')).toBe('/');
  });
});
