/**
 * Safe choices: which folders are risky to share (a whole disk, a system folder, the home
 * folder itself), what becomes visible when they are shared, in plain words, and whether a
 * CGI folder of a share maps to a folder of system programs (sharing `/` with the CGI
 * folder `/usr/bin` let any visitor run `touch`).
 *
 * Runs in: the Electron main process and the browser-fallback control server. Pure: the
 * path flavour (path.posix / path.win32), the home folder and `realpath` are passed in, so
 * the tables of every OS are tested on any OS.
 */

import type { ShareRisk } from './ipc-contract';

export type { ShareRisk };

export interface PathFlavour {
  readonly sep: string;
  resolve(...p: string[]): string;
  relative(from: string, to: string): string;
  isAbsolute(p: string): boolean;
  parse(p: string): { root: string };
}

export interface RiskyShare {
  readonly risk: ShareRisk;
  /** One or two plain sentences naming what becomes visible. */
  readonly message: string;
}

/** Folders of the operating system itself; sharing one of them, or anything inside, is asked. */
export const SYSTEM_FOLDERS: { readonly posix: readonly string[]; readonly win32: readonly string[] } = {
  posix: [
    '/etc', '/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/var', '/boot',
    '/dev', '/proc', '/sys', '/run', '/root', '/opt', '/snap',
    // macOS (not /Volumes: a USB disk there is a fine thing to share)
    '/System', '/Library', '/Applications', '/private', '/cores',
  ],
  win32: [
    'C:\\Windows', 'C:\\Program Files', 'C:\\Program Files (x86)', 'C:\\ProgramData',
    'C:\\Recovery', 'C:\\System Volume Information', 'C:\\$Recycle.Bin', 'C:\\Users\\Default',
  ],
};

/** Folders of system programs: a CGI folder mapping to (or containing, or inside) one is refused. */
export const PROGRAM_FOLDERS: { readonly posix: readonly string[]; readonly win32: readonly string[] } = {
  posix: [
    '/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/usr/libexec',
    '/usr/lib', '/lib', '/opt/homebrew/bin', '/System', '/snap/bin',
  ],
  win32: [
    'C:\\Windows', 'C:\\Windows\\System32', 'C:\\Windows\\SysWOW64', 'C:\\Program Files',
    'C:\\Program Files (x86)',
  ],
};

const MSG: Readonly<Record<ShareRisk, (folder: string) => string>> = {
  disk: (f) =>
    `${f} is a whole disk. Every file on it — your documents, photos, other people's files and the system's own settings — will be visible to anyone on this network.`,
  system: (f) =>
    `${f} is a folder of the operating system. Its files, including system settings and programs, will be visible to anyone on this network.`,
  home: (f) =>
    `${f} is your home folder. Everything in your home folder, including documents, photos and hidden settings files like browser profiles, will be visible to anyone on this network.`,
};

const isWin = (p: PathFlavour): boolean => p.sep === '\\';

/** Case-insensitive on Windows (and on macOS, whose disks usually are). */
function same(a: string, b: string, fold: boolean): boolean {
  return fold ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** `child` is `parent` or inside it (after resolving both). */
export function isInside(p: PathFlavour, parent: string, child: string, fold = isWin(p)): boolean {
  const a = p.resolve(parent);
  const b = p.resolve(child);
  if (same(a, b, fold)) return true;
  const rel = p.relative(fold ? a.toLowerCase() : a, fold ? b.toLowerCase() : b);
  return rel !== '' && !rel.startsWith('..') && !p.isAbsolute(rel);
}

/** The system folder tables apply to every drive on Windows ("D:\Windows" too). */
function systemTable(p: PathFlavour, table: { posix: readonly string[]; win32: readonly string[] }, folder: string): string[] {
  if (!isWin(p)) return [...table.posix];
  const drive = p.parse(p.resolve(folder)).root;
  return table.win32.map((f) => p.resolve(drive + f.slice(3)));
}

/**
 * Classifies a folder about to be shared.
 * @param folder a full path (the saved, tidied `directory`).
 * @param home the user's home folder (its subfolders are fine to share).
 * @param macLike fold case as macOS's default disks do (only for posix).
 * @returns null when nothing needs asking.
 */
export function classifyShareFolder(p: PathFlavour, folder: string, home: string, macLike = false): RiskyShare | null {
  const f = p.resolve(folder);
  const fold = isWin(p) || macLike;
  const root = p.parse(f).root;
  // "C:\", "\\server\share\" (a whole network share's root) or "/".
  if (same(f, root, fold) || same(f + p.sep, root, fold)) return { risk: 'disk', message: MSG.disk(f) };
  if (home !== '' && same(f, p.resolve(home), fold)) return { risk: 'home', message: MSG.home(f) };
  // The home folder lives under /Users, /home or C:\Users: only system folders above it count.
  if (home !== '' && isInside(p, home, f, fold)) return null;
  for (const s of systemTable(p, SYSTEM_FOLDERS, f)) {
    if (isInside(p, s, f, fold)) return { risk: 'system', message: MSG.system(f) };
  }
  // The folder of all users' homes ("/home", "/Users", "C:\Users") holds other people's files.
  const parentOfHome = home !== '' ? p.resolve(home, '..') : '';
  if (parentOfHome !== '' && same(f, parentOfHome, fold)) return { risk: 'system', message: MSG.system(f) };
  return null;
}

export const MSG_CGI_SYSTEM_PROGRAMS = (urlFolder: string, real: string): string =>
  `The script folder ${urlFolder} is ${real}, a folder of system programs: any visitor could run them. Choose another script folder, or share a different folder.`;

/**
 * For each CGI URL folder (like `/cgi-bin`), the real folder it maps to under the shared
 * folder (links followed by `realpath`; a folder that does not exist yet maps lexically),
 * and whether that is, contains or lies inside a folder of system programs.
 * @returns the first offending URL folder with its real path, or null.
 */
export async function cgiProgramFolder(
  p: PathFlavour,
  shared: string,
  cgiDirectories: readonly string[],
  realpath: (p: string) => Promise<string>,
): Promise<{ readonly urlFolder: string; readonly real: string } | null> {
  const fold = isWin(p);
  for (const urlFolder of cgiDirectories) {
    const parts = urlFolder.split('/').filter((s) => s !== '' && s !== '.' && s !== '..');
    const lexical = p.resolve(shared, ...parts);
    let real: string;
    try {
      real = await realpath(lexical);
    } catch {
      real = lexical;
    }
    for (const prog of systemTable(p, PROGRAM_FOLDERS, real)) {
      // Inside: a script there is a program. Containing: CGI walks into subfolders (run_cgi).
      if (isInside(p, prog, real, fold) || isInside(p, real, prog, fold)) return { urlFolder, real };
    }
  }
  return null;
}
