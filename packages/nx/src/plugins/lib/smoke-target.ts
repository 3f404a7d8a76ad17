import type { TargetConfiguration } from '@nx/devkit';
import { PexkitTableError } from '../../utils/pexkit-table.js';
import type { SmokeExecutorSchema } from '../../executors/smoke/schema.js';

/**
 * The inferred `smoke` target of a project with a PEX target: `@pexkit/nx:smoke` (`pexkit smoke`
 * in-process) after the build, with `[tool.pexkit] smoke = [...]` as the PEX's arguments. Not
 * cached: its verdict depends on the interpreters installed on the machine, which no input sees.
 */
export function smokeTarget(
  buildTargetName: string,
  pexkitTable: Record<string, unknown>,
  where: string,
): TargetConfiguration<SmokeExecutorSchema> {
  const options: SmokeExecutorSchema = {};
  if (buildTargetName !== 'build') options.buildTarget = buildTargetName;
  const args = pexkitTable['smoke'];
  if (args !== undefined) {
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))
      throw new PexkitTableError(
        `${where}: tool.pexkit.smoke must be an array of strings (the PEX's arguments), got ${JSON.stringify(args)}`,
      );
    options.args = [...args];
  }
  return {
    executor: '@pexkit/nx:smoke',
    dependsOn: [buildTargetName],
    cache: false,
    options,
    metadata: {
      technologies: ['python'],
      description:
        'Run the built PEX (--help, or [tool.pexkit] smoke) under every local interpreter it is for, each cold',
      help: { command: 'npx pexkit smoke --help', example: { options: { args: ['--version'] } } },
    },
  };
}
