/**
 * Paths of the built bundles the shell tests run, and a clear failure when they are
 * missing (these tests exercise what ships, so they need `npm run build:app` first).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const OUT = path.join(ROOT, 'out');
export const HOST_CJS = path.join(OUT, 'main', 'host.cjs');
export const MAIN_CJS = path.join(OUT, 'main', 'main.cjs');
export const WEB_CJS = path.join(OUT, 'main', 'web.cjs');
export const PRELOAD_CJS = path.join(OUT, 'preload', 'preload.cjs');
export const RENDERER_INDEX = path.join(OUT, 'renderer', 'index.html');

/** Throws (never skips) when a bundle is missing. */
export function requireBuilt(...files: string[]): void {
  const missing = files.filter((f) => !fs.existsSync(f));
  if (missing.length > 0) {
    throw new Error(`Build output missing (${missing.map((m) => path.relative(ROOT, m)).join(', ')}): run "npm run build:app" first.`);
  }
}
