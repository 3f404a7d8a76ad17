import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentTarget } from '../interpreter/current.js';
import { parseTarget } from '../targets/target.js';
import { REPO_ROOT, toolsBin } from '../testing/python-tools.js';
import { buildWheelFromSdist, SdistBuildError } from './build.js';

const PY311 = join(process.env['HOME'] ?? '/root', '.pyenv/versions/3.11.7/bin/python3');

function makeSdist(): { path: string; sha256: string; filename: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sdist-src-'));
  writeFileSync(
    join(dir, 'pyproject.toml'),
    '[project]\nname = "tiny-sdist"\nversion = "0.3"\n\n[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n',
  );
  mkdirSync(join(dir, 'tiny_sdist'));
  writeFileSync(join(dir, 'tiny_sdist', '__init__.py'), 'VALUE = 3\n');
  execFileSync(toolsBin('uv'), ['build', '--sdist', '--out-dir', join(dir, 'dist'), dir], {
    env: { ...process.env, UV_CACHE_DIR: join(REPO_ROOT, 'tmp/uv-cache'), UV_NO_PROGRESS: '1' },
    stdio: 'ignore',
  });
  const filename = readdirSync(join(dir, 'dist')).find((f) => f.endsWith('.tar.gz')) as string;
  const path = join(dir, 'dist', filename);
  return { path, filename, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') };
}

describe('buildWheelFromSdist', () => {
  it('builds with a local interpreter serving the target, caches by sdist hash, refuses foreign targets', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'sdist-cache-'));
    const sdist = makeSdist();
    const current = await currentTarget({ python: PY311, cacheDir });
    const started = Date.now();
    const built = await buildWheelFromSdist({ sdist, project: 'tiny-sdist', version: '0.3', target: current, python: PY311, cacheDir });
    const firstMs = Date.now() - started;
    expect(built.filename).toBe('tiny_sdist-0.3-py3-none-any.whl');
    expect(built.path.startsWith(join(cacheDir, 'built-wheels', sdist.sha256))).toBe(true);
    expect(built.sha256).toMatch(/^[0-9a-f]{64}$/);
    const t1 = Date.now();
    const again = await buildWheelFromSdist({ sdist, project: 'tiny-sdist', version: '0.3', target: current, python: PY311, cacheDir });
    expect(again).toEqual(built);
    expect(Date.now() - t1).toBeLessThan(Math.max(500, firstMs / 4));
    // An abbreviated Linux target matching a local pyenv interpreter is served too.
    const linux = await buildWheelFromSdist({ sdist, project: 'tiny-sdist', version: '0.3', target: parseTarget('manylinux2014_x86_64-cp-311-cp311'), cacheDir });
    expect(linux.filename).toBe(built.filename);
    await expect(
      buildWheelFromSdist({ sdist, project: 'tiny-sdist', version: '0.3', target: parseTarget('win_amd64-cp-311-cp311'), cacheDir }),
    ).rejects.toThrow(SdistBuildError);
    await expect(
      buildWheelFromSdist({ sdist, project: 'tiny-sdist', version: '0.3', target: parseTarget('musllinux_1_2_x86_64-cp-311-cp311'), cacheDir }),
    ).rejects.toThrow(/tiny-sdist 0\.3 has no wheel for target musllinux_1_2_x86_64-cp-311-cp311, only the sdist tiny_sdist-0\.3\.tar\.gz, and no local interpreter matches/);
  }, 180_000);
});
