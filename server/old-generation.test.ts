/**
 * Tests for old-generation.ts: in a fresh Node process (the test runner's own heap has long
 * grown), a workload with a live set and a stream of objects that outlive a few scavenges (as
 * a busy server's) lets V8 grow the old space far past what is alive; with the cap it stays
 * much closer. `--heap-growing-percent` given on the command line is detected and left alone.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { heapGrowingSetAtStartup } from './old-generation.js';
import { makeTempDir } from './test-support/harness.js';

/** old-generation.ts compiled to a temporary ES module, with a script driving it. */
function childScript(): string {
  const dir = makeTempDir('servedir-og-');
  const source = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'old-generation.ts'), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } }).outputText;
  fs.writeFileSync(path.join(dir, 'old-generation.mjs'), js);
  // ~10 MiB that stays alive, and objects kept for a while in a rolling window (promoted,
  // then garbage), with the event loop turning between batches as in a server.
  const script = `
    import v8 from 'node:v8';
    import { capOldGenerationGrowth } from './old-generation.mjs';
    if (process.argv[2] === 'cap') capOldGenerationGrowth();
    const oldMiB = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size / 1048576;
    const live = Array.from({ length: 120000 }, (_, i) => ({ i, s: 'live' + i }));
    let most = 0;
    let window = [];
    for (let k = 0; k < 400; k++) {
      for (let i = 0; i < 2e4; i++) { window.push({ a: i, b: 'x' + i, c: [i] }); if (window.length > 200000) window = window.slice(100000); }
      most = Math.max(most, oldMiB());
      await new Promise((r) => setImmediate(r));
    }
    console.log(JSON.stringify({ most, live: live.length }));
  `;
  fs.writeFileSync(path.join(dir, 'drive.mjs'), script);
  return path.join(dir, 'drive.mjs');
}

function run(script: string, args: string[], nodeFlags: string[] = []): number {
  const out = execFileSync(process.execPath, [...nodeFlags, script, ...args], { env: { ...process.env, NODE_OPTIONS: '' }, encoding: 'utf8' });
  return (JSON.parse(out) as { most: number }).most;
}

describe('capOldGenerationGrowth', () => {
  it('keeps the old space far smaller than V8 alone lets it grow (measured here: ~60 against ~150 MiB)', () => {
    const script = childScript();
    const free = run(script, []);
    const capped = run(script, ['cap']);
    console.log(`old space at most: ${free.toFixed(1)} MiB by V8 alone, ${capped.toFixed(1)} MiB capped`);
    expect(free).toBeGreaterThan(100); // the workload does make V8 grow it
    expect(capped).toBeLessThan(free * 0.7);
  }, 60_000);

  it('leaves a process started with --heap-growing-percent alone', () => {
    expect(heapGrowingSetAtStartup(['--heap-growing-percent=50'])).toBe(true);
    expect(heapGrowingSetAtStartup(['--heap_growing_percent', '50'])).toBe(true);
    expect(heapGrowingSetAtStartup(['--max-old-space-size=100', '--trace-gc'])).toBe(false);
    // Given 300 at start-up (the old space may quadruple), the cap does not apply.
    const loose = run(childScript(), ['cap'], ['--heap-growing-percent=300']);
    expect(loose).toBeGreaterThan(100);
  }, 60_000);
});
