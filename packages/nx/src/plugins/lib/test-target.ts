import type { TargetConfiguration } from '@nx/devkit';
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
 * Inputs: the project's files, tests included, its workspace dependencies' production files, the
 * uv workspace root pyproject.toml, and the Python version that uv picks there (from `UV_PYTHON`,
 * `.python-version` or `requires-python`). The lock enters as `lockSubsetHash` (an env value, so
 * part of the hashed configuration): the subset of the lock that the project's closure and the
 * default dependency groups (root and own) reach. Listing `uv.lock` itself as an input would make
 * every lock change touch every Python project in `nx affected`.
 */
export function testTarget(
  projectDir: string,
  wsDir: string,
  productionInput: 'production' | 'default',
  lockSubsetHash: string,
): TargetConfiguration {
  const inputs: TargetConfiguration['inputs'] = ['default', `^${productionInput}`];
  if (wsDir !== projectDir) {
    inputs.push(`{workspaceRoot}/${joinWorkspacePath(wsDir, 'pyproject.toml')}`);
  }
  inputs.push({
    runtime: `uv --directory ${JSON.stringify(wsDir)} python find --show-version`,
  });
  return {
    command: PYTEST_COMMAND,
    options: { cwd: '{projectRoot}', env: { PEXKIT_LOCK_SUBSET_HASH: lockSubsetHash } },
    cache: true,
    inputs,
    outputs: [],
    metadata: {
      technologies: ['python'],
      description: 'Run the pytest suite with uv, in the environment uv.lock pins',
      help: { command: `${PYTEST_COMMAND} --help`, example: { args: ['-k', 'test_name'] } },
    },
  };
}
