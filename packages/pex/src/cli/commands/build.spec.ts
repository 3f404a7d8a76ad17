import { describe, expect, it } from 'vitest';
import { parseBuildArgs } from './build.js';

describe('parseBuildArgs', () => {
  it('maps every option onto buildPex options', () => {
    const { options } = parseBuildArgs([
      '--project',
      'apps/svc',
      '--lock',
      'uv.lock',
      '--target',
      'current',
      '--target',
      'manylinux2014_x86_64-cp-311-cp311',
      '--python',
      'python3.11',
      '--python',
      '/usr/bin/pypy3',
      '-m',
      'svc.main:run',
      '--interpreter-constraint',
      'CPython>=3.9',
      '--python-shebang',
      'python3.11',
      '--layout',
      'packed',
      '-o',
      'out/svc',
      '--index-url',
      'https://pypi.org/simple',
      '--extra-index-url',
      'https://x/simple',
      '--find-links',
      'wheels',
      '--find-links',
      'more',
      '--offline',
      '--no-compress',
      '--inherit-path',
      '--venv',
      '--cache-dir',
      '/tmp/c',
      '--extra',
      'fast',
      '--group',
      'lint',
      '--include-tests',
      '--exclude',
      '*.md',
      '--include',
      'app/tests/fixtures/',
    ]);
    expect(options).toEqual({
      project: 'apps/svc',
      lock: 'uv.lock',
      targets: ['current', 'manylinux2014_x86_64-cp-311-cp311'],
      python: ['python3.11', '/usr/bin/pypy3'],
      entryPoint: 'svc.main:run',
      interpreterConstraints: ['CPython>=3.9'],
      pythonShebang: 'python3.11',
      layout: 'packed',
      output: 'out/svc',
      indexUrl: 'https://pypi.org/simple',
      extraIndexUrls: ['https://x/simple'],
      findLinks: ['wheels', 'more'],
      offline: true,
      compress: false,
      inheritPath: 'prefer',
      venv: true,
      cacheDir: '/tmp/c',
      extras: ['fast'],
      groups: ['lint'],
      includeTests: true,
      excludes: ['*.md'],
      includes: ['app/tests/fixtures/'],
    });
  });

  it('accepts -c, --inherit-path MODE and defaults the project to .', () => {
    expect(parseBuildArgs(['-c', 'hello', '--inherit-path', 'fallback']).options).toEqual({
      project: '.',
      consoleScript: 'hello',
      inheritPath: 'fallback',
    });
  });

  it('rejects bad values naming the option', () => {
    expect(() => parseBuildArgs(['--layout', 'tarball'])).toThrow(
      /--layout must be one of zipapp, packed, loose/,
    );
    expect(() => parseBuildArgs(['--inherit-path=sometimes'])).toThrow(/--inherit-path/);
    expect(() => parseBuildArgs(['--frobnicate'])).toThrow(/frobnicate/);
    expect(() => parseBuildArgs(['--compress', '--no-compress'])).toThrow(/not both/);
  });
});
