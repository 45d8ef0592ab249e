/**
 * Pure Node. Port of the `os.path` functions CPython v3.13.0 `Lib/http/server.py` calls:
 * `join` and `dirname` of `Lib/posixpath.py` and `Lib/ntpath.py` (the two path flavours
 * `translate_path` can meet: CPython's test_windows_colon swaps `os.path` for `ntpath`), and
 * `isdir`/`isfile`/`islink`/`exists` of `Lib/genericpath.py` over the handlers' injectable
 * file system (`handler-fs.ts`), plus the component-wise "inside the folder" test of PORT NOTE 7.
 */
import type fs from 'node:fs';
import path from 'node:path';
import { nodeFs, type HandlerFs } from './handler-fs.js';
import { fsEncode } from './py-text.js';

/** The part of `os.path` that `translate_path` and `send_head` use (`posixpath` or `ntpath`). */
export interface PathFlavour {
  /** `os.sep`. */
  readonly sep: string;
  /** `os.path.dirname(p)`. */
  dirname(p: string): string;
  /** `os.path.join(a, b)`. */
  join(a: string, b: string): string;
}

/** `posixpath.join(a, b)`. */
export function pathJoin(a: string, b: string): string {
  if (b.startsWith('/') || a === '') return b;
  if (a.endsWith('/')) return a + b;
  return a + '/' + b;
}

/** `posixpath`: `os.path` on every system but Windows. */
export const posixpath: PathFlavour = {
  sep: '/',
  dirname(p) {
    const head = p.slice(0, p.lastIndexOf('/') + 1);
    if (head === '' || /^\/+$/.test(head)) return head;
    return head.replace(/\/+$/, '');
  },
  join: pathJoin,
};

/** `ntpath.splitroot(p)`: [drive, root, tail]. */
function ntSplitroot(p: string): [string, string, string] {
  const normp = p.replace(/\//g, '\\');
  if (normp.startsWith('\\')) {
    if (normp[1] === '\\') {
      // UNC drives, e.g. \\server\share or \\?\UNC\server\share
      // Device drives, e.g. \\.\device or \\?\device
      const start = normp.slice(0, 8).toUpperCase() === '\\\\?\\UNC\\' ? 8 : 2;
      const index = normp.indexOf('\\', start);
      if (index === -1) return [p, '', ''];
      const index2 = normp.indexOf('\\', index + 1);
      if (index2 === -1) return [p, '', ''];
      return [p.slice(0, index2), p.slice(index2, index2 + 1), p.slice(index2 + 1)];
    }
    // Relative path with root, e.g. \Windows
    return ['', p.slice(0, 1), p.slice(1)];
  }
  if (normp[1] === ':') {
    // Absolute drive-letter path, e.g. X:\Windows; relative path with drive, e.g. X:Windows.
    if (normp[2] === '\\') return [p.slice(0, 2), p.slice(2, 3), p.slice(3)];
    return [p.slice(0, 2), '', p.slice(2)];
  }
  // Relative path, e.g. Windows
  return ['', '', p];
}

const NT_SEPS = '\\/';

/** `ntpath`: `os.path` on Windows (drive letters, UNC shares, `\` and `/` both separators). */
export const ntpath: PathFlavour = {
  sep: '\\',
  dirname(p) {
    // ntpath.split(p)[0]
    const [d, r, tail] = ntSplitroot(p);
    let i = tail.length;
    while (i > 0 && !NT_SEPS.includes(tail[i - 1]!)) i--;
    let head = tail.slice(0, i);
    let end = head.length;
    while (end > 0 && NT_SEPS.includes(head[end - 1]!)) end--;
    head = head.slice(0, end);
    return d + r + head;
  },
  join(a, b) {
    let [resultDrive, resultRoot, resultPath] = ntSplitroot(a);
    const [pDrive, pRoot, pPath] = ntSplitroot(b);
    if (pRoot) {
      // Second path is absolute
      if (pDrive || !resultDrive) resultDrive = pDrive;
      resultRoot = pRoot;
      resultPath = pPath;
    } else if (pDrive && pDrive !== resultDrive && pDrive.toLowerCase() !== resultDrive.toLowerCase()) {
      // Different drives => ignore the first path entirely
      resultDrive = pDrive;
      resultRoot = pRoot;
      resultPath = pPath;
    } else {
      // Same drive in different case
      if (pDrive) resultDrive = pDrive;
      // Second path is relative to the first
      if (resultPath && !NT_SEPS.includes(resultPath[resultPath.length - 1]!)) resultPath += '\\';
      resultPath += pPath;
    }
    // add separator between UNC and non-absolute path
    if (resultPath && !resultRoot && resultDrive && !':\\/'.includes(resultDrive[resultDrive.length - 1]!)) {
      return resultDrive + '\\' + resultPath;
    }
    return resultDrive + resultRoot + resultPath;
  },
};

/** `os.path` of this system. */
export const osPath: PathFlavour = process.platform === 'win32' ? ntpath : posixpath;

/**
 * `os.stat` / `os.lstat` as genericpath uses them, synchronously: the Stats, undefined when
 * the path does not exist, null on any other failure (OSError and ValueError — unencodable,
 * NUL — mean "no" to genericpath).
 */
export function statSyncOrNull(p: string | Buffer, follow: boolean, fsi: HandlerFs = nodeFs): fs.Stats | undefined | null {
  try {
    const enc = typeof p === 'string' ? fsEncode(p) : p;
    return follow ? fsi.statSync(enc) : fsi.lstatSync(enc);
  } catch {
    return null;
  }
}

/** `os.path.isdir`, synchronously. */
export function isdirSync(p: string | Buffer, fsi: HandlerFs = nodeFs): boolean {
  return statSyncOrNull(p, true, fsi)?.isDirectory() ?? false;
}

/** `os.path.isfile`, synchronously. */
export function isfileSync(p: string | Buffer, fsi: HandlerFs = nodeFs): boolean {
  return statSyncOrNull(p, true, fsi)?.isFile() ?? false;
}

/** `os.path.islink`, synchronously. */
export function islinkSync(p: string | Buffer, fsi: HandlerFs = nodeFs): boolean {
  return statSyncOrNull(p, false, fsi)?.isSymbolicLink() ?? false;
}

/** `os.path.isdir` (the CGI handler awaits it where CPython blocks). */
export async function isdir(p: string, fsi: HandlerFs = nodeFs): Promise<boolean> {
  return isdirSync(p, fsi);
}

/** `os.path.isfile`. */
export async function isfile(p: string, fsi: HandlerFs = nodeFs): Promise<boolean> {
  return isfileSync(p, fsi);
}

/** `os.path.exists`. */
export async function exists(p: string, fsi: HandlerFs = nodeFs): Promise<boolean> {
  return (statSyncOrNull(p, true, fsi) ?? null) !== null;
}

/** True when `real` is `root` or below it, compared by path components. */
export function isInside(root: string, real: string): boolean {
  const rel = path.relative(root, real);
  return rel === '' || (!rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel));
}
