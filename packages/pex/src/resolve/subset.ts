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
  if (shareWalks && target === undefined && members.size > 0 && members.size === firstParty.size)
    return walkMembersShared(ctx, roots, members);
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

let shareWalks = true;

/** Tests compare the shared walk with the plain one: switches the sharing off (or back on). */
export function setSharedSubsetWalks(on: boolean): void {
  shareWalks = on;
}

/** The third-party part of a target-independent walk from one fact: shared by every project. */
interface FactClosure {
  /** Third-party packages reached, each with its facts ('' = base, else an extra). */
  facts: Map<LockPackage, Set<string>>;
  /** Workspace members reached through third-party packages (rare), with the extras asked. */
  members: Array<{ pkg: LockPackage; extras: string[] }>;
  size: number;
}

/** Per lock and active conflict items: closures of third-party facts, edges' requirements, entries. */
interface SharedWalk {
  closures: Map<LockPackage, Map<string, FactClosure>>;
  /** Per member and fact ('' base, an extra, or `group:` + a group): where its edges lead. */
  steps: Map<LockPackage, Map<string, MemberStep>>;
  refs: Map<LockPackage, Map<string, FactRef>>;
  requires: Map<LockPackage, Map<string, string[]>>;
  entries: Map<LockPackage, Map<string, SubsetEntry>>;
}

const sharedWalks = new WeakMap<Lock, Map<string, SharedWalk>>();

function sharedWalkOf(ctx: MarkerContext): SharedWalk {
  let byActive = sharedWalks.get(ctx.lock);
  if (byActive === undefined) sharedWalks.set(ctx.lock, (byActive = new Map()));
  const key = ctx.active === undefined ? '\0' : ctx.active.join('\n');
  let shared = byActive.get(key);
  if (shared === undefined)
    byActive.set(
      key,
      (shared = {
        closures: new Map(),
        steps: new Map(),
        refs: new Map(),
        requires: new Map(),
        entries: new Map(),
      }),
    );
  return shared;
}

/** A third-party fact, one object per (package, fact) and lock walk (so a Set dedupes them). */
type FactRef = readonly [LockPackage, string];

/** Where one member fact's edges (that may hold) lead: members with extras, third-party facts. */
interface MemberStep {
  members: Array<{ pkg: LockPackage; extras: string[] }>;
  facts: FactRef[];
}

function factRef(shared: SharedWalk, pkg: LockPackage, fact: string): FactRef {
  let byFact = shared.refs.get(pkg);
  if (byFact === undefined) shared.refs.set(pkg, (byFact = new Map()));
  let ref = byFact.get(fact);
  if (ref === undefined) byFact.set(fact, (ref = [pkg, fact]));
  return ref;
}

function memberStep(
  ctx: MarkerContext,
  shared: SharedWalk,
  pkg: LockPackage,
  fact: string,
  edges: readonly LockDependency[],
): MemberStep {
  let byFact = shared.steps.get(pkg);
  if (byFact === undefined) shared.steps.set(pkg, (byFact = new Map()));
  let step = byFact.get(fact);
  if (step !== undefined) return step;
  step = { members: [], facts: [] };
  const label = `${pkg.name}${pkg.version !== undefined ? ` ${pkg.version}` : ''}`;
  for (const dep of edges) {
    if (!holds(ctx, dep.marker, `the dependency of ${label} on '${dep.name}'`)) continue;
    for (const next of pickVersion(ctx, dep, label)) {
      if (isFirstPartySource(next)) step.members.push({ pkg: next, extras: dep.extras });
      else {
        step.facts.push(factRef(shared, next, ''));
        for (const extra of dep.extras) step.facts.push(factRef(shared, next, extra));
      }
    }
  }
  byFact.set(fact, step);
  return step;
}

/** The edges of one fact of a package: its dependencies ('') or an extra's. */
function factEdges(pkg: LockPackage, fact: string): readonly LockDependency[] {
  return fact === '' ? pkg.dependencies : (pkg.optionalDependencies[fact] ?? []);
}

