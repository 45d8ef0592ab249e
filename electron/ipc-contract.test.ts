// Runtime validators of the IPC contract (electron/ipc-contract.ts): what the shell lets
// through to a service function.
import { describe, expect, it } from 'vitest';
import { invokeValidators, isCgiDirectories, isSettings, isSettingsPatch } from './ipc-contract';

describe('ipc-contract validators', () => {
  it('isCgiDirectories: only folders the engine can match', () => {
    expect(isCgiDirectories(['/cgi-bin', '/htbin'])).toBe(true);
    expect(isCgiDirectories(['/scripts/perl'])).toBe(true);
    for (const bad of ['', '/', 'cgi-bin', '/cgi-bin/', '/a//b', '/cgi-bin/../x', '/./x', '/..', '/a/.', '/a\\b', '/a?b', '/a#b', '/a\0b', '/' + 'x'.repeat(300)]) {
      expect(isCgiDirectories([bad]), JSON.stringify(bad)).toBe(false);
    }
    expect(isCgiDirectories([])).toBe(false);
    expect(isCgiDirectories('/cgi-bin')).toBe(false);
    expect(isCgiDirectories(Array.from({ length: 17 }, (_, i) => `/d${i}`))).toBe(false);
  });

  it('isSettingsPatch: known fields with valid values only, never an empty or foreign object', () => {
    expect(isSettingsPatch({ port: 8080 })).toBe(true);
    expect(isSettingsPatch({ port: 0 })).toBe(false);
    expect(isSettingsPatch({})).toBe(false);
    expect(isSettingsPatch({ recentFolders: [] })).toBe(false);
    expect(isSettingsPatch(JSON.parse('{"__proto__": {"cgi": true}}'))).toBe(false);
    expect(isSettingsPatch(Object.create({ port: 8080 }))).toBe(false);
  });

  it('isSettings: a complete saved file', () => {
    const ok = {
      directory: '', port: 8000, bind: '', protocolVersion: 'HTTP/1.0', cgi: false,
      cgiDirectories: ['/cgi-bin', '/htbin'], followSymlinks: false, recentFolders: [],
    };
    expect(isSettings(ok)).toBe(true);
    expect(isSettings({ ...ok, cgiDirectories: ['/cgi-bin/../x'] })).toBe(false);
    const { followSymlinks: _, ...missing } = ok;
    expect(isSettings(missing)).toBe(false);
  });

  it('invokeValidators: argument count and shape per channel', () => {
    expect(invokeValidators['server:start']([])).toBe(true);
    expect(invokeValidators['server:start']([1])).toBe(false);
    expect(invokeValidators['folder:check'](['/tmp'])).toBe(true);
    expect(invokeValidators['folder:check'](['/tmp\0x'])).toBe(false);
    expect(invokeValidators['settings:update']([{ cgiDirectories: ['/a//b'] }])).toBe(false);
  });
});
