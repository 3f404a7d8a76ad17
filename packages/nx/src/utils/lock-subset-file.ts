import { existsSync } from 'node:fs';
import { isAbsolute, join, posix, resolve } from 'node:path';
import type { ProjectConfiguration } from '@nx/devkit';
import {
  findWorkspace,
  loadLock,
  loadWorkspace,
  lockSubset,
  redactUserinfo,
  subsetHash,
  type Lock,
  type LockSubset,
  type SubsetEntry,
  type Workspace,
} from '@pexkit/pex';
import { readPythonMetadata } from '../plugins/lib/python-project-metadata.js';
import { joinWorkspacePath } from './paths.js';

/**
 * The committed file in each Python project's root that lists what its targets take from the
 * lock. It is an input of the build and test targets, so `nx affected` (file-based) sees a lock
 * change in exactly the projects whose subset changed; `nx sync` writes it.
 */
export const LOCK_SUBSET_FILE = 'pexkit.lock-subset';

/** Per uv workspace: what the default dependency groups add to its test targets. */
export const TEST_GROUPS_FILE = 'pexkit.test-groups.lock-subset';

export const PEX_EXECUTOR = '@pexkit/nx:pex';

/** The sync generator that writes the files, declared on every inferred build and test target. */
export const SYNC_GENERATOR = '@pexkit/nx:sync';

/** What one Python project's targets read from locks (from the project graph). */
export interface LockSubsetProject {
  /** Nx project name. */
  name: string;
  /** Workspace-relative `/` root. */
  root: string;
  /** Canonical `[project].name`. */
  pythonName: string;
  /** Workspace-relative root of its uv workspace. */
  uvWorkspaceRoot: string;
  /** Its PEX targets: target names, the `lock` option (workspace-relative), extras and groups. */
  builds: Array<{ target: string; lock?: string; extras: string[]; groups?: string[] }>;
  /** Its pytest target and the default dependency groups' requirements (root's, own) it installs. */
  test?: { target: string; rootGroups: string[]; ownGroups: string[] };
}

/** One or more lock subsets could not be computed (the message names every file at fault). */
export class LockSubsetFileError extends Error {
  override readonly name = 'LockSubsetFileError';
}

/** The Python projects of a project graph (or `projectsConfigurations`) and their lock-reading targets. */
export function lockSubsetProjects(
  projects: Record<string, Pick<ProjectConfiguration, 'root' | 'metadata' | 'targets'>>,
): LockSubsetProject[] {
  const out: LockSubsetProject[] = [];
  for (const [name, project] of Object.entries(projects)) {
    const meta = readPythonMetadata(project.metadata);
    if (meta === undefined) continue;
    const p: LockSubsetProject = {
      name,
      root: project.root,
      pythonName: meta.pythonName,
      uvWorkspaceRoot: meta.uvWorkspaceRoot,
      builds: [],
    };
    for (const [target, config] of Object.entries(project.targets ?? {})) {
      if (config.executor !== PEX_EXECUTOR) continue;
      const options = (config.options ?? {}) as {
        lock?: unknown;
        extras?: unknown;
        groups?: unknown;
      };
      const strings = (v: unknown): string[] =>
        Array.isArray(v) ? v.filter((e): e is string => typeof e === 'string') : [];
      const build: LockSubsetProject['builds'][number] = {
        target,
        extras: strings(options.extras),
      };
      if (strings(options.groups).length > 0) build.groups = strings(options.groups);
      if (typeof options.lock === 'string') build.lock = options.lock;
      p.builds.push(build);
    }
    // The lint/typecheck targets install what the tests install: their lock subsets stand in
    // for a project without tests.
    const env = [meta.test, meta.checks].find(
      (e) => e !== undefined && project.targets?.[e.target] !== undefined,
    );
    if (env !== undefined) p.test = { ...env };
    out.push(p);
  }
  return out.sort((a, b) => (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));
}

/** A section of a file: one subset of one lock, and the targets that install it. */
interface Section {
  title: string;
  lock: string;
  /** Extras of the project (sorted), for a closure section. */
  extras: string[];
  /** Dependency groups of the project (sorted), for a closure section. */
  groups?: string[];
  subset: LockSubset;
  /** Third-party requirements (dependency groups), for a groups section. */
  requirements?: string[];
}

/** Loads each lock and each uv workspace once (errors too: every project using it reports it). */
class Loader {
  private readonly locks = new Map<string, Lock | Error>();
  private readonly workspaces = new Map<string, Workspace | Error>();
  private readonly lockNames = new Map<Lock, Set<string>>();
  constructor(readonly workspaceRoot: string) {}

