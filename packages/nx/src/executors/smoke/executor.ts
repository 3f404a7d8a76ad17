import { join } from 'node:path';
import { logger, type ExecutorContext } from '@nx/devkit';
import { formatSmokeReport, PexkitError, readPyproject, smokePex } from '@pexkit/pex';
import { readPythonMetadata } from '../../plugins/lib/python-project-metadata.js';
import { normalizeOptions, PexOptionsError } from '../pex/lib/normalize-options.js';
import type { PexExecutorSchema } from '../pex/schema.js';
import type { SmokeExecutorSchema } from './schema.js';

/**
 * `@pexkit/nx:smoke`: finds the PEX the build target wrote (its resolved options, as the pex
 * executor computes the output) and runs `pexkit smoke` on it in-process.
 */
export default async function smokeExecutor(
  options: SmokeExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const projectName = context.projectName;
  if (projectName === undefined) {
    logger.error('@pexkit/nx:smoke: no project (run it as a target: nx run <project>:smoke)');
    return { success: false };
  }
  try {
    const project = context.projectsConfigurations.projects[projectName];
    const meta = readPythonMetadata(project?.metadata);
    if (project === undefined || meta === undefined)
      throw new PexOptionsError(
        `${projectName}: not a Python project inferred by @pexkit/nx/plugin`,
      );
    const buildTarget = options.buildTarget ?? 'build';
    const target = project.targets?.[buildTarget];
    if (target === undefined)
      throw new PexOptionsError(
        `${projectName}: option 'buildTarget' names ${JSON.stringify(buildTarget)}, which the project does not have`,
      );
    // The build's options as the graph holds them (targetDefaults and project.json merged in),
    // with the configuration this run uses: where the PEX is, which python is `current`.
    const configuration = context.configurationName ?? target.defaultConfiguration;
    const build = {
      ...(target.options as PexExecutorSchema | undefined),
      ...(configuration !== undefined
        ? (target.configurations?.[configuration] as PexExecutorSchema | undefined)
        : undefined),
    };
    const pex = normalizeOptions(build, {
      workspaceRoot: context.root,
      projectName,
      projectRoot: project.root,
      pythonName: meta.pythonName,
      uvWorkspaceRoot: meta.uvWorkspaceRoot,
      scripts: Object.keys(
        readPyproject(join(context.root, project.root, 'pyproject.toml')).scripts,
      ),
    });
    const report = await smokePex({
      pex: pex.output,
      ...(options.args !== undefined ? { args: options.args } : {}),
      ...(pex.python !== undefined ? { python: pex.python } : {}),
      ...(pex.cacheDir !== undefined ? { cacheDir: pex.cacheDir } : {}),
      ...(options.timeout !== undefined ? { timeoutMs: options.timeout * 1000 } : {}),
    });
    const text = formatSmokeReport(report, { verbose: context.isVerbose }).trimEnd();
    if (report.ok) logger.info(text);
    else logger.error(text);
    return { success: report.ok };
  } catch (error) {
    if (error instanceof PexkitError || error instanceof PexOptionsError) {
      logger.error(`${projectName}: ${error.message}`);
      return { success: false };
    }
    throw error;
  }
}
