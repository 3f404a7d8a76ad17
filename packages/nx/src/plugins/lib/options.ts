/** Options of the `@pexkit/nx/plugin` entry in nx.json `plugins`. */
export interface PexkitPluginOptions {
  /** Name of the inferred PEX target, or `false` to infer none. Default `build`. */
  buildTargetName?: string | false;
  /**
   * Name of the inferred pytest target (for projects with a `tests/` or `test/` directory in a
   * uv workspace with a `uv.lock`), or `false` to infer none. Default `test`.
   */
  testTargetName?: string | false;
  /** Where project names come from: `pyproject` (the canonical `[project].name`, default) or `directory` (the folder name). */
  projectNameSource?: 'pyproject' | 'directory';
  /** Infer graph edges from `import` statements (default true). */
  inferImportDependencies?: boolean;
  /** Tags added to every inferred Python project. */
  tags?: string[];
}

export interface NormalizedPluginOptions {
  buildTargetName: string | false;
  testTargetName: string | false;
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
  const buildTargetName = targetName(o.buildTargetName, 'build', 'buildTargetName');
  const testTargetName = targetName(o.testTargetName, 'test', 'testTargetName');
  if (buildTargetName !== false && buildTargetName === testTargetName) {
    throw new PluginOptionsError(
      `@pexkit/nx/plugin: options buildTargetName and testTargetName are both ${JSON.stringify(buildTargetName)}; give them different names or set one to false`,
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
    testTargetName,
    projectNameSource,
    inferImportDependencies: o.inferImportDependencies ?? true,
    tags: [...(o.tags ?? [])],
  };
}

function targetName(
  value: string | false | undefined,
  fallback: string,
  option: string,
): string | false {
  const name = value ?? fallback;
  if (name !== false && (typeof name !== 'string' || name.trim() === '')) {
    throw new PluginOptionsError(
      `@pexkit/nx/plugin: option ${option} must be a non-empty string or false, got ${JSON.stringify(value)}`,
    );
  }
  return name;
}
