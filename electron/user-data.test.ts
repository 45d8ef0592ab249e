// Tests for user-data.ts: the settings folder matches Electron's userData for "Servedir".
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { userDataDir } from './user-data';

describe('userDataDir', () => {
  it('SERVEDIR_USER_DATA wins everywhere', () => {
    expect(userDataDir({ SERVEDIR_USER_DATA: '/tmp/x', XDG_CONFIG_HOME: '/c' }, 'linux', '/home/u')).toBe('/tmp/x');
  });
  it('Linux: $XDG_CONFIG_HOME/Servedir, else ~/.config/Servedir (a relative XDG value is ignored, per the spec)', () => {
    expect(userDataDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/u')).toBe('/cfg/Servedir');
    expect(userDataDir({}, 'linux', '/home/u')).toBe('/home/u/.config/Servedir');
    expect(userDataDir({ XDG_CONFIG_HOME: 'rel' }, 'linux', '/home/u')).toBe('/home/u/.config/Servedir');
  });
  it('macOS and Windows use their application-data folders', () => {
    expect(userDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Servedir');
    expect(userDataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toBe(
      path.join('C:\\Users\\u\\AppData\\Roaming', 'Servedir'),
    );
  });
});
