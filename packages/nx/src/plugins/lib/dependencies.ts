import {
  DependencyType,
  validateDependency,
  type CreateDependenciesContext,
  type RawProjectGraphDependency,
} from '@nx/devkit';
import { workspaceDataDirectoryForWorkspace } from 'nx/src/utils/cache-directory.js';
import { joinWorkspacePath } from '../../utils/paths.js';
import { topLevelModules } from '../../utils/python-modules.js';
import { DependenciesCache, dependenciesKey } from './dependencies-cache.js';
import { ImportCache } from './import-cache.js';
import type { NormalizedPluginOptions } from './options.js';
import { readPythonMetadata, type PythonProjectMetadata } from './python-project-metadata.js';

interface PythonNode {
  name: string;
  root: string;
  meta: PythonProjectMetadata;
}

function pythonNodes(context: CreateDependenciesContext): PythonNode[] {
  const out: PythonNode[] = [];
  for (const [name, project] of Object.entries(context.projects)) {
    const meta = readPythonMetadata(project.metadata);
    if (meta !== undefined) out.push({ name, root: project.root, meta });
  }
  return out;
}

/**
 * Top-level module → the project that provides it. A module provided by several projects
 * (a namespace package split across projects) maps to none: it cannot name one project.
 */
export function moduleOwners(
  nodes: Array<{ name: string; files: readonly string[]; sourceRoots: readonly string[] }>,
): Map<string, string> {
  const owners = new Map<string, string | null>();
  for (const node of nodes) {
    for (const module of topLevelModules(node.files, node.sourceRoots)) {
      const prior = owners.get(module);
      owners.set(module, prior === undefined || prior === node.name ? node.name : null);
    }
  }
  const out = new Map<string, string>();
  for (const [module, owner] of owners) if (owner !== null) out.set(module, owner);
  return out;
}

/**
 * Graph edges of Python projects: static edges from declared first-party dependencies (source
 * file: the pyproject.toml), and, unless switched off, static edges from `import` statements
 * (source file: the importing .py file) to the project owning the imported module.
 */
export function pythonDependencies(
  options: NormalizedPluginOptions,
  context: CreateDependenciesContext,
): RawProjectGraphDependency[] {
  const nodes = pythonNodes(context);
  if (nodes.length === 0) return [];
  const projectFiles = context.fileMap.projectFileMap;
  const cache = new DependenciesCache(workspaceDataDirectoryForWorkspace(context.workspaceRoot));
  const key = dependenciesKey({
    options,
    projects: Object.entries(context.projects).map(([name, p]) => ({ name, root: p.root })),
    python: nodes.map((n) => ({
      name: n.name,
      metadata: n.meta,
      files: projectFiles[n.name] ?? [],
    })),
  });
  const cached = cache.get(key);
  // Copies: Nx may keep (and change) what it is handed.
  if (cached !== undefined) return cached.map((d) => ({ ...d }));
  const out = computeDependencies(options, context, nodes);
  cache.set(
    key,
    out.map((d) => ({ ...d })),
  );
  return out;
}

function computeDependencies(
  options: NormalizedPluginOptions,
  context: CreateDependenciesContext,
  nodes: PythonNode[],
): RawProjectGraphDependency[] {
  const rootToName = new Map<string, string>();
  for (const [name, project] of Object.entries(context.projects))
    rootToName.set(project.root, name);
  const out: RawProjectGraphDependency[] = [];
  const pairs = new Set<string>();
  const add = (dependency: RawProjectGraphDependency) => {
    const pair = `${dependency.source}\0${dependency.target}`;
    if (pairs.has(pair)) return;
    try {
      validateDependency(dependency, context);
    } catch {
      return; // e.g. a source file Nx does not track (ignored by git)
    }
    pairs.add(pair);
    out.push(dependency);
  };
  for (const node of nodes) {
    for (const dep of node.meta.dependencies) {
      const target = rootToName.get(dep.root);
      if (target === undefined || target === node.name) continue;
      add({
        source: node.name,
        target,
        type: DependencyType.static,
        sourceFile: joinWorkspacePath(node.root, 'pyproject.toml'),
      });
    }
  }
  if (!options.inferImportDependencies) return out;

  const projectFiles = context.fileMap.projectFileMap;
  const owners = moduleOwners(
    nodes.map((n) => ({
      name: n.name,
      files: (projectFiles[n.name] ?? []).map((f) => f.file),
      sourceRoots: n.meta.sourceRoots,
    })),
  );
  const cache = new ImportCache(
    workspaceDataDirectoryForWorkspace(context.workspaceRoot),
    context.workspaceRoot,
  );
  for (const node of nodes) {
    for (const file of projectFiles[node.name] ?? []) {
      if (!file.file.endsWith('.py')) continue;
      for (const module of cache.modules(file.file, file.hash)) {
        const target = owners.get(module);
        if (target === undefined || target === node.name) continue;
        add({ source: node.name, target, type: DependencyType.static, sourceFile: file.file });
      }
    }
  }
  cache.save();
  return out;
}
