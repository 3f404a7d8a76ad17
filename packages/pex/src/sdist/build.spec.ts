import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentTarget } from '../interpreter/current.js';
import { parseTarget } from '../targets/target.js';
import { buildWheelFromSdist, SdistBuildError } from './build.js';
import { makeSdist } from './make-sdist.spec-util.js';

const PY311 = join(process.env['HOME'] ?? '/root', '.pyenv/versions/3.11.7/bin/python3');

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
