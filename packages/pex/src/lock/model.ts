import { PexkitError } from '../errors.js';

/** Where a locked package comes from. */
export type SourceKind = 'registry' | 'path' | 'directory' | 'editable' | 'git' | 'url' | 'virtual';

export interface LockSource {
  kind: SourceKind;
  /** Registry index URL, git URL, or direct URL. */
  url?: string;
  /** Path (relative to the lock's directory, as written) for path/directory/editable/virtual. */
  path?: string;
}

/** A wheel or sdist file of a locked package. */
export interface LockArtifact {
  kind: 'wheel' | 'sdist';
  filename: string;
  url?: string;
  /** Absolute path of a local file. */
  path?: string;
  sha256?: string;
  /**
   * Every digest the lock gives for the file, hashlib algorithm name → lower-case hex (sha256
   * included); each secure one must match (`lock/hashes.ts`).
   */
  hashes?: Record<string, string>;
  size?: number;
}

/** A dependency edge. */
export interface LockDependency {
  /** Canonical name. */
  name: string;
  /** Disambiguates when the lock holds several versions of `name` (uv forks). */
  version?: string;
  /** Extras of the dependency that this edge activates (canonical). */
  extras: string[];
  /** PEP 508 marker (without `;`), as written. */
  marker?: string;
  /** The source of the dependency (uv.lock, when the lock holds it from several sources). */
  source?: LockSource;
}

export interface LockPackage {
  /** Canonical name. */
  name: string;
  version?: string;
  source: LockSource;
  dependencies: LockDependency[];
  /** Extra name (canonical) → the edges it adds. */
  optionalDependencies: Record<string, LockDependency[]>;
  /** Dependency group name (canonical) → its edges (uv.lock `dev-dependencies`). */
  dependencyGroups?: Record<string, LockDependency[]>;
  wheels: LockArtifact[];
  sdist?: LockArtifact;
  /** The package is only needed where this marker holds (pylock / requirements files). */
  marker?: string;
  /** uv forks: the package applies where any of these holds. */
  resolutionMarkers: string[];
  requiresPython?: string;
  /** Index to fetch from when the lock has no artifact URLs (requirements files). */
  indexUrl?: string;
  /**
   * `algorithm:hex` digests (lower case) of which any artifact of this package must match one
   * (`--hash` in requirements files; sha256, sha384, sha512… see `lock/hashes.ts`).
   */
  allowedHashes?: string[];
  /** 1-based line of the entry in the lock file, for messages. */
  line?: number;
  /**
   * `# via` annotations of pip-compile / `uv export` requirements files: the parents that need
   * this package (canonical project names, or texts such as `-r requirements.in`).
   */
  via?: string[];
}

export type LockFormat = 'uv.lock' | 'pylock' | 'requirements';

/** One side of a uv `conflicts` entry: an extra or a dependency group of a package. */
export interface ConflictItem {
  /** Canonical package name. */
  package: string;
  extra?: string;
  group?: string;
}

/** One lock file in memory, whatever its format. */
export interface Lock {
  /** Absolute path of the lock file. */
  path: string;
  format: LockFormat;
  requiresPython?: string;
  /** Canonical names of the workspace members (uv.lock `[manifest] members`). */
  members: string[];
  packages: LockPackage[];
  /** True when packages carry dependency edges (uv.lock); flat formats list a closure already. */
  hasEdges: boolean;
  /** Top-level resolution markers (uv forks). */
  resolutionMarkers: string[];
  /** Index options found in the file (requirements files). */
  indexUrl?: string;
  extraIndexUrls: string[];
  findLinks: string[];
  /** `--no-index` was given (requirements files): only find-links. */
  noIndex?: boolean;
  /** uv.lock `conflicts`: extras / groups that must not be active together. */
  conflicts?: ConflictItem[][];
  /**
   * Environments the lock was made for (uv.lock `supported-markers`, pylock `environments`):
   * a target where none holds is refused.
   */
  supportedMarkers?: string[];
  /** uv.lock `required-markers`: environments every package has a wheel for. */
  requiredMarkers?: string[];
  /** pylock.toml `extras` / `dependency-groups` / `default-groups` (canonical names). */
  extras?: string[];
  dependencyGroups?: string[];
  defaultGroups?: string[];
}

/** A package from a registry with nothing known yet but its name (readers fill in the rest). */
export function registryPackage(name: string, line: number | undefined): LockPackage {
  return {
    name,
    source: { kind: 'registry' },
    dependencies: [],
    optionalDependencies: {},
    wheels: [],
    resolutionMarkers: [],
    line,
  };
}

/** A lock file that cannot be read; the message names the file and line. */
export class LockError extends PexkitError {
  override readonly name = 'LockError';
  constructor(
    readonly file: string,
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(
      `${file}${line !== undefined ? `:${line}${column !== undefined ? `:${column}` : ''}` : ''}: ${redactUserinfo(message)}`,
    );
  }
}

/** Hides `user:password@` in any URL inside a text (credentials never reach messages). */
export function redactUserinfo(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s"']*@/gi, '$1***@');
}

/** PEP 503 normalisation. */
export function canonical(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** The file name at the end of a URL or path (percent-decoded, query and fragment dropped). */
export function filenameOf(urlOrPath: string): string {
  const bare = urlOrPath.split(/[?#]/)[0] ?? urlOrPath;
  const last = bare.split(/[\\/]/).pop() ?? bare;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** All packages of `lock` named `name` (several when uv forked the resolution). */
export function packagesNamed(lock: Lock, name: string): LockPackage[] {
  const n = canonical(name);
  return lock.packages.filter((p) => p.name === n);
}
