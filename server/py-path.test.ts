/**
 * Tests for py-path.ts: `posixpath` and `ntpath` `dirname`/`join` against the values CPython
 * 3.13.0 gives (computed with its `Lib/posixpath.py` and `Lib/ntpath.py`), and the genericpath
 * predicates over the injectable file system.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exists, isdir, isdirSync, isfile, isfileSync, isInside, islinkSync, ntpath, pathJoin, posixpath, statSyncOrNull } from './py-path.js';
import { makeTempDir, writeFile } from './test-support/harness.js';

describe('ntpath (CPython 3.13.0)', () => {
  it.each([
    ['c:c:c:foo', 'c:'], ['\\c:..', '\\'], ['c:\\c:..\\foo', 'c:\\c:..'], ['c:c:foo\\c:c:bar', 'c:c:foo'], ['c:', 'c:'],
    ['c:..', 'c:'], ['a:b', 'a:'], ['ab:c', ''], ['foo', ''], ['', ''], ['\\', '\\'], ['\\\\server\\share', '\\\\server\\share'],
    ['\\\\server\\share\\x', '\\\\server\\share\\'], ['//server/share/x/', '//server/share/x'], ['a\\b\\', 'a\\b'], ['a/b', 'a'],
    ['\\\\?\\UNC\\srv\\shr\\x', '\\\\?\\UNC\\srv\\shr\\'], ['C:\\', 'C:\\'], ['C:\\x\\y', 'C:\\x'], ['...', ''], ['x::$DATA', 'x:'],
  ])('dirname(%j) = %j', (p, want) => {
    expect(ntpath.dirname(p)).toBe(want);
  });

  it.each([
    ['/work/main', 'filename', '/work/main\\filename'], ['foo', 'filename', 'foo\\filename'], ['', 'x', 'x'], ['c:', 'x', 'c:x'],
    ['C:\\', 'x', 'C:\\x'], ['C:\\a', 'D:b', 'D:b'], ['C:\\a', 'c:b', 'c:\\a\\b'], ['C:\\a', '\\b', 'C:\\b'],
    ['\\\\srv\\shr', 'x', '\\\\srv\\shr\\x'], ['\\\\srv\\shr\\', 'x', '\\\\srv\\shr\\x'], ['a\\', 'b', 'a\\b'], ['a/', 'b', 'a/b'],
    ['a', 'C:\\b', 'C:\\b'], ['C:', '\\b', 'C:\\b'], ['\\\\srv', 'x', '\\\\srv\\x'],
  ])('join(%j, %j) = %j', (a, b, want) => {
    expect(ntpath.join(a, b)).toBe(want);
  });
});

describe('posixpath (CPython 3.13.0)', () => {
  it.each([
    ['', ''], ['a', ''], ['/a', '/'], ['//a', '//'], ['///', '///'], ['a/b/', 'a/b'], ['a//b', 'a'], ['/a/b//c', '/a/b'], ['a\\b', ''],
  ])('dirname(%j) = %j', (p, want) => {
    expect(posixpath.dirname(p)).toBe(want);
  });

  it.each([['', 'a', 'a'], ['a', 'b', 'a/b'], ['a/', 'b', 'a/b'], ['a', '/b', '/b'], ['/', 'b', '/b']])('join(%j, %j) = %j', (a, b, want) => {
    expect(posixpath.join(a, b)).toBe(want);
    expect(pathJoin(a, b)).toBe(want);
  });
});

describe('genericpath over HandlerFs', () => {
  it('isdir, isfile, islink, exists; a failing stat means no', async () => {
    const dir = makeTempDir();
    const file = writeFile(dir, 'f.txt', 'x');
    fs.symlinkSync('missing', path.join(dir, 'dangling'));
    expect(isdirSync(dir)).toBe(true);
    expect(isfileSync(file)).toBe(true);
    expect(isfileSync(Buffer.from(file))).toBe(true);
    expect(await isdir(file)).toBe(false);
    expect(await isfile(dir)).toBe(false);
    expect(islinkSync(path.join(dir, 'dangling'))).toBe(true);
    expect(await exists(path.join(dir, 'dangling'))).toBe(false);
    expect(await exists(file)).toBe(true);
    expect(statSyncOrNull(path.join(dir, 'nothing'), true)).toBeUndefined();
    expect(statSyncOrNull(file + '/below', true)).toBeNull(); // ENOTDIR
    expect(statSyncOrNull('a\0b', true)).toBeNull();
    expect(isInside('/srv/a', '/srv/a')).toBe(true);
    expect(isInside('/srv/a', '/srv/a/..x')).toBe(true);
    expect(isInside('/srv/a', '/srv/ab')).toBe(false);
    expect(isInside('/srv/a', '/srv')).toBe(false);
  });
});
