/**
 * Differential suite: pexkit's ordered tag lists against packaging.tags.sys_tags() run
 * (by tags_oracle.py) as if on each target machine. Order matters; 100% agreement.
 */
import { describe, expect, it } from 'vitest';
import { compatibleTags } from '../tags/compatible.js';
import { parseTarget } from '../targets/target.js';
import {
  runTagsOracle,
  type OracleTargetSpec,
  type TagsOracleAnswer,
} from '../testing/differential-tags.js';

type Spec = OracleTargetSpec & { platformTag: string };

const linux = (
  platformTag: string,
  arch: string,
  glibc: [number, number] | null,
  musl: [number, number] | null = null,
) => ({ platformTag, os: 'linux', arch, glibc, musl }) as const;
const mac = (major: number, minor: number, arch: string) =>
  ({
    platformTag: `macosx_${major}_${minor}_${arch}`,
    os: 'mac',
    arch,
    mac_version: [major, minor],
  }) as const;
const win = (platformTag: string) =>
  ({ platformTag, os: 'windows', win_platform: platformTag.replace('win_', 'win-') }) as const;
const cp = (
  major: number,
  minor: number,
  flags: { debug?: boolean; threaded?: boolean; pymalloc?: boolean } = {},
) => ({ impl: 'cp', version: [major, minor], ...flags }) as const;
const pp = (major: number, minor: number) =>
  ({ impl: 'pp', version: [major, minor], pypy_abi: 'pp73' }) as const;

const TARGETS: Spec[] = [
  { ...linux('manylinux2014_x86_64', 'x86_64', [2, 17]), ...cp(3, 11) },
  { ...linux('manylinux_2_28_x86_64', 'x86_64', [2, 28]), ...cp(3, 12) },
  { ...linux('manylinux2010_x86_64', 'x86_64', [2, 12]), ...cp(3, 8) },
  { ...linux('manylinux1_x86_64', 'x86_64', [2, 5]), ...cp(3, 9) },
  { ...linux('manylinux_2_39_x86_64', 'x86_64', [2, 39]), ...cp(3, 14) },
  { ...linux('manylinux_2_28_x86_64', 'x86_64', [2, 28]), ...cp(3, 13, { threaded: true }) },
  { ...linux('manylinux_2_34_x86_64', 'x86_64', [2, 34]), ...cp(3, 14, { threaded: true }) },
  { ...linux('manylinux2014_x86_64', 'x86_64', [2, 17]), ...cp(3, 11, { debug: true }) },
  { ...linux('manylinux_2_17_x86_64', 'x86_64', [2, 17]), ...cp(3, 7, { pymalloc: true }) },
  { ...linux('manylinux_2_17_aarch64', 'aarch64', [2, 17]), ...cp(3, 10) },
  { ...linux('manylinux_2_31_aarch64', 'aarch64', [2, 31]), ...cp(3, 13) },
  { ...linux('manylinux_2_17_armv7l', 'armv7l', [2, 17]), ...cp(3, 11) },
  { ...linux('manylinux_2_35_armv7l', 'armv7l', [2, 35]), ...cp(3, 12) },
  { ...linux('manylinux_2_31_armv8l', 'armv8l', [2, 31]), ...cp(3, 12) },
  { ...linux('manylinux2014_ppc64le', 'ppc64le', [2, 17]), ...cp(3, 9) },
  { ...linux('manylinux_2_28_ppc64le', 'ppc64le', [2, 28]), ...cp(3, 11) },
  { ...linux('manylinux_2_17_s390x', 's390x', [2, 17]), ...cp(3, 12) },
  { ...linux('manylinux_2_28_s390x', 's390x', [2, 28]), ...cp(3, 10) },
  { ...linux('manylinux2014_i686', 'i686', [2, 17]), ...cp(3, 8) },
  { ...linux('manylinux_2_34_i686', 'i686', [2, 34]), ...cp(3, 11) },
  { ...linux('linux_x86_64', 'x86_64', null), ...cp(3, 12) },
  { ...linux('musllinux_1_2_x86_64', 'x86_64', null, [1, 2]), ...cp(3, 13) },
  { ...linux('musllinux_1_1_x86_64', 'x86_64', null, [1, 1]), ...cp(3, 9) },
  { ...linux('musllinux_1_2_aarch64', 'aarch64', null, [1, 2]), ...cp(3, 12) },
  { ...linux('musllinux_1_0_aarch64', 'aarch64', null, [1, 0]), ...cp(3, 10) },
  { ...mac(10, 9, 'x86_64'), ...cp(3, 8) },
  { ...mac(10, 15, 'x86_64'), ...cp(3, 10) },
  { ...mac(11, 0, 'x86_64'), ...cp(3, 11) },
  { ...mac(13, 0, 'x86_64'), ...cp(3, 12) },
  { ...mac(11, 0, 'arm64'), ...cp(3, 12) },
  { ...mac(14, 0, 'arm64'), ...cp(3, 13) },
  { ...mac(15, 0, 'arm64'), ...cp(3, 14) },
  { ...mac(12, 0, 'universal2'), ...cp(3, 11) },
  { ...mac(10, 9, 'universal2'), ...cp(3, 9) },
  { ...mac(10, 4, 'i386'), ...cp(3, 8) },
  { ...win('win32'), ...cp(3, 8) },
  { ...win('win_amd64'), ...cp(3, 10) },
  { ...win('win_amd64'), ...cp(3, 14) },
  { ...win('win_arm64'), ...cp(3, 11) },
  { ...win('win_amd64'), ...cp(3, 13, { threaded: true, debug: true }) },
  { ...linux('manylinux2014_x86_64', 'x86_64', [2, 17]), ...pp(3, 9) },
  { ...linux('manylinux_2_28_aarch64', 'aarch64', [2, 28]), ...pp(3, 10) },
  { ...linux('musllinux_1_2_x86_64', 'x86_64', null, [1, 2]), ...pp(3, 11) },
  { ...mac(11, 0, 'arm64'), ...pp(3, 11) },
  { ...mac(10, 15, 'x86_64'), ...pp(3, 10) },
  { ...win('win_amd64'), ...pp(3, 10) },
];

