/**
 * Benchmark harness (plain Node): builds the folder every server shares.
 *
 * Real bytes (random, incompressible) in 1 KiB, 64 KiB, 1 MiB and 256 MiB files, a folder of
 * 5,000 entries whose names exercise the listing's escaping and sorting (spaces, `&`, `<`,
 * accents, upper/lower case, sub-folders), and a small site with an index.html.
 * The fixture is cached in bench/.fixture (gitignored) and rebuilt when its recipe changes.
 * Everything is world-readable, because CPython drops CGI children to `nobody` as root and a
 * server may run as any user.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';

/** Bump when the recipe changes, so cached fixtures are rebuilt. */
const RECIPE = 'servedir-bench-fixture-v1';

export const FILES = {
  '1k.bin': 1024,
  '64k.bin': 64 * 1024,
  '1m.bin': 1024 * 1024,
  '256m.bin': 256 * 1024 * 1024,
};
export const LISTING_DIR = 'big';
export const LISTING_ENTRIES = 5000;

/** The name of the i-th entry of the 5,000-entry folder (every 50th is a folder). */
function entryName(i) {
  const n = String(i).padStart(4, '0');
  const flavours = [
    `file-${n}.txt`,
    `Report ${n}.pdf`,
    `photo_${n}.JPG`,
    `notes & ideas ${n}.md`,
    `café-${n}.html`,
    `<b>${n}<i>.txt`,
    `data.${n}.tar.gz`,
    `UPPER-${n}.CSV`,
    `100% done ${n}.txt`,
    `#hash ${n}?.txt`,
  ];
  return flavours[i % flavours.length];
}

/**
 * Ensures the fixture exists under `dir`; returns a description with sha256 of each file.
 * @param {string} dir
 * @param {{fresh?: boolean, log?: (s: string) => void}} [opts]
 */
export function ensureFixture(dir, opts = {}) {
  const log = opts.log ?? (() => {});
  const marker = path.join(dir, '.recipe');
  if (!opts.fresh && existsSync(marker) && readFileSync(marker, 'utf8') === RECIPE) {
    return describe(dir);
  }
  log(`building fixture in ${dir} (256 MiB of random bytes, 5,000 entries)`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const chunk = Buffer.allocUnsafe(1024 * 1024);
  for (const [name, size] of Object.entries(FILES)) {
    const fd = openSync(path.join(dir, name), 'w', 0o644);
    for (let left = size; left > 0; ) {
      const n = Math.min(left, chunk.length);
      randomFillSync(chunk, 0, n);
      writeSync(fd, chunk, 0, n);
      left -= n;
    }
    closeSync(fd);
  }
  const big = path.join(dir, LISTING_DIR);
  mkdirSync(big, { mode: 0o755 });
  for (let i = 0; i < LISTING_ENTRIES; i++) {
    const p = path.join(big, i % 50 === 0 ? `Folder ${String(i).padStart(4, '0')}` : entryName(i));
    if (i % 50 === 0) mkdirSync(p, { mode: 0o755 });
    else writeFileSync(p, `entry ${i}\n`, { mode: 0o644 });
  }
  const site = path.join(dir, 'site');
  mkdirSync(site, { mode: 0o755 });
  writeFileSync(
    path.join(site, 'index.html'),
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Bench site</title></head>\n' +
      '<body><h1>Servedir benchmark fixture</h1><p>Served as the folder index.</p></body></html>\n',
    { mode: 0o644 },
  );
  chmodSync(dir, 0o755);
  writeFileSync(marker, RECIPE, { mode: 0o644 });
  return describe(dir);
}

function describe(dir) {
  /** @type {Record<string, {size: number, sha256: string}>} */
  const files = {};
  for (const name of ['1k.bin', '64k.bin', '1m.bin']) {
    const data = readFileSync(path.join(dir, name));
    files[name] = { size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  }
  return { dir, files };
}
