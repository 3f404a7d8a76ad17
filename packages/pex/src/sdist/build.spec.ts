import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentTarget } from '../interpreter/current.js';
import { parseTarget } from '../targets/target.js';
import { buildWheelFromSdist, SdistBuildError, targetLibc } from './build.js';
import { makeSdist } from './make-sdist.spec-util.js';

const PY311 = join(process.env['HOME'] ?? '/root', '.pyenv/versions/3.11.7/bin/python3');

describe('targetLibc', () => {
  it('reads the newest C library a Linux target promises', () => {
    expect(targetLibc(parseTarget('manylinux2014_x86_64-cp-311-cp311').platforms)).toEqual({
      kind: 'glibc',
      version: [2, 17],
    });
    expect(targetLibc(parseTarget('manylinux_2_28_aarch64-cp-312-cp312').platforms)).toEqual({
      kind: 'glibc',
      version: [2, 28],
    });
    expect(targetLibc(parseTarget('musllinux_1_2_x86_64-cp-313-cp313').platforms)).toEqual({
      kind: 'musl',
      version: [1, 2],
    });
    expect(targetLibc(parseTarget('win_amd64-cp-311-cp311').platforms)).toBeUndefined();
  });
});

describe('buildWheelFromSdist', () => {
  it('builds with a local interpreter serving the target, caches by sdist hash, refuses foreign targets', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'sdist-cache-'));
    const sdist = makeSdist();
    const current = await currentTarget({ python: PY311, cacheDir });
    const started = Date.now();
    const built = await buildWheelFromSdist({
      sdist,
      project: 'tiny-sdist',
      version: '0.3',
      target: current,
      python: PY311,
      cacheDir,
    });
    const firstMs = Date.now() - started;
    expect(built.filename).toBe('tiny_sdist-0.3-py3-none-any.whl');
    expect(built.path.startsWith(join(cacheDir, 'built-wheels', sdist.sha256))).toBe(true);
    expect(built.sha256).toMatch(/^[0-9a-f]{64}$/);
    const t1 = Date.now();
    const again = await buildWheelFromSdist({
      sdist,
      project: 'tiny-sdist',
      version: '0.3',
      target: current,
      python: PY311,
      cacheDir,
    });
    expect(again).toEqual(built);
    expect(Date.now() - t1).toBeLessThan(Math.max(500, firstMs / 4));
    // An abbreviated Linux target that a local interpreter can serve (its glibc is no newer
    // than the target's) is built for too; an older-glibc target is not.
    const linux = await buildWheelFromSdist({
      sdist,
      project: 'tiny-sdist',
      version: '0.3',
      target: parseTarget('manylinux_2_39_x86_64-cp-311-cp311'),
      cacheDir,
    });
    expect(linux.filename).toBe(built.filename);
    await expect(
      buildWheelFromSdist({
        sdist,
        project: 'tiny-sdist',
        version: '0.3',
        target: parseTarget('manylinux2014_x86_64-cp-311-cp311'),
        cacheDir,
      }),
    ).rejects.toThrow(/no local interpreter matches/);
    await expect(
      buildWheelFromSdist({
        sdist,
        project: 'tiny-sdist',
        version: '0.3',
        target: parseTarget('win_amd64-cp-311-cp311'),
        cacheDir,
      }),
    ).rejects.toThrow(SdistBuildError);
    await expect(
      buildWheelFromSdist({
        sdist,
        project: 'tiny-sdist',
        version: '0.3',
        target: parseTarget('musllinux_1_2_x86_64-cp-311-cp311'),
        cacheDir,
      }),
    ).rejects.toThrow(
      /tiny-sdist 0\.3 has no wheel for target musllinux_1_2_x86_64-cp-311-cp311, only the sdist tiny_sdist-0\.3\.tar\.gz, and no local interpreter matches/,
    );
  }, 180_000);
});
