import { createHash } from 'node:crypto';
import { PexkitError } from '../errors.js';
import {
  canonical,
  redactUserinfo,
  type ConflictItem,
  type Lock,
  type LockDependency,
  type LockPackage,
  type LockSource,
} from '../lock/model.js';
import { resolveFirstParty, type Workspace } from '../project/workspace.js';
import type { Target } from '../targets/target.js';
import { evaluateMarker, fixMarkerExtras } from './markers.js';

/** What a build needs from the lock: the first-party closure and its third-party roots. */
export interface SubsetRoots {
  /** Canonical names of the first-party projects (main first). */
  firstParty: string[];
  /** Extras requested per first-party project (canonical names). */
  extras?: Record<string, string[]>;
  /** Dependency groups requested per first-party project (uv.lock, pylock.toml). */
  groups?: Record<string, string[]>;
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

/**
 * How markers are read for one walk: the target (undefined: every platform) and, for uv.lock,
 * the active conflict items (`extra-3-app-cpu`, `group-3-app-dev`) that its `extra` atoms test.
 */
interface MarkerContext {
  lock: Lock;
  target: Target | undefined;
  /** uv.lock: `extra` is the set of active extras and groups in uv's encoding. */
  active?: readonly string[];
  /** pylock.toml: the value of `dependency_groups`. */
  groups?: readonly string[];
}

/** uv's encoding of an extra or group in conflict markers (`extra-<len>-<package>-<name>`). */
export function conflictItemName(item: ConflictItem): string {
  return item.extra !== undefined
    ? `extra-${item.package.length}-${item.package}-${item.extra}`
    : `group-${item.package.length}-${item.package}-${item.group ?? ''}`;
}

/** Does `marker` hold (undefined target: may it hold anywhere)? */
function holds(
  ctx: MarkerContext,
  marker: string | undefined,
  where: string,
  extras: readonly string[] = [],
): boolean {
  if (marker === undefined) return true;
  const at = `${where} in ${ctx.lock.path}`;
  if (ctx.target === undefined)
    return ctx.active === undefined || fixMarkerExtras(marker, ctx.active) !== false;
  return evaluateMarker(marker, ctx.target, extras, at, {
    ...(ctx.active !== undefined ? { extraSet: ctx.active } : {}),
    ...(ctx.groups !== undefined ? { dependencyGroups: ctx.groups } : {}),
  });
}

function sourceText(source: LockSource): string {
  return `${source.kind} ${source.url ?? source.path ?? ''}`.trim();
}

function sameSource(a: LockSource, b: LockSource): boolean {
  return a.kind === b.kind && (a.url ?? a.path) === (b.url ?? b.path);
}

function pickVersion(
  ctx: MarkerContext,
  dep: { name: string; version?: string; source?: LockSource },
  from: string,
): LockPackage[] {
  const { lock, target } = ctx;
  let found = indexOf(lock).byName.get(dep.name) ?? [];
  if (dep.version !== undefined) found = found.filter((p) => p.version === dep.version);
  // uv.lock names the source on an edge when the lock holds the package from several.
  if (dep.source !== undefined) {
    const wanted = dep.source;
    found = found.filter((p) => sameSource(p.source, wanted));
  }
  if (found.length === 0) {
    // Target-independent walks cannot tell a stale lock from a marker branch the locker dropped
    // (e.g. below requires-python); the per-target walk reports it.
    if (target === undefined) return [];
    throw new LockSubsetError(
      `${lock.path}: ${from} needs '${dep.name}${dep.version !== undefined ? ` ${dep.version}` : ''}'${dep.source !== undefined ? ` from ${sourceText(dep.source)}` : ''}, which the lock does not contain (is the lock stale? run 'uv lock')`,
    );
  }
  if (target === undefined) return found;
  // PEP 751 entries carry their own marker: an edge to a package excluded here leads nowhere.
  found = found.filter((p) => holds(ctx, p.marker, `package '${p.name}'`));
  if (found.length <= 1) return found;
  // uv forks: keep the versions whose resolution markers hold for this target.
  const keep = found.filter(
    (p) =>
      p.resolutionMarkers.length === 0 ||
      p.resolutionMarkers.some((m) =>
        holds(ctx, m, `resolution-markers of ${p.name} ${p.version ?? ''}`),
      ),
  );
  if (keep.length !== 1) {
    const versions = (keep.length === 0 ? found : keep)
      .map((p) => `${p.version ?? '?'} (${sourceText(p.source)})`)
      .join(', ');
    throw new LockSubsetError(
      `${lock.path}: '${dep.name}' (needed by ${from}) is ambiguous for target ${target.source}: versions ${versions}`,
    );
  }
  return keep;
}

/** The conflict items the roots ask for directly (requested extras and groups of members). */
function requestedItems(roots: SubsetRoots): Set<string> {
  const out = new Set<string>();
  for (const [name, extras] of Object.entries(roots.extras ?? {}))
    for (const extra of extras)
      out.add(conflictItemName({ package: canonical(name), extra: canonical(extra) }));
  for (const [name, groups] of Object.entries(roots.groups ?? {}))
    for (const group of groups)
      out.add(conflictItemName({ package: canonical(name), group: canonical(group) }));
  return out;
}

/** Refuses a request that activates two sides of one uv `conflicts` entry, naming both. */
function checkConflicts(lock: Lock, active: ReadonlySet<string>): void {
  for (const set of lock.conflicts ?? []) {
    const on = set.filter((item) => active.has(conflictItemName(item)));
    if (on.length > 1) {
      const label = (i: ConflictItem) =>
        i.extra !== undefined
          ? `extra '${i.extra}' of '${i.package}'`
          : `group '${i.group ?? ''}' of '${i.package}'`;
      throw new LockSubsetError(
        `${lock.path}: ${on.map(label).join(' and ')} conflict (uv 'conflicts'): ask for one of them`,
      );
    }
  }
}

/**
 * Walks a lock with dependency edges from the first-party members (or, if the lock has none of
 * them, from the root requirements), following edges whose markers hold for `target`
 * (all edges when `target` is undefined), the optional dependencies of activated extras and the
 * requested dependency groups of the members. uv.lock conflict markers (`extra ==
 * 'extra-3-app-cpu'`) are read as uv does: true when that extra or group is active — requested,
 * or activated on a member by the walk itself (walked again until nothing new is activated).
 */
function walkEdges(lock: Lock, roots: SubsetRoots, target: Target | undefined): SubsetEntry[] {
  const active = requestedItems(roots);
  checkConflicts(lock, active);
  for (;;) {
    const result = walkEdgesOnce(lock, roots, target, active);
    const grown = [...result.activated].filter((i) => !active.has(i));
    if (grown.length === 0) return result.entries;
    for (const item of grown) active.add(item);
    checkConflicts(lock, active);
  }
}

function walkEdgesOnce(
  lock: Lock,
  roots: SubsetRoots,
  target: Target | undefined,
  active: ReadonlySet<string>,
): { entries: SubsetEntry[]; activated: Set<string> } {
  const ctx: MarkerContext = { lock, target };
  if (lock.format === 'uv.lock') ctx.active = [...active].sort();
  else ctx.groups = pylockGroups(lock, roots);
  const activeList = ctx.active;
  const firstParty = new Set(roots.firstParty.map(canonical));
  const entries = new Map<LockPackage, { extras: Set<string>; requires: Set<string> }>();
  const activated = new Set<string>();
  const queue: Array<{ pkg: LockPackage; extras: string[]; groups: string[] }> = [];
  const visit = (
    dep: { name: string; version?: string; source?: LockSource; extras: string[] },
    from: string,
  ) => {
    for (const pkg of pickVersion(ctx, dep, from))
      queue.push({ pkg, extras: dep.extras, groups: [] });
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
      queue.push({
        pkg: member,
        extras: (roots.extras?.[name] ?? []).map(canonical),
        groups: (roots.groups?.[name] ?? []).map(canonical),
      });
    }
  } else {
    for (const req of roots.requirements) {
      const r = requirementParts(req);
      if (firstParty.has(r.name)) continue;
      if (!holds(ctx, r.marker, `requirement '${req}'`)) continue;
      visit({ name: r.name, extras: r.extras }, `requirement '${req}'`);
    }
  }
  const seen = new Map<LockPackage, { extras: Set<string>; groups: Set<string>; base: boolean }>();
  // A moving head, not queue.shift() (which copies the array: quadratic in big closures).
  for (let head = 0; head < queue.length; head++) {
    const { pkg, extras, groups } = queue[head] as (typeof queue)[number];
    const state = seen.get(pkg) ?? {
      extras: new Set<string>(),
      groups: new Set<string>(),
      base: false,
    };
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
      if (isMember) activated.add(conflictItemName({ package: pkg.name, extra }));
      const opt = pkg.optionalDependencies[extra];
      if (opt === undefined) {
        if (isMember)
          throw new LockSubsetError(`${lock.path}: '${pkg.name}' has no extra '${extra}'`);
        continue; // pip only warns about unknown extras
      }
      edges.push(...opt);
    }
    for (const group of groups) {
      if (state.groups.has(group)) continue;
      state.groups.add(group);
      const deps = pkg.dependencyGroups?.[group];
      if (deps === undefined) {
        const known = Object.keys(pkg.dependencyGroups ?? {}).sort();
        throw new LockSubsetError(
          `${lock.path}: '${pkg.name}' has no dependency group '${group}' in the lock (${known.length > 0 ? `it has ${known.join(', ')}` : 'it has none'}; run 'uv lock' after adding it)`,
        );
      }
      edges.push(...deps);
    }
    const label = `${pkg.name}${pkg.version !== undefined ? ` ${pkg.version}` : ''}`;
    for (const dep of edges) {
      // `requires` keeps every edge with its marker (the runtime evaluates them); only the walk
      // is limited to edges that hold on this target. Conflict atoms are decided here: the
      // runtime knows nothing of the extras uv encodes in them.
      const depIsMember = firstParty.has(dep.name) || index.firstParty.has(dep.name);
      if (entry !== undefined && !depIsMember) {
        if (activeList === undefined || dep.marker === undefined || !dep.marker.includes('extra'))
          entry.requires.add(unversionedRequirement(dep));
        else {
          const fixed = fixMarkerExtras(dep.marker, activeList);
          if (fixed !== false)
            entry.requires.add(
              edgeRequirement({
                name: dep.name,
                extras: dep.extras,
                ...(fixed !== true ? { marker: fixed } : {}),
              }),
            );
        }
      }
      if (!holds(ctx, dep.marker, `the dependency of ${label} on '${dep.name}'`)) continue;
      visit(dep, label);
    }
  }
  return {
    entries: [...entries].map(([pkg, e]) => ({
      pkg,
      extras: [...e.extras].sort(),
      requires: [...e.requires].sort(),
    })),
    activated,
  };
}

