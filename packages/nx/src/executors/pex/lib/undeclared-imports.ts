import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import type { PythonProjectMetadata } from '../../../plugins/lib/python-project-metadata.js';
import { isPythonTestFile, topLevelModules } from '../../../utils/python-modules.js';
import { scanPythonImports } from '../../../utils/python-imports.js';

export interface PythonProjectRef {
  /** Nx project name. */
  name: string;
  /** Workspace-relative root. */
  root: string;
  meta: PythonProjectMetadata;
}

/** First-party code importing a module of a workspace project it does not declare. */
export interface UndeclaredImport {
  /** Nx project whose code imports. */
  project: string;
  /** Workspace-relative importing file. */
  file: string;
  module: string;
  /** Nx project providing the module. */
  provider: string;
  /** Its Python name (what to add to `[project].dependencies`). */
  providerPythonName: string;
}

const SKIP_DIRS = new Set([
  '__pycache__',
  'node_modules',
  '.venv',
  'venv',
  '.git',
  '.tox',
  '.nox',
  'build',
  'dist',
]);

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function walkPython(workspaceRoot: string, dir: string, out: string[]): void {
  for (const entry of entries(join(workspaceRoot, dir))) {
    if (entry.name.startsWith('.')) continue;
    const rel = dir === '.' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) walkPython(workspaceRoot, rel, out);
    } else if (entry.name.endsWith('.py')) out.push(rel);
  }
}

/** The top-level files and package dirs of each source root, as a file list for topLevelModules. */
function topLevelListing(workspaceRoot: string, sourceRoots: readonly string[]): string[] {
  const out: string[] = [];
  for (const root of sourceRoots) {
    for (const entry of entries(join(workspaceRoot, root))) {
      const rel = root === '.' ? entry.name : `${root}/${entry.name}`;
      if (entry.isDirectory()) out.push(`${rel}/__init__.py`);
      else out.push(rel);
    }
  }
  return out;
}

/**
 * Scans the production `.py` files of `start` and its first-party closure for imports of modules
 * owned by workspace projects the importing project does not declare as direct dependencies.
 */
export function findUndeclaredImports(
  workspaceRoot: string,
  projects: readonly PythonProjectRef[],
  start: string,
  includeTests = false,
): UndeclaredImport[] {
  const byName = new Map(projects.map((p) => [p.name, p]));
  const byRoot = new Map(projects.map((p) => [p.root, p]));
  const owners = new Map<string, PythonProjectRef | null>();
  for (const p of projects) {
    for (const module of topLevelModules(
      topLevelListing(workspaceRoot, p.meta.sourceRoots),
      p.meta.sourceRoots,
    )) {
      const prior = owners.get(module);
      owners.set(module, prior === undefined || prior === p ? p : null);
    }
  }
  const first = byName.get(start);
  if (first === undefined) return [];
  const closure: PythonProjectRef[] = [];
  const queue = [first];
  const seen = new Set<string>([first.name]);
  while (queue.length > 0) {
    const p = queue.shift() as PythonProjectRef;
    closure.push(p);
    for (const dep of p.meta.dependencies) {
      const next = byRoot.get(dep.root);
      if (next !== undefined && !seen.has(next.name)) {
        seen.add(next.name);
        queue.push(next);
      }
    }
  }
  const found: UndeclaredImport[] = [];
  for (const p of closure) {
    const declared = new Set(p.meta.dependencies.map((d) => d.root));
    const files: string[] = [];
    for (const root of p.meta.sourceRoots) walkPython(workspaceRoot, root, files);
    for (const file of files.sort()) {
      if (!includeTests && isPythonTestFile(file.slice(p.root === '.' ? 0 : p.root.length + 1)))
        continue;
      let text: string;
      try {
        text = readFileSync(join(workspaceRoot, file), 'utf8');
      } catch {
        continue;
      }
      for (const module of scanPythonImports(text)) {
        const owner = owners.get(module);
        if (owner === undefined || owner === null || owner === p || declared.has(owner.root))
          continue;
        found.push({
          project: p.name,
          file,
          module,
          provider: owner.name,
          providerPythonName: owner.meta.pythonName,
        });
      }
    }
  }
  return found;
}

/** A build-failing message listing each undeclared import and how to fix it. */
export function formatUndeclaredImports(found: readonly UndeclaredImport[]): string {
  const lines = found.map(
    (u) =>
      `  ${u.file} imports '${u.module}' from project '${u.provider}', but '${u.project}' does not declare it: add "${u.providerPythonName}" to [project].dependencies (and ${u.providerPythonName} = { workspace = true } to [tool.uv.sources])`,
  );
  return [
    'first-party code imports workspace projects it does not depend on, so the PEX would miss them:',
    ...lines,
    "Declare the dependencies, or set the executor option 'allowUndeclaredImports' to build anyway.",
  ].join('\n');
}
