/** Options of the `@pexkit/nx/plugin` entry in nx.json `plugins`. */
export interface PexkitPluginOptions {
  /** Name of the inferred PEX target, or `false` to infer none. Default `build`. */
  buildTargetName?: string | false;
  /**
   * Name of the inferred pytest target (for projects with a `tests/` or `test/` directory in a
   * uv workspace with a `uv.lock`), or `false` to infer none. Default `test`.
   */
  testTargetName?: string | false;
  /**
   * Names of the inferred ruff targets (`ruff check`, `ruff format`, `ruff format --check`), for
   * projects whose pyproject.toml or uv root configures ruff or lists it in a dependency group;
   * `false` to infer none. Defaults `lint`, `format`, `format-check`.
   */
  lintTargetName?: string | false;
  formatTargetName?: string | false;
  formatCheckTargetName?: string | false;
  /** Name of the inferred mypy or pyright target, or `false`. Default `typecheck`. */
  typecheckTargetName?: string | false;
  /** Name of the inferred `pexkit inspect` target (beside each build target), or `false`. Default `inspect`. */
  inspectTargetName?: string | false;
  /** Name of the inferred target that runs the built PEX (`pexkit smoke`), or `false`. Default `smoke`. */
  smokeTargetName?: string | false;
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
  lintTargetName: string | false;
  formatTargetName: string | false;
  formatCheckTargetName: string | false;
  typecheckTargetName: string | false;
  inspectTargetName: string | false;
  smokeTargetName: string | false;
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
  const names = {
    buildTargetName,
    testTargetName,
    lintTargetName: targetName(o.lintTargetName, 'lint', 'lintTargetName'),
    formatTargetName: targetName(o.formatTargetName, 'format', 'formatTargetName'),
    formatCheckTargetName: targetName(
      o.formatCheckTargetName,
      'format-check',
      'formatCheckTargetName',
    ),
    typecheckTargetName: targetName(o.typecheckTargetName, 'typecheck', 'typecheckTargetName'),
    inspectTargetName: targetName(o.inspectTargetName, 'inspect', 'inspectTargetName'),
    smokeTargetName: targetName(o.smokeTargetName, 'smoke', 'smokeTargetName'),
  };
  const seen = new Map<string, string>();
  for (const [option, name] of Object.entries(names)) {
    if (name === false) continue;
    const other = seen.get(name);
    if (other !== undefined) {
      throw new PluginOptionsError(
        `@pexkit/nx/plugin: options ${other} and ${option} are both ${JSON.stringify(name)}; give them different names or set one to false`,
      );
    }
    seen.set(name, option);
  }
  const projectNameSource = o.projectNameSource ?? 'pyproject';
  if (projectNameSource !== 'pyproject' && projectNameSource !== 'directory') {
    throw new PluginOptionsError(
      `@pexkit/nx/plugin: option projectNameSource must be 'pyproject' or 'directory', got ${JSON.stringify(projectNameSource)}`,
    );
  }
  return {
    ...names,
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
