import { basename, resolve } from 'node:path';
import { LockError, type Lock } from './model.js';
import { parsePylock } from './pylock.js';
import { parseRequirements } from './requirements.js';
import { parseUvLock, readLockText } from './uv-lock.js';

/** Which reader a lock file needs, by its name, else by its content. */
export function detectLockFormat(path: string, text: string): Lock['format'] {
  const name = basename(path);
  if (name === 'uv.lock') return 'uv.lock';
  if (/^pylock(\.[^.]+)?\.toml$/.test(name)) return 'pylock';
  if (/\.txt$|\.in$|^requirements/.test(name)) return 'requirements';
  if (/^\s*lock-version\s*=/m.test(text)) return 'pylock';
  if (/^\s*\[\[package\]\]/m.test(text) && /^\s*version\s*=\s*\d/m.test(text)) return 'uv.lock';
  throw new LockError(
    path,
    'unknown lock format: expected uv.lock, pylock.toml (PEP 751) or a pinned requirements file',
  );
}

/** Reads a lock file of any supported format into the common model. */
export function loadLock(path: string): Lock {
  const abs = resolve(path);
  const text = readLockText(abs);
  switch (detectLockFormat(abs, text)) {
    case 'uv.lock':
      return parseUvLock(text, abs);
    case 'pylock':
      return parsePylock(text, abs);
    case 'requirements':
      return parseRequirements(text, abs);
  }
}
