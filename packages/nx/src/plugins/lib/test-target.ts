import { posix } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import {
  LOCK_SUBSET_FILE,
  SYNC_GENERATOR,
  TEST_GROUPS_FILE,
} from '../../utils/lock-subset-file.js';
import { joinWorkspacePath } from '../../utils/paths.js';

/** The pytest invocation (after `uv run ...`). */
const PYTEST = 'python -m pytest -p no:cacheprovider';

/**
 * A project's own uv environment (`UV_PROJECT_ENVIRONMENT`, its `.venv`), or undefined for the
 * uv workspace's shared one. The test, lint and typecheck targets use the same one, with the same
 * `uv run` flags, so that they never undo each other's `--exact` sync.
 */
export type UvEnvironment = { pythonName: string; groups: string[] } | undefined;

/**
 * `uv run` in the uv workspace's shared environment: `--all-packages` syncs every member and the
 * root's default dependency groups (where the generators put pytest), like `uv run` at a virtual
 * workspace root. Used when a project cannot get an environment of its own. `--locked`: a lock
 * that no longer matches the pyproject.toml files is an error, never silently re-resolved.
 *
 * In an environment of the project's own (`UV_PROJECT_ENVIRONMENT`, its `.venv`, which uv fills
 * from its cache and ignores in git): `--package` installs the project's closure and its own
 * default groups, `--group` the root's default groups, `--exact` removes whatever else is there.
 * A test importing a package that its project does not declare fails. `extraGroups`: non-default
 * groups a tool comes from.
 */
export function uvRunCommand(environment: UvEnvironment, extraGroups: string[] = []): string {
  const extra = extraGroups.map((g) => ` --group ${g}`).join('');
  if (environment === undefined) return `uv run --locked --all-packages${extra}`;
  const groups = environment.groups.map((g) => ` --group ${g}`).join('');
  return `uv run --locked --package ${environment.pythonName}${groups}${extra} --exact`;
}

/** Options of a `uv run` target: the project as cwd, and its own environment if it has one. */
export function uvRunOptions(
  projectDir: string,
  wsDir: string,
  environment: UvEnvironment,
): Record<string, unknown> {
  const options: Record<string, unknown> = { cwd: '{projectRoot}' };
  if (environment !== undefined) {
    // A relative UV_PROJECT_ENVIRONMENT is relative to the uv workspace root.
    const venv = posix.join(posix.relative(`/${wsDir}`, `/${projectDir}`) || '.', '.venv');
    options['env'] = { UV_PROJECT_ENVIRONMENT: venv };
  }
  return options;
}

/** The Python version uv picks (from `UV_PYTHON`, `.python-version` or `requires-python`). */
export function uvPythonInput(wsDir: string): { runtime: string } {
  return { runtime: `uv --directory ${JSON.stringify(wsDir)} python find --show-version` };
}

/**
 * The pytest command in the uv workspace's shared environment. `python -m pytest` rather than
 * `pytest`, so that a lock without pytest fails with "No module named pytest" instead of finding
 * some other pytest on PATH.
 */
export const PYTEST_COMMAND = `${uvRunCommand(undefined)} ${PYTEST}`;

/** The pytest command in an environment of the project's own (see {@link uvRunCommand}). */
export function isolatedPytestCommand(pythonName: string, rootGroups: string[]): string {
  return `${uvRunCommand({ pythonName, groups: rootGroups })} ${PYTEST}`;
}

/**
 * Inputs: the project's files, tests included (its lock-subset file, written by `nx sync`, among
 * them), the uv workspace's test-groups lock subset (what the default dependency groups add), its
 * workspace dependencies' production files, and the Python version that uv picks (from `UV_PYTHON`, `.python-version` or `requires-python`). Neither `uv.lock` nor the uv
 * workspace root pyproject.toml is a file input: either would make every change to it affect
 * every Python project in `nx affected`; what they contribute to this project is in its file.
 */
export function testTarget(
  projectDir: string,
  wsDir: string,
  productionInput: 'production' | 'default',
  isolated: { pythonName: string; groups: string[] } | undefined,
): TargetConfiguration {
  const inputs: TargetConfiguration['inputs'] = [
    'default',
    `{projectRoot}/${LOCK_SUBSET_FILE}`,
    `{workspaceRoot}/${joinWorkspacePath(wsDir, TEST_GROUPS_FILE)}`,
    `^${productionInput}`,
    uvPythonInput(wsDir),
  ];
  const command =
    isolated === undefined
      ? PYTEST_COMMAND
      : isolatedPytestCommand(isolated.pythonName, isolated.groups);
  const options = uvRunOptions(projectDir, wsDir, isolated);
  return {
    command,
    options,
    cache: true,
    inputs,
    outputs: [],
    syncGenerators: [SYNC_GENERATOR],
    metadata: {
      technologies: ['python'],
      description:
        isolated === undefined
          ? 'Run the pytest suite with uv, in the shared environment uv.lock pins'
          : 'Run the pytest suite with uv, in an environment holding only what the project declares (uv.lock pins)',
      help: { command: `${command} --help`, example: { args: ['-k', 'test_name'] } },
    },
  };
}

/**
 * Before `uv lock` there is no environment to test in: rather than Nx's bare "Cannot find
 * configuration for task", `nx test` says what to run first (and fails, uncached).
 */
export function unlockedTestTarget(
  project: string,
  wsDir: string,
  target = 'test',
  description = 'Run the pytest suite with uv (needs uv.lock: run uv lock first)',
  verb = 'test',
): TargetConfiguration {
  const message = `${project}: ${joinWorkspacePath(wsDir, 'uv.lock')} does not exist yet, so there is no environment to ${verb} in: run 'uv lock' in ${wsDir === '.' ? 'the workspace root' : wsDir}, then 'nx sync', then 'nx ${target} ${project}' again`;
  return {
    command: `node -e ${JSON.stringify(`console.error(${JSON.stringify(message)});process.exit(1)`)}`,
    cache: false,
    metadata: {
      technologies: ['python'],
      description,
    },
  };
}
