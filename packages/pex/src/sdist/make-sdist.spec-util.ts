import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, toolsBin } from '../testing/python-tools.js';

/** Builds a real sdist of a tiny setuptools project with uv (tests only). */
export function makeSdist(
  name = 'tiny-sdist',
  version = '0.3',
): { path: string; sha256: string; filename: string; size: number } {
  const dir = mkdtempSync(join(tmpdir(), 'sdist-src-'));
  const module = name.replace(/-/g, '_');
  writeFileSync(
    join(dir, 'pyproject.toml'),
    `[project]\nname = "${name}"\nversion = "${version}"\n\n[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n`,
  );
  mkdirSync(join(dir, module));
  writeFileSync(join(dir, module, '__init__.py'), 'VALUE = 3\n');
  execFileSync(toolsBin('uv'), ['build', '--sdist', '--out-dir', join(dir, 'dist'), dir], {
    env: { ...process.env, UV_CACHE_DIR: join(REPO_ROOT, 'tmp/uv-cache'), UV_NO_PROGRESS: '1' },
    stdio: 'ignore',
  });
  const filename = readdirSync(join(dir, 'dist')).find((f) => f.endsWith('.tar.gz')) as string;
  const path = join(dir, 'dist', filename);
  const bytes = readFileSync(path);
  return {
    path,
    filename,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.length,
  };
}
