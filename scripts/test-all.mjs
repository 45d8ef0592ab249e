#!/usr/bin/env node
// Runs every test suite of Servedir and prints one closing line summing them all:
//   N passed, M failed, K skipped
//
// Suites, in order:
//   1. build         npm run build (engine CLI with tsc, app bundles with electron-vite)
//   2. typecheck     the four tsc programs (server, electron, renderer, test)
//   3. vitest        unit, live-socket, host, fake-electron, Chromium end-to-end, attack suites
//   4. conformance   ours, from this repository alone: test/conformance/runner.py runs
//                    python3 -m http.server (CPython 3.13 where one is found) against the built
//                    CLI, both protocols, with and without --cgi, over test/conformance/cases_*.py;
//                    skipped, with the reason, when there is no python3
//   5. conformance-shared  ../shared/conformance, only when it is beside this folder: its public
//                    cases (and hidden ones if present), its 3.11 reference read as 3.13 (--target 3.13)
//
// Chromium (Debian's) is needed by the end-to-end tests; when it is missing and we are
// root, it is installed with apt-get (the only browser this machine can get).
// Usage: node scripts/test-all.mjs [--skip-conformance | --only-vitest | --only-conformance]
//   --only-conformance  builds the engine CLI (npm run build:server), then runs 4 and 5 only
// SERVEDIR_ORACLE_PYTHON=/path/to/python3 picks the oracle (and the Python that runs the runner).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const results = []; // { suite, passed, failed, skipped, note }
const failures = []; // 'file > test: first line of the message', printed before the summary
/** The first line of an error message, cut to one screen line. */
const firstLine = (msg) => String(msg ?? '').split('\n').find((l) => l.trim())?.trim().slice(0, 200) ?? '';

