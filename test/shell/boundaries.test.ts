// Process boundaries of the shell, checked on the sources (the lint rules of style.md §A):
// which files may import 'electron' at runtime, ipcMain, ipcRenderer, process.parentPort.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './built';

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name !== 'node_modules' && name !== 'test-fixtures') out.push(...sources(full));
    } else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(full);
  }
  return out;
}

/** Source without comments, so prose mentioning an API does not count. */
const code = (file: string): string =>
  readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');

const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join('/');
const runtimeElectronImport = /^\s*import\s+(?!type\b)[^;]*from\s+['"]electron['"]|require\(\s*['"]electron['"]\s*\)/m;

describe('process boundaries', () => {
  const electronFiles = sources(path.join(ROOT, 'electron'));
  const serverFiles = sources(path.join(ROOT, 'server'));

  it("only main.ts, ipc.ts and preload.ts import 'electron' at runtime", () => {
    const importers = electronFiles.filter((f) => runtimeElectronImport.test(code(f))).map(rel).sort();
    expect(importers).toEqual(['electron/ipc.ts', 'electron/main.ts', 'electron/preload.ts']);
  });

  it('only ipc.ts names ipcMain, only preload.ts names ipcRenderer', () => {
    expect(electronFiles.filter((f) => /\bipcMain\b/.test(code(f))).map(rel)).toEqual(['electron/ipc.ts']);
    expect(electronFiles.filter((f) => /\bipcRenderer\b/.test(code(f))).map(rel)).toEqual(['electron/preload.ts']);
  });

  it("server/ never imports 'electron' (not even types) and only the host entry hands over process.parentPort", () => {
    expect(serverFiles.filter((f) => /['"]electron['"]/.test(code(f))).map(rel)).toEqual([]);
    // host-core reads parentPort only from the process object it is given...
    expect(serverFiles.filter((f) => /\bparentPort\b/.test(code(f))).map(rel)).toEqual(['server/host/host-core.ts']);
    // ...and the host entry is the one place that gives it the real `process`.
    expect(serverFiles.filter((f) => /detectChannel\(\s*process\b/.test(code(f))).map(rel)).toEqual([
      'server/host/utility-entry.ts',
    ]);
  });

  it('dependencies point down: the engine core imports nothing from its host (server/host/) or the shell', () => {
    const core = serverFiles.filter((f) => !rel(f).startsWith('server/host/'));
    const upward: string[] = [];
    for (const f of core) {
      for (const m of code(f).matchAll(/^\s*(?:import|export)\b[^;]*?from\s+['"](\.[^'"]*)['"]/gm)) {
        const target = rel(path.resolve(path.dirname(f), m[1]!));
        if (!target.startsWith('server/') || target.startsWith('server/host/')) upward.push(`${rel(f)} → ${m[1]}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('the web fallback and every module it loads stay free of electron', () => {
    const web = electronFiles.filter((f) => rel(f).startsWith('electron/web/'));
    expect(web.filter((f) => runtimeElectronImport.test(code(f)))).toEqual([]);
  });
});
