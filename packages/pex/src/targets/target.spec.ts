import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidTarget, parseTarget } from './target.js';

describe('parseTarget', () => {
  it('parses the abbreviated pex form', () => {
    const target = parseTarget('manylinux2014_x86_64-cp-311-cp311');
    expect(target).toMatchObject({
      source: 'manylinux2014_x86_64-cp-311-cp311',
      implementation: 'cp',
      pythonVersion: [3, 11],
      abis: ['cp311'],
    });
    expect(target.platforms.slice(0, 3)).toEqual([
      'linux_x86_64',
      'manylinux_2_17_x86_64',
      'manylinux2014_x86_64',
    ]);
  });

  it('accepts dotted versions, dashed/dotted platforms and ABI flags', () => {
    expect(parseTarget('macosx_11_0_arm64-cp-3.12-cp312').pythonVersion).toEqual([3, 12]);
    expect(parseTarget('macosx-10.13-x86_64-cp-36-cp36m').platforms[0]).toBe('macosx_10_13_x86_64');
    expect(parseTarget('linux-x86_64-cp-37-m').abis).toEqual(['cp37m']);
    expect(parseTarget('manylinux2014_x86_64-cp-311-d').abis).toEqual(['cp311d', 'cp311']);
    expect(parseTarget('manylinux2014_x86_64-cp-311-cp311d').abis).toEqual(['cp311d', 'cp311']);
    expect(parseTarget('win_amd64-cp-310-abi3').abis).toEqual(['abi3']);
    expect(parseTarget('win_amd64-cp-310-none').abis).toEqual(['none']);
    expect(parseTarget('musllinux_1_2_aarch64-cp-313-cp313').platforms).toEqual([
      'linux_aarch64',
      'musllinux_1_2_aarch64',
      'musllinux_1_1_aarch64',
      'musllinux_1_0_aarch64',
    ]);
    expect(parseTarget('manylinux_2_28_x86_64-pp-310-pypy310_pp73')).toMatchObject({
      implementation: 'pp',
      abis: ['pypy310_pp73'],
    });
  });

  it('derives the knowable markers and lists the rest as unknown', () => {
    const linux = parseTarget('manylinux_2_28_aarch64-cp-3.12-cp312');
    expect(linux.markerEnvironment).toEqual({
      os_name: 'posix',
      sys_platform: 'linux',
      platform_system: 'Linux',
      platform_machine: 'aarch64',
      python_version: '3.12',
      implementation_name: 'cpython',
      platform_python_implementation: 'CPython',
    });
    expect(linux.unknownMarkers).toEqual([
      'implementation_version',
      'platform_release',
      'platform_version',
      'python_full_version',
    ]);
    const full = parseTarget('win_amd64-cp-3.11.4-cp311');
    expect(full.markerEnvironment).toMatchObject({
      python_full_version: '3.11.4',
      implementation_version: '3.11.4',
      os_name: 'nt',
      sys_platform: 'win32',
      platform_system: 'Windows',
      platform_machine: 'AMD64',
    });
    expect(parseTarget('win_arm64-cp-311-cp311').markerEnvironment.platform_machine).toBe('ARM64');
    expect(parseTarget('win32-cp-311-cp311').unknownMarkers).toContain('platform_machine');
    const mac = parseTarget('macosx_11_0_universal2-cp-312-cp312');
    expect(mac.markerEnvironment.sys_platform).toBe('darwin');
    expect(mac.unknownMarkers).toContain('platform_machine');
    const pypy = parseTarget('macosx_14_0_arm64-pp-3.10.14-pypy310_pp73');
    expect(pypy.markerEnvironment).toMatchObject({
      implementation_name: 'pypy',
      platform_python_implementation: 'PyPy',
      python_full_version: '3.10.14',
      platform_machine: 'arm64',
    });
    expect(pypy.unknownMarkers).toContain('implementation_version');
    expect(parseTarget('linux_x86_64-cp-27-cp27mu').markerEnvironment).toMatchObject({
      sys_platform: 'linux2',
      implementation_name: '',
      implementation_version: '0',
    });
  });

  it.each([
    ['manylinux2014_x86_64-cp-311', '3 dash-separated field(s), not 4'],
    ['manylinux2014_x86_64-jy-311-cp311', 'must be cp (CPython) or pp (PyPy)'],
    ['manylinux2014_x86_64-cp-3-cp311', 'must be 2+ digits'],
    ['manylinux2014_x86_64-cp-3.x-cp311', 'must be 2+ digits'],
    ['manylinux2014_x86_64-cp--cp311', 'blank'],
    ['-cp-311-cp311', 'blank'],
    ['manylinux2014_x86_64-cp-311-pypy73', 'not a CPython ABI'],
    ['manylinux_3_0_x86_64-cp-311-cp311', 'unknown glibc 3.0'],
    ['macosx_9_0_x86_64-cp-311-cp311', 'unsupported macOS 9.0'],
    ['macosx_arm64-cp-311-cp311', 'macosx_<major>_<minor>_<arch>'],
    ['many linux-cp-311-cp311', 'not a platform tag'],
  ])('rejects %j (%s)', (text, reason) => {
    expect(() => parseTarget(text)).toThrow(InvalidTarget);
    expect(() => parseTarget(text)).toThrow(reason);
    expect(() => parseTarget(text)).toThrow(JSON.stringify(text));
  });

  it('parses or throws InvalidTarget for random and mutated strings, fast on 10 KB', () => {
    const seeds = [
      'manylinux2014_x86_64-cp-311-cp311',
      'macosx_11_0_arm64-cp-3.12-cp312',
      'win_amd64-pp-310-pypy310_pp73',
    ];
    const mutated = fc
      .tuple(fc.constantFrom(...seeds), fc.nat(40), fc.string({ maxLength: 5 }))
      .map(([seed, at, insert]) => seed.slice(0, at) + insert + seed.slice(at + insert.length));
    const long = fc.string({
      unit: fc.constantFrom('a', '1', '_', '-', '.', 'x'),
      minLength: 9000,
      maxLength: 10_000,
    });
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutated, long), (text) => {
        try {
          parseTarget(text);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidTarget);
        }
      }),
      { numRuns: 400 },
    );
    const started = Date.now();
    for (const text of [
      `manylinux_2_${'9'.repeat(9000)}_x86_64-cp-311-cp311`,
      `${'-'.repeat(10_000)}`,
      `a${'.1'.repeat(5000)}-cp-311-cp311`,
    ]) {
      try {
        parseTarget(text);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidTarget);
      }
    }
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
