/**
 * Pure Node. `SimpleHTTPRequestHandler.guess_type` support: port of CPython v3.13.0
 * `mimetypes.guess_file_type` (suffix map, case-sensitive encodings map, lower-cased type
 * lookup). The type table itself is mime-db (the `mime-types` package) instead of the
 * machine's `/etc/mime.types`, with what CPython answers on Debian (its built-in table plus
 * `/etc/mime.types`) for the extensions mime-db lacks as a fallback (`mime-fallback.ts`;
 * PORT NOTE in server/README.md).
 */
import fs from 'node:fs';
import mime from 'mime-types';
import { CPYTHON_TYPES_MAP_DEFAULT } from './mime-cpython-table.js';
import { CPYTHON_FALLBACK_TYPES } from './mime-fallback.js';
import { pySplit, splitext } from './py-text.js';

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

/** `mimetypes.knownfiles`: the mime.types files `mimetypes.init()` reads when they exist. */
export const KNOWN_FILES: readonly string[] = [
  '/etc/mime.types',
  '/etc/httpd/mime.types',
  '/etc/httpd/conf/mime.types',
  '/etc/apache/mime.types',
  '/etc/apache2/mime.types',
  '/usr/local/etc/httpd/conf/mime.types',
  '/usr/local/lib/netscape/mime.types',
  '/usr/local/etc/httpd/conf/mime.types',
  '/usr/local/etc/mime.types',
];

/** CPython's own table (`types_map` after `init()`), when the process asked for it. */
let cpythonTable: Map<string, string> | null = null;

/**
 * `MimeTypes.readfp`: one type per line, then its extensions; a word starting with `#`
 * ends the line. Later lines and files override earlier ones (`add_type`).
 */
export function readMimeTypes(text: string, into: Map<string, string>): void {
  for (const line of text.split(/(?<=\n)/)) {
    const words = pySplit(line);
    const hash = words.findIndex((w) => w.startsWith('#'));
    if (hash >= 0) words.length = hash;
    if (words.length === 0) continue;
    const [type, ...suffixes] = words;
    for (const suff of suffixes) into.set('.' + suff, type!);
  }
}

/**
 * `mimetypes.init()` as CPython does it: the built-in table, then every file of `files` that
 * exists, in order. From then on the process answers types from this table alone, as
 * `python -m http.server` does on the same machine (the CLI calls it; the app keeps the
 * machine-independent mime-db table, PORT NOTE 8). Returns the files read.
 */
export function useCpythonMimeTable(files: readonly string[] = KNOWN_FILES): string[] {
  const table = new Map(Object.entries(CPYTHON_TYPES_MAP_DEFAULT));
  const read: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      if (!fs.statSync(file).isFile()) continue;
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    readMimeTypes(text, table);
    read.push(file);
  }
  cpythonTable = table;
  return read;
}

/** Back to the default mime-db table (tests). */
export function useMimeDbTable(): void {
  cpythonTable = null;
}

/** Type for an extension (with its dot, any case), or undefined. */
export function typeForExtension(ext: string): string | undefined {
  const lower = ext.toLowerCase();
  // CPython looks the lower-cased extension up (an upper-case one from a file never matches).
  if (cpythonTable) return cpythonTable.get(lower);
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
