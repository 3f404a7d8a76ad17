import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { buildCachePath } from './layout.js';

export interface CacheDirOptions {
  /** An explicit cache directory (e.g. from `--cache-dir`); wins over the environment. */
  cacheDir?: string;
  /** Environment to read (`PEXKIT_CACHE_DIR`, `XDG_CACHE_HOME`, `HOME`); defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The root of pexkit's caches: `options.cacheDir`, else `$PEXKIT_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/pexkit` (only when absolute, as the XDG spec requires), else `~/.cache/pexkit`.
 */
export function cacheDir(options: CacheDirOptions = {}): string {
  const env = options.env ?? process.env;
  if (options.cacheDir !== undefined && options.cacheDir !== '') return resolve(options.cacheDir);
  const explicit = env['PEXKIT_CACHE_DIR'];
  if (explicit !== undefined && explicit !== '') return resolve(explicit);
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg !== undefined && xdg !== '' && isAbsolute(xdg)) return join(xdg, 'pexkit');
  const home = env['HOME'] !== undefined && env['HOME'] !== '' ? env['HOME'] : homedir();
  return join(home, '.cache', 'pexkit');
}

/** Where a verified artifact lives in the content-addressed store. */
export function artifactCachePath(root: string, sha256: string, filename: string): string {
  const digest = sha256.toLowerCase();
  return buildCachePath(root, 'artifacts', digest.slice(0, 2), digest, filename);
}
