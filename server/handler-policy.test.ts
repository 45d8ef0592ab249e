import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CGI_INHERITED_ENV, POLICY_DECISIONS, policyFor, resolvePolicy, type HandlerPolicy } from './handler-policy.js';
import { DEFAULT_MAX_CONNECTIONS_PER_ADDRESS } from './limits.js';
import { appDefaults, handlerSettingsOf, SETTING_KEYS, SHARE_SETTINGS, type HandlerSettings } from './share-settings.js';

/** The handler options of the CLI's default flags, as cli.ts builds them: each handler row's CPython value. */
function cliDefaultOptions(): HandlerSettings & { hardened: boolean } {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const row = SHARE_SETTINGS[key] as { engine: string; cli: { kind: string; cpython?: unknown } };
    if (row.engine !== 'handler' || row.cli.kind === 'cpython') continue;
    out[key] = row.cli.cpython;
  }
  return { ...(out as HandlerSettings), hardened: false };
}

/** What CPython 3.13's `python -m http.server` does on POSIX: no divergence switched on. */
const CPYTHON_POSIX: HandlerPolicy = {
  refuseAmbiguousFraming: false,
  discardUnreadBody: false,
  closeAfterIncomplete: false,
  backslashSeparates: false,
  refuseControlCharsInNames: false,
  checkComponentsDotDotRemoves: false,
  refuseWindowsNames: false,
  lstatWalkProvesContainment: true,
  refuseSchemeInLocation: false,
  cgiRefusesClimbAbove: false,
  cgiInheritedEnv: null,
  cgiInputIsContentLength: false,
  cgiClosesAfterScript: false,
  maxConnectionsPerAddress: 0,
  hideDotfiles: false,
  followSymlinks: true,
  modernListing: false,
  acceptUploads: false,
  uploadReplaces: false,
  uploadMaxBytes: 4 * 1024 ** 3,
  folderZip: false,
};

describe('resolvePolicy', () => {
  it('the CLI default resolves to CPython\'s choices (no options, and what parseArgs builds)', () => {
    expect(resolvePolicy(undefined, 'linux')).toEqual(CPYTHON_POSIX);
    expect(resolvePolicy({}, 'linux')).toEqual(CPYTHON_POSIX);
    expect(resolvePolicy({}, 'darwin')).toEqual(CPYTHON_POSIX);
    // The handler options the CLI builds from its default flags (cli.ts: settings table → options).
    const cli = cliDefaultOptions();
    expect(Object.keys(cli)).toEqual(
      expect.arrayContaining(['followSymlinks', 'showHidden', 'listing', 'upload', 'uploadReplace', 'uploadMaxSize', 'folderZip']),
    );
    expect(resolvePolicy(cli, 'linux')).toEqual(CPYTHON_POSIX);
  });

  it('hardened resolves to the app\'s profile', () => {
    // What serve() passes: the app's default settings, always hardened.
    const app = resolvePolicy({ ...handlerSettingsOf(appDefaults()), hardened: true }, 'linux');
    expect(app).toEqual({
      refuseAmbiguousFraming: true,
      discardUnreadBody: true,
      closeAfterIncomplete: true,
      backslashSeparates: true,
      refuseControlCharsInNames: true,
      checkComponentsDotDotRemoves: true,
      refuseWindowsNames: false,
      lstatWalkProvesContainment: true,
      refuseSchemeInLocation: true,
      cgiRefusesClimbAbove: true,
      cgiInheritedEnv: CGI_INHERITED_ENV,
      cgiInputIsContentLength: true,
      cgiClosesAfterScript: true,
      maxConnectionsPerAddress: DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
      hideDotfiles: true,
      followSymlinks: false,
      modernListing: true,
      acceptUploads: false,
      uploadReplaces: false,
      uploadMaxBytes: 4 * 1024 ** 3,
      folderZip: true,
    } satisfies HandlerPolicy);
    expect(CGI_INHERITED_ENV).toContain('PATH');
    // Hardening alone leaves the share settings (links, hidden names, listing) as given.
    const hardenedOnly = resolvePolicy({ hardened: true }, 'linux');
    expect([hardenedOnly.followSymlinks, hardenedOnly.hideDotfiles, hardenedOnly.modernListing]).toEqual([true, false, false]);
  });

  it('upload and ZIP settings: each resolves to its decision, the size parsed once (4 GiB when unset)', () => {
    const on = resolvePolicy({ upload: true, uploadReplace: true, uploadMaxSize: '100M', folderZip: true }, 'linux');
    expect([on.acceptUploads, on.uploadReplaces, on.uploadMaxBytes, on.folderZip]).toEqual([true, true, 100 * 1024 ** 2, true]);
    expect(resolvePolicy({ uploadMaxSize: '1048576' }, 'linux').uploadMaxBytes).toBe(1048576);
    expect(resolvePolicy({ upload: true }, 'linux').uploadMaxBytes).toBe(4 * 1024 ** 3);
    // Not a size (options built by hand): the default, as the handler read it before.
    expect(resolvePolicy({ uploadMaxSize: 'lots' as never }, 'linux').uploadMaxBytes).toBe(4 * 1024 ** 3);
    // Hardening alone switches none of them on.
    const hardenedOnly = resolvePolicy({ hardened: true }, 'linux');
    expect([hardenedOnly.acceptUploads, hardenedOnly.uploadReplaces, hardenedOnly.folderZip]).toEqual([false, false, false]);
  });

  it('win32: a backslash separates, control characters and Windows names are refused, containment goes through realpath', () => {
    const win = resolvePolicy({}, 'win32');
    expect(win).toEqual({
      ...CPYTHON_POSIX,
      backslashSeparates: true,
      refuseControlCharsInNames: true,
      refuseWindowsNames: true,
      lstatWalkProvesContainment: false,
    });
    // Nothing else of the hardening profile comes with the platform.
    expect(win.refuseAmbiguousFraming || win.discardUnreadBody || win.refuseSchemeInLocation || win.cgiRefusesClimbAbove).toBe(false);
    expect(resolvePolicy({ hardened: true }, 'win32').refuseWindowsNames).toBe(true);
  });

  it('is frozen, and resolved once per options object (every handler of a server shares it)', () => {
    const options = { hardened: true };
    const p = policyFor(options);
    expect(Object.isFrozen(p)).toBe(true);
    expect(policyFor(options)).toBe(p);
    expect(policyFor({ hardened: true })).not.toBe(p);
    expect(policyFor(undefined)).toBe(policyFor(undefined));
    expect(policyFor(undefined)).toEqual(resolvePolicy(undefined));
  });
});

