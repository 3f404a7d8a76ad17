import { join } from 'node:path';
import { logger, type ExecutorContext } from '@nx/devkit';
import { buildPex, PexkitError, readPyproject } from '@pexkit/pex';
import { readPythonMetadata } from '../../plugins/lib/python-project-metadata.js';
import { toBuildPexOptions } from './lib/build-call.js';
import {
  normalizeOptions,
  PexOptionsError,
  type NormalizedPexOptions,
} from './lib/normalize-options.js';
import {
  findUndeclaredImports,
  formatUndeclaredImports,
  type PythonProjectRef,
} from './lib/undeclared-imports.js';
import { checkLockSubsetFile } from './lib/check-lock-subset.js';
import type { PexExecutorSchema } from './schema.js';

/** `@pexkit/nx:pex`: builds the project's PEX in-process with @pexkit/pex. */
export default async function pexExecutor(
  options: PexExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const projectName = context.projectName;
  if (projectName === undefined) {
    logger.error(
      '@pexkit/nx:pex: no project to build (run it as a target: nx run <project>:<target>)',
    );
    return { success: false };
  }
  try {
    const normalized = prepare(options, context, projectName);
    const call = toBuildPexOptions(normalized);
    // `nx run app:build --verbose`: list every wheel file when none fits a target.
    if (context.isVerbose) call.verbose = true;
    const result = await buildPex(call);
    for (const warning of result.warnings) logger.warn(`${projectName}: ${warning}`);
    logger.info(
      `${projectName}: wrote ${normalized.outputRelative} (${result.size} bytes, sha256 ${result.sha256})`,
    );
    return { success: true };
  } catch (error) {
    logger.error(failureMessage(projectName, error));
    return { success: false };
  }
}

function prepare(
  options: PexExecutorSchema,
  context: ExecutorContext,
  projectName: string,
): NormalizedPexOptions {
  const projects = context.projectsConfigurations.projects;
  const project = projects[projectName];
  const meta = readPythonMetadata(project?.metadata);
  if (project === undefined || meta === undefined) {
    throw new PexOptionsError(
      `${projectName}: not a Python project inferred by @pexkit/nx/plugin (no pyproject.toml at its root, or the plugin is not registered in nx.json)`,
    );
  }
  const normalized = normalizeOptions(options, {
    workspaceRoot: context.root,
    projectName,
    projectRoot: project.root,
    pythonName: meta.pythonName,
    uvWorkspaceRoot: meta.uvWorkspaceRoot,
    scripts: Object.keys(readPyproject(join(context.root, project.root, 'pyproject.toml')).scripts),
  });
  checkLockSubsetFile(context.root, projects, projectName);
  if (!normalized.allowUndeclaredImports) {
    const refs: PythonProjectRef[] = [];
    for (const [name, p] of Object.entries(projects)) {
      const m = readPythonMetadata(p.metadata);
      if (m !== undefined) refs.push({ name, root: p.root, meta: m });
    }
    const found = findUndeclaredImports(context.root, refs, projectName, normalized.includeTests);
    if (found.length > 0)
      throw new PexOptionsError(`${projectName}: ${formatUndeclaredImports(found)}`);
  }
  return normalized;
}

function failureMessage(projectName: string, error: unknown): string {
  if (error instanceof PexOptionsError) return error.message;
  if (error instanceof PexkitError) return `${projectName}: ${error.message}`;
  if (error instanceof Error) return `${projectName}: ${error.stack ?? error.message}`;
  return `${projectName}: ${String(error)}`;
}
