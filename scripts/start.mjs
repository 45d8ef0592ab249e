#!/usr/bin/env node
// `npm start` / `npm run web` (both build first): opens Servedir.
//
// Runs in: plain Node, from the project root. Starts the desktop app with Electron when
// Electron can start here (its binary is installed and, on Linux, there is a display);
// otherwise says so in one sentence and opens the same window in the user's browser
// (out/main/web.cjs --open). `--web` goes straight to the browser; other arguments
// (e.g. `--port 5000`) are passed to the browser fallback.
//
// It never `require`s the 'electron' package: that would try to download the binary.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Decides how to start. Returns { mode: 'electron', binary } or { mode: 'web', reason }
 * (reason is null when the browser was asked for with --web).
 */
export function chooseMode({ projectRoot = root, env = process.env, platform = process.platform, wantWeb = false } = {}) {
  if (wantWeb) return { mode: 'web', reason: null };
  const pkg = join(projectRoot, 'node_modules', 'electron');
  const pathTxt = join(pkg, 'path.txt');
  let binary = null;
  if (existsSync(pathTxt)) {
    const rel = readFileSync(pathTxt, 'utf8').trim();
    const dist = env.ELECTRON_OVERRIDE_DIST_PATH || join(pkg, 'dist');
    if (rel) binary = join(dist, rel);
  }
  if (!binary || !existsSync(binary)) {
    return { mode: 'web', reason: 'Electron is not installed on this computer, so Servedir runs in your web browser instead.' };
  }
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { mode: 'web', reason: 'There is no graphical display here for the desktop window, so Servedir runs in your web browser instead.' };
  }
  return { mode: 'electron', binary };
}

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
  child.on('error', (err) => {
    console.error(`Servedir could not start: ${err.message}`);
    process.exit(1);
  });
}

function main(argv) {
  const wantWeb = argv.includes('--web');
  const rest = argv.filter((a) => a !== '--web');
  const choice = chooseMode({ wantWeb });
  if (choice.mode === 'electron') {
    run(choice.binary, [root, ...rest]);
    return;
  }
  if (choice.reason) console.log(choice.reason);
  const args = [join(root, 'out', 'main', 'web.cjs'), ...rest];
  // `npm start` opens the browser like the desktop app would open its window.
  if (!wantWeb && !args.includes('--open')) args.push('--open');
  run(process.execPath, args);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
