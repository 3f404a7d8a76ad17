import { listIndexFiles, type IndexOptions } from '../index-client/simple.js';
import type { IndexFile } from '../index-client/parse.js';
import { mayMatchPins } from '../lock/hashes.js';
import type { LockArtifact, LockPackage } from '../lock/model.js';
import { Version } from '../pep440/version.js';
import type { Candidate } from './select.js';
import { wheelNameParts } from './select.js';

function sameVersion(a: string, b: string): boolean {
  try {
    return Version.parse(a).compare(Version.parse(b)) === 0;
  } catch {
    return a === b;
  }
}

function sdistVersion(filename: string): string | undefined {
  const m = /^(.+)-([^-]+)\.(tar\.gz|zip|tar\.bz2|tgz)$/.exec(filename);
  return m?.[2];
}

function toArtifact(file: IndexFile, kind: 'wheel' | 'sdist'): Candidate {
  const art: Candidate = { kind, filename: file.filename };
  if (file.path !== undefined) art.path = file.path;
  else art.url = file.url;
  if (file.sha256 !== undefined) art.sha256 = file.sha256;
  if (file.size !== undefined) art.size = file.size;
  if (file.requiresPython !== undefined) art.requiresPython = file.requiresPython;
  if (file.yanked !== undefined) art.yanked = file.yanked;
  return art;
}

/** Pages fetched at once by {@link prefetchIndexPages}: a lock of 100 flat pins is ~13 rounds. */
export const INDEX_PAGE_CONCURRENCY = 8;

function pageKey(name: string, options: IndexOptions): string {
  return `${name}\0${JSON.stringify([options.indexUrl, options.extraIndexUrls, options.findLinks])}`;
}

/**
 * Starts fetching the index pages of `names` (at most `concurrency` at a time) into `cache`, so
 * the per-package lookups that follow await pages already on their way instead of fetching them
 * one after another. A page that fails rejects only when a lookup awaits it.
 */
export function prefetchIndexPages(
  names: Iterable<string>,
  options: IndexOptions,
  cache: Map<string, Promise<IndexFile[]>>,
  concurrency = INDEX_PAGE_CONCURRENCY,
): void {
  let running = 0;
  const waiting: Array<() => void> = [];
  const slot = async (): Promise<void> => {
    if (running < concurrency) {
      running++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next === undefined) running--;
    else next(); // the slot passes straight to the next page
  };
  for (const name of names) {
    const key = pageKey(name, options);
    if (cache.has(key)) continue;
    const page = slot().then(async () => {
      try {
        return await listIndexFiles(name, options);
      } finally {
        release();
      }
    });
    page.catch(() => undefined); // reported when awaited, never as an unhandled rejection
    cache.set(key, page);
  }
}

/**
 * Wheels (and the sdist) of a pinned package as the index / find-links offer them, for locks
 * that list no artifacts (requirements files): only files of the pinned version, and — when the
 * lock gives `--hash`es — only files that may match one of them (checked again on download).
 */
export async function indexArtifacts(
  pkg: LockPackage,
  options: IndexOptions,
  cache: Map<string, Promise<IndexFile[]>>,
): Promise<{ wheels: Candidate[]; sdist?: LockArtifact }> {
  const key = pageKey(pkg.name, options);
  let files = cache.get(key);
  if (files === undefined) {
    files = listIndexFiles(pkg.name, options);
    cache.set(key, files);
  }
  const version = pkg.version ?? '';
  const ok = (f: IndexFile) => mayMatchPins(pkg.allowedHashes, f.sha256);
  const wheels: Candidate[] = [];
  let sdist: LockArtifact | undefined;
  for (const f of await files) {
    if (!ok(f)) continue;
    const parts = wheelNameParts(f.filename);
    if (parts !== undefined) {
      if (sameVersion(parts.version, version)) wheels.push(toArtifact(f, 'wheel'));
      continue;
    }
    const sv = sdistVersion(f.filename);
    if (sdist === undefined && sv !== undefined && sameVersion(sv, version))
      sdist = toArtifact(f, 'sdist');
  }
  return sdist === undefined ? { wheels } : { wheels, sdist };
}
