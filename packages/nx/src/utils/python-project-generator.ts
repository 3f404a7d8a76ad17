import { fileURLToPath } from 'node:url';
import { formatFiles, generateFiles, joinPathFragments, logger, type Tree } from '@nx/devkit';
import { addWorkspaceMember } from './toml-edit.js';
import { ensurePluginRegistered } from './register-plugin.js';
import {
  addDevTools,
  normalizeLinter,
  normalizeTypeChecker,
  rootConfiguresRuff,
  type Linter,
  type TypeChecker,
} from './quality-tools-generator.js';

/** Options shared by the application and library generators. */
export interface PythonProjectGeneratorSchema {
  name: string;
  directory?: string;
  description?: string;
  requiresPython?: string;
  tags?: string;
  /** `ruff` (default): ruff in the root's dev group and a `[tool.ruff]` section. */
  linter?: Linter;
  /** `mypy` or `pyright`: the type checker in the root's dev group and its section; default none. */
  typeChecker?: TypeChecker;
  skipFormat?: boolean;
}

export interface NormalizedPythonProject {
  /** Python project name as given (valid PEP 508 name). */
  name: string;
  /** Canonical name. */
  canonicalName: string;
  /** Import package name (`my-app` → `my_app`). */
  moduleName: string;
  /** Workspace-relative directory. */
  directory: string;
  description: string;
  requiresPython: string;
  linter: Linter;
  typeChecker: TypeChecker;
}

const NAME_RE = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

export class GeneratorOptionsError extends Error {
  override readonly name = 'GeneratorOptionsError';
}

export function normalizePythonProject(
  tree: Tree,
  options: PythonProjectGeneratorSchema,
  kind: string,
): NormalizedPythonProject {
  if (typeof options.name !== 'string' || !NAME_RE.test(options.name)) {
    throw new GeneratorOptionsError(
      `@pexkit/nx:${kind}: --name must be a valid Python project name (letters, digits, '-', '_', '.'), got ${JSON.stringify(options.name)}`,
    );
  }
  const canonicalName = options.name.replace(/[-_.]+/g, '-').toLowerCase();
  const moduleName = canonicalName.replace(/-/g, '_');
  if (/^\d/.test(moduleName)) {
    throw new GeneratorOptionsError(
      `@pexkit/nx:${kind}: --name ${options.name} would give the import package '${moduleName}', which cannot start with a digit`,
    );
  }
  const directory = joinPathFragments(options.directory ?? canonicalName)
    .replace(/^\.\/?/, '')
    .replace(/\/+$/, '');
  if (directory === '' || directory.startsWith('..')) {
    throw new GeneratorOptionsError(
      `@pexkit/nx:${kind}: --directory must be inside the workspace, got ${JSON.stringify(options.directory)}`,
    );
  }
  if (tree.exists(joinPathFragments(directory, 'pyproject.toml'))) {
    throw new GeneratorOptionsError(
      `@pexkit/nx:${kind}: ${directory}/pyproject.toml already exists`,
    );
  }
  return {
    name: options.name,
    canonicalName,
    moduleName,
    directory,
    description: options.description ?? `The ${options.name} ${kind}`,
    requiresPython: options.requiresPython ?? '>=3.9',
    linter: normalizeLinter(options.linter, kind),
    typeChecker: normalizeTypeChecker(options.typeChecker, kind),
  };
}

/** Writes a Python project from `files/` templates, joins it to the uv workspace, formats. */
export async function generatePythonProject(
  tree: Tree,
  templatesOf: URL,
  project: NormalizedPythonProject,
  skipFormat: boolean | undefined,
): Promise<void> {
  ensurePluginRegistered(tree);
  const root = tree.exists('pyproject.toml')
    ? (tree.read('pyproject.toml', 'utf-8') ?? undefined)
    : undefined;
  let rootText = addWorkspaceMember(root, project.directory);
  const tools = [
    ...(project.linter === 'ruff' ? (['ruff'] as const) : []),
    ...(project.typeChecker !== 'none' ? [project.typeChecker] : []),
  ];
  rootText = addDevTools(rootText, tools);
  generateFiles(tree, fileURLToPath(templatesOf), project.directory, {
    ...project,
    tmpl: '',
    // A project section only when the uv root does not configure ruff for every member already.
    ruffSection: project.linter === 'ruff' && !rootConfiguresRuff(tree, rootText),
    // TOML basic strings share JSON's escapes for what a name or description can hold.
    q: (value: string) => JSON.stringify(value),
    docstring: (value: string) => value.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"'),
  });
  tree.write('pyproject.toml', rootText);
  addGitignoreEntries(tree);
  if (skipFormat !== true) await formatFiles(tree);
}

const GITIGNORE = [
  '.venv/',
  '__pycache__/',
  '*.py[cod]',
  '.pytest_cache/',
  '.ruff_cache/',
  '.mypy_cache/',
];

function addGitignoreEntries(tree: Tree): void {
  const text = tree.exists('.gitignore') ? (tree.read('.gitignore', 'utf-8') ?? '') : '';
  const have = new Set(text.split(/\r?\n/).map((l) => l.trim()));
  const missing = GITIGNORE.filter((e) => !have.has(e));
  if (missing.length === 0) return;
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  tree.write(
    '.gitignore',
    `${text}${sep}${text === '' ? '' : '\n'}# Python (pexkit)\n${missing.join('\n')}\n`,
  );
}

/** What to run after generating a project: the lock, the lock subsets, a dependency, the targets. */
export function nextStepsText(
  project: NormalizedPythonProject,
  kind: 'application' | 'library',
): string {
  const name = project.canonicalName;
  const steps: Array<[string, string]> = [
    ['uv lock', "lock the uv workspace (writes uv.lock; 'nx test' needs it)"],
    ['nx sync', `write ${project.directory}/pexkit.lock-subset (commit it with uv.lock)`],
  ];
  if (kind === 'library') {
    steps.push([
      `uv add --package <app> ${name}`,
      'make an application depend on it (a workspace source), then nx sync',
    ]);
  } else {
    steps.push(
      [`uv add --package ${name} <library>`, 'depend on a workspace library or PyPI package'],
      [`nx build ${name}`, `build dist/${project.directory}/${name}.pex`],
    );
  }
  steps.push([`nx test ${name}`, 'run its pytest suite through uv']);
  if (project.linter === 'ruff')
    steps.push([
      `nx run-many -t lint format-check -p ${name}`,
      'ruff check and ruff format --check',
    ]);
  if (project.typeChecker !== 'none')
    steps.push([`nx typecheck ${name}`, `${project.typeChecker}, in the environment of its tests`]);
  const width = Math.max(...steps.map(([command]) => command.length)) + 2;
  return [
    `Next steps for ${name}:`,
    ...steps.map(([command, why]) => `  ${command.padEnd(width)}# ${why}`),
  ].join('\n');
}

export function printNextSteps(
  project: NormalizedPythonProject,
  kind: 'application' | 'library',
): void {
  logger.info(nextStepsText(project, kind));
}
