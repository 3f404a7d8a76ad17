import type { GeneratorCallback, Tree } from '@nx/devkit';
import {
  generatePythonProject,
  normalizePythonProject,
  printNextSteps,
} from '../../utils/python-project-generator.js';
import type { LibraryGeneratorSchema } from './schema.js';

/** `nx g @pexkit/nx:library`: a Python library other workspace projects can depend on. */
export async function libraryGenerator(
  tree: Tree,
  options: LibraryGeneratorSchema,
): Promise<GeneratorCallback> {
  const project = normalizePythonProject(tree, options, 'library');
  await generatePythonProject(
    tree,
    new URL('../../../src/generators/library/files', import.meta.url),
    project,
    options.skipFormat,
  );
  return () => printNextSteps(project, 'library');
}

export default libraryGenerator;
