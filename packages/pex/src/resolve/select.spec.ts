import { describe, expect, it } from 'vitest';
import type { LockArtifact } from '../lock/model.js';
import { parseTarget } from '../targets/target.js';
import {
  NoCompatibleWheelError,
  RequiresPythonError,
  selectArtifact,
  wheelNameParts,
} from './select.js';

const w = (filename: string): LockArtifact => ({
  kind: 'wheel',
  filename,
  url: `https://h/${filename}`,
});

describe('selectArtifact', () => {
  const linux = parseTarget('manylinux2014_x86_64-cp-311-cp311');

  it('prefers the best-ranked tag, then the higher build number', () => {
    const pkg = {
      name: 'demo',
      version: '1.0',
      wheels: [
        w('demo-1.0-py3-none-any.whl'),
        w('demo-1.0-cp311-abi3-manylinux2014_x86_64.whl'),
        w('demo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'),
        w('demo-1.0-cp311-cp311-manylinux_2_28_x86_64.whl'),
      ],
    };
    expect(selectArtifact(pkg, linux)).toMatchObject({
      kind: 'wheel',
      artifact: { filename: 'demo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl' },
    });
    const builds = {
      name: 'demo',
      version: '1.0',
      wheels: [
        w('demo-1.0-1-py3-none-any.whl'),
        w('demo-1.0-2-py3-none-any.whl'),
        w('demo-1.0-py3-none-any.whl'),
      ],
    };
    expect(selectArtifact(builds, linux).artifact.filename).toBe('demo-1.0-2-py3-none-any.whl');
  });

  it('honours requires-python of the package and of index files', () => {
    const pkg = {
      name: 'demo',
      version: '1.0',
      wheels: [w('demo-1.0-py3-none-any.whl')],
      requiresPython: '>=3.12',
    };
    expect(() => selectArtifact(pkg, linux)).toThrow(RequiresPythonError);
    expect(() => selectArtifact(pkg, linux)).toThrow(
      /demo 1\.0 requires Python >=3\.12, but target manylinux2014_x86_64-cp-311-cp311 has Python 3\.11/,
    );
    const files = [
      { ...w('demo-1.0-cp311-cp311-manylinux2014_x86_64.whl'), requiresPython: '>=3.12' },
      w('demo-1.0-py3-none-any.whl'),
    ];
    expect(
      selectArtifact({ name: 'demo', version: '1.0', wheels: [] }, linux, files).artifact.filename,
    ).toBe('demo-1.0-py3-none-any.whl');
  });

  it('falls back to the sdist, else names package, version, target and the existing tags', () => {
    const wheels = [
      w('numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl'),
      w('numpy-2.4.6-cp311-cp311-win_amd64.whl'),
    ];
    const sdist: LockArtifact = {
      kind: 'sdist',
      filename: 'numpy-2.4.6.tar.gz',
      url: 'https://h/numpy-2.4.6.tar.gz',
    };
    expect(selectArtifact({ name: 'numpy', version: '2.4.6', wheels, sdist }, linux).kind).toBe(
      'sdist',
    );
    let error: unknown;
    try {
      selectArtifact({ name: 'numpy', version: '2.4.6', wheels }, linux);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NoCompatibleWheelError);
    expect((error as Error).message).toBe(
      'No wheel of numpy 2.4.6 fits target manylinux2014_x86_64-cp-311-cp311:\n' +
        '  numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl: needs glibc 2.27, target has 2.17\n' +
        '  numpy-2.4.6-cp311-cp311-win_amd64.whl: for Windows (win_amd64)\n' +
        'Pick another target, pin a version with wheels for it, or build on a matching machine.',
    );
  });

  it('splits wheel names', () => {
    expect(wheelNameParts('a_b-1.0-7x-py2.py3-none-any.whl')).toEqual({
      name: 'a_b',
      version: '1.0',
      build: [7n, 'x'],
      tag: 'py2.py3-none-any',
    });
    expect(wheelNameParts('a-1.0.tar.gz')).toBeUndefined();
    expect(wheelNameParts('a-1.0-x-py3-none-any.whl')).toBeUndefined();
  });
});
