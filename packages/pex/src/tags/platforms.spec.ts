import { describe, expect, it } from 'vitest';
import { macBinaryFormats, macPlatforms, parseMacosPlatform } from './macos.js';
import { manylinuxPlatforms, parseManylinuxPlatform } from './manylinux.js';
import { musllinuxPlatforms, parseMusllinuxPlatform } from './musllinux.js';
import { expandPlatform } from './platforms.js';

describe('manylinux', () => {
  it('reads PEP 600 tags and the legacy aliases', () => {
    expect(parseManylinuxPlatform('manylinux_2_28_aarch64')).toEqual({
      glibc: [2, 28],
      arch: 'aarch64',
    });
    expect(parseManylinuxPlatform('manylinux2014_x86_64')).toEqual({
      glibc: [2, 17],
      arch: 'x86_64',
    });
    expect(parseManylinuxPlatform('manylinux2010_i686')).toEqual({ glibc: [2, 12], arch: 'i686' });
    expect(parseManylinuxPlatform('manylinux1_x86_64')).toEqual({ glibc: [2, 5], arch: 'x86_64' });
    expect(parseManylinuxPlatform('musllinux_1_2_x86_64')).toBeUndefined();
  });

  it('counts down to 2.5 on x86_64 with each alias right after its PEP 600 twin', () => {
    const tags = manylinuxPlatforms(['x86_64'], [2, 17]);
    expect(tags.slice(0, 3)).toEqual([
      'manylinux_2_17_x86_64',
      'manylinux2014_x86_64',
      'manylinux_2_16_x86_64',
    ]);
    expect(tags.indexOf('manylinux2010_x86_64')).toBe(tags.indexOf('manylinux_2_12_x86_64') + 1);
    expect(tags.slice(-2)).toEqual(['manylinux_2_5_x86_64', 'manylinux1_x86_64']);
    expect(tags).toHaveLength(13 + 3);
  });

  it('stops at 2.17 on other architectures and knows nothing of unknown ones', () => {
    expect(manylinuxPlatforms(['aarch64'], [2, 28]).at(-1)).toBe('manylinux2014_aarch64');
    expect(manylinuxPlatforms(['aarch64'], [2, 28])).toHaveLength(12 + 1);
    expect(manylinuxPlatforms(['armv6l'], [2, 28])).toEqual([]);
  });
});

describe('musllinux', () => {
  it('counts the minor down to 0', () => {
    expect(parseMusllinuxPlatform('musllinux_1_2_aarch64')).toEqual({
      musl: [1, 2],
      arch: 'aarch64',
    });
    expect(musllinuxPlatforms(['x86_64'], [1, 2])).toEqual([
      'musllinux_1_2_x86_64',
      'musllinux_1_1_x86_64',
      'musllinux_1_0_x86_64',
    ]);
  });
});

describe('macOS', () => {
  it('reads versions and architectures', () => {
    expect(parseMacosPlatform('macosx_10_9_x86_64')).toEqual({ version: [10, 9], arch: 'x86_64' });
    expect(parseMacosPlatform('macosx_11_0_universal2')).toEqual({
      version: [11, 0],
      arch: 'universal2',
    });
  });

  it('knows the binary format families', () => {
    expect(macBinaryFormats([10, 15], 'x86_64')).toEqual([
      'x86_64',
      'intel',
      'fat64',
      'fat3',
      'universal2',
      'universal',
    ]);
    expect(macBinaryFormats([11, 0], 'arm64')).toEqual(['arm64', 'universal2']);
    expect(macBinaryFormats([10, 3], 'x86_64')).toEqual([]);
    expect(macBinaryFormats([10, 5], 'ppc64')).toEqual(['ppc64', 'fat64', 'universal']);
    expect(macBinaryFormats([10, 6], 'ppc64')).toEqual([]);
  });

  it('counts 10.x minors down, 11+ majors down, then 10.16…10.4 universal2 only on arm64', () => {
    const arm = macPlatforms([13, 0], 'arm64');
    expect(arm.slice(0, 6)).toEqual([
      'macosx_13_0_arm64',
      'macosx_13_0_universal2',
      'macosx_12_0_arm64',
      'macosx_12_0_universal2',
      'macosx_11_0_arm64',
      'macosx_11_0_universal2',
    ]);
    expect(arm.slice(6)).toEqual(
      Array.from({ length: 13 }, (_, i) => `macosx_10_${16 - i}_universal2`),
    );
    expect(macPlatforms([13, 4], 'arm64')[0]).toBe('macosx_13_0_arm64');

    const intel = macPlatforms([10, 9], 'x86_64');
    expect(intel[0]).toBe('macosx_10_9_x86_64');
    expect(intel.at(-1)).toBe('macosx_10_4_universal');
    expect(intel.some((p) => p.startsWith('macosx_10_3'))).toBe(false);
    expect(macPlatforms([11, 0], 'x86_64')).toContain('macosx_10_16_intel');
  });
});

describe('expandPlatform', () => {
  it('puts linux_<arch> first, then the libc family', () => {
    expect(expandPlatform('manylinux2014_s390x')).toEqual([
      'linux_s390x',
      'manylinux_2_17_s390x',
      'manylinux2014_s390x',
    ]);
    expect(expandPlatform('musllinux_1_1_aarch64')).toEqual([
      'linux_aarch64',
      'musllinux_1_1_aarch64',
      'musllinux_1_0_aarch64',
    ]);
    expect(expandPlatform('linux_x86_64')).toEqual(['linux_x86_64']);
    expect(expandPlatform('manylinux_2_17_armv8l').slice(0, 4)).toEqual([
      'linux_armv8l',
      'linux_armv7l',
      'manylinux_2_17_armv8l',
      'manylinux2014_armv8l',
    ]);
  });

  it('keeps Windows and unknown platforms as they are', () => {
    expect(expandPlatform('win_arm64')).toEqual(['win_arm64']);
    expect(expandPlatform('win32')).toEqual(['win32']);
    expect(expandPlatform('freebsd_14_0_release_amd64')).toEqual(['freebsd_14_0_release_amd64']);
  });
});
