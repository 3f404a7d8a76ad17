import { readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import type { PexkitPluginOptions } from '../plugins/lib/options.js';

export const PLUGIN_NAME = '@pexkit/nx/plugin';

/** Adds `@pexkit/nx/plugin` to nx.json `plugins` unless it is there; returns true if it added it. */
export function ensurePluginRegistered(tree: Tree, options: PexkitPluginOptions = {}): boolean {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  const present = plugins.some((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN_NAME);
  if (present) return false;
  const entry =
    Object.keys(options).length > 0
      ? { plugin: PLUGIN_NAME, options }
      : { plugin: PLUGIN_NAME, options: { buildTargetName: 'build' } };
  nxJson.plugins = [...plugins, entry];
  updateNxJson(tree, nxJson);
  return true;
}
