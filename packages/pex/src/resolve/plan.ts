import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseWheelFilename } from '../wheel/filename.js';
import { PexkitError } from '../errors.js';
import { fetchAll, type FetchAllOptions } from '../fetch/fetch-all.js';
import type { ArtifactRef, FetchedArtifact } from '../fetch/fetch-artifact.js';
import { readIndexSettings } from '../fetch/settings.js';
import type { IndexFile } from '../index-client/parse.js';
import type { IndexOptions } from '../index-client/simple.js';
import { loadLock } from '../lock/load.js';
import { LockError, type Lock, type LockArtifact, type LockPackage } from '../lock/model.js';
import type {
  BuildPlan,
  FirstPartyProject,
  ResolvedProject,
  ResolvedWheel,
} from '../plan/build-plan.js';
import { Version } from '../pep440/version.js';
import { readPyproject } from '../project/pyproject.js';
import { findWorkspace, resolveFirstParty } from '../project/workspace.js';
import {
  buildWheelFromSdist,
  configuredPythons,
  findBuildInterpreter,
  findBuiltWheel,
  noBuilderError,
} from '../sdist/build.js';
import { indexArtifacts, prefetchIndexPages } from './index-candidates.js';
import { evaluateMarker } from './markers.js';
import { requiresDistOfWheel, withoutExtraOnly } from './wheel-requires.js';
import { narrowFlatProjects } from './narrow-flat.js';
import { canonicalizeName } from '../names/canonicalize.js';
import {
  NoCompatibleWheelError,
  selectArtifact,
  type Candidate,
  type Selection,
} from './select.js';
import { subsetForTarget, type SubsetRoots } from './subset.js';
import { resolveTargets, type NamedTarget } from './targets.js';
import type { InterpreterInfo } from '../interpreter/current.js';

export interface PlanOptions {
  /** The project to build: its directory or its pyproject.toml. */
  project: string;
  /** Lock file (uv.lock, pylock.toml, requirements.txt); default `uv.lock` at the workspace root. */
  lock?: string;
  /** Targets (`current`, abbreviated platforms, complete-platform `.json` files); default `['current']`. */
  targets?: string[];
  indexUrl?: string;
  extraIndexUrls?: string[];
  findLinks?: string[];
  offline?: boolean;
  cacheDir?: string;
  /** Extras of the main project. */
  extras?: string[];
  /** Dependency groups of the main project (PEP 735; read from uv.lock / pylock.toml). */
  groups?: string[];
  /** Progress and notes, one line each: a function, or a `{ info, warn, debug }` logger. */
  logger?: ((line: string) => void) | PlanLogger;
  /**
   * Interpreters (paths or PATH names): the first describes the `current` target; each sdist is
   * built by the first one that serves its target (matched by tags). Default PEXKIT_PYTHON.
   */
  python?: string | readonly string[];
  /** Parallel downloads (default 8). */
  concurrency?: number;
  progress?: FetchAllOptions['progress'];
  env?: NodeJS.ProcessEnv;
  /** List every wheel file (and why it does not fit) in no-wheel errors, not just the closest. */
  verbose?: boolean;
}

/** The writer's logger shape (`pex/writer.ts` PexLogger). */
export interface PlanLogger {
  info?(message: string): void;
  warn?(message: string): void;
  debug?(message: string): void;
}

function lineLogger(logger: PlanOptions['logger']): (line: string) => void {
  if (logger === undefined) return () => undefined;
  if (typeof logger === 'function') return logger;
  return (line) => logger.info?.(line);
}

/** A fetched file does not match the `--hash`es the lock allows (thrown while fetching). */
export { LockHashError } from '../fetch/pins.js';

/** Several packages have no wheel (and no buildable sdist) for some target: all of them. */
export class NoWheelsError extends PexkitError {
  override readonly name = 'NoWheelsError';
  constructor(readonly failures: PexkitError[]) {
    super(
      `${failures.length} packages have no usable wheel for a target:\n\n${failures.map((f) => f.message).join('\n\n')}`,
    );
  }
}

interface Choice {
  pkg: LockPackage;
  requires: string[];
  target: NamedTarget;
  artifact: Candidate | LockArtifact;
  kind: 'wheel' | 'sdist';
}

function artifactKey(a: LockArtifact): string {
  return a.sha256 !== undefined ? `sha256:${a.sha256}` : `${a.url ?? a.path ?? ''}#${a.filename}`;
}