/** Everything one third-party fact reaches through edges that may hold (any platform). */
function factClosure(ctx: MarkerContext, shared: SharedWalk, pkg: LockPackage, fact: string) {
  let byFact = shared.closures.get(pkg);
  if (byFact === undefined) shared.closures.set(pkg, (byFact = new Map()));
  const hit = byFact.get(fact);
  if (hit !== undefined) return hit;
  const closure: FactClosure = { facts: new Map(), members: [], size: 0 };
  const queue: Array<[LockPackage, string]> = [];
  const reach = (p: LockPackage, f: string) => {
    let set = closure.facts.get(p);
    if (set === undefined) closure.facts.set(p, (set = new Set()));
    if (set.has(f)) return;
    set.add(f);
    closure.size++;
    queue.push([p, f]);
  };
  reach(pkg, '');
  reach(pkg, fact);
  for (let head = 0; head < queue.length; head++) {
    const [p, f] = queue[head] as [LockPackage, string];
    const label = `${p.name}${p.version !== undefined ? ` ${p.version}` : ''}`;
    for (const dep of factEdges(p, f)) {
      if (!holds(ctx, dep.marker, `the dependency of ${label} on '${dep.name}'`)) continue;
      for (const next of pickVersion(ctx, dep, label)) {
        if (isFirstPartySource(next)) {
          closure.members.push({ pkg: next, extras: dep.extras });
          continue;
        }
        reach(next, '');
        for (const extra of dep.extras) reach(next, extra);
      }
    }
  }
  byFact.set(fact, closure);
  return closure;
}

/** The requirement strings a third-party package lists for one of its facts (see walkEdgesOnce). */
function factRequires(ctx: MarkerContext, shared: SharedWalk, pkg: LockPackage, fact: string) {
  let byFact = shared.requires.get(pkg);
  if (byFact === undefined) shared.requires.set(pkg, (byFact = new Map()));
  let out = byFact.get(fact);
  if (out !== undefined) return out;
  const firstParty = indexOf(ctx.lock).firstParty;
  const active = ctx.active;
  out = [];
  for (const dep of factEdges(pkg, fact)) {
    if (firstParty.has(dep.name)) continue;
    if (active === undefined || dep.marker === undefined || !dep.marker.includes('extra'))
      out.push(unversionedRequirement(dep));
    else {
      const fixed = fixMarkerExtras(dep.marker, active);
      if (fixed !== false)
        out.push(
          edgeRequirement({
            name: dep.name,
            extras: dep.extras,
            ...(fixed !== true ? { marker: fixed } : {}),
          }),
        );
    }
  }
  byFact.set(fact, out);
  return out;
}

/** One entry object per (package, extras): projects reaching the same thing share it. */
function sharedEntry(
  ctx: MarkerContext,
  shared: SharedWalk,
  pkg: LockPackage,
  facts: ReadonlySet<string>,
): SubsetEntry {
  const extras = [...facts].filter((f) => f !== '').sort();
  const key = extras.join('\n');
  let byExtras = shared.entries.get(pkg);
  if (byExtras === undefined) shared.entries.set(pkg, (byExtras = new Map()));
  let entry = byExtras.get(key);
  if (entry === undefined) {
    const requires = new Set<string>();
    for (const fact of ['', ...extras])
      for (const r of factRequires(ctx, shared, pkg, fact)) requires.add(r);
    entry = { pkg, extras, requires: [...requires].sort() };
    byExtras.set(key, entry);
  }
  return entry;
}

/**
 * {@link walkEdgesOnce} for a target-independent walk from workspace members (what `nx sync`
 * does for every project of a monorepo): the members are walked per project, but what a
 * third-party package reaches is computed once per lock and shared — a project's third-party
 * part is the union of the closures of the facts its members name (largest first; a fact
 * already present brings nothing new, its closure being inside the one that brought it).
 * Thousands of projects over one lock then cost their closures, not a walk of the lock each.
 */