function run(cmd, cmdArgs, opts = {}) {
  console.log(`\n$ ${[cmd, ...cmdArgs].join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: opts.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8', env: { ...process.env, ...opts.env } });
  if (opts.capture && r.stdout) process.stdout.write(r.stdout);
  return r;
}

function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return;
  if (process.getuid?.() !== 0) {
    console.log('Chromium is missing: install it with `sudo apt-get install -y chromium` (the browser tests need it).');
    return;
  }
  run('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium']);
}

function step(suite, cmd, cmdArgs) {
  const r = run(cmd, cmdArgs);
  const ok = r.status === 0;
  results.push({ suite, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, note: ok ? '' : `exit ${r.status}` });
  return ok;
}

/** The closing `N passed, M failed[, K skipped]` line of a runner's output, as numbers. */
function summaryOf(stdout) {
  const line = (stdout ?? '').split('\n').reverse().find((l) => /^\d+ passed, \d+ failed/.test(l));
  const m = line && /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/.exec(line);
  return m ? { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3] ?? 0) } : null;
}

/** The first of these commands that is an executable file, by path or on PATH. */
function findExecutable(names) {
  for (const name of names) {
    const paths = name.includes('/') ? [name] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, name));
    for (const p of paths) {
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        // not this one
      }
    }
  }
  return null;
}

const onlyConformance = args.has('--only-conformance');
if (!onlyConformance) ensureChromium();

if (onlyConformance) {
  if (!step('build', 'npm', ['run', '--silent', 'build:server'])) {
    console.log('\nThe engine build failed; the conformance suites need it.');
  }
} else if (!args.has('--only-vitest')) {
  if (!step('build', 'npm', ['run', '--silent', 'build'])) {
    console.log('\nThe build failed; the other suites need it.');
  }
  step('typecheck', 'npm', ['run', '--silent', 'typecheck']);
}

// vitest: read the counts from its JSON report rather than from its console text.
mkdirSync(join(root, 'test-results'), { recursive: true });
if (!onlyConformance) {
  const vitestJson = join(root, 'test-results', 'vitest.json');
  const v = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${vitestJson}`]);
  try {
    const report = JSON.parse(readFileSync(vitestJson, 'utf8'));
    const failedSuites = (report.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
    results.push({
      suite: 'vitest',
      passed: report.numPassedTests,
      failed: report.numFailedTests + failedSuites,
      skipped: report.numPendingTests + report.numTodoTests,
      note: failedSuites ? `${failedSuites} test file(s) failed to load` : '',
    });
    // The names of what failed go into the closing summary too: CI keeps only the tail.
    for (const file of report.testResults ?? []) {
      const rel = relative(root, file.name ?? '');
      const failedTests = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
      if (file.status === 'failed' && failedTests.length === 0) failures.push(`${rel}: ${firstLine(file.message)}`);
      for (const t of failedTests) failures.push(`${rel} > ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
    }
  } catch (err) {
    results.push({ suite: 'vitest', passed: 0, failed: 1, skipped: 0, note: `no JSON report (exit ${v.status}): ${err.message}` });
  }
}

if (!args.has('--skip-conformance') && !args.has('--only-vitest')) {
  // Ours. The runner picks the oracle itself (CPython 3.13 first); it only needs a Python 3
  // to run on. Without one the suite is skipped, and says why.
  const override = process.env.SERVEDIR_ORACLE_PYTHON;
  const python = findExecutable(override ? [override] : ['python3', 'python3.13']);
  if (!python) {
    const why = override ? `SERVEDIR_ORACLE_PYTHON=${override} is not an executable` : 'no python3 on PATH to be the oracle';
    console.log(`\nconformance skipped: ${why}`);
    results.push({ suite: 'conformance', passed: 0, failed: 0, skipped: 1, note: why });
  } else {
    const c = run(python, [join('test', 'conformance', 'runner.py')], { capture: true });
    const counts = summaryOf(c.stdout);
    const skippedWhy = /^SKIPPED:? (.*)$/m.exec(c.stdout ?? '')?.[1] ?? '';
    results.push(counts
      ? { suite: 'conformance', ...counts, note: skippedWhy }
      : { suite: 'conformance', passed: 0, failed: 1, skipped: 0, note: `no summary line (exit ${c.status})` });
  }

  // ../shared/conformance, in addition, when it is beside this folder. Our cases are not given
  // to it: they run above, over our fixture, with our helpers.
  const harness = resolve(root, '..', 'shared', 'conformance', 'conformance.py');
  const sharedPython = existsSync(harness) && findExecutable(['python3']);
  if (!existsSync(harness)) {
    console.log(`\nconformance-shared not run: no ${harness} (it runs only when ../shared is beside this folder)`);
  } else if (!sharedPython) {
    results.push({ suite: 'conformance-shared', passed: 0, failed: 0, skipped: 1, note: 'no python3 on PATH' });
  } else {
    const caseFiles = [resolve(dirname(harness), 'cases_public.py')];
    const hidden = resolve(dirname(harness), 'cases_hidden.py');
    if (existsSync(hidden)) caseFiles.push(hidden);
    const c = run(sharedPython, [
      harness,
      '--cases', ...caseFiles,
      '--candidate', 'node dist/server/cli.js {port} --bind {bind} --directory {dir} --protocol {proto} {cgi}',
      '--candidate-cwd', root,
      '--mime-alt', 'auto',
      '--target', '3.13',
      '--jobs', '4',
      '--timeout-scale', '2',
      '--json', join(root, 'test-results', 'conformance-shared.json'),
    ], { capture: true });
    const counts = summaryOf(c.stdout);
    results.push(counts
      ? { suite: 'conformance-shared', ...counts, note: '' }
      : { suite: 'conformance-shared', passed: 0, failed: 1, skipped: 0, note: `no summary line (exit ${c.status})` });
  }
}

if (failures.length) {
  console.log('\nFailed tests:');
  for (const f of failures) console.log(`  ${f}`);
}
console.log('\nSuite results:');
for (const r of results) {
  console.log(`  ${r.suite.padEnd(18)} ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped${r.note ? `  (${r.note})` : ''}`);
}
const total = results.reduce((a, r) => ({ p: a.p + r.passed, f: a.f + r.failed, s: a.s + r.skipped }), { p: 0, f: 0, s: 0 });
console.log(`${total.p} passed, ${total.f} failed, ${total.s} skipped`);
process.exit(total.f === 0 ? 0 : 1);
