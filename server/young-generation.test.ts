/**
 * Tests for young-generation.ts: in a fresh Node process (the test runner's own heap has long
 * grown), a workload that makes V8 grow its new space to 32 MiB stays at 8 MiB with the cap,
 * and grows again once the cap is stopped; `--max-semi-space-size` on the command line or in
 * NODE_OPTIONS is detected and left alone.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { semiSpaceSetAtStartup } from './young-generation.js';
import { makeTempDir } from './test-support/harness.js';

/** young-generation.ts compiled to a temporary ES module, with a script driving it. */
function childScript(): string {
  const dir = makeTempDir('servedir-yg-');
  const source = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'young-generation.ts'), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } }).outputText;
  fs.writeFileSync(path.join(dir, 'young-generation.mjs'), js);
  // Objects that live a little while (a third survive each scavenge): V8 then grows the new
  // space step by step to its maximum. Between batches the event loop turns, as in a server.
  const script = `
    import { capYoungGeneration, newSpaceBytes } from './young-generation.mjs';
    const mib = () => newSpaceBytes() / 1048576;
    async function churn(batches) {
      let keep = [];
      let most = 0;
      for (let k = 0; k < batches; k++) {
        for (let i = 0; i < 1e4; i++) { keep.push({ a: i, b: 'x' + i }); if (keep.length > 30000) keep = []; }
        most = Math.max(most, mib());
        await new Promise((r) => setImmediate(r));
      }
      return most;
    }
    const capped = process.argv[2] === 'cap';
    const stop = capped ? capYoungGeneration(4) : () => {};
    const during = await churn(400);
    stop();
    const after = await churn(400);
    console.log(JSON.stringify({ during, after }));
  `;
  fs.writeFileSync(path.join(dir, 'drive.mjs'), script);
  return path.join(dir, 'drive.mjs');
}

function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}): { during: number; after: number } {
  const out = execFileSync(process.execPath, [script, ...args], { env: { ...process.env, NODE_OPTIONS: '', ...env }, encoding: 'utf8' });
  return JSON.parse(out) as { during: number; after: number };
}

describe('capYoungGeneration', () => {
  it('keeps the new space at 2 × 4 MiB where V8 alone grows it to 32 MiB; stop() lets it grow', () => {
    const script = childScript();
    const free = run(script, []);
    expect(free.during).toBeGreaterThanOrEqual(16); // the workload does make V8 grow it
    const capped = run(script, ['cap']);
    expect(capped.during).toBeLessThanOrEqual(8);
    expect(capped.after).toBeGreaterThan(8);
  });

  it('leaves a process started with --max-semi-space-size alone', () => {
    expect(semiSpaceSetAtStartup(['--max-semi-space-size=2'], '')).toBe(true);
    expect(semiSpaceSetAtStartup(['--max_semi_space_size', '2'], '')).toBe(true);
    expect(semiSpaceSetAtStartup([], '--require x --max-semi-space-size=8')).toBe(true);
    expect(semiSpaceSetAtStartup(['--max-old-space-size=100'], '--trace-gc')).toBe(false);
    // Given 16 MiB at start-up, the cap (4) does not apply: the new space grows past 8 MiB.
    const big = run(childScript(), ['cap'], { NODE_OPTIONS: '--max-semi-space-size=16' });
    expect(big.during).toBeGreaterThan(8);
  });
});
