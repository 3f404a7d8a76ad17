/**
 * Differential suite: pexkit's ordered tag lists against packaging.tags.sys_tags() run
 * (by tags_oracle.py) as if on each target machine. Order matters; 100% agreement.
 */
import { describe, expect, it } from 'vitest';
import { compatibleTags } from '../tags/compatible.js';
import { parseTarget } from '../targets/target.js';
import { differentialSeed, Rng } from '../testing/differential.js';
import { runTagsOracle, type OracleTargetSpec } from '../testing/differential-tags.js';

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

const RANDOM_COUNT = 250;
const LINUX_ARCHS = [
  'x86_64',
  'aarch64',
  'armv7l',
  'armv8l',
  'ppc64le',
  'ppc64',
  's390x',
  'i686',
  'riscv64',
  'loongarch64',
];
const MAC_ARCHS = ['x86_64', 'arm64', 'universal2', 'i386', 'intel', 'ppc', 'ppc64'];
const LEGACY: Record<number, string> = {
  5: 'manylinux1',
  12: 'manylinux2010',
  17: 'manylinux2014',
};

/** Seeded random machines across every platform family, interpreter and ABI kind. */
function randomTargets(rng: Rng, count: number): Spec[] {
  const specs: Spec[] = [];
  for (let i = 0; i < count; i++) {
    const pypy = rng.chance(0.2);
    const minor = pypy ? 8 + rng.int(4) : 6 + rng.int(9);
    const interpreter = pypy
      ? pp(3, minor)
      : cp(3, minor, {
          debug: rng.chance(0.15),
          threaded: minor >= 13 && rng.chance(0.3),
          pymalloc: minor < 8 && rng.chance(0.8),
        });
    const family = rng.int(3);
    if (family === 0) {
      const arch = rng.pick(LINUX_ARCHS);
      const libc = rng.int(5);
      if (libc === 0) {
        specs.push({ ...linux(`linux_${arch}`, arch, null), ...interpreter });
      } else if (libc === 1) {
        const musl: [number, number] = [1, rng.int(4)];
        specs.push({
          ...linux(`musllinux_1_${musl[1]}_${arch}`, arch, null, musl),
          ...interpreter,
        });
      } else {
        const glibcMinor = 5 + rng.int(37);
        const legacy = LEGACY[glibcMinor];
        const tag =
          legacy !== undefined && rng.chance(0.5)
            ? `${legacy}_${arch}`
            : `manylinux_2_${glibcMinor}_${arch}`;
        specs.push({ ...linux(tag, arch, [2, glibcMinor]), ...interpreter });
      }
    } else if (family === 1) {
      // 10.16 is left out: on that version packaging asks a real macOS for the true one.
      const version: [number, number] = rng.chance(0.5)
        ? [10, rng.int(16)]
        : [11 + rng.int(16), rng.int(7)];
      specs.push({ ...mac(version[0], version[1], rng.pick(MAC_ARCHS)), ...interpreter });
    } else {
      specs.push({ ...win(rng.pick(['win32', 'win_amd64', 'win_arm64'])), ...interpreter });
    }
  }
  return specs;
}

function abbreviated(spec: Spec): string {
  const [major, minor] = spec.version;
  const abi =
    spec.impl === 'pp'
      ? `pypy${major}${minor}_${spec.pypy_abi}`
      : `cp${major}${minor}${spec.threaded ? 't' : ''}${spec.debug ? 'd' : ''}${spec.pymalloc ? 'm' : ''}`;
  return `${spec.platformTag}-${spec.impl}-${major}${minor}-${abi}`;
}

const describeSpec = (spec: Spec): string =>
  spec.os === 'linux'
    ? `glibc ${spec.glibc?.join('.') ?? '-'} musl ${spec.musl?.join('.') ?? '-'}`
    : spec.os;

describe('compatibleTags agrees with packaging.tags.sys_tags()', () => {
  const seed = differentialSeed();
  const random = randomTargets(new Rng(seed), RANDOM_COUNT);
  const all = [...TARGETS, ...random];
  let expected: string[][] = [];

  it(`computes ${TARGETS.length} chosen + ${RANDOM_COUNT} random targets in packaging (PEXKIT_DIFF_SEED=${seed})`, () => {
    console.log(`tags differential: PEXKIT_DIFF_SEED=${seed}`);
    const started = Date.now();
    expected = runTagsOracle<string[]>(
      all.map(({ platformTag: _unused, ...spec }) => ({ k: 'sys_tags', spec })),
    );
    const total = expected.reduce((n, tags) => n + tags.length, 0);
    console.log(
      `packaging 26.3: ${all.length} targets, ${total} tags in ${Date.now() - started} ms`,
    );
    expect(TARGETS.length).toBeGreaterThanOrEqual(30);
  });

  TARGETS.forEach((spec, index) => {
    const text = abbreviated(spec);
    it(`${text} (${describeSpec(spec)})`, () => {
      const actual = compatibleTags(parseTarget(text));
      expect(actual.length).toBe(expected[index]?.length);
      expect(actual).toEqual(expected[index]);
    });
  });

  it(`${RANDOM_COUNT} random targets agree, in order`, () => {
    const mismatches: string[] = [];
    random.forEach((spec, i) => {
      const text = abbreviated(spec);
      const want = expected[TARGETS.length + i] as string[];
      const got = compatibleTags(parseTarget(text));
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        const at = got.findIndex((t, j) => t !== want[j]);
        mismatches.push(
          `${text} (${describeSpec(spec)}): first difference at ${at}: ${got[at]} vs ${want[at]}`,
        );
      }
    });
    expect(mismatches).toEqual([]);
  });
});