/**
 * The dependency groups active in a pylock.toml: its `default-groups` plus the requested ones,
 * each of which the lock must declare in `dependency-groups`.
 */
function pylockGroups(lock: Lock, roots: SubsetRoots): string[] {
  const requested = [
    ...new Set(
      Object.values(roots.groups ?? {})
        .flat()
        .map(canonical),
    ),
  ];
  if (lock.format !== 'pylock') {
    if (requested.length > 0)
      throw new LockSubsetError(
        `${lock.path}: a ${lock.format} file has no dependency groups; cannot include ${requested.map((g) => `'${g}'`).join(', ')}`,
      );
    return [];
  }
  const declared = lock.dependencyGroups ?? [];
  for (const g of requested) {
    if (!declared.includes(g))
      throw new LockSubsetError(
        `${lock.path}: no dependency group '${g}' in the lock (dependency-groups: ${declared.length > 0 ? declared.join(', ') : 'none'})`,
      );
  }
  return [...new Set([...(lock.defaultGroups ?? []), ...requested])].sort();
}

/** Flat locks (pylock without edges, requirements files) already list a closure: filter by marker. */
function filterFlat(lock: Lock, roots: SubsetRoots, target: Target | undefined): SubsetEntry[] {
  const ctx: MarkerContext = { lock, target, groups: pylockGroups(lock, roots) };
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
    if (!holds(ctx, pkg.marker, `package '${pkg.name}'`, wantedExtras)) continue;
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
  const ctx: MarkerContext = { lock, target };
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
    if (!holds(ctx, pkg.marker, `package '${pkg.name}'`)) continue;
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
  checkSupported(lock, target);
  return sortEntries(walk(lock, roots, target));
}

