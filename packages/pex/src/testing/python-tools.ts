import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (tests only run from a checkout). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * Path of the Python in `<repo>/.venv-tools`, which holds the pinned reference tools
 * (packaging, pex, shiv, uv, pytest from tools/requirements-tools.txt). Creates it on first use.
 */
export function toolsPython(): string {
  execFileSync('bash', [join(REPO_ROOT, 'tools/setup-python-tools.sh')], { stdio: 'inherit' });
  return join(REPO_ROOT, '.venv-tools/bin/python');
}

/** Path of a console script installed in `.venv-tools` (`pex`, `shiv`, `uv`, `pytest`). */
export function toolsBin(name: string): string {
  toolsPython();
  const bin = join(REPO_ROOT, '.venv-tools/bin', name);
  if (!existsSync(bin)) throw new Error(`${name} is not installed in .venv-tools`);
  return bin;
}
