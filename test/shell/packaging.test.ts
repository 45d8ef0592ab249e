// Packaging config check: electron-builder with build/electron-builder.yml, packing a
// STAND-IN Electron distribution (no real Electron can be downloaded here, see
// toolchain.md §2), then inspecting app.asar and running the packaged host with Node.
// The stand-in executable carries a fuse wire in Electron's documented format (sentinel,
// version 1, length, one byte a fuse, set to Electron's defaults), so electron-builder's
// @electron/fuses flips it as it would the real binary, and the test reads it back.
// What this cannot show: that the packaged app starts under a real Electron, that Electron
// 45's wire has these fuses at these offsets (@electron/fuses's schema says so), or that
// Electron then enforces them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, fork } from 'node:child_process';
import { promises as fsp, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { HOST_CJS, MAIN_CJS, PRELOAD_CJS, RENDERER_INDEX, ROOT, WEB_CJS, requireBuilt } from './built';
import type { HostToMain } from '../../server/host/protocol';
import { appDefaults } from '../../server/share-settings';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as {
  listPackage(archive: string, options?: { isPack: boolean }): string[];
  extractAll(archive: string, dest: string): void;
};
// Installed with electron-builder, which parses our config and flips the fuses with them.
const yaml = require('js-yaml') as { load(text: string): unknown };
const fuses = require('@electron/fuses') as {
  getCurrentFuseWire(pathToElectron: string): Promise<Record<string, string | number>>;
};

/** Electron's fuse wire: SENTINEL, version byte, length byte, then '0'/'1' per fuse. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Fuse indexes of wire version 1 (@electron/fuses FuseV1Options). */
const FUSE = {
  runAsNode: 0,
  enableCookieEncryption: 1,
  enableNodeOptionsEnvironmentVariable: 2,
  enableNodeCliInspectArguments: 3,
  enableEmbeddedAsarIntegrityValidation: 4,
  onlyLoadAppFromAsar: 5,
  loadBrowserProcessSpecificV8Snapshot: 6,
  grantFileProtocolExtraPrivileges: 7,
} as const;
/** What Electron ships (docs/tutorial/fuses.md "Default:"), in wire order. */
const ELECTRON_DEFAULT_WIRE = '10110001';
const STAND_IN_SCRIPT = '#!/bin/sh\necho "stand-in electron, not runnable"\nexit 0\n';

let dir: string;
let files: string[];
let extracted: string;
let packedExecutable: string;

async function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  return { code, out };
}

beforeAll(async () => {
  requireBuilt(MAIN_CJS, HOST_CJS, WEB_CJS, PRELOAD_CJS, RENDERER_INDEX);
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'servedir-pack-'));
  // The stand-in Electron distribution: the file names electron-builder copies, no binary.
  const dist = path.join(dir, 'stand-in-electron-dist');
  await fsp.mkdir(path.join(dist, 'resources'), { recursive: true });
  const wire = Buffer.concat([
    Buffer.from(`# ${FUSE_SENTINEL}`, 'latin1'),
    Buffer.from([1, ELECTRON_DEFAULT_WIRE.length]),
    Buffer.from(`${ELECTRON_DEFAULT_WIRE}\n`, 'latin1'),
  ]);
  await fsp.writeFile(path.join(dist, 'electron'), Buffer.concat([Buffer.from(STAND_IN_SCRIPT), wire]), { mode: 0o755 });
  await fsp.writeFile(path.join(dist, 'version'), 'v45.4.1');
  await fsp.writeFile(path.join(dist, 'LICENSE'), '');
  await fsp.writeFile(path.join(dist, 'LICENSES.chromium.html'), '');
  await fsp.writeFile(path.join(dist, 'chrome-sandbox'), '');
  const output = path.join(dir, 'release');
  const r = await run(path.join(ROOT, 'node_modules', '.bin', 'electron-builder'), [
    '--linux',
    'dir',
    '--config',
    'build/electron-builder.yml',
    `-c.electronDist=${dist}`,
    `-c.directories.output=${output}`,
  ]);
  if (r.code !== 0) throw new Error(`electron-builder failed (${r.code}):\n${r.out}`);
  packedExecutable = path.join(output, 'linux-unpacked', 'servedir');
  const archive = path.join(output, 'linux-unpacked', 'resources', 'app.asar');
  files = asar.listPackage(archive, { isPack: false }).map((f) => f.split(path.sep).join('/'));
  extracted = path.join(dir, 'app');
  asar.extractAll(archive, extracted);
}, 90_000);

