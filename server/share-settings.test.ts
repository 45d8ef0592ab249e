/**
 * Tests for share-settings.ts: the table every layer derives from is coherent, and what is
 * derived from it (defaults, checks, handler options, migration, the CLI's flags, the
 * Settings pane's switches) follows each row.
 */
import { describe, expect, it } from 'vitest';
import { helpText, parseArgs } from './cli.js';
import {
  appDefaults, checkServeSettings, CLI_EXTRA_FLAGS, handlerSettingsOf, isStoredValue, migrateStoredSettings,
  SETTING_CHOICES, SETTING_CONTROLS, SETTING_KEYS, SETTING_SWITCHES, SHARE_SETTINGS, type ServeSettings, type SettingRow,
} from './share-settings.js';

const rows = SETTING_KEYS.map((key) => [key, SHARE_SETTINGS[key] as SettingRow<unknown>] as const);
const shared = (over: Partial<ServeSettings> = {}): ServeSettings => ({ ...appDefaults(), directory: '/srv/share', ...over });

describe('the settings table', () => {
  it.each(rows)('%s: its app default is a value the app stores, its CLI value one the engine takes', (key, row) => {
    expect(isStoredValue(key, row.appDefault)).toBe(true);
    if (row.cli.kind !== 'cpython') expect(row.check(row.cli.cpython)).toBe(true);
    if (row.cli.kind === 'switch') expect(row.check(row.cli.value)).toBe(true);
    expect(row.label).toMatch(/^[A-Z]/);
    expect(row.help).toMatch(/^[A-Z].*\.$/);
    expect(row.invalid('x')).toMatch(/^[A-Z].*\.$/);
  });

  it('the app defaults with a folder chosen pass the engine’s check', () => {
    expect(checkServeSettings(shared())).toBeNull();
  });

  it('checkServeSettings names the first bad setting with its code, sentence and field, in table order', () => {
    expect(checkServeSettings(null)).toMatchObject({ code: 'SRV_ERR_BAD_SETTINGS' });
    expect(checkServeSettings(shared({ directory: '' }))).toEqual({ code: 'SRV_ERR_DIRECTORY_MISSING', message: 'Choose a folder to share.', field: 'directory' });
    expect(checkServeSettings(shared({ port: 65536 }))).toMatchObject({ code: 'SRV_ERR_PORT_INVALID', field: 'port' });
    expect(checkServeSettings(shared({ port: 0 }))).toBeNull(); // the engine takes "any free port"
    expect(isStoredValue('port', 0)).toBe(false); // the app never stores it
    expect(checkServeSettings(shared({ bind: 'my laptop' }))).toMatchObject({ code: 'SRV_ERR_ADDRESS_INVALID', field: 'bind' });
    expect(checkServeSettings(shared({ protocolVersion: 'HTTP/2' as never }))).toMatchObject({ field: 'protocolVersion' });
    expect(checkServeSettings(shared({ cgiDirectories: ['/a//b'] }))).toMatchObject({ field: 'cgi' });
    const { followSymlinks: _, ...missing } = shared();
    expect(checkServeSettings(missing)).toMatchObject({ field: 'followSymlinks' });
    expect(checkServeSettings({ ...shared({ port: -1 }), directory: 7 })).toMatchObject({ field: 'directory' });
  });

  it('handlerSettingsOf passes exactly the rows the engine gives its handlers', () => {
    const opts = handlerSettingsOf(shared());
    const handlerKeys = SETTING_KEYS.filter((k) => SHARE_SETTINGS[k].engine === 'handler');
    expect(Object.keys(opts).sort()).toEqual([...handlerKeys].sort());
    expect(opts).not.toHaveProperty('port');
    expect(opts).not.toHaveProperty('cgi');
    expect(opts).toMatchObject({ directory: '/srv/share', followSymlinks: false });
  });

  it('the Settings pane’s switches are the boolean rows with a switch UI, in table order, with their words', () => {
    const expected = rows.filter(([, r]) => r.ui.kind === 'switch').map(([k]) => k);
    expect(SETTING_SWITCHES.map((s) => s.key)).toEqual(expected);
    expect(SETTING_SWITCHES.find((s) => s.key === 'followSymlinks')).toMatchObject({
      section: 'Links',
      label: 'Follow links that leave the shared folder',
    });
  });
});

