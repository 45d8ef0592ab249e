/**
 * Pure Node. `SimpleHTTPRequestHandler.guess_type` support: port of CPython v3.13.0
 * `mimetypes.guess_file_type` (suffix map, case-sensitive encodings map, lower-cased type
 * lookup). The type table itself is mime-db (the `mime-types` package) instead of the
 * machine's `/etc/mime.types`, with what CPython answers on Debian (its built-in table plus
 * `/etc/mime.types`) for the extensions mime-db lacks as a fallback (`mime-fallback.ts`;
 * PORT NOTE in server/README.md).
 */
import mime from 'mime-types';
import { CPYTHON_FALLBACK_TYPES } from './mime-fallback.js';
import { splitext } from './py-text.js';

/** `SimpleHTTPRequestHandler.extensions_map` defaults (`_encodings_map_default`). */
export const DEFAULT_EXTENSIONS_MAP: Readonly<Record<string, string>> = {
  '.gz': 'application/gzip',
  '.Z': 'application/octet-stream',
  '.bz2': 'application/x-bzip2',
  '.xz': 'application/x-xz',
};

/** `mimetypes.suffix_map`: compressed-archive shorthands. */
export const SUFFIX_MAP: Readonly<Record<string, string>> = {
  '.svgz': '.svg.gz',
  '.tgz': '.tar.gz',
  '.taz': '.tar.gz',
  '.tz': '.tar.gz',
  '.tbz2': '.tar.bz2',
  '.txz': '.tar.xz',
};

/** `mimetypes.encodings_map` (case-sensitive). */
export const ENCODINGS_MAP: Readonly<Record<string, string>> = {
  '.gz': 'gzip',
  '.Z': 'compress',
  '.bz2': 'bzip2',
  '.xz': 'xz',
  '.br': 'br',
};

/** Type for an extension (with its dot, any case), or undefined. */
export function typeForExtension(ext: string): string | undefined {
  const lower = ext.toLowerCase();
  if (lower.length < 2) return undefined;
  const fromDb = mime.types[lower.slice(1)];
  if (fromDb) return fromDb;
  return Object.prototype.hasOwnProperty.call(CPYTHON_FALLBACK_TYPES, lower) ? CPYTHON_FALLBACK_TYPES[lower] : undefined;
}

/**
 * `mimetypes.guess_file_type(path)` (strict): `[type, encoding]`, either may be null.
 * `.tgz` → (`application/x-tar`, `gzip`), `.svgz` → (`image/svg+xml`, `gzip`).
 */
export function guessFileType(path: string): [string | null, string | null] {
  let [base, ext] = splitext(path);
  let lower = ext.toLowerCase();
  while (Object.prototype.hasOwnProperty.call(SUFFIX_MAP, lower)) {
    [base, ext] = splitext(base + SUFFIX_MAP[lower]);
    lower = ext.toLowerCase();
  }
  let encoding: string | null = null;
  if (Object.prototype.hasOwnProperty.call(ENCODINGS_MAP, ext)) {
    encoding = ENCODINGS_MAP[ext]!;
    [base, ext] = splitext(base);
  }
  return [typeForExtension(ext) ?? null, encoding];
}
