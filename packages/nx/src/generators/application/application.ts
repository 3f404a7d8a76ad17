import type { GeneratorCallback, Tree } from '@nx/devkit';
import {
  generatePythonProject,
  normalizePythonProject,
  printNextSteps,
} from '../../utils/python-project-generator.js';
import type { ApplicationGeneratorSchema } from './schema.js';

/** `nx g @pexkit/nx:application`: a Python app with a console script, built into a PEX by the inferred target. */
export async function applicationGenerator(
  tree: Tree,
  options: ApplicationGeneratorSchema,
): Promise<GeneratorCallback> {
  const project = normalizePythonProject(tree, options, 'application');
  // Templates ship as src/generators/application/files (the same relative path from src/ and dist/).
  await generatePythonProject(
    tree,
    new URL('../../../src/generators/application/files', import.meta.url),
    project,
    options.skipFormat,
  );
  return () => printNextSteps(project, 'application');
}

export default applicationGenerator;