  lock(path: string): Lock {
    const abs = resolve(this.workspaceRoot, path);
    let lock = this.locks.get(abs);
    if (lock === undefined) {
      try {
        lock = loadLock(abs);
      } catch (error) {
        lock = asError(error);
      }
      this.locks.set(abs, lock);
    }
    if (lock instanceof Error) throw lock;
    return lock;
  }

  workspace(p: LockSubsetProject): Workspace {
    const key = p.uvWorkspaceRoot === p.root ? `project:${p.root}` : p.uvWorkspaceRoot;
    let ws = this.workspaces.get(key);
    if (ws === undefined) {
      try {
        ws =
          p.uvWorkspaceRoot === p.root
            ? findWorkspace(join(this.workspaceRoot, p.root))
            : loadWorkspace(join(this.workspaceRoot, p.uvWorkspaceRoot, 'pyproject.toml'));
      } catch (error) {
        ws = asError(error);
      }
      this.workspaces.set(key, ws);
    }
    if (ws instanceof Error) throw ws;
    return ws;
  }

  /** The package names of a lock (a set, built once: looked up once per project). */
  names(lock: Lock): Set<string> {
    let names = this.lockNames.get(lock);
    if (names === undefined) {
      names = new Set(lock.packages.map((e) => e.name));
      this.lockNames.set(lock, names);
    }
    return names;
  }

  exists(path: string): boolean {
    return existsSync(resolve(this.workspaceRoot, path));
  }
}

/**
 * Reads locks and uv workspaces once each and computes every lock-subset file: for each project
 * `<root>/pexkit.lock-subset` (its closure: what its builds and tests install from the lock), and
 * for each uv workspace with test targets `<uv root>/pexkit.test-groups.lock-subset` (what the
 * default dependency groups add to the tests). Maps workspace-relative paths to the text they must
 * hold, or `undefined` when the file must not exist (the project reads no lock). Throws
 * {@link LockSubsetFileError} naming every project and file that failed.
 */
export function expectedLockSubsetFiles(
  workspaceRoot: string,
  projects: LockSubsetProject[],
): Map<string, string | undefined> {
  const loader = new Loader(workspaceRoot);
  const out = new Map<string, string | undefined>();
  const problems: string[] = [];
  const tested = new Map<string, LockSubsetProject[]>();
  for (const p of projects) {
    try {
      out.set(joinWorkspacePath(p.root, LOCK_SUBSET_FILE), renderProject(loader, p));
    } catch (error) {
      problems.push(`${p.name}: ${asError(error).message}`);
    }
    if (p.test !== undefined) {
      const list = tested.get(p.uvWorkspaceRoot) ?? [];
      list.push(p);
      tested.set(p.uvWorkspaceRoot, list);
    }
  }
  for (const [wsDir, members] of tested) {
    try {
      out.set(joinWorkspacePath(wsDir, TEST_GROUPS_FILE), renderTestGroups(loader, wsDir, members));
    } catch (error) {
      problems.push(`${joinWorkspacePath(wsDir, TEST_GROUPS_FILE)}: ${asError(error).message}`);
    }
  }
  if (problems.length > 0) {
    throw new LockSubsetFileError(
      `cannot compute the lock subsets (${LOCK_SUBSET_FILE}) of ${problems.length} project(s):\n  ${problems.join('\n  ')}`,
    );
  }
  return out;
}

/** The project's closure sections: one per distinct (lock, extras) of its build and test targets. */
function renderProject(loader: Loader, p: LockSubsetProject): string | undefined {
  const uvLock = joinWorkspacePath(p.uvWorkspaceRoot, 'uv.lock');
  const sections: Array<Section & { targets: string[] }> = [];
  const addClosure = (target: string, lock: string, extras: string[], groups: string[] = []) => {
    const sorted = [...new Set(extras)].sort();
    const groupsSorted = [...new Set(groups)].sort();
    const same = sections.find(
      (s) =>
        s.lock === lock &&
        JSON.stringify(s.extras) === JSON.stringify(sorted) &&
        JSON.stringify(s.groups ?? []) === JSON.stringify(groupsSorted),
    );
    if (same !== undefined) {
      same.targets.push(target);
      return;
    }
    const locked = loader.lock(lock);
    if (locked.format === 'uv.lock' && !loader.names(locked).has(p.pythonName)) {
      throw new Error(
        `${lock} does not lock ${p.pythonName} (a new member?): run 'uv lock' in ${p.uvWorkspaceRoot}, then 'nx sync'`,
      );
    }
    const subset = lockSubset(locked, loader.workspace(p), p.pythonName, sorted, groupsSorted);
    sections.push({
      title: '',
      targets: [target],
      lock,
      extras: sorted,
      ...(groupsSorted.length > 0 ? { groups: groupsSorted } : {}),
      subset,
    });
  };
  for (const b of p.builds) {
    const lock =
      b.lock === undefined
        ? uvLock
        : b.lock.replace(/\{projectRoot\}/g, p.root).replace(/^\{workspaceRoot\}\/?/, '');
    if (!loader.exists(lock)) continue; // the build reports it
    addClosure(b.target, lock, b.extras, b.groups);
  }
  if (p.test !== undefined && loader.exists(uvLock)) addClosure(p.test.target, uvLock, []);
  if (sections.length === 0) return undefined;
  for (const s of sections) s.title = s.targets.join(', ');
  return renderFile(
    p.root,
    [
      `# Lock subset of ${p.name}: the locked packages its targets install. Written by \`nx sync\``,
      '# (@pexkit/nx); do not edit. Commit it: `nx affected` and the task hashes see lock changes',
      '# only through this file, and `nx sync:check` fails while it is out of date.',
    ],
    sections,
  );
}

