import {
  formatFiles,
  logger,
  readNxJson,
  updateNxJson,
  type GeneratorCallback,
  type Tree,
} from '@nx/devkit';
import { PYTHON_TEST_EXCLUDES } from '../../plugins/lib/infer-projects.js';
import type { PexkitPluginOptions } from '../../plugins/lib/options.js';
import { ensurePluginRegistered } from '../../utils/register-plugin.js';
import type { InitGeneratorSchema } from './schema.js';

/**
 * nx.json `namedInputs.production`: `default` without Python tests, so that editing a library's
 * tests changes no dependent's build hash (`^production`). Added when missing; an existing one
 * gets the Python test patterns it lacks.
 */
export function addProductionNamedInput(tree: Tree): void {
  const nxJson = readNxJson(tree) ?? {};
  const namedInputs = { ...(nxJson.namedInputs ?? {}) };
  namedInputs['default'] ??= ['{projectRoot}/**/*'];
  const production = namedInputs['production'] ?? ['default'];
  const missing = PYTHON_TEST_EXCLUDES.filter((p) => !production.includes(p));
  if (namedInputs['production'] !== undefined && missing.length === 0) return;
  namedInputs['production'] = [...production, ...missing];
  nxJson.namedInputs = namedInputs;
  updateNxJson(tree, nxJson);
}

/** `nx g @pexkit/nx:init` (run by `nx add @pexkit/nx`): registers the inference plugin in nx.json. */
export async function initGenerator(
  tree: Tree,
  options: InitGeneratorSchema,
): Promise<GeneratorCallback> {
  const pluginOptions: PexkitPluginOptions = {
    buildTargetName: options.buildTargetName ?? 'build',
  };
  if (options.inferImportDependencies === false) pluginOptions.inferImportDependencies = false;
  if (!ensurePluginRegistered(tree, pluginOptions))
    logger.info('@pexkit/nx/plugin is already registered in nx.json');
  addProductionNamedInput(tree);
  if (options.skipFormat !== true) await formatFiles(tree);
  return () => undefined;
}

export default initGenerator;
