import { createHash } from 'node:crypto';
import { PexkitError } from '../errors.js';
import {
  canonical,
  redactUserinfo,
  type Lock,
  type LockDependency,
  type LockPackage,
} from '../lock/model.js';
import { resolveFirstParty, type Workspace } from '../project/workspace.js';
import type { Target } from '../targets/target.js';
import { evaluateMarker } from './markers.js';

/** What a build needs from the lock: the first-party closure and its third-party roots. */
export interface SubsetRoots {
  /** Canonical names of the first-party projects (main first). */
  firstParty: string[];
  /** Extras requested per first-party project (canonical names). */
  extras?: Record<string, string[]>;
  /** PEP 508 third-party requirements of the closure (used for locks without edges or members). */
  requirements: string[];
}

/** A third-party package of the closure with the extras the closure activates. */
export interface SubsetEntry {
  pkg: LockPackage;
  extras: string[];
  /** Edges to third-party packages as PEP 508 strings (extras resolved, other markers kept). */
  requires: string[];
}

/** The lock cannot serve the roots (a member or dependency is missing, or ambiguous). */
export class LockSubsetError extends PexkitError {
  override readonly name = 'LockSubsetError';
  constructor(message: string) {
    super(redactUserinfo(message));
  }
}

const HEAD_RE = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?/;

