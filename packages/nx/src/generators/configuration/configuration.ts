import {
  formatFiles,
  joinPathFragments,
  visitNotIgnoredFiles,
  type GeneratorCallback,
  type Tree,
} from '@nx/devkit';
import { parse } from 'smol-toml';
import { setTableKeys, type TomlValue } from '../../utils/toml-edit.js';
import { GeneratorOptionsError } from '../../utils/python-project-generator.js';
import { ensurePluginRegistered } from '../../utils/register-plugin.js';
import type { ConfigurationGeneratorSchema } from './schema.js';

function canonical(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

function projectNameOf(tree: Tree, file: string): string | undefined {
  try {
    const doc = parse(tree.read(file, 'utf-8') ?? '') as { project?: { name?: unknown } };
    return typeof doc.project?.name === 'string' ? doc.project.name : undefined;
  } catch {
    return undefined;
  }
}

/** Finds the pyproject.toml of a project given by directory or by `[project].name`. */
export function findPyproject(tree: Tree, project: string): string {
  const direct = joinPathFragments(project, 'pyproject.toml');
  if (tree.exists(direct)) return direct;
  const wanted = canonical(project);
  const matches: string[] = [];
  visitNotIgnoredFiles(tree, '.', (file) => {
    if (!file.endsWith('pyproject.toml') || file.includes('node_modules/')) return;
    const name = projectNameOf(tree, file);
    if (name !== undefined && canonical(name) === wanted) matches.push(file);
  });
  if (matches.length === 1 && matches[0] !== undefined) return matches[0];
  if (matches.length > 1)
    throw new GeneratorOptionsError(
      `@pexkit/nx:configuration: several pyproject.toml files name project '${project}': ${matches.join(', ')}; pass the directory instead`,
    );
  throw new GeneratorOptionsError(
    `@pexkit/nx:configuration: no Python project '${project}' (no ${direct}, and no pyproject.toml with that [project].name)`,
  );
}

/** `nx g @pexkit/nx:configuration`: gives an existing Python project a PEX target via `[tool.pexkit]`. */
export async function configurationGenerator(
  tree: Tree,
  options: ConfigurationGeneratorSchema,
): Promise<GeneratorCallback> {
  const file = findPyproject(tree, options.project);
  const text = tree.read(file, 'utf-8') ?? '';
  const doc = parse(text) as { project?: { scripts?: Record<string, string> } };
  if (doc.project === undefined)
    throw new GeneratorOptionsError(`@pexkit/nx:configuration: ${file} has no [project] table`);
  if (options.entryPoint !== undefined && options.consoleScript !== undefined) {
    throw new GeneratorOptionsError(
      '@pexkit/nx:configuration: give --entryPoint or --consoleScript, not both',
    );
  }
  const entries: Record<string, TomlValue> = {};
  if (options.entryPoint !== undefined) {
    if (!/^[A-Za-z_][\w.]*(:[A-Za-z_][\w.]*)?$/.test(options.entryPoint)) {
      throw new GeneratorOptionsError(
        `@pexkit/nx:configuration: --entryPoint must be 'module' or 'module:function', got ${JSON.stringify(options.entryPoint)}`,
      );
    }
    entries['entry-point'] = options.entryPoint;
  } else if (options.consoleScript !== undefined) {
    entries['console-script'] = options.consoleScript;
  } else if (Object.keys(doc.project.scripts ?? {}).length === 0) {
    throw new GeneratorOptionsError(
      `@pexkit/nx:configuration: ${file} has no [project.scripts]; give --entryPoint (module or module:function)`,
    );
  }
  if (options.targets !== undefined) {
    entries['targets'] = options.targets
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
  }
  ensurePluginRegistered(tree);
  tree.write(file, setTableKeys(text, 'tool.pexkit', entries));
  if (options.skipFormat !== true) await formatFiles(tree);
  return () => undefined;
}

export default configurationGenerator;