function abbreviated(spec: Spec): string {
  const [major, minor] = spec.version;
  const abi =
    spec.impl === 'pp'
      ? `pypy${major}${minor}_${spec.pypy_abi}`
      : `cp${major}${minor}${spec.threaded ? 't' : ''}${spec.debug ? 'd' : ''}${spec.pymalloc ? 'm' : ''}`;
  return `${spec.platformTag}-${spec.impl}-${major}${minor}-${abi}`;
}

describe('compatibleTags agrees with packaging.tags.sys_tags()', () => {
  let answer: TagsOracleAnswer;
  it(`computes ${TARGETS.length} targets in packaging`, () => {
    const started = Date.now();
    answer = runTagsOracle({ targets: TARGETS.map(({ platformTag: _unused, ...spec }) => spec) });
    console.log(
      `tags oracle: packaging ${answer.packaging}, ${TARGETS.length} targets in ${Date.now() - started} ms`,
    );
    expect(answer.packaging).toBe('26.3');
    expect(TARGETS.length).toBeGreaterThanOrEqual(30);
  });

  TARGETS.forEach((spec, index) => {
    const text = abbreviated(spec);
    it(`${text} (${spec.os === 'linux' ? `glibc ${spec.glibc?.join('.') ?? '-'} musl ${spec.musl?.join('.') ?? '-'}` : spec.os})`, () => {
      const expected = answer.targets[index] as string[];
      const actual = compatibleTags(parseTarget(text));
      expect(actual.length).toBe(expected.length);
      expect(actual).toEqual(expected);
    });
  });
});
