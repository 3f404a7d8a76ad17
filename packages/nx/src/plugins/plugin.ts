import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  AggregateCreateNodesError,
  hashArray,
  type CreateDependencies,
  type CreateNodes,
  type CreateNodesContext,
  type CreateNodesResult,
} from '@nx/devkit';
import { workspaceDataDirectoryForWorkspace } from 'nx/src/utils/cache-directory.js';
import { PEXKIT_VERSION } from '@pexkit/pex';
import { PEXKIT_NX_VERSION } from '../utils/package-info.js';
import { dirOf, joinWorkspacePath } from '../utils/paths.js';
import { pythonDependencies } from './lib/dependencies.js';
import {
  inferPythonProjects,
  mayDeclareUvWorkspace,
  readPyprojectFiles,
  type PyprojectFile,
} from './lib/infer-projects.js';
import { NodesCache } from './lib/nodes-cache.js';
import { toolConfigKey } from './lib/quality-targets.js';
import { normalizePluginOptions, type PexkitPluginOptions } from './lib/options.js';

export type { PexkitPluginOptions } from './lib/options.js';

export const PYPROJECT_GLOB = '**/pyproject.toml';

/**
 * The plugin's name in Nx's messages. Nx 21 and 22.0–22.6 assign `name` on the loaded module when
 * it exports none, which throws on an ES module namespace ("object is not extensible").
 */
export const name = '@pexkit/nx/plugin';

function productionInputOf(context: CreateNodesContext): 'production' | 'default' {
  return context.nxJsonConfiguration.namedInputs?.['production'] !== undefined
    ? 'production'
    : 'default';
}

/**
 * Version of the inferred configuration's shape: part of the on-disk cache key, so that a plugin
 * built from changed sources under the same package version never serves nodes inferred by the
 * old code. Bump it whenever inference changes what it returns.
 */
const INFERENCE_FORMAT = 7;

/**
 * Hash of everything inference reads: file texts, src/ and tests/ dirs, tool configuration files
 * beside them (ruff.toml, mypy.ini, …), whether each uv.lock exists (its content is not read: it
 * enters task hashes through the lock-subset files), options, versions. One native hash call over
 * every part (texts prefixed by their length, so no two inputs join into the same string): a call
 * per file costs more than the hashing at thousands of projects.
 */
function inferenceKey(
  workspaceRoot: string,
  files: PyprojectFile[],
  options: unknown,
  production: string,
): string {
  const parts: string[] = [
    String(INFERENCE_FORMAT),
    PEXKIT_NX_VERSION,
    PEXKIT_VERSION,
    JSON.stringify(options ?? {}),
    production,
  ];
  const dirs = new Map<string, boolean | undefined>();
  for (const f of files) {
    parts.push(f.file, f.hasSrc ? 'src' : '-', f.hasTests ? 'tests' : '-');
    parts.push(String(f.text.length), f.text);
    parts.push(...toolConfigKey(f.toolConfigs));
    const dir = dirOf(f.file);
    if (f.hasUvLock !== undefined || !dirs.has(dir)) dirs.set(dir, f.hasUvLock);
  }
  for (const [dir, listed] of [...dirs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const exists = listed ?? existsSync(join(workspaceRoot, joinWorkspacePath(dir, 'uv.lock')));
    if (exists) parts.push(`${dir}/uv.lock`);
  }
  return hashArray(parts);
}

const createNodesInternal = async (
  configFiles: readonly string[],
  rawOptions: PexkitPluginOptions | undefined,
  context: CreateNodesContext,
): Promise<Array<readonly [string, CreateNodesResult]>> => {
  const options = normalizePluginOptions(rawOptions);
  const files = readPyprojectFiles(context.workspaceRoot, [...configFiles].sort());
  // A uv workspace root outside the plugin's include pattern still groups its members.
  if (
    !configFiles.includes('pyproject.toml') &&
    existsSync(join(context.workspaceRoot, 'pyproject.toml'))
  ) {
    const [root] = readPyprojectFiles(context.workspaceRoot, ['pyproject.toml']);
    if (root !== undefined && mayDeclareUvWorkspace(root.text))
      files.unshift({ ...root, workspaceOnly: true });
  }
  const production = productionInputOf(context);
  const key = inferenceKey(context.workspaceRoot, files, rawOptions, production);
  const cache = new NodesCache(workspaceDataDirectoryForWorkspace(context.workspaceRoot));
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const { results, errors } = inferPythonProjects(
    context.workspaceRoot,
    files,
    options,
    production,
  );
  const wanted = new Set(configFiles);
  const ownResults = results.filter(([file]) => wanted.has(file));
  if (errors.length > 0) throw new AggregateCreateNodesError(errors, ownResults);
  cache.set(key, ownResults);
  return ownResults;
};

/** Nx 22+ form: a glob and a function over all matching files (batched). */
export const createNodes: CreateNodes<PexkitPluginOptions> = [PYPROJECT_GLOB, createNodesInternal];

/** The same function under its pre-Nx-22 name. */
export const createNodesV2: CreateNodes<PexkitPluginOptions> = createNodes;

export const createDependencies: CreateDependencies<PexkitPluginOptions> = (rawOptions, context) =>
  pythonDependencies(normalizePluginOptions(rawOptions), context);
