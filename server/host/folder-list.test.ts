import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listFolders } from './folder-list.js';
import { MAX_LISTED_FOLDERS } from '../limits.js';

let root: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-folder-list-'));
  fs.chmodSync(root, 0o755);
  for (const d of ['b', 'A', 'photo 10', 'Photo 2', '.hidden', '.config', 'ünïcode #1']) fs.mkdirSync(path.join(root, d));
  fs.writeFileSync(path.join(root, 'file.txt'), 'secret contents');
  fs.writeFileSync(path.join(root, '.dotfile'), 'x');
  fs.symlinkSync(path.join(root, 'b'), path.join(root, 'link-to-b'));
  fs.symlinkSync(path.join(root, 'file.txt'), path.join(root, 'link-to-file'));
  fs.symlinkSync(path.join(root, 'nowhere'), path.join(root, 'broken-link'));
  fs.symlinkSync(path.join(root, 'loop'), path.join(root, 'loop'));
  fs.mkdirSync(path.join(root, 'big'));
  for (let i = 0; i < MAX_LISTED_FOLDERS + 25; i++) fs.mkdirSync(path.join(root, 'big', `d${i}`));
  fs.writeFileSync(path.join(root, 'big', 'a-file'), '');
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const names = (r: Awaited<ReturnType<typeof listFolders>>): string[] => {
  if (!r.ok) throw new Error(r.error.message);
  return r.value.folders.map((f) => f.name);
};

describe('listFolders', () => {
  it('lists only folders (and links to folders), sorted as a person would, hidden ones left out and counted', async () => {
    const r = await listFolders({ path: root, showHidden: false }, { home: root });
    expect(names(r)).toEqual(['A', 'b', 'big', 'link-to-b', 'Photo 2', 'photo 10', 'ünïcode #1']);
    expect(r.ok && r.value).toMatchObject({ path: root, parent: path.dirname(root), home: root, total: 7, hiddenLeftOut: 2 });
    const link = r.ok ? r.value.folders.find((f) => f.name === 'link-to-b') : undefined;
    expect(link).toEqual({ name: 'link-to-b', path: path.join(root, 'link-to-b'), hidden: false, link: true });
    // Files, links to files, broken links and loops never appear, nor anything of a file's contents.
    expect(JSON.stringify(r)).not.toMatch(/file\.txt|link-to-file|broken-link|"loop"|secret contents|dotfile/);
  });

  it('shows hidden folders when asked, marked as hidden', async () => {
    const r = await listFolders({ path: root, showHidden: true }, { home: root });
    expect(names(r)).toEqual(['.config', '.hidden', 'A', 'b', 'big', 'link-to-b', 'Photo 2', 'photo 10', 'ünïcode #1']);
    expect(r.ok && r.value.hiddenLeftOut).toBe(0);
    expect(r.ok && r.value.folders.filter((f) => f.hidden).map((f) => f.name)).toEqual(['.config', '.hidden']);
  });

  it('starts at the home folder when no path is given, and tidies . and .. parts', async () => {
    const r = await listFolders({ path: null, showHidden: false }, { home: path.join(root, 'b') });
    expect(r.ok && r.value.path).toBe(path.join(root, 'b'));
    const r2 = await listFolders({ path: `${root}/b/../A/.`, showHidden: false }, { home: root });
    expect(r2.ok && r2.value.path).toBe(path.join(root, 'A'));
    expect(r2.ok && r2.value.parent).toBe(root);
  });

  it('has no parent at the top of the disk', async () => {
    const top = path.parse(root).root;
    const r = await listFolders({ path: top, showHidden: false }, { home: root });
    expect(r.ok && r.value.parent).toBeNull();
    expect(r.ok && r.value.path).toBe(top);
  });

  it('lists a very large folder only up to the cap, and says how many there are', async () => {
    const r = await listFolders({ path: path.join(root, 'big'), showHidden: false }, { home: root });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.folders).toHaveLength(MAX_LISTED_FOLDERS);
    expect(r.value.total).toBe(MAX_LISTED_FOLDERS + 25);
    // The first ones in the person's order: d0, d1, d2 … (not d0, d1, d10, d100).
    expect(r.value.folders.slice(0, 3).map((f) => f.name)).toEqual(['d0', 'd1', 'd2']);
    const small = await listFolders({ path: path.join(root, 'big'), showHidden: false }, { home: root, max: 5 });
    expect(names(small)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
  });

  it('says plainly when a folder cannot be read (injected: tests run as root, who may read anything)', async () => {
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const r = await listFolders(
      { path: path.join(root, 'A'), showHidden: false },
      { home: root, readdir: () => Promise.reject(denied) },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('SRV_ERR_DIRECTORY_UNREADABLE');
    expect(r.error.message).toBe(`The folder ${path.join(root, 'A')} cannot be opened: this computer does not allow it to be read.`);
  });

  it('says so for a folder that does not exist and for a file', async () => {
    const missing = await listFolders({ path: path.join(root, 'gone'), showHidden: false }, { home: root });
    expect(missing.ok || missing.error.code).toBe('SRV_ERR_DIRECTORY_MISSING');
    const file = await listFolders({ path: path.join(root, 'file.txt'), showHidden: false }, { home: root });
    expect(file.ok || file.error.code).toBe('SRV_ERR_DIRECTORY_NOT_A_DIRECTORY');
    // A link to a file is not a folder either; a link to a folder is browsed like one.
    const lf = await listFolders({ path: path.join(root, 'link-to-file'), showHidden: false }, { home: root });
    expect(lf.ok).toBe(false);
    const ld = await listFolders({ path: path.join(root, 'link-to-b'), showHidden: false }, { home: root });
    expect(ld.ok && ld.value.path).toBe(path.join(root, 'link-to-b'));
  });
});