function walk(lock: Lock, roots: SubsetRoots, target: Target | undefined): SubsetEntry[] {
  if (lock.hasEdges) return walkEdges(lock, roots, target);
  if (lock.packages.some((p) => p.via !== undefined)) {
    pylockGroups(lock, roots); // refuses requested groups
    const entries = walkVia(lock, roots, target);
    if (target !== undefined) checkUnique(lock, entries, target);
    return entries;
  }
  return filterFlat(lock, roots, target);
}

/**
 * Refuses a target outside the environments the lock was made for (uv.lock `supported-markers`,
 * pylock `environments`): the locker simplified every marker for those, so its answers elsewhere
 * mean nothing.
 */
export function checkSupported(lock: Lock, target: Target): void {
  const markers = lock.supportedMarkers ?? [];
  if (markers.length === 0) return;
  const field = lock.format === 'pylock' ? 'environments' : 'supported-markers';
  if (markers.some((m) => evaluateMarker(m, target, [], `${field} of ${lock.path}`))) return;
  throw new LockSubsetError(
    `${lock.path}: target ${target.source} is outside the lock's ${field} (${markers.map((m) => JSON.stringify(m)).join(', ')}); add it to the lock's environments and lock again`,
  );
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
  groups?: string[],
): LockSubset;
export function lockSubset(
  lock: Lock,
  rootsOrWorkspace: SubsetRoots | Workspace,
  projectName?: string,
  extras: string[] = [],
  groups: string[] = [],
): LockSubset {
  let roots: SubsetRoots;
  if (projectName !== undefined) {
    const fp = resolveFirstParty(rootsOrWorkspace as Workspace, projectName, extras);
    roots = {
      firstParty: fp.projects.map((p) => p.name),
      extras: { [canonical(projectName)]: extras.map(canonical) },
      requirements: fp.requirements,
    };
    if (groups.length > 0) roots.groups = { [canonical(projectName)]: groups.map(canonical) };
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
      ...(Object.values(roots.groups ?? {}).some((g) => g.length > 0)
        ? {
            groups: Object.fromEntries(
              Object.entries(roots.groups ?? {})
                .filter(([, v]) => v.length > 0)
                .sort()
                .map(([k, v]) => [canonical(k), [...v].map(canonical).sort()]),
            ),
          }
        : {}),
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
