import type { TargetConfiguration } from '@nx/devkit';
import {
  LOCK_SUBSET_FILE,
  SYNC_GENERATOR,
  TEST_GROUPS_FILE,
} from '../../utils/lock-subset-file.js';
import { joinWorkspacePath } from '../../utils/paths.js';

/**
 * The inferred pytest target: the project's tests, run through uv in the environment that the
 * workspace's `uv.lock` pins (`--locked`: a lock that no longer matches the pyproject.toml files
 * is an error, never silently re-resolved). `--all-packages` syncs every workspace member and the
 * root's default dependency groups (where the generators put pytest), like `uv run` at a virtual
 * workspace root. `python -m pytest` rather than `pytest`, so that a lock without pytest fails
 * with "No module named pytest" instead of finding some other pytest on PATH.
 */
export const PYTEST_COMMAND = 'uv run --locked --all-packages python -m pytest -p no:cacheprovider';

/**
 * Inputs: the project's files, tests included (its lock-subset file, written by `nx sync`, among
 * them), the uv workspace's test-groups lock subset (what the default dependency groups add), its
 * workspace dependencies' production files, and the Python version that uv picks (from `UV_PYTHON`, `.python-version` or `requires-python`). Neither `uv.lock` nor the uv
 * workspace root pyproject.toml is a file input: either would make every change to it affect
 * every Python project in `nx affected`; what they contribute to this project is in its file.
 */
export function testTarget(
  wsDir: string,
  productionInput: 'production' | 'default',
): TargetConfiguration {
  const inputs: TargetConfiguration['inputs'] = [
    'default',
    `{projectRoot}/${LOCK_SUBSET_FILE}`,
    `{workspaceRoot}/${joinWorkspacePath(wsDir, TEST_GROUPS_FILE)}`,
    `^${productionInput}`,
    { runtime: `uv --directory ${JSON.stringify(wsDir)} python find --show-version` },
  ];
  return {
    command: PYTEST_COMMAND,
    options: { cwd: '{projectRoot}' },
    cache: true,
    inputs,
    outputs: [],
    syncGenerators: [SYNC_GENERATOR],
    metadata: {
      technologies: ['python'],
      description: 'Run the pytest suite with uv, in the environment uv.lock pins',
      help: { command: `${PYTEST_COMMAND} --help`, example: { args: ['-k', 'test_name'] } },
    },
  };
}

/**
 * Before `uv lock` there is no environment to test in: rather than Nx's bare "Cannot find
 * configuration for task", `nx test` says what to run first (and fails, uncached).
 */
export function unlockedTestTarget(project: string, wsDir: string): TargetConfiguration {
  const message = `${project}: ${joinWorkspacePath(wsDir, 'uv.lock')} does not exist yet, so there is no environment to test in: run 'uv lock' in ${wsDir === '.' ? 'the workspace root' : wsDir}, then 'nx sync', then 'nx test ${project}' again`;
  return {
    command: `node -e ${JSON.stringify(`console.error(${JSON.stringify(message)});process.exit(1)`)}`,
    cache: false,
    metadata: {
      technologies: ['python'],
      description: 'Run the pytest suite with uv (needs uv.lock: run uv lock first)',
    },
  };
}