afterAll(async () => {
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

describe('electron-builder --linux dir (stand-in Electron)', () => {
  it('app.asar holds main, host, web fallback, preload, renderer and package.json', () => {
    for (const f of ['/out/main/main.cjs', '/out/main/host.cjs', '/out/main/web.cjs', '/out/preload/preload.cjs', '/out/renderer/index.html', '/package.json']) {
      expect(files).toContain(f);
    }
    // Every chunk the entries require is packed too.
    for (const entry of ['main.cjs', 'host.cjs', 'web.cjs']) {
      const src = readFileSync(path.join(extracted, 'out', 'main', entry), 'utf8');
      for (const m of src.matchAll(/require\("(\.\/[^"]+)"\)/g)) {
        expect(files).toContain('/out/main/' + m[1]!.slice(2));
      }
    }
  });

  it('runtime dependencies (mime-types) are packed; devDependencies (react, electron, vite…) are not', () => {
    expect(files).toContain('/node_modules/mime-types/index.js');
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const modules = new Set(files.filter((f) => f.startsWith('/node_modules/')).map((f) => f.split('/').slice(2, f.includes('/@') ? 4 : 3).join('/')));
    for (const dev of Object.keys(pkg.devDependencies)) expect(modules.has(dev), dev).toBe(false);
    expect(files.some((f) => /\/(react|react-dom)\//.test(f))).toBe(false);
    // No sources, tests or build config in the app.
    expect(files.some((f) => /^\/(electron|server|renderer|test|scripts|build)\//.test(f))).toBe(false);
  });

  it('build/electron-builder.yml sets the fuses: no run-as-node, NODE_OPTIONS or inspect; asar only, with integrity; no file:// extras', () => {
    const config = yaml.load(readFileSync(path.join(ROOT, 'build', 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
    expect(config['electronFuses']).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // With the integrity fuse on, Electron on macOS and Windows checks app.asar against the
    // hash electron-builder embeds (Info.plist, an exe resource); turning that off would
    // leave the fuse checking against nothing.
    expect(config['disableAsarIntegrity']).toBeUndefined();
    expect(config['asar']).toBe(true);
  });

  it('electron-builder flipped exactly those fuses in the packaged executable (read back from its fuse wire)', async () => {
    const wire = await fuses.getCurrentFuseWire(packedExecutable);
    const on = 49; // '1'
    const off = 48; // '0'
    expect(wire['version']).toBe('1');
    expect(wire[FUSE.runAsNode]).toBe(off);
    expect(wire[FUSE.enableNodeOptionsEnvironmentVariable]).toBe(off);
    expect(wire[FUSE.enableNodeCliInspectArguments]).toBe(off);
    expect(wire[FUSE.enableEmbeddedAsarIntegrityValidation]).toBe(on);
    expect(wire[FUSE.onlyLoadAppFromAsar]).toBe(on);
    expect(wire[FUSE.grantFileProtocolExtraPrivileges]).toBe(off);
    // Left as Electron ships them.
    expect(wire[FUSE.enableCookieEncryption]).toBe(off);
    expect(wire[FUSE.loadBrowserProcessSpecificV8Snapshot]).toBe(off);
    // Only the wire changed: the rest of the executable is the stand-in's, byte for byte.
    const packed = readFileSync(packedExecutable);
    expect(packed.subarray(0, STAND_IN_SCRIPT.length).toString()).toBe(STAND_IN_SCRIPT);
    expect(packed.length).toBe(STAND_IN_SCRIPT.length + 2 + FUSE_SENTINEL.length + 2 + ELECTRON_DEFAULT_WIRE.length + 1);
  });

  it('the packaged main registers app:// as privileged before ready, serves it with protocol.handle, and never loads file://', () => {
    const main = readFileSync(path.join(extracted, 'out', 'main', 'main.cjs'), 'utf8');
    const chunks = files.filter((f) => f.startsWith('/out/main/chunks/')).map((f) => readFileSync(path.join(extracted, f), 'utf8'));
    const register = main.search(/\.protocol\.registerSchemesAsPrivileged\(\s*\[\s*\{\s*scheme:\s*"app"/);
    expect(register).toBeGreaterThan(-1);
    // At the top level, before the app waits for ready (Electron refuses it later).
    expect(register).toBeLessThan(main.search(/\.whenReady\(\)/));
    expect(main).toMatch(/\.protocol\.handle\(\s*"app",\s*createAppProtocolHandler\(/);
    expect(main).toMatch(/APP_INDEX_URL = `app:\/\/servedir\/index\.html`/);
    expect(main).toMatch(/rendererUrl:\s*APP_INDEX_URL/);
    for (const src of [main, ...chunks]) {
      expect(src).not.toMatch(/\.loadFile\(/);
      expect(src).not.toMatch(/file:\/\//);
      expect(src).not.toMatch(/pathToFileURL/);
    }
    expect(chunks.some((c) => /\.loadURL\(opts\.rendererUrl\)/.test(c)) || /\.loadURL\(opts\.rendererUrl\)/.test(main)).toBe(true);
  });

  it('the packaged package.json points Electron at out/main/main.cjs', () => {
    const pkg = JSON.parse(readFileSync(path.join(extracted, 'package.json'), 'utf8')) as { main: string; productName: string };
    expect(pkg.main).toBe('out/main/main.cjs');
    expect(pkg.productName).toBe('Servedir');
  });

  it('the packaged host.cjs runs under Node and answers real HTTP (resolving mime-types from the asar)', async () => {
    const share = path.join(dir, 'share');
    await fsp.mkdir(share);
    await fsp.writeFile(path.join(share, 'index.html'), '<h1>packaged</h1>');
    const cp = fork(path.join(extracted, 'out', 'main', 'host.cjs'), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const exited = new Promise<number | null>((r) => cp.on('exit', r));
    const listening = await new Promise<Extract<HostToMain, { type: 'listening' }>>((resolve, reject) => {
      cp.on('message', (m: HostToMain) => {
        if (m.type === 'ready') {
          cp.send({
            type: 'start',
            settings: { ...appDefaults(), directory: share, port: 0, bind: '127.0.0.1' },
          });
        } else if (m.type === 'listening') resolve(m);
        else if (m.type === 'failed') reject(new Error(m.message));
      });
      setTimeout(() => reject(new Error('packaged host did not listen')), 10_000);
    });
    const res = await fetch(`http://127.0.0.1:${listening.port}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(await res.text()).toBe('<h1>packaged</h1>');
    cp.send({ type: 'shutdown' });
    expect(await exited).toBe(0);
  });
});
