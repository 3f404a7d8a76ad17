/**
 * Where each wheel entry lands once installed, compared the way the file systems a PEX meets
 * compare names: case-insensitive (macOS, Windows), Unicode-normalising (macOS), trailing dots
 * and spaces dropped (Windows). Two entries landing on one file would let the last one written
 * replace a verified file, so any such pair is refused.
 */
import { InvalidWheelError } from './errors.js';

/** Where `<dist>.data/<kind>/…` installs, as the runtime's install.py maps it. */
const DATA_DIRS: Record<string, string> = {
  purelib: '',
  platlib: '',
  scripts: 'bin',
  data: 'data',
  headers: 'include',
};

/** The installed path of `name` (directories without their trailing slash). */
export function installedPath(name: string, dataDir: string): string {
  const path = name.endsWith('/') ? name.slice(0, -1) : name;
  if (!path.startsWith(`${dataDir}/`)) return path;
  const [kind, ...sub] = path.slice(dataDir.length + 1).split('/');
  const root = DATA_DIRS[kind];
  if (root === undefined || sub.length === 0) return path;
  return root === '' ? sub.join('/') : `${root}/${sub.join('/')}`;
}

/** A key equal for two paths that one of macOS, Windows or Linux file systems would merge. */
export function collisionKey(path: string): string {
  return path
    .normalize('NFC')
    .toUpperCase()
    .toLowerCase()
    .split('/')
    .map((part) => part.replace(/[. ]+$/, ''))
    .join('/');
}

/**
 * Refuses two entries that install to one path (after the `.data` mapping, case folding, NFC
 * and Windows trimming), a file where another entry needs a directory, and a `.data`
 * directory other than `<dist-info stem>.data`.
 */
export function checkInstalledPaths(
  filename: string,
  entries: ReadonlyArray<{ name: string; isDirectory: boolean }>,
  distInfo: string,
): void {
  const dataDir = `${distInfo.slice(0, -'.dist-info'.length)}.data`;
  const files = new Map<string, string>();
  const dirs = new Map<string, string>();
  for (const { name, isDirectory } of entries) {
    const top = name.split('/')[0];
    if (top.endsWith('.data') && name.includes('/') && top !== dataDir) {
      throw new InvalidWheelError(filename, name, `is in ${top}/, not ${dataDir}/`);
    }
    const key = collisionKey(installedPath(name, dataDir));
    const parts = key.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!dirs.has(dir)) dirs.set(dir, name);
    }
    if (isDirectory) {
      if (!dirs.has(key)) dirs.set(key, name);
      continue;
    }
    const other = files.get(key);
    if (other !== undefined) {
      throw new InvalidWheelError(
        filename,
        name,
        `installs to the same file as '${other}' on a case-insensitive or normalising file system`,
      );
    }
    files.set(key, name);
  }
  for (const [key, name] of files) {
    const other = dirs.get(key);
    if (other !== undefined) {
      throw new InvalidWheelError(
        filename,
        name,
        `is a file where '${other}' needs a directory (after case folding)`,
      );
    }
  }
}
