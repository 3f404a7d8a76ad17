import { PexkitError } from '../errors.js';
import { listIndexFiles, type IndexOptions } from '../index-client/simple.js';
import type { IndexFile } from '../index-client/parse.js';
import { parseDistributionFilename } from '../index-client/project-name.js';
import { Version } from '../pep440/version.js';
import { mayMatchPins } from '../lock/hashes.js';
import type { Lock, LockPackage } from '../lock/model.js';
import type { ArtifactRef } from './fetch-artifact.js';

export interface LockArtifactsOptions extends IndexOptions {
  /** Keep only file names matching one of these globs (`*`, `?`); all when empty. */
  match?: string[];
  /** Also take sdists (default: wheels only). */
  includeSdists?: boolean;
}

/** An artifact to fetch, with the hashes its lock pins (checked by fetchArtifact). */
export interface LockArtifactRef extends ArtifactRef {
  project: string;
  version?: string;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

const FIRST_PARTY_KINDS = new Set(['directory', 'editable', 'virtual', 'git']);

async function fromIndex(
  pkg: LockPackage,
  lock: Lock,
  options: LockArtifactsOptions,
): Promise<IndexFile[]> {
  const files = await listIndexFiles(pkg.name, {
    ...options,
    indexUrl: lock.noIndex === true ? null : (pkg.indexUrl ?? lock.indexUrl ?? options.indexUrl),
    extraIndexUrls: [...lock.extraIndexUrls, ...(options.extraIndexUrls ?? [])],
    findLinks: [...lock.findLinks, ...(options.findLinks ?? [])],
  });
  const pinned = pkg.version === undefined ? undefined : Version.tryParse(pkg.version);
  return files.filter((f) => {
    const version = parseDistributionFilename(f.filename)?.version;
    if (version === undefined || pinned === undefined || !version.equals(pinned)) return false;
    return mayMatchPins(pkg.allowedHashes, f.sha256);
  });
}

/**
 * Every third-party artifact a lock names (all platforms), filtered by file-name globs: lock URLs
 * and paths as written; for requirements files, the pinned version's files from the index / find-links
 * (checked against `--hash` when given). First-party sources (directory, editable, git, virtual) are skipped.
 */
export async function artifactsOfLock(
  lock: Lock,
  options: LockArtifactsOptions = {},
): Promise<LockArtifactRef[]> {
  const patterns = (options.match ?? []).map(globToRegExp);
  const wanted = (filename: string): boolean =>
    (options.includeSdists === true || filename.endsWith('.whl')) &&
    (patterns.length === 0 || patterns.some((p) => p.test(filename)));
  const out: LockArtifactRef[] = [];
  for (const pkg of lock.packages) {
    if (FIRST_PARTY_KINDS.has(pkg.source.kind) || lock.members.includes(pkg.name)) continue;
    const listed = [...pkg.wheels, ...(pkg.sdist !== undefined ? [pkg.sdist] : [])];
    const base = {
      project: pkg.name,
      version: pkg.version,
      allowedHashes: pkg.allowedHashes,
      pinnedBy: `${lock.path}${pkg.line !== undefined ? `:${pkg.line}` : ''}`,
      pinnedFor: `${pkg.name} ${pkg.version ?? ''}`.trim(),
    };
    if (listed.length > 0) {
      for (const a of listed) {
        if (!wanted(a.filename)) continue;
        out.push({
          ...base,
          filename: a.filename,
          url: a.url,
          path: a.path,
          sha256: a.sha256,
          hashes: a.hashes,
          size: a.size,
        });
      }
      continue;
    }
    const files = await fromIndex(pkg, lock, options);
    if (files.length === 0) {
      throw new PexkitError(
        `${lock.path}: no file of ${pkg.name}==${pkg.version ?? '?'} on the index or find-links` +
          (pkg.allowedHashes !== undefined ? ' matches its --hash values' : ''),
      );
    }
    for (const f of files) {
      if (!wanted(f.filename)) continue;
      out.push({
        ...base,
        filename: f.filename,
        url: f.path === undefined ? f.url : undefined,
        path: f.path,
        sha256: f.sha256,
        size: f.size,
      });
    }
  }
  return out;
}