/** The artifact to fetch, with every hash the lock pins for it (checked while fetching). */
function toRef(a: LockArtifact, pkg: LockPackage, lock: Lock): ArtifactRef {
  const ref: ArtifactRef = { filename: a.filename };
  if (a.url !== undefined) ref.url = a.url;
  if (a.path !== undefined) ref.path = a.path;
  if (a.sha256 !== undefined) ref.sha256 = a.sha256;
  if (a.hashes !== undefined) ref.hashes = a.hashes;
  if (a.size !== undefined) ref.size = a.size;
  if (pkg.allowedHashes !== undefined) ref.allowedHashes = pkg.allowedHashes;
  ref.pinnedBy = `${lock.path}${pkg.line !== undefined ? `:${pkg.line}` : ''}`;
  ref.pinnedFor = `${pkg.name} ${pkg.version ?? ''}`.trim();
  return ref;
}

function byVersion(a: string, b: string): number {
  try {
    return Version.parse(a).compare(Version.parse(b));
  } catch {
    return a < b ? -1 : a > b ? 1 : 0;
  }
}

/** pip options naming the same indexes and find-links the plan uses (for sdist build backends). */
function pipIndexArgs(index: IndexOptions): string[] {
  const args: string[] = [];
  if (index.offline === true || index.indexUrl === null) args.push('--no-index');
  else {
    if (index.indexUrl !== undefined) args.push('--index-url', index.indexUrl);
    for (const url of index.extraIndexUrls ?? []) args.push('--extra-index-url', url);
  }
  for (const link of index.findLinks ?? []) args.push('--find-links', link);
  return args;
}

function projectDirOf(project: string): string {
  const abs = resolve(project);
  return existsSync(abs) && statSync(abs).isFile() ? dirname(abs) : abs;
}

/** The first of the lock's `required-markers` that holds on `target`, if any. */
function requiredMarkerOf(lock: Lock, target: NamedTarget['target']): string | undefined {
  return (lock.requiredMarkers ?? []).find((m) =>
    evaluateMarker(m, target, [], `required-markers of ${lock.path}`),
  );
}

/** pex-style interpreter constraints from the closure's requires-python (all must hold). */
export function interpreterConstraintsOf(firstParty: FirstPartyProject[], lock: Lock): string[] {
  const specs = [
    ...new Set(firstParty.map((p) => p.requiresPython?.trim()).filter((s): s is string => !!s)),
  ];
  if (specs.length === 0 && lock.requiresPython !== undefined) specs.push(lock.requiresPython);
  return specs.length === 0 ? [] : [specs.join(',')];
}

/**
 * Plans a PEX build: finds the workspace, the first-party closure and the lock; subsets the lock
 * per target (markers in each target's environment); picks each package's best wheel per target
 * (building sdists through a matching local interpreter when that is the only way); fetches
 * every chosen file once, verified, through the cache.
 */