function requirementParts(req: string): { name: string; extras: string[]; marker?: string } {
  const m = HEAD_RE.exec(req);
  if (m === null || m[1] === undefined)
    throw new LockSubsetError(`invalid requirement ${JSON.stringify(req)}`);
  const extras = (m[2] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')
    .map(canonical);
  const semi = req.indexOf(';');
  const out: { name: string; extras: string[]; marker?: string } = {
    name: canonical(m[1]),
    extras,
  };
  if (semi >= 0 && req.slice(semi + 1).trim() !== '') out.marker = req.slice(semi + 1).trim();
  return out;
}

/** PEP 508 string of an edge: `name[extras] ; marker`. */
export function edgeRequirement(dep: LockDependency): string {
  const extras = dep.extras.length > 0 ? `[${[...dep.extras].sort().join(',')}]` : '';
  return `${dep.name}${extras}${dep.marker !== undefined ? `; ${dep.marker}` : ''}`;
}

const unversioned = new WeakMap<LockDependency, string>();

/** {@link edgeRequirement} without the version pin, computed once per edge object. */
function unversionedRequirement(dep: LockDependency): string {
  let text = unversioned.get(dep);
  if (text === undefined)
    unversioned.set(dep, (text = edgeRequirement({ ...dep, version: undefined })));
  return text;
}

function isFirstPartySource(pkg: LockPackage): boolean {
  return ['editable', 'virtual', 'directory'].includes(pkg.source.kind);
}

/** Lock entries by name, and the names of first-party entries: built once per Lock object. */
interface LockIndex {
  byName: Map<string, LockPackage[]>;
  firstParty: Set<string>;
}

const indexes = new WeakMap<Lock, LockIndex>();

function indexOf(lock: Lock): LockIndex {
  let index = indexes.get(lock);
  if (index === undefined) {
    index = { byName: new Map(), firstParty: new Set() };
    for (const pkg of lock.packages) {
      const list = index.byName.get(pkg.name);
      if (list === undefined) index.byName.set(pkg.name, [pkg]);
      else list.push(pkg);
      if (isFirstPartySource(pkg)) index.firstParty.add(pkg.name);
    }
    indexes.set(lock, index);
  }
  return index;
}

/** Marker test for one target, or "keep everything" when target is undefined. */
type Keep = (marker: string | undefined, where: string, extras: readonly string[]) => boolean;

function keepFor(target: Target | undefined, lock: Lock): Keep {
  if (target === undefined) return () => true;
  return (marker, where, extras) =>
    marker === undefined || evaluateMarker(marker, target, extras, `${where} in ${lock.path}`);
}

function pickVersion(
  lock: Lock,
  dep: { name: string; version?: string },
  target: Target | undefined,
  from: string,
): LockPackage[] {
  let found = indexOf(lock).byName.get(dep.name) ?? [];
  if (dep.version !== undefined) found = found.filter((p) => p.version === dep.version);
  if (found.length === 0) {
    // Target-independent walks cannot tell a stale lock from a marker branch the locker dropped
    // (e.g. below requires-python); the per-target walk reports it.
    if (target === undefined) return [];
    throw new LockSubsetError(
      `${lock.path}: ${from} needs '${dep.name}${dep.version !== undefined ? ` ${dep.version}` : ''}', which the lock does not contain (is the lock stale? run 'uv lock')`,
    );
  }
  if (target === undefined) return found;
  // PEP 751 entries carry their own marker: an edge to a package excluded here leads nowhere.
  found = found.filter(
    (p) =>
      p.marker === undefined ||
      evaluateMarker(p.marker, target, [], `package '${p.name}' in ${lock.path}`),
  );
  if (found.length <= 1) return found;
  // uv forks: keep the versions whose resolution markers hold for this target.
  const keep = found.filter(
    (p) =>
      p.resolutionMarkers.length === 0 ||
      p.resolutionMarkers.some((m) =>
        evaluateMarker(
          m,
          target,
          [],
          `resolution-markers of ${p.name} ${p.version ?? ''} in ${lock.path}`,
        ),
      ),
  );
  if (keep.length !== 1) {
    const versions = (keep.length === 0 ? found : keep).map((p) => p.version).join(', ');
    throw new LockSubsetError(
      `${lock.path}: '${dep.name}' (needed by ${from}) is ambiguous for target ${target.source}: versions ${versions}`,
    );
  }
  return keep;
}

/**
 * Walks a lock with dependency edges from the first-party members (or, if the lock has none of
 * them, from the root requirements), following edges whose markers hold for `target`
 * (all edges when `target` is undefined) and the optional dependencies of activated extras.
 */
function walkEdges(lock: Lock, roots: SubsetRoots, target: Target | undefined): SubsetEntry[] {
  const keep = keepFor(target, lock);
  const firstParty = new Set(roots.firstParty.map(canonical));
  const entries = new Map<LockPackage, { extras: Set<string>; requires: Set<string> }>();
  const queue: Array<{ pkg: LockPackage; extras: string[] }> = [];
  const visit = (dep: { name: string; version?: string; extras: string[] }, from: string) => {
    for (const pkg of pickVersion(lock, dep, target, from)) queue.push({ pkg, extras: dep.extras });
  };
  const index = indexOf(lock);
  // The first first-party entry of each name (a Map: closures of thousands of members).
  const members = new Map<string, LockPackage>();
  for (const name of firstParty) {
    const member = (index.byName.get(name) ?? []).find(isFirstPartySource);
    if (member !== undefined) members.set(name, member);
  }
  if (members.size > 0) {
    for (const name of firstParty) {
      const member = members.get(name);
      if (member === undefined) {
        throw new LockSubsetError(
          `${lock.path}: first-party project '${name}' is not in the lock (run 'uv lock')`,
        );
      }
      queue.push({ pkg: member, extras: (roots.extras?.[name] ?? []).map(canonical) });
    }
  } else {
    for (const req of roots.requirements) {
      const r = requirementParts(req);
      if (firstParty.has(r.name)) continue;
      if (!keep(r.marker, `requirement '${req}'`, [])) continue;
      visit({ name: r.name, extras: r.extras }, `requirement '${req}'`);
    }
  }
  const seen = new Map<LockPackage, { extras: Set<string>; base: boolean }>();
  // A moving head, not queue.shift() (which copies the array: quadratic in big closures).
  for (let head = 0; head < queue.length; head++) {
    const { pkg, extras } = queue[head] as { pkg: LockPackage; extras: string[] };
    const state = seen.get(pkg) ?? { extras: new Set<string>(), base: false };
    seen.set(pkg, state);
    // Workspace members and directory sources are first-party code: walked, never listed.
    const isMember = isFirstPartySource(pkg);
    const entry = isMember
      ? undefined
      : (entries.get(pkg) ?? { extras: new Set<string>(), requires: new Set<string>() });
    if (entry !== undefined) entries.set(pkg, entry);
    const edges: LockDependency[] = [];
    if (!state.base) {
      state.base = true;
      edges.push(...pkg.dependencies);
    }
    for (const extra of extras) {
      if (state.extras.has(extra)) continue;
      state.extras.add(extra);
      entry?.extras.add(extra);
      const opt = pkg.optionalDependencies[extra];
      if (opt === undefined) {
        if (isMember)
          throw new LockSubsetError(`${lock.path}: '${pkg.name}' has no extra '${extra}'`);
        continue; // pip only warns about unknown extras
      }
      edges.push(...opt);
    }
    const label = `${pkg.name}${pkg.version !== undefined ? ` ${pkg.version}` : ''}`;
    for (const dep of edges) {
      // `requires` keeps every edge with its marker (the runtime evaluates them); only the walk
      // is limited to edges that hold on this target.
      const depIsMember = firstParty.has(dep.name) || index.firstParty.has(dep.name);
      if (entry !== undefined && !depIsMember) entry.requires.add(unversionedRequirement(dep));
      if (!keep(dep.marker, `the dependency of ${label} on '${dep.name}'`, [])) continue;
      visit(dep, label);
    }
  }
  return [...entries].map(([pkg, e]) => ({
    pkg,
    extras: [...e.extras].sort(),
    requires: [...e.requires].sort(),
  }));
}

/** Flat locks (pylock without edges, requirements files) already list a closure: filter by marker. */
function filterFlat(lock: Lock, roots: SubsetRoots, target: Target | undefined): SubsetEntry[] {
  const keep = keepFor(target, lock);
  const wantedExtras = [
    ...new Set(
      Object.values(roots.extras ?? {})
        .flat()
        .map(canonical),
    ),
  ];
  const firstParty = new Set(roots.firstParty.map(canonical));
  const out: SubsetEntry[] = [];
  for (const pkg of lock.packages) {
    if (firstParty.has(pkg.name) || isFirstPartySource(pkg)) continue;
    if (!keep(pkg.marker, `package '${pkg.name}'`, wantedExtras)) continue;
    out.push({ pkg, extras: [], requires: [] });
  }
  if (target !== undefined) checkUnique(lock, out, target);
  return out;
}

/**
 * Requirements files annotated with `# via` (pip-compile, uv export) name each package's parents:
 * walk from the packages the closure asks for directly — a parent that is a first-party project
 * or not a project name at all (`-r requirements.in`), or a root requirement's name — down the
 * reversed annotations. Packages needed only by other projects (workspace members outside the
 * closure, dependency groups) stay out.
 */
function walkVia(lock: Lock, roots: SubsetRoots, target: Target | undefined): SubsetEntry[] {
  const keep = keepFor(target, lock);
  const firstParty = new Set(roots.firstParty.map(canonical));
  const inFile = new Set(lock.packages.map((p) => p.name));
  const rootNames = new Set(roots.requirements.map((r) => requirementParts(r).name));
  const children = new Map<string, LockPackage[]>();
  const start: LockPackage[] = [];
  for (const pkg of lock.packages) {
    if (isFirstPartySource(pkg) || firstParty.has(pkg.name)) continue;
    const parents = pkg.via ?? [];
    const isRoot =
      rootNames.has(pkg.name) ||
      parents.some(
        (p) =>
          firstParty.has(p) || (!inFile.has(p) && !/^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/.test(p)),
      );
    if (isRoot) start.push(pkg);
    for (const parent of parents) {
      if (!inFile.has(parent)) continue;
      const list = children.get(parent) ?? [];
      list.push(pkg);
      children.set(parent, list);
    }
  }
  const reached = new Set<LockPackage>();
  const queue = [...start];
  for (let head = 0; head < queue.length; head++) {
    const pkg = queue[head] as LockPackage;
    if (reached.has(pkg)) continue;
    if (!keep(pkg.marker, `package '${pkg.name}'`, [])) continue;
    reached.add(pkg);
    queue.push(...(children.get(pkg.name) ?? []));
  }
  return [...reached].map((pkg) => ({ pkg, extras: [], requires: [] }));
}

function sortEntries(entries: SubsetEntry[]): SubsetEntry[] {
  return entries.sort((a, b) =>
    a.pkg.name === b.pkg.name
      ? (a.pkg.version ?? '').localeCompare(b.pkg.version ?? '')
      : a.pkg.name < b.pkg.name
        ? -1
        : 1,
  );
}

/**
 * The third-party packages `roots` need on `target`, with markers evaluated in the target's
 * environment; packages the roots do not reach never appear. Sorted by name.
 */
export function subsetForTarget(lock: Lock, roots: SubsetRoots, target: Target): SubsetEntry[] {
  return sortEntries(walk(lock, roots, target));
}

function walk(lock: Lock, roots: SubsetRoots, target: Target | undefined): SubsetEntry[] {
  if (lock.hasEdges) return walkEdges(lock, roots, target);
  if (lock.packages.some((p) => p.via !== undefined)) {
    const entries = walkVia(lock, roots, target);
    if (target !== undefined) checkUnique(lock, entries, target);
    return entries;
  }
  return filterFlat(lock, roots, target);
}

function checkUnique(lock: Lock, entries: SubsetEntry[], target: Target): void {
  const names = new Map<string, number>();
  for (const e of entries) names.set(e.pkg.name, (names.get(e.pkg.name) ?? 0) + 1);
  for (const [name, count] of names) {
    if (count > 1) {
      throw new LockSubsetError(
        `${lock.path}: several entries for '${name}' apply to target ${target.source}; their markers overlap`,
      );
    }
  }
}

/** What a build takes from a lock, whatever the target (see {@link lockSubset}). */
export interface LockSubset {
  format: Lock['format'];
  requiresPython?: string;
  index: { indexUrl?: string; extraIndexUrls: string[]; findLinks: string[] };
  roots: SubsetRoots;
  /** Dependency edges of the first-party lock entries (a new dependency changes the build). */
  members: Array<{
    name: string;
    dependencies: string[];
    optionalDependencies: Record<string, string[]>;
  }>;
  /** Third-party packages reachable on any platform (every marker branch), sorted by name. */
  entries: SubsetEntry[];
}

type MemberSummary = LockSubset['members'][number];

const memberSummaries = new WeakMap<LockPackage, MemberSummary>();

/** The edges of a first-party lock entry as a subset lists them, computed once per entry. */
function memberSummary(p: LockPackage): MemberSummary {
  let summary = memberSummaries.get(p);
  if (summary === undefined) {
    summary = {
      name: p.name,
      dependencies: p.dependencies.map(edgeRequirement).sort(),
      optionalDependencies: Object.fromEntries(
        Object.entries(p.optionalDependencies)
          .sort()
          .map(([k, v]) => [k, v.map(edgeRequirement).sort()]),
      ),
    };
    memberSummaries.set(p, summary);
  }
  return summary;
}

/**
 * Target-independent subset: everything the roots may reach on any platform (markers kept, never
 * evaluated); unrelated lock entries stay out. Give the roots, or a workspace and project name
 * (the first-party closure and its requirements are then read from the workspace).
 */
export function lockSubset(lock: Lock, roots: SubsetRoots): LockSubset;
export function lockSubset(
  lock: Lock,
  workspace: Workspace,
  projectName: string,
  extras?: string[],
): LockSubset;
export function lockSubset(
  lock: Lock,
  rootsOrWorkspace: SubsetRoots | Workspace,
  projectName?: string,
  extras: string[] = [],
): LockSubset {
  let roots: SubsetRoots;
  if (projectName !== undefined) {
    const fp = resolveFirstParty(rootsOrWorkspace as Workspace, projectName, extras);
    roots = {
      firstParty: fp.projects.map((p) => p.name),
      extras: { [canonical(projectName)]: extras.map(canonical) },
      requirements: fp.requirements,
    };
  } else {
    roots = rootsOrWorkspace as SubsetRoots;
  }
  const index = indexOf(lock);
  const members = [...new Set(roots.firstParty.map(canonical))].flatMap((name) =>
    (index.byName.get(name) ?? []).filter(isFirstPartySource),
  );
  const subset: LockSubset = {
    format: lock.format,
    index: {
      ...(lock.indexUrl !== undefined ? { indexUrl: lock.indexUrl } : {}),
      extraIndexUrls: lock.extraIndexUrls,
      findLinks: lock.findLinks,
    },
    roots,
    // From the index, not a scan of the whole lock per call (one call per project).
    members: members.map(memberSummary).sort((a, b) => (a.name < b.name ? -1 : 1)),
    entries: sortEntries(walk(lock, roots, undefined)),
  };
  if (lock.requiresPython !== undefined) subset.requiresPython = lock.requiresPython;
  return subset;
}

/**
 * A stable digest of a {@link LockSubset}: packages, versions, sources, edges, markers and
 * artifact file names + sha256, plus the roots. Unrelated lock entries, the order of entries in
 * the file, artifact URLs and the lock's absolute path do not change it (usable as an Nx input).
 */
export function subsetHash(subset: LockSubset): string {
  const roots = subset.roots;
  const body = {
    v: 1,
    format: subset.format,
    requiresPython: subset.requiresPython ?? null,
    index: [subset.index.indexUrl ?? null, subset.index.extraIndexUrls, subset.index.findLinks],
    roots: {
      firstParty: [...new Set(roots.firstParty.map(canonical))].sort(),
      extras: Object.fromEntries(
        Object.entries(roots.extras ?? {})
          .filter(([, v]) => v.length > 0)
          .sort()
          .map(([k, v]) => [canonical(k), [...v].map(canonical).sort()]),
      ),
      requirements: [...roots.requirements].sort(),
    },
    members: subset.members,
    packages: subset.entries.map(({ pkg, extras, requires }) => ({
      name: pkg.name,
      version: pkg.version ?? null,
      source: pkg.source,
      marker: pkg.marker ?? null,
      resolutionMarkers: [...pkg.resolutionMarkers].sort(),
      extras,
      requires,
      wheels: pkg.wheels.map((w) => `${w.filename}#${w.sha256 ?? ''}`).sort(),
      sdist: pkg.sdist ? `${pkg.sdist.filename}#${pkg.sdist.sha256 ?? ''}` : null,
      hashes: [...(pkg.allowedHashes ?? [])].sort(),
    })),
  };
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}
