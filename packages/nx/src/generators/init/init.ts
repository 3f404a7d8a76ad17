import { formatFiles, logger, type GeneratorCallback, type Tree } from '@nx/devkit';
import type { PexkitPluginOptions } from '../../plugins/lib/options.js';
import { ensurePluginRegistered } from '../../utils/register-plugin.js';
import type { InitGeneratorSchema } from './schema.js';

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
  if (options.skipFormat !== true) await formatFiles(tree);
  return () => undefined;
}

export default initGenerator;
