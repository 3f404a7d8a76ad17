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
  const key = `${pkg.name}\0${JSON.stringify([options.indexUrl, options.extraIndexUrls, options.findLinks])}`;
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
