import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { planBuild, type PlanOptions } from '../resolve/plan.js';
import type { BuildPlan } from '../plan/build-plan.js';
import type { InheritPath } from './pex-info.js';
import { writePex, type PexLayout, type PexLogger, type WritePexResult } from './writer.js';
import { withCacheHolds } from '../cache/holds.js';
import { cacheDir } from '../cache/cache-dir.js';

/** What `planBuild` (issue 4, `resolve/plan.ts`) takes. */
export type PlanBuildOptions = PlanOptions;

export type PlanBuildFunction = (options: PlanBuildOptions) => Promise<BuildPlan>;

/** Options of `buildPex`; the `pexkit build` CLI and the Nx executor map onto them 1:1. */
export interface BuildPexOptions {
  /** Directory holding the app's pyproject.toml. */
  project: string;
  /** Lock file (uv.lock, pylock.toml, requirements); default: found beside the project/workspace. */
  lock?: string;
  /** Target platforms (default `['current']`). */
  targets?: string[];
  /** Interpreters for `current` and sdist builds, matched to targets by tags (PlanOptions.python). */
  python?: string[];
  entryPoint?: string;
  consoleScript?: string;
  interpreterConstraints?: string[];
  pythonShebang?: string;
  layout?: PexLayout;
  /** Output path (default `dist/<project name>.pex` under the project). */
  output?: string;
  indexUrl?: string;
  extraIndexUrls?: string[];
  findLinks?: string[];
  offline?: boolean;
  compress?: boolean;
  /** Ship compiled `.pyc` for the wheels (default false; see bytecode.ts). */
  compileBytecode?: boolean;
  inheritPath?: InheritPath | boolean;
  venv?: boolean;
  cacheDir?: string;
  extras?: string[];
  /** Dependency groups of the project to include (from the lock). */
  groups?: string[];
  includeTests?: boolean;
  excludes?: string[];
  /** Globs of first-party files or directories to keep despite the default exclusions. */
  includes?: string[];
  logger?: PexLogger;
  /** Download progress: a live line on a TTY, a summary line, or nothing (default `auto`). */
  progress?: PlanOptions['progress'];
  /** List every wheel file (and why it does not fit) in no-wheel errors. */
  verbose?: boolean;
  /** Replaces `planBuild` (tests, or callers with a plan source of their own). */
  planBuild?: PlanBuildFunction;
}

export interface BuildPexResult {
  output: string;
  sha256: string;
  size: number;
  pexHash: string;
  plan: BuildPlan;
  layout: PexLayout;
  warnings: string[];
}

/** Resolves the project's lock into wheels for every target (`planBuild`) and writes the PEX. */
export async function buildPex(options: BuildPexOptions): Promise<BuildPexResult> {
  if (options.project === undefined || options.project === '')
    throw new UsageError('--project is required');
  // The entries this build uses stay until it ends, whatever `pexkit cache prune` runs meanwhile.
  return withCacheHolds(cacheDir({ cacheDir: options.cacheDir }), () => build(options));
}

async function build(options: BuildPexOptions & { project: string }): Promise<BuildPexResult> {
  const project = resolve(options.project);
  const targets =
    options.targets !== undefined && options.targets.length > 0 ? options.targets : ['current'];
  const planner = options.planBuild ?? planBuild;
  const plan = await planner({
    project,
    lock: options.lock,
    targets,
    ...(options.python !== undefined && options.python.length > 0
      ? { python: options.python }
      : {}),
    indexUrl: options.indexUrl,
    extraIndexUrls: options.extraIndexUrls,
    findLinks: options.findLinks,
    offline: options.offline,
    cacheDir: options.cacheDir,
    extras: options.extras,
    ...(options.groups !== undefined ? { groups: options.groups } : {}),
    logger: options.logger,
    progress: options.progress,
    ...(options.verbose === true ? { verbose: true } : {}),
  });
  const layout = options.layout ?? 'zipapp';
  const output = resolve(
    options.output ??
      resolve(project, 'dist', layout === 'zipapp' ? `${plan.main.name}.pex` : plan.main.name),
  );
  const written: WritePexResult = await writePex(plan, {
    output,
    layout,
    entryPoint: options.entryPoint,
    consoleScript: options.consoleScript,
    interpreterConstraints: options.interpreterConstraints,
    pythonShebang: options.pythonShebang,
    compress: options.compress,
    ...(options.compileBytecode !== undefined ? { compileBytecode: options.compileBytecode } : {}),
    ...(options.python !== undefined && options.python.length > 0
      ? { python: options.python }
      : {}),
    inheritPath: options.inheritPath,
    venv: options.venv,
    cacheDir: options.cacheDir,
    includeTests: options.includeTests,
    excludes: options.excludes,
    includes: options.includes,
    logger: options.logger,
  });
  return {
    output: written.output,
    sha256: written.sha256,
    size: written.size,
    pexHash: written.pexHash,
    plan,
    layout: written.layout,
    warnings: written.warnings,
  };
}