describe('every decision is named and documented', () => {
  const source = fs.readFileSync(path.join(import.meta.dirname, 'handler-policy.ts'), 'utf8');
  const iface = source.slice(source.indexOf('export interface HandlerPolicy'), source.indexOf('\n}\n', source.indexOf('export interface HandlerPolicy')));

  it('POLICY_DECISIONS lists exactly what resolvePolicy returns', () => {
    for (const platform of ['linux', 'win32'] as const) {
      for (const hardened of [false, true]) {
        expect(Object.keys(resolvePolicy({ hardened }, platform)).sort()).toEqual([...POLICY_DECISIONS].sort());
      }
    }
  });

  it.each(POLICY_DECISIONS)('%s has a doc comment naming its PORT NOTE', (name) => {
    const at = iface.indexOf(`  readonly ${name}:`);
    expect(at, `${name} is declared in HandlerPolicy`).toBeGreaterThan(0);
    const before = iface.slice(0, at).trimEnd();
    expect(before.endsWith('*/'), `${name} has a doc comment`).toBe(true);
    const doc = before.slice(before.lastIndexOf('/**'));
    expect(doc).toMatch(/PORT NOTEs? \d+/);
  });

  it('the engine reads no hardening, link, hidden-name, upload or ZIP option, nor the platform, outside the policy', () => {
    const engine = ['base-handler.ts', 'cgi-handler.ts', 'http-server.ts', 'simple-handler.ts'];
    for (const file of engine) {
      const text = fs.readFileSync(path.join(import.meta.dirname, file), 'utf8');
      expect(
        text.match(/options\??\.(hardened|followSymlinks|showHidden|listing|upload|uploadReplace|uploadMaxSize|folderZip)\b/g),
        file,
      ).toBeNull();
    }
    const simple = fs.readFileSync(path.join(import.meta.dirname, 'simple-handler.ts'), 'utf8');
    expect(simple.match(/platform === 'win32'/g)).toBeNull();
  });
});
