// Tests for system-open.ts: which opener is used, found on PATH without running it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openInBrowser, systemOpener } from './system-open';

let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'servedir-open-'));
  await fsp.writeFile(path.join(dir, 'xdg-open'), '#!/bin/sh\n', { mode: 0o755 });
  await fsp.writeFile(path.join(dir, 'open'), 'not executable', { mode: 0o644 });
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('systemOpener', () => {
  it('finds xdg-open on PATH on Linux', () => {
    const o = systemOpener('linux', `/nonexistent${path.delimiter}${dir}`);
    expect(o?.command).toBe(path.join(dir, 'xdg-open'));
    expect(o?.args('http://127.0.0.1:1/?key=x')).toEqual(['http://127.0.0.1:1/?key=x']);
  });
  it('returns null when there is no (executable) opener', () => {
    expect(systemOpener('linux', '/nonexistent')).toBeNull();
    expect(systemOpener('darwin', dir)).toBeNull();
  });
  it('uses start through cmd on Windows, with the URL quoted (arguments are passed verbatim)', () => {
    const o = systemOpener('win32', '');
    expect(o?.command).toBe('cmd');
    expect(o?.args('http://a/?x=1&y=2')).toEqual(['/c', 'start', '""', '"http://a/?x=1&y=2"']);
  });
});

describe('openInBrowser', () => {
  const script = async (name: string, body: string) => {
    const f = path.join(dir, name);
    await fsp.writeFile(f, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return { command: f, args: (url: string) => [url] };
  };
  it('is false when the opener fails, as xdg-open does with no browser installed (exit 3)', async () => {
    expect(await openInBrowser('http://127.0.0.1:1/', await script('fail-open', 'exit 3'))).toBe(false);
  });
  it('is true when the opener hands the URL over and exits 0, or is still running', async () => {
    expect(await openInBrowser('http://127.0.0.1:1/', await script('ok-open', 'exit 0'))).toBe(true);
    expect(await openInBrowser('http://127.0.0.1:1/', await script('slow-open', 'sleep 2'), 200)).toBe(true);
  });
  it('is false when there is no opener', async () => {
    expect(await openInBrowser('http://127.0.0.1:1/', null)).toBe(false);
  });
});