describe('the Settings pane’s choices (ui kind "choice")', () => {
  it('each choice is a valid value with its own words; the app’s and CPython’s values are among them', () => {
    expect(SETTING_CHOICES.map((c) => c.key)).toEqual(rows.filter(([, r]) => r.ui.kind === 'choice').map(([k]) => k));
    for (const c of SETTING_CHOICES) {
      const row = SHARE_SETTINGS[c.key] as SettingRow<unknown>;
      const values = c.choices.map((o) => o.value);
      expect(new Set(values).size).toBe(values.length);
      for (const o of c.choices) {
        expect(row.check(o.value)).toBe(true);
        expect(o.label).toMatch(/^[A-Z]/);
        expect(o.help).toMatch(/^[A-Z].*\.$/);
      }
      expect(values).toContain(row.appDefault);
      if (row.cli.kind !== 'cpython') expect(values).toContain(row.cli.cpython);
    }
  });

  it('SETTING_CONTROLS: the switches and the choices together, in table order', () => {
    const expected = rows.filter(([, r]) => r.ui.kind === 'switch' || r.ui.kind === 'choice').map(([k]) => k);
    expect(SETTING_CONTROLS.map((c) => c.key)).toEqual(expected);
    expect(SETTING_CONTROLS.filter((c) => c.kind === 'switch').map((c) => c.key)).toEqual(SETTING_SWITCHES.map((s) => s.key));
  });

  it('the listing style: modern in the app, classic (CPython’s page) in the CLI; hidden files off in the app, shown in the CLI', () => {
    expect(appDefaults()).toMatchObject({ listing: 'modern', showHidden: false, range: true });
    expect(SETTING_CHOICES.find((c) => c.key === 'listing')).toMatchObject({ section: 'Visitors', label: 'Folder pages' });
    expect(SETTING_CHOICES.find((c) => c.key === 'listing')?.choices.map((o) => o.value)).toEqual(['modern', 'classic']);
    expect(checkServeSettings(shared({ listing: 'fancy' as never }))).toMatchObject({ field: 'listing', message: 'The style of folder pages must be modern or classic.' });
    expect(checkServeSettings(shared({ showHidden: 'no' as never }))).toMatchObject({ field: 'showHidden' });
  });
});

describe('migrateStoredSettings (the settings file of an older version)', () => {
  it('a file saved before a setting existed gets its default silently', () => {
    const { followSymlinks: _, ...old } = { ...appDefaults(), directory: '/data', port: 9001 };
    const m = migrateStoredSettings(old);
    expect(m.rejected).toEqual([]);
    expect(m.added).toEqual(['followSymlinks']);
    expect(m.settings).toEqual({ ...appDefaults(), directory: '/data', port: 9001 });
  });

  it('a value that does not validate takes its default and is reported; unknown names are left out', () => {
    const m = migrateStoredSettings({ ...appDefaults(), port: 0, cgi: 'yes', fromTheFuture: 1 });
    expect(m.rejected).toEqual(['port', 'cgi']);
    expect(m.settings.port).toBe(appDefaults().port);
    expect(m.settings).not.toHaveProperty('fromTheFuture');
  });
});

describe('the CLI’s flags come from the table', () => {
  it('without flags every setting has CPython’s value', () => {
    const r = parseArgs([], 'cli.js', '/cwd');
    expect(r.ok).toBe(true);
    const args = (r as { args: Record<string, unknown> & { files: Record<string, string> } }).args;
    for (const f of CLI_EXTRA_FLAGS) {
      if (f.kind === 'file') expect(args.files[f.key]).toBeUndefined();
      else expect(args[f.key]).toEqual(f.cpython);
    }
  });

  it.each(CLI_EXTRA_FLAGS.map((f) => [f.flag, f] as const))('%s is accepted, sets its setting and is in --help', (flag, f) => {
    const argv = f.kind === 'switch' ? [flag] : [flag, 'x'];
    const r = parseArgs(argv, 'cli.js', '/cwd');
    if (f.kind === 'switch') expect(r).toMatchObject({ ok: true, args: { [f.key]: f.value } });
    expect(helpText('cli.js')).toContain(`  ${flag}`);
  });

  it('--hardened gives the app’s value of every hardening switch', () => {
    const r = parseArgs(['--hardened'], 'cli.js', '/cwd');
    for (const f of CLI_EXTRA_FLAGS) if (f.kind === 'switch' && f.hardened) expect(r).toMatchObject({ ok: true, args: { [f.key]: f.value } });
  });

  it('--help wraps our flags’ help as argparse does (24-column invocations, 78 columns)', () => {
    for (const line of helpText('cli.js').split('\n')) expect(line.length).toBeLessThanOrEqual(78);
    expect(helpText('cli.js')).toContain('  --no-follow-symlinks  do not follow symbolic links that lead out of the\n                        directory\n');
  });
});
