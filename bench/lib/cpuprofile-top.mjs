/**
 * Benchmark harness (plain Node): summarizes a V8 `.cpuprofile` (from `node --cpu-prof`)
 * as the functions with the most self time, so RESULTS.md can name concrete hotspots.
 * Usable alone: `node bench/lib/cpuprofile-top.mjs FILE.cpuprofile [N]`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Returns a markdown table of the top `n` functions by self time. */
export function summarizeProfile(file, n = 25) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  const samples = prof.samples ?? [];
  const deltas = prof.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const dt = deltas[i + 1] ?? 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, dt));
  }
  const byFn = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)?.callFrame;
    // Idle time is not work: percentages are of the time the server was busy.
    if (!cf || cf.functionName === '(idle)') continue;
    total += us;
    const where = cf.url ? `${path.basename(cf.url)}:${cf.lineNumber + 1}` : '';
    const key = `${cf.functionName || '(anonymous)'} ${where}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + us);
  }
  total ||= 1;
  const top = [...byFn.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  const lines = ['| % of busy | self ms | function |', '| ---: | ---: | --- |'];
  for (const [key, us] of top) lines.push(`| ${((us / total) * 100).toFixed(1)} | ${(us / 1000).toFixed(0)} | ${key} |`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(summarizeProfile(process.argv[2], Number(process.argv[3] ?? 25)));
}
