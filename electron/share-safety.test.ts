// Tests for share-safety.ts: the tables of every OS, with path.posix / path.win32 explicitly.
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { cgiProgramFolder, classifyShareFolder, type ShareRisk } from './share-safety';

const posix = (f: string, home = '/home/ann') => classifyShareFolder(path.posix, f, home)?.risk ?? null;
const mac = (f: string, home = '/Users/ann') => classifyShareFolder(path.posix, f, home, true)?.risk ?? null;
const win = (f: string, home = 'C:\\Users\\ann') => classifyShareFolder(path.win32, f, home)?.risk ?? null;

describe('classifyShareFolder', () => {
  const linux: [string, ShareRisk | null][] = [
    ['/', 'disk'],
    ['/etc', 'system'],
    ['/etc/ssh', 'system'],
    ['/usr', 'system'],
    ['/usr/share/doc', 'system'],
    ['/var/www', 'system'],
    ['/boot', 'system'],
    ['/bin', 'system'],
    ['/root', 'system'],
    ['/home', 'system'],
    ['/home/ann', 'home'],
    ['/home/ann/', 'home'],
    ['/home/ann/Public', null],
    ['/home/ann/Pictures/2024', null],
    ['/home/bob', null],
    ['/mnt/usb', null],
    ['/tmp/share', null],
    ['/etcetera', null],
  ];
  it.each(linux)('Linux: %s → %s', (f, want) => expect(posix(f)).toBe(want));

  const macos: [string, ShareRisk | null][] = [
    ['/', 'disk'],
    ['/System', 'system'],
    ['/System/Library', 'system'],
    ['/system/library', 'system'],
    ['/Library', 'system'],
    ['/Applications', 'system'],
    ['/private/etc', 'system'],
    ['/Users', 'system'],
    ['/Users/ann', 'home'],
    ['/users/ANN', 'home'],
    ['/Users/ann/Library', null],
    ['/Users/ann/Movies', null],
  ];
  it.each(macos)('macOS: %s → %s', (f, want) => expect(mac(f)).toBe(want));

  const windows: [string, ShareRisk | null][] = [
    ['C:\\', 'disk'],
    ['c:\\', 'disk'],
    ['D:\\', 'disk'],
    ['C:\\Windows', 'system'],
    ['C:\\WINDOWS\\System32', 'system'],
    ['C:\\Program Files', 'system'],
    ['C:\\Program Files (x86)\\Steam', 'system'],
    ['C:\\ProgramData', 'system'],
    ['D:\\Windows', 'system'],
    ['C:\\Users', 'system'],
    ['C:\\Users\\ann', 'home'],
    ['c:\\users\\ANN\\', 'home'],
    ['C:\\Users\\ann\\Documents', null],
    ['D:\\Photos', null],
    ['C:\\Windows Backup', null],
  ];
  it.each(windows)('Windows: %s → %s', (f, want) => expect(win(f)).toBe(want));

  it('names what becomes visible, in plain words', () => {
    expect(classifyShareFolder(path.posix, '/home/ann', '/home/ann')?.message).toContain(
      'Everything in your home folder, including documents, photos and hidden settings files like browser profiles, will be visible to anyone on this network.',
    );
    expect(classifyShareFolder(path.win32, 'C:\\', 'C:\\Users\\ann')?.message).toMatch(/^C:\\ is a whole disk\. Every file on it/);
    expect(classifyShareFolder(path.posix, '/etc', '/home/ann')?.message).toMatch(/^\/etc is a folder of the operating system/);
  });
});

describe('cgiProgramFolder', () => {
  const links = (map: Record<string, string>) => async (p: string) => {
    if (p in map) return map[p]!;
    throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  };

  it('sharing / with the CGI folder /usr/bin is refused (the `touch` case)', async () => {
    const r = await cgiProgramFolder(path.posix, '/', ['/cgi-bin', '/usr/bin'], links({ '/usr/bin': '/usr/bin' }));
    expect(r).toEqual({ urlFolder: '/usr/bin', real: '/usr/bin' });
  });

  it('a CGI folder containing system programs (/usr: run_cgi walks into subfolders) is refused', async () => {
    expect(await cgiProgramFolder(path.posix, '/', ['/usr'], links({ '/usr': '/usr' }))).toEqual({ urlFolder: '/usr', real: '/usr' });
  });

  it('follows links: a cgi-bin that is a link to /usr/bin is refused', async () => {
    const r = await cgiProgramFolder(path.posix, '/home/ann/site', ['/cgi-bin'], links({ '/home/ann/site/cgi-bin': '/usr/bin' }));
    expect(r).toEqual({ urlFolder: '/cgi-bin', real: '/usr/bin' });
  });

  it('an ordinary cgi-bin, or one that does not exist, is fine', async () => {
    expect(await cgiProgramFolder(path.posix, '/home/ann/site', ['/cgi-bin', '/htbin'], links({ '/home/ann/site/cgi-bin': '/home/ann/site/cgi-bin' }))).toBeNull();
    expect(await cgiProgramFolder(path.posix, '/', ['/cgi-bin'], links({}))).toBeNull();
  });

  it('Windows: C:\\ with the CGI folder /Windows/System32 is refused, on any drive letter case', async () => {
    const r = await cgiProgramFolder(path.win32, 'C:\\', ['/windows/system32'], links({}));
    expect(r).toEqual({ urlFolder: '/windows/system32', real: 'C:\\windows\\system32' });
    expect(await cgiProgramFolder(path.win32, 'D:\\site', ['/cgi-bin'], links({}))).toBeNull();
  });
});

describe("the contract's server:start validator", () => {
  it('takes no argument, or { confirmed } naming one risk, nothing else', async () => {
    const { invokeValidators } = await import('./ipc-contract');
    const v = invokeValidators['server:start'];
    expect(v([])).toBe(true);
    for (const r of ['disk', 'system', 'home']) expect(v([{ confirmed: r }])).toBe(true);
    expect(v([{ confirmed: 'all' }])).toBe(false);
    expect(v([{ confirmed: 'home', extra: 1 }])).toBe(false);
    expect(v([{}])).toBe(false);
    expect(v([{ confirmed: 'home' }, 1])).toBe(false);
    expect(v(['home'])).toBe(false);
  });
});
