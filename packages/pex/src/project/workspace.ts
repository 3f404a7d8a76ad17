import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { FirstPartyProject } from '../plan/build-plan.js';
import { expandDependencyGroups } from './dependency-groups.js';
import {
  canonicalProjectName,
  parsePyprojectToml,
  PyprojectError,
  readPyproject,
  uvWorkspaceOf,
  type PyprojectInfo,
} from './pyproject.js';

/** A uv workspace (or a lone project, which is a workspace of one). */
export interface Workspace {
  /** Absolute directory of the workspace root (holds `uv.lock`). */
  root: string;
  /** The root's pyproject.toml. */
  rootPyproject: string;
  /** Members by canonical name (the root too, when it has a `[project]`). */
  members: Map<string, PyprojectInfo>;
}

/** The first-party closure of a project and the third-party requirements it brings. */
export interface FirstPartyResolution {
  /** Main project first, then dependencies breadth-first. */
  projects: FirstPartyProject[];
  /** PEP 508 third-party requirements of the closure (markers kept, deduplicated, in order). */
  requirements: string[];
}

const HEAD_RE = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?/;

/** Name (canonical) and extras of a PEP 508 requirement string. */
export function requirementHead(
  requirement: string,
): { name: string; extras: string[] } | undefined {
  const m = HEAD_RE.exec(requirement);
  if (m === null || m[1] === undefined) return undefined;
  const extras = (m[2] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')
    .map(canonicalProjectName);
  return { name: canonicalProjectName(m[1]), extras };
}

function hasUvWorkspace(file: string): boolean {
  const text = readFileSync(file, 'utf8');
  return uvWorkspaceOf(parsePyprojectToml(text, file), text, file) !== undefined;
}

function hasProjectTable(file: string): boolean {
  const text = readFileSync(file, 'utf8');
  return parsePyprojectToml(text, file)['project'] !== undefined;
}

function globToRegExp(segment: string): RegExp {
  let re = '';
  for (const ch of segment) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Expands a workspace member glob (`*`, `?`, `**`) relative to `root` into directories. */
export function expandMemberGlob(root: string, pattern: string): string[] {
  const parts = pattern.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  let current = [root];
  for (const part of parts) {
    const next: string[] = [];
    for (const dir of current) {
      if (part === '**') {
        const stack = [dir];
        while (stack.length > 0) {
          const d = stack.pop() as string;
          next.push(d);
          for (const e of safeReaddir(d))
            if (e.isDirectory() && !e.name.startsWith('.')) stack.push(join(d, e.name));
        }
      } else if (/[*?]/.test(part)) {
        const re = globToRegExp(part);
        for (const e of safeReaddir(dir))
          if (e.isDirectory() && re.test(e.name)) next.push(join(dir, e.name));
      } else if (part === '..') {
        next.push(dirname(dir));
      } else {
        const d = join(dir, part);
        if (isDir(d)) next.push(d);
      }
    }
    current = next;
  }
  return [...new Set(current)].sort();
}

function safeReaddir(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Finds the uv workspace holding `startDir`: the nearest ancestor pyproject.toml with
 * `[tool.uv.workspace]` whose members include `startDir`'s project; else the nearest pyproject.toml
 * alone is the workspace.
 */
export function findWorkspace(startDir: string): Workspace {
  const start = resolve(startDir);
  let nearest: string | undefined;
  for (let dir = start; ; dir = dirname(dir)) {
    const file = join(dir, 'pyproject.toml');
    if (existsSync(file)) {
      nearest ??= file;
      if (hasUvWorkspace(file)) {
        const ws = loadWorkspace(file);
        const nearestDir = dirname(nearest);
        const inside = [...ws.members.values()].some((m) => dirname(m.path) === nearestDir);
        if (inside || nearestDir === ws.root) return ws;
        break;
      }
    }
    if (dirname(dir) === dir) break;
  }
  if (nearest === undefined) {
    throw new PyprojectError(
      join(start, 'pyproject.toml'),
      'no pyproject.toml in this directory or any parent',
    );
  }
  const only = readPyproject(nearest);
  return { root: dirname(nearest), rootPyproject: nearest, members: new Map([[only.name, only]]) };
}

/** Loads the workspace whose root pyproject.toml is `rootPyproject`. */
export function loadWorkspace(rootPyproject: string): Workspace {
  const file = resolve(rootPyproject);
  const text = readFileSync(file, 'utf8');
  const root = dirname(file);
  const ws = uvWorkspaceOf(parsePyprojectToml(text, file), text, file) ?? {
    members: [],
    exclude: [],
  };
  const excluded = new Set(ws.exclude.flatMap((p) => expandMemberGlob(root, p)));
  const members = new Map<string, PyprojectInfo>();
  const add = (info: PyprojectInfo) => {
    const prior = members.get(info.name);
    if (prior !== undefined && prior.path !== info.path) {
      throw new PyprojectError(
        info.path,
        `workspace member name '${info.name}' is also used by ${prior.path}`,
      );
    }
    members.set(info.name, info);
  };
  if (hasProjectTable(file)) add(readPyproject(file));
  for (const pattern of ws.members) {
    for (const dir of expandMemberGlob(root, pattern)) {
      if (excluded.has(dir)) continue;
      const member = join(dir, 'pyproject.toml');
      if (!existsSync(member)) {
        // uv ignores matched directories without a pyproject.toml only for globs.
        if (/[*?]/.test(pattern)) continue;
        throw new PyprojectError(
          file,
          `tool.uv.workspace.members: '${pattern}' has no pyproject.toml (${member})`,
        );
      }
      add(readPyproject(member));
    }
  }
  return { root, rootPyproject: file, members };
}

function toFirstParty(info: PyprojectInfo): FirstPartyProject {
  const out: FirstPartyProject = {
    name: info.name,
    version: info.version,
    root: dirname(info.path),
    sourceRoots: info.sourceRoots,
    scripts: info.scripts,
    guiScripts: info.guiScripts,
    entryPoints: info.entryPoints,
    dependencies: info.dependencies,
  };
  if (info.requiresPython !== undefined) out.requiresPython = info.requiresPython;
  return out;
}

/**
 * Resolves the first-party closure of `projectName` in `workspace`: workspace members reached
 * through `tool.uv.sources` (`workspace = true`, or a `path` to a directory with a
 * pyproject.toml), with the requested extras of each; everything else is third-party.
 */
export function resolveFirstParty(
  workspace: Workspace,
  projectName: string,
  extras: string[] = [],
  groups: string[] = [],
): FirstPartyResolution {
  const mainName = canonicalProjectName(projectName);
  const main = workspace.members.get(mainName);
  if (main === undefined) {
    const names = [...workspace.members.keys()].sort().join(', ');
    throw new PyprojectError(
      workspace.rootPyproject,
      `project '${projectName}' is not in this workspace (members: ${names})`,
    );
  }
  const infos = new Map<string, PyprojectInfo>([[main.name, main]]);
  const order: string[] = [main.name];
  const extrasDone = new Set<string>();
  const requirements = new Set<string>();
  const queue: Array<{ info: PyprojectInfo; extras: string[] }> = [
    { info: main, extras: extras.map(canonicalProjectName) },
  ];
  // Requested dependency groups of the main project (PEP 735): their requirements, which may
  // name workspace members too.
  const groupNames = groups.map(canonicalProjectName);
  for (const group of groupNames) {
    if (main.dependencyGroups[group] === undefined) {
      const known = Object.keys(main.dependencyGroups).sort().join(', ') || 'none';
      throw new PyprojectError(
        main.path,
        `dependency-groups: no group '${group}' in ${main.name} (groups: ${known})`,
      );
    }
  }
  const groupEdges = resolveRequirements(
    workspace,
    main,
    expandDependencyGroups(main.dependencyGroups, groupNames, main.path),
    'dependency-groups',
  );
  // A moving head, not queue.shift() (which copies the array: quadratic in big closures).
  for (let head = 0; head < queue.length; head++) {
    const { info, extras: wanted } = queue[head] as { info: PyprojectInfo; extras: string[] };
    const edges: ResolvedDependency[] = head === 0 ? [...groupEdges] : [];
    if (!extrasDone.has(info.name)) {
      extrasDone.add(info.name);
      edges.push(...resolvedDependencies(workspace, info, ''));
    }
    for (const extra of wanted) {
      if (extrasDone.has(`${info.name}[${extra}]`)) continue;
      extrasDone.add(`${info.name}[${extra}]`);
      edges.push(...resolvedDependencies(workspace, info, extra));
    }
    for (const { requirement: dep, target, extras: targetExtras } of edges) {
      if (target === undefined) {
        requirements.add(dep);
        continue;
      }
      if (!infos.has(target.name)) {
        infos.set(target.name, target);
        order.push(target.name);
      }
      queue.push({ info: target, extras: targetExtras });
    }
  }
  return {
    projects: order.map((n) => toFirstParty(infos.get(n) as PyprojectInfo)),
    requirements: [...requirements],
  };
}

/** One declared dependency of a member: its first-party target (if any) and extras. */
interface ResolvedDependency {
  requirement: string;
  target?: PyprojectInfo;
  extras: string[];
}

/**
 * Dependencies of a member (`extra` '' for the base ones), resolved once per Workspace object: a
 * workspace's closures share members, and the plugin resolves thousands of closures per run.
 */
const resolvedCache = new WeakMap<
  Workspace,
  Map<PyprojectInfo, Map<string, ResolvedDependency[]>>
>();

function resolvedDependencies(
  workspace: Workspace,
  info: PyprojectInfo,
  extra: string,
): ResolvedDependency[] {
  let byInfo = resolvedCache.get(workspace);
  if (byInfo === undefined) resolvedCache.set(workspace, (byInfo = new Map()));
  let byExtra = byInfo.get(info);
  if (byExtra === undefined) byInfo.set(info, (byExtra = new Map()));
  const cached = byExtra.get(extra);
  if (cached !== undefined) return cached;
  let deps = info.dependencies;
  if (extra !== '') {
    const extraDeps = info.optionalDependencies[extra];
    if (extraDeps === undefined) {
      throw new PyprojectError(
        info.path,
        `project.optional-dependencies: no extra '${extra}' in ${info.name}`,
      );
    }
    deps = extraDeps;
  }
  const out = resolveRequirements(workspace, info, deps, 'project.dependencies');
  byExtra.set(extra, out);
  return out;
}

/** Requirements of `info`, each with its first-party target (a workspace member or path). */
function resolveRequirements(
  workspace: Workspace,
  info: PyprojectInfo,
  requirements: readonly string[],
  where: string,
): ResolvedDependency[] {
  return requirements.map((requirement): ResolvedDependency => {
    const head = requirementHead(requirement);
    if (head === undefined)
      throw new PyprojectError(
        info.path,
        `${where}: invalid requirement ${JSON.stringify(requirement)}`,
      );
    const target = firstPartyTarget(workspace, info, head.name);
    return target === undefined
      ? { requirement, extras: [] }
      : { requirement, target, extras: head.extras };
  });
}

function firstPartyTarget(
  workspace: Workspace,
  from: PyprojectInfo,
  name: string,
): PyprojectInfo | undefined {
  if (name === from.name) return from;
  const source = from.uvSources[name] ?? rootSource(workspace, name);
  if (source === undefined) return undefined;
  if (source.workspace === true) {
    const member = workspace.members.get(name);
    if (member === undefined) {
      throw new PyprojectError(
        from.path,
        `tool.uv.sources.${name}: workspace = true, but '${name}' is not a workspace member`,
      );
    }
    return member;
  }
  if (source.path !== undefined) {
    const dir = resolve(dirname(from.path), source.path);
    if (!isDir(dir)) return undefined; // a path to a wheel or sdist file: third-party artifact
    const member = membersByDir(workspace).get(dir);
    const info = member ?? readPyproject(join(dir, 'pyproject.toml'));
    if (info.name !== name) {
      throw new PyprojectError(
        from.path,
        `tool.uv.sources.${name}: path '${source.path}' holds project '${info.name}'`,
      );
    }
    return info;
  }
  return undefined;
}

/** Members by directory, built once per Workspace object (path sources look them up). */
const byDirCache = new WeakMap<Workspace, Map<string, PyprojectInfo>>();

function membersByDir(workspace: Workspace): Map<string, PyprojectInfo> {
  let byDir = byDirCache.get(workspace);
  if (byDir === undefined) {
    byDir = new Map();
    for (const m of workspace.members.values()) {
      const dir = dirname(m.path);
      if (!byDir.has(dir)) byDir.set(dir, m);
    }
    byDirCache.set(workspace, byDir);
  }
  return byDir;
}

type RootSources = Map<string, { workspace?: boolean; path?: string }>;

/** `[tool.uv.sources]` of each workspace's root pyproject, read once per Workspace object. */
const rootSourcesCache = new WeakMap<Workspace, RootSources>();

function rootSource(workspace: Workspace, name: string) {
  let sources = rootSourcesCache.get(workspace);
  if (sources === undefined) {
    sources = readRootSources(workspace);
    rootSourcesCache.set(workspace, sources);
  }
  return sources.get(name);
}

function readRootSources(workspace: Workspace): RootSources {
  const out: RootSources = new Map();
  const root = [...workspace.members.values()].find((m) => m.path === workspace.rootPyproject);
  if (root !== undefined) {
    for (const [k, v] of Object.entries(root.uvSources)) out.set(k, v);
    return out;
  }
  // A virtual workspace root's [tool.uv.sources] apply to every member.
  try {
    const text = readFileSync(workspace.rootPyproject, 'utf8');
    const doc = parsePyprojectToml(text, workspace.rootPyproject);
    const tool = doc['tool'] as Record<string, unknown> | undefined;
    const uv = tool?.['uv'] as Record<string, unknown> | undefined;
    const sources = uv?.['sources'] as Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(sources ?? {})) {
      const key = canonicalProjectName(k);
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && !out.has(key))
        out.set(key, v as { workspace?: boolean; path?: string });
    }
  } catch {
    // an unreadable root has no sources; its members report their own problems
  }
  return out;
}

/** The first-party closure of `projectName` (main first). */
export function firstPartyClosure(
  workspace: Workspace,
  projectName: string,
  extras: string[] = [],
): FirstPartyProject[] {
  return resolveFirstParty(workspace, projectName, extras).projects;
}

/** Relative, `/`-separated path of a member (for messages and Nx inputs). */
export function memberRelativePath(workspace: Workspace, info: PyprojectInfo): string {
  return relative(workspace.root, dirname(info.path)).split(sep).join('/') || '.';
}