/** What the default dependency groups (the root's, then each member's own) add to the tests. */
function renderTestGroups(
  loader: Loader,
  wsDir: string,
  members: LockSubsetProject[],
): string | undefined {
  const lock = joinWorkspacePath(wsDir, 'uv.lock');
  if (!loader.exists(lock)) return undefined;
  const sections: Section[] = [];
  const add = (title: string, requirements: string[]) => {
    if (requirements.length === 0) return;
    const subset = lockSubset(loader.lock(lock), { firstParty: [], requirements });
    sections.push({ title, lock, extras: [], subset, requirements });
  };
  add(
    'tests: default dependency groups of the uv workspace root',
    members[0]?.test?.rootGroups ?? [],
  );
  for (const m of members)
    add(
      `${m.name}:${m.test?.target ?? 'test'}: its own default dependency groups`,
      m.test?.ownGroups ?? [],
    );
  if (sections.length === 0) return undefined;
  return renderFile(
    wsDir,
    [
      '# Lock subset of the default dependency groups that the test targets of this uv workspace',
      '# install. Written by `nx sync` (@pexkit/nx); do not edit. Commit it: an input of every test',
      '# target here (not of the builds), and `nx sync:check` fails while it is out of date.',
    ],
    sections,
  );
}

function renderFile(dir: string, header: string[], sections: Section[]): string {
  const lines = [...header];
  for (const s of sections) {
    const lock = isAbsolute(s.lock) ? s.lock : posix.relative(`/${dir}`, `/${s.lock}`);
    lines.push('', `[${s.title}] ${lock}`);
    if (s.requirements !== undefined) lines.push(`requirements: ${s.requirements.join(', ')}`);
    else {
      if (s.extras.length > 0) lines.push(`extras: ${s.extras.join(', ')}`);
      if (s.groups !== undefined) lines.push(`groups: ${s.groups.join(', ')}`);
      lines.push(`first-party: ${s.subset.roots.firstParty.join(', ')}`);
    }
    if (s.subset.requiresPython !== undefined)
      lines.push(`requires-python: ${s.subset.requiresPython}`);
    for (const entry of s.subset.entries) lines.push(entryLine(entry));
    lines.push(`sha256: ${subsetHash(s.subset)}`);
  }
  return `${lines.join('\n')}\n`;
}

const entryLines = new WeakMap<SubsetEntry, string>();

/** `name[extras]==version ; markers  (source)`: one line per locked package, for review. */
function entryLine(entry: SubsetEntry): string {
  let line = entryLines.get(entry);
  if (line === undefined) entryLines.set(entry, (line = renderEntryLine(entry)));
  return line;
}

function renderEntryLine({ pkg, extras }: SubsetEntry): string {
  let line = pkg.name;
  if (extras.length > 0) line += `[${[...extras].sort().join(',')}]`;
  line += pkg.version !== undefined ? `==${pkg.version}` : ' (unpinned)';
  const markers =
    pkg.marker !== undefined
      ? [pkg.marker]
      : pkg.resolutionMarkers.length > 0
        ? [...pkg.resolutionMarkers].sort()
        : [];
  if (markers.length === 1) line += ` ; ${markers[0]}`;
  else if (markers.length > 1) line += ` ; ${markers.map((m) => `(${m})`).join(' or ')}`;
  if (pkg.source.kind !== 'registry') {
    const where = pkg.source.url ?? pkg.source.path;
    line += `  (${pkg.source.kind}${where !== undefined ? ` ${redactUserinfo(where)}` : ''})`;
  }
  return line.replace(/[\r\n]+/g, ' ');
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