export async function planBuild(options: PlanOptions): Promise<BuildPlan> {
  const log = lineLogger(options.logger);
  const env = options.env ?? process.env;
  const projectDir = projectDirOf(options.project);
  const main = readPyproject(projectDir);
  const workspace = findWorkspace(projectDir);
  const firstParty = resolveFirstParty(
    workspace,
    main.name,
    options.extras ?? [],
    options.groups ?? [],
  );
  const lockPath = resolve(options.lock ?? join(workspace.root, 'uv.lock'));
  if (!existsSync(lockPath)) {
    throw new LockError(
      lockPath,
      `no lock file for ${main.name} (run 'uv lock' in ${workspace.root}, or pass a lock file)`,
    );
  }
  const lock = loadLock(lockPath);
  // Dynamic versions come from the lock's entry for the member.
  for (const p of firstParty.projects) {
    const info = workspace.members.get(p.name);
    const locked = lock.packages.find((q) => q.name === p.name && q.version !== undefined);
    if (info?.dynamicVersion === true && locked?.version !== undefined) p.version = locked.version;
  }
  const pythons = configuredPythons(options.python, env);
  const targets = await resolveTargets(options.targets ?? ['current'], {
    ...(pythons[0] !== undefined ? { python: pythons[0] } : {}),
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    env,
  });
  const roots: SubsetRoots = {
    firstParty: firstParty.projects.map((p) => p.name),
    extras: { [main.name]: options.extras ?? [] },
    requirements: firstParty.requirements,
  };
  if ((options.groups ?? []).length > 0) roots.groups = { [main.name]: options.groups ?? [] };
  const settings = readIndexSettings(
    {
      ...((options.indexUrl ?? lock.indexUrl)
        ? { indexUrl: (options.indexUrl ?? lock.indexUrl) as string }
        : {}),
      ...(options.extraIndexUrls
        ? { extraIndexUrls: [...options.extraIndexUrls, ...lock.extraIndexUrls] }
        : lock.extraIndexUrls.length > 0
          ? { extraIndexUrls: lock.extraIndexUrls }
          : {}),
      ...(options.findLinks
        ? { findLinks: [...options.findLinks, ...lock.findLinks] }
        : lock.findLinks.length > 0
          ? { findLinks: lock.findLinks }
          : {}),
    },
    env,
  );
  const indexOptions: IndexOptions = {
    indexUrl: lock.noIndex === true ? null : settings.indexUrl,
    extraIndexUrls: settings.extraIndexUrls,
    findLinks: settings.findLinks,
    env,
    ...(options.offline !== undefined ? { offline: options.offline } : {}),
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
  };
  const pageCache = new Map<string, Promise<IndexFile[]>>();
  const cacheOptions = {
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    env,
  };

  // 1. Subset and select per target.
  const choices: Choice[] = [];
  const failures: PexkitError[] = [];
  const verbose = options.verbose === true;
  const builders = new Map<string, Promise<InterpreterInfo | undefined>>();
  const builderFor = (named: NamedTarget) => {
    let found = builders.get(named.name);
    if (found === undefined) {
      found = findBuildInterpreter(named.target, { python: pythons, ...cacheOptions });
      builders.set(named.name, found);
    }
    return found;
  };
  const subsets = targets.map((named) => subsetForTarget(lock, roots, named.target));
  // Locks that list no files (requirements): every index page the targets need, in parallel.
  prefetchIndexPages(
    new Set(
      subsets
        .flat()
        .filter((e) => needsIndex(e.pkg))
        .map((e) => e.pkg.name),
    ),
    indexOptions,
    pageCache,
  );
  for (const [t, named] of targets.entries()) {
    const subset = subsets[t] ?? [];
    for (const entry of subset) {
      const pkg = entry.pkg;
      let candidates: Candidate[] = pkg.wheels;
      let selectable: LockPackage = pkg;
      if (needsIndex(pkg)) {
        const found = await indexArtifacts(pkg, indexOptions, pageCache);
        candidates = found.wheels;
        selectable = found.sdist !== undefined ? { ...pkg, sdist: found.sdist } : pkg;
      }
      if (pkg.source.kind === 'git' && pkg.wheels.length === 0 && pkg.sdist === undefined) {
        // Built like an sdist from a clone at the locked commit (verified).
        selectable = {
          ...pkg,
          sdist: await (
            await import('./git-source.js')
          ).gitSourceArchive(pkg, lock.path, cacheOptions),
        };
      }
      let picked: Selection;
      try {
        picked = selectArtifact(selectable, named.target, candidates, { verbose });
      } catch (error) {
        // Report every package without a wheel at once, not just the first.
        if (!(error instanceof NoCompatibleWheelError)) throw error;
        failures.push(error);
        continue;
      }
      if (picked.kind === 'sdist') {
        // uv locked with `required-environments`: it made sure of a wheel for these targets.
        const required = requiredMarkerOf(lock, named.target);
        if (required !== undefined) {
          throw new LockError(
            lock.path,
            `${pkg.name} ${pkg.version ?? ''}: no wheel in the lock fits target ${named.target.source}, which the lock's required-markers (${JSON.stringify(required)}) promise wheels for; refusing to build ${picked.artifact.filename} instead (is the lock stale? run 'uv lock')`,
            pkg.line,
          );
        }
        // Refuse before downloading the sdist when nothing here can build it for this target
        // and no wheel built from it earlier serves the target.
        const sha = picked.artifact.sha256;
        const builder =
          (sha !== undefined && findBuiltWheel(sha, named.target, cacheOptions) !== undefined) ||
          (await builderFor(named));
        if (builder === undefined) {
          failures.push(
            noBuilderError(
              pkg.name,
              pkg.version ?? '',
              named.target,
              picked.artifact.filename,
              picked.explanation,
            ),
          );
          continue;
        }
      }
      choices.push({
        pkg,
        requires: entry.requires,
        target: named,
        artifact: picked.artifact,
        kind: picked.kind,
      });
    }
  }

  if (failures.length === 1) throw failures[0] as PexkitError;
  if (failures.length > 1) throw new NoWheelsError(failures);

  // 2. Fetch every chosen file once (wheels and sdists), bounded parallel, verified.
  const unique = new Map<string, ArtifactRef>();
  for (const c of choices) {
    const key = artifactKey(c.artifact);
    if (!unique.has(key)) unique.set(key, toRef(c.artifact, c.pkg, lock));
  }
  const keys = [...unique.keys()];
  const fetchOptions: FetchAllOptions = {
    env,
    findLinks: settings.findLinks,
    log,
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    ...(options.offline !== undefined ? { offline: options.offline } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    progress: options.progress ?? 'auto',
  };
  const fetched =
    keys.length === 0
      ? { artifacts: [] as FetchedArtifact[], summary: '' }
      : await fetchAll(
          keys.map((k) => unique.get(k) as ArtifactRef),
          fetchOptions,
        );
  const byKey = new Map<string, FetchedArtifact>(
    keys.map((k, i) => [k, fetched.artifacts[i] as FetchedArtifact]),
  );

  // 3. Build sdists and gather wheels per project (fetching checked every lock hash).
  const projects = new Map<string, ResolvedProject>();
  for (const c of choices) {
    const got = byKey.get(artifactKey(c.artifact)) as FetchedArtifact;
    let wheel = {
      filename: c.artifact.filename,
      path: got.path,
      sha256: got.sha256,
      size: got.size,
    };
    if (c.kind === 'sdist') {
      wheel = await buildWheelFromSdist({
        sdist: { path: got.path, sha256: got.sha256, filename: c.artifact.filename },
        project: c.pkg.name,
        version: c.pkg.version ?? '',
        target: c.target.target,
        python: pythons,
        ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
        env,
        log,
        pipIndexArgs: pipIndexArgs(indexOptions),
      });
    }
    // A git line of a requirements file pins a commit, not a version: the wheel built says it.
    const version = c.pkg.version ?? parseWheelFilename(wheel.filename).version.toString();
    const key = `${c.pkg.name}==${version}`;
    let project = projects.get(key);
    if (project === undefined) {
      project = { name: c.pkg.name, version, requires: [], wheels: [] };
      if (c.pkg.requiresPython !== undefined) project.requiresPython = c.pkg.requiresPython;
      projects.set(key, project);
    }
    for (const r of c.requires) if (!project.requires.includes(r)) project.requires.push(r);
    let rw: ResolvedWheel | undefined = project.wheels.find((w) => w.sha256 === wheel.sha256);
    if (rw === undefined) {
      rw = { ...wheel, name: c.pkg.name, version, targets: [] };
      project.wheels.push(rw);
    }
    if (!rw.targets.includes(c.target.name)) rw.targets.push(c.target.name);
  }
  // Flat locks carry no edges: take each project's Requires-Dist from its wheel's METADATA.
  if (!lock.hasEdges) {
    const requiresDist = new Map<string, string[]>();
    for (const project of projects.values()) {
      const first = project.wheels[0];
      if (first === undefined) continue;
      const all = await requiresDistOfWheel(first.path);
      requiresDist.set(canonicalizeName(project.name), all);
      project.requires = withoutExtraOnly(all);
    }
    // Without `# via` either, the lock may list packages other projects need: keep what the
    // project's requirements reach through those Requires-Dist, per target.
    const flat = !lock.packages.some((p) => p.via !== undefined);
    if (flat && firstParty.requirements.length > 0) {
      const dropped = narrowFlatProjects(projects, requiresDist, firstParty.requirements, targets);
      if (dropped.length > 0)
        log(
          `left out ${dropped.length} locked package(s) ${main.name} does not need: ${dropped.join(', ')}`,
        );
    }
  }
  const sorted = [...projects.values()].sort((a, b) =>
    a.name === b.name ? byVersion(a.version, b.version) : a.name < b.name ? -1 : 1,
  );
  for (const p of sorted) {
    p.requires.sort();
    p.wheels.sort((a, b) => (a.filename < b.filename ? -1 : 1));
  }
  return {
    main: firstParty.projects[0] as FirstPartyProject,
    firstParty: firstParty.projects,
    requirements: firstParty.requirements,
    projects: sorted,
    targets: targets.map((t) => t.name),
    lockPath,
    interpreterConstraints: interpreterConstraintsOf(firstParty.projects, lock),
    resolvedTargets: targets.map((t) => t.target),
  };
}

/** A registry package the lock lists no files for: its files come from the index pages. */
function needsIndex(pkg: LockPackage): boolean {
  return pkg.wheels.length === 0 && pkg.sdist === undefined && pkg.source.kind === 'registry';
}
