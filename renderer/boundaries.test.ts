/**
 * Folder boundary guard (style.md §A): renderer code never imports 'electron' or
 * 'node:*', and takes only types from server/ and electron/ (values only from the two
 * contract files, which have no runtime dependencies). Reads the sources through Vite's
 * import.meta.glob, so this test itself needs no Node API.
 */
import { describe, expect, it } from 'vitest';

const sources = import.meta.glob(['./**/*.ts', './**/*.tsx', '!./**/*.test.ts', '!./**/*.test.tsx'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

const IMPORT_RE = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm;
const VALUE_IMPORTS_ALLOWED = /\/electron\/(ipc-contract|web\/web-protocol)$/;

describe('renderer import boundaries', () => {
  it('finds the renderer sources', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(20);
  });

  for (const [file, text] of Object.entries(sources)) {
    it(`${file} imports nothing it must not`, () => {
      for (const m of text.matchAll(IMPORT_RE)) {
        const typeOnly = m[2] !== undefined;
        const spec = m[3]!;
        expect(spec, `${file}: ${m[0].trim()}`).not.toMatch(/^(electron|node:|fs$|path$|child_process$)/);
        if (spec.includes('/server/')) expect(typeOnly, `${file}: value import from server/: ${spec}`).toBe(true);
        if (spec.includes('/electron/') && !typeOnly)
          expect(spec, `${file}: value import from electron/`).toMatch(VALUE_IMPORTS_ALLOWED);
      }
    });
  }
});
