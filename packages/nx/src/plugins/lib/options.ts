/** Options of the `@pexkit/nx/plugin` entry in nx.json `plugins`. */
export interface PexkitPluginOptions {
  /** Name of the inferred PEX target, or `false` to infer none. Default `build`. */
  buildTargetName?: string | false;
  /** Where project names come from: `pyproject` (the canonical `[project].name`, default) or `directory` (the folder name). */
  projectNameSource?: 'pyproject' | 'directory';
  /** Infer graph edges from `import` statements (default true). */
  inferImportDependencies?: boolean;
  /** Tags added to every inferred Python project. */
  tags?: string[];
}

export interface NormalizedPluginOptions {
  buildTargetName: string | false;
  projectNameSource: 'pyproject' | 'directory';
  inferImportDependencies: boolean;
  tags: string[];
}

export class PluginOptionsError extends Error {
  override readonly name = 'PluginOptionsError';
}

export function normalizePluginOptions(
  options: PexkitPluginOptions | undefined,
): NormalizedPluginOptions {
  const o = options ?? {};
  const buildTargetName = o.buildTargetName ?? 'build';
  if (
    buildTargetName !== false &&
    (typeof buildTargetName !== 'string' || buildTargetName.trim() === '')
  ) {
    throw new PluginOptionsError(
      `@pexkit/nx/plugin: option buildTargetName must be a non-empty string or false, got ${JSON.stringify(o.buildTargetName)}`,
    );
  }
  const projectNameSource = o.projectNameSource ?? 'pyproject';
  if (projectNameSource !== 'pyproject' && projectNameSource !== 'directory') {
    throw new PluginOptionsError(
      `@pexkit/nx/plugin: option projectNameSource must be 'pyproject' or 'directory', got ${JSON.stringify(projectNameSource)}`,
    );
  }
  return {
    buildTargetName,
    projectNameSource,
    inferImportDependencies: o.inferImportDependencies ?? true,
    tags: [...(o.tags ?? [])],
  };
}
