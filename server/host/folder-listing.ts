/**
 * The folder browser's request and answer (the `folder:browse` channel): types only, no
 * imports, so that the IPC contract, the window and server/host/folder-list.ts share them.
 */
/** What the window asks: a full path (null: the home folder) and whether to show hidden folders. */
export interface FolderBrowseRequest {
  readonly path: string | null;
  readonly showHidden: boolean;
}

export interface FolderEntry {
  readonly name: string;
  /** Full path of the folder (the listed folder joined with `name`). */
  readonly path: string;
  /** The name starts with a dot. */
  readonly hidden: boolean;
  /** A link (symlink, junction) that leads to a folder. */
  readonly link: boolean;
}

export interface FolderListing {
  /** The folder listed, as a full path without `.`/`..` parts. */
  readonly path: string;
  /** The folder above, or null at the top of the disk. */
  readonly parent: string | null;
  /** The user's home folder (where browsing starts). */
  readonly home: string;
  /** Sorted; at most MAX_LISTED_FOLDERS (server/limits.ts). */
  readonly folders: readonly FolderEntry[];
  /** Folders found (hidden ones counted only when shown); more than `folders.length` when capped. */
  readonly total: number;
  /** Hidden folders left out because they were not asked for. */
  readonly hiddenLeftOut: number;
}

