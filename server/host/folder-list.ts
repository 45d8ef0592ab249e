/**
 * The folders inside one folder, for the window's folder browser in browser mode (a browser
 * has no native folder dialog, and never tells a page where a folder lives on disk).
 *
 * Runs in: the shell (the browser-fallback process, through the `folder:browse` channel).
 * Pure Node (`node:fs`, `node:path`, `node:os`); the file system is injectable so that an
 * unreadable folder can be tested as root.
 *
 * Only names of folders leave this module: files are not listed, nothing is opened or read
 * but the folder's own list of names (and, for a link, where it leads: is it a folder?).
 * A link to a folder is listed as a folder (that is how the file manager shows it); a
 * broken link, a loop or a link to a file is left out. Hidden folders (a name starting
 * with a dot) only when asked. At most {@link MAX_LISTED_FOLDERS}, sorted as a person
 * would ("photo 2" before "photo 10", case ignored); the listing says how many were left out.
 */
import { promises as fsp, type Dirent, type Stats } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { notAFolderError, serveErrorForFolder, type ServeError } from '../errors.js';
import { MAX_LISTED_FOLDERS } from '../limits.js';
import type { FolderBrowseRequest, FolderEntry, FolderListing } from './folder-listing.js';

export type { FolderBrowseRequest, FolderEntry, FolderListing };

export type FolderListResult = { readonly ok: true; readonly value: FolderListing } | { readonly ok: false; readonly error: ServeError };

/** The file-system calls used (the real ones by default). */
export interface FolderListDeps {
  readonly readdir?: (p: string) => Promise<Dirent[]>;
  readonly stat?: (p: string) => Promise<Stats>;
  readonly home?: string;
  readonly max?: number;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Links whose target is looked up at once (a folder of thousands of links stays quick and bounded). */
const STAT_BATCH = 64;

/**
 * Lists the folders inside `request.path` (the home folder when null). `request.path` must
 * be a full path; the channel's validator has checked its length and that it has no NUL.
 */
export async function listFolders(request: FolderBrowseRequest, deps: FolderListDeps = {}): Promise<FolderListResult> {
  const readdir = deps.readdir ?? ((p: string) => fsp.readdir(p, { withFileTypes: true }));
  const stat = deps.stat ?? ((p: string) => fsp.stat(p));
  const home = deps.home ?? os.homedir();
  const max = deps.max ?? MAX_LISTED_FOLDERS;
  const dir = path.resolve(request.path ?? home);

  let entries: Dirent[];
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) return { ok: false, error: notAFolderError(dir) };
    entries = await readdir(dir);
  } catch (err) {
    return { ok: false, error: serveErrorForFolder(err, dir) };
  }

  const folders: FolderEntry[] = [];
  let hiddenLeftOut = 0;
  const links: Dirent[] = [];
  const keep = (name: string, link: boolean): void => {
    const hidden = name.startsWith('.');
    if (hidden && !request.showHidden) hiddenLeftOut++;
    else folders.push({ name, path: path.join(dir, name), hidden, link });
  };
  for (const e of entries) {
    if (e.isDirectory()) keep(e.name, false);
    // A link, or a file system that does not say the type (d_type unknown): ask where it leads.
    else if (e.isSymbolicLink() || !(e.isFile() || e.isFIFO() || e.isSocket() || e.isCharacterDevice() || e.isBlockDevice())) links.push(e);
  }
  for (let i = 0; i < links.length; i += STAT_BATCH) {
    const batch = links.slice(i, i + STAT_BATCH);
    const isDir = await Promise.all(
      batch.map((e) =>
        stat(path.join(dir, e.name)).then(
          (s) => s.isDirectory(),
          () => false, // broken link, loop, no permission: not a folder we can open
        ),
      ),
    );
    batch.forEach((e, j) => {
      if (isDir[j]) keep(e.name, e.isSymbolicLink());
    });
  }

  folders.sort((a, b) => collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const parent = path.dirname(dir);
  return {
    ok: true,
    value: {
      path: dir,
      parent: parent === dir ? null : parent,
      home,
      folders: folders.slice(0, max),
      total: folders.length,
      hiddenLeftOut,
    },
  };
}
