/** Test support: real wheels from PyPI, downloaded once into a shared test cache. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../testing/python-tools.js';

export const TEST_WHEEL_CACHE = join(homedir(), '.cache', 'pexkit-test-wheels');

/**
 * Path of the wheel for `requirement` (`name==version`, pinned) for CPython `python`
 * (e.g. '311'; 'pure' for a py3-none-any wheel), downloaded with the tools venv's pip on first use.
 */
export function downloadWheel(requirement: string, python = '311'): string {
  const [name, version] = requirement.split('==');
  const dir = join(TEST_WHEEL_CACHE, python === 'pure' ? 'pure' : `cp${python}`);
  mkdirSync(dir, { recursive: true });
  const prefix = `${name.replace(/[-_.]+/g, '_').toLowerCase()}-${version}-`;
  const find = () =>
    readdirSync(dir).find((f) => f.toLowerCase().startsWith(prefix) && f.endsWith('.whl'));
  const found = find();
  if (found !== undefined) return join(dir, found);
  const tmp = mkdtempSync(join(dir, '.download-'));
  try {
    const pip = join(REPO_ROOT, '.venv-tools/bin/pip');
    if (!existsSync(pip))
      throw new Error('run tools/setup-python-tools.sh first (.venv-tools/bin/pip is missing)');
    execFileSync(
      pip,
      [
        'download',
        '--quiet',
        '--only-binary=:all:',
        '--no-deps',
        ...(python === 'pure'
          ? [
              '--platform',
              'any',
              '--implementation',
              'py',
              '--abi',
              'none',
              '--python-version',
              '3.8',
            ]
          : ['--python-version', python]),
        '--dest',
        tmp,
        requirement,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    for (const f of readdirSync(tmp)) renameSync(join(tmp, f), join(dir, f));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const got = find();
  if (got === undefined) throw new Error(`pip did not download a wheel for ${requirement}`);
  return join(dir, got);
}