function walkMembersShared(
  ctx: MarkerContext,
  roots: SubsetRoots,
  members: Map<string, LockPackage>,
): { entries: SubsetEntry[]; activated: Set<string> } {
  const { lock } = ctx;
  const shared = sharedWalkOf(ctx);
  const activated = new Set<string>();
  // Marked when queued, so a member reached by many edges is queued once (per new extra).
  const baseSeen = new Set<LockPackage>();
  const extrasSeen = new Map<LockPackage, Set<string>>();
  const groupsSeen = new Map<LockPackage, Set<string>>();
  const reached = new Map<LockPackage, Set<string>>();
  const queue: Array<{ pkg: LockPackage; base: boolean; extras: string[]; groups: string[] }> = [];
  const fresh = (seen: Map<LockPackage, Set<string>>, pkg: LockPackage, names: string[]) => {
    if (names.length === 0) return names;
    let set = seen.get(pkg);
    if (set === undefined) seen.set(pkg, (set = new Set()));
    const out: string[] = [];
    for (const n of names)
      if (!set.has(n)) {
        set.add(n);
        out.push(n);
      }
    return out;
  };
  const enqueue = (pkg: LockPackage, extras: string[], groups: string[]) => {
    const base = !baseSeen.has(pkg);
    if (base) baseSeen.add(pkg);
    const newExtras = fresh(extrasSeen, pkg, extras);
    const newGroups = fresh(groupsSeen, pkg, groups);
    if (base || newExtras.length > 0 || newGroups.length > 0)
      queue.push({ pkg, base, extras: newExtras, groups: newGroups });
  };
  for (const [name, member] of members)
    enqueue(
      member,
      (roots.extras?.[name] ?? []).map(canonical),
      (roots.groups?.[name] ?? []).map(canonical),
    );
  let head = 0;
  while (head < queue.length) {
    // Members first: their third-party edges become facts to take closures of.
    const direct = new Set<FactRef>();
    for (; head < queue.length; head++) {
      const { pkg, base, extras, groups } = queue[head] as (typeof queue)[number];
      const steps: MemberStep[] = [];
      if (base) steps.push(memberStep(ctx, shared, pkg, '', pkg.dependencies));
      for (const extra of extras) {
        activated.add(conflictItemName({ package: pkg.name, extra }));
        const opt = pkg.optionalDependencies[extra];
        if (opt === undefined)
          throw new LockSubsetError(`${lock.path}: '${pkg.name}' has no extra '${extra}'`);
        steps.push(memberStep(ctx, shared, pkg, extra, opt));
      }
      for (const group of groups) {
        const deps = pkg.dependencyGroups?.[group];
        if (deps === undefined) {
          const known = Object.keys(pkg.dependencyGroups ?? {}).sort();
          throw new LockSubsetError(
            `${lock.path}: '${pkg.name}' has no dependency group '${group}' in the lock (${known.length > 0 ? `it has ${known.join(', ')}` : 'it has none'}; run 'uv lock' after adding it)`,
          );
        }
        steps.push(memberStep(ctx, shared, pkg, `group:${group}`, deps));
      }
      for (const step of steps) {
        for (const m of step.members) enqueue(m.pkg, m.extras, []);
        for (const f of step.facts) direct.add(f);
      }
    }
    const starts = [...direct]
      .filter(([pkg, fact]) => reached.get(pkg)?.has(fact) !== true)
      .map(([pkg, fact]) => ({ pkg, fact, closure: factClosure(ctx, shared, pkg, fact) }))
      .sort((a, b) => b.closure.size - a.closure.size);
    for (const { pkg: start, fact, closure } of starts) {
      if (reached.get(start)?.has(fact) === true) continue;
      for (const [pkg, facts] of closure.facts) {
        let set = reached.get(pkg);
        if (set === undefined) reached.set(pkg, (set = new Set()));
        for (const f of facts) set.add(f);
      }
      for (const m of closure.members) enqueue(m.pkg, m.extras, []);
    }
  }
  return {
    entries: [...reached].map(([pkg, facts]) => sharedEntry(ctx, shared, pkg, facts)),
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

/** By name, version, then source (one name and version from two sources: a stable order). */
function sortEntries(entries: SubsetEntry[]): SubsetEntry[] {
  return entries.sort((a, b) =>
    a.pkg.name !== b.pkg.name
      ? a.pkg.name < b.pkg.name
        ? -1
        : 1
      : a.pkg.version !== b.pkg.version
        ? (a.pkg.version ?? '').localeCompare(b.pkg.version ?? '')
        : sourceText(a.pkg.source) < sourceText(b.pkg.source)
          ? -1
          : sourceText(a.pkg.source) > sourceText(b.pkg.source)
            ? 1
            : 0,
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
  const head = {
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
  };
  // The digest of JSON.stringify({...head, members, packages}), fed in pieces: each member's
  // and package's JSON is computed once per object (projects of one lock share them).
  const json = `${JSON.stringify(head).slice(0, -1)},"members":[${subset.members.map(memberJson).join(',')}],"packages":[${subset.entries.map(entryJson).join(',')}]}`;
  return createHash('sha256').update(json).digest('hex');
}

const memberJsons = new WeakMap<MemberSummary, string>();

function memberJson(member: MemberSummary): string {
  let json = memberJsons.get(member);
  if (json === undefined) memberJsons.set(member, (json = JSON.stringify(member)));
  return json;
}

const entryJsons = new WeakMap<SubsetEntry, string>();

function entryJson(entry: SubsetEntry): string {
  let json = entryJsons.get(entry);
  if (json === undefined) {
    const { pkg, extras, requires } = entry;
    json = JSON.stringify({
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
    });
    // Entries are immutable once a subset holds them; only the shared ones are worth keeping.
    entryJsons.set(entry, json);
  }
  return json;
}
