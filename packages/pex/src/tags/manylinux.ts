/**
 * PEP 600 manylinux platform tags (with the PEP 513/571/599 legacy aliases), ordered as
 * `packaging._manylinux.platform_tags` orders them on a glibc system.
 */

/** Architectures packaging trusts without inspecting the interpreter binary. */
const ALLOWED_ARCHS = new Set([
  'x86_64',
  'aarch64',
  'ppc64',
  'ppc64le',
  's390x',
  'loongarch64',
  'riscv64',
]);

/** The ELF-checked architectures: packaging accepts them when the interpreter matches. */
const ELF_CHECKED_ARCHS = new Set(['armv7l', 'i686']);

/** packaging assumes no glibc 2.x minor beyond this for older majors. */
const LAST_GLIBC_MINOR = 50;

const LEGACY_ALIASES = new Map<string, string>([
  ['2.17', 'manylinux2014'],
  ['2.12', 'manylinux2010'],
  ['2.5', 'manylinux1'],
]);

const LEGACY_GLIBC: Record<string, [number, number]> = {
  manylinux1: [2, 5],
  manylinux2010: [2, 12],
  manylinux2014: [2, 17],
};

export interface ManylinuxPlatform {
  glibc: [number, number];
  arch: string;
}

/**
 * Reads a manylinux platform tag: `manylinux_<major>_<minor>_<arch>` or a legacy alias
 * (`manylinux1_<arch>` = glibc 2.5, `manylinux2010_<arch>` = 2.12, `manylinux2014_<arch>` = 2.17).
 */
export function parseManylinuxPlatform(platform: string): ManylinuxPlatform | undefined {
  const pep600 = /^manylinux_(\d{1,9})_(\d{1,9})_([a-z0-9_]+)$/.exec(platform);
  if (pep600) {
    return { glibc: [Number(pep600[1]), Number(pep600[2])], arch: pep600[3] as string };
  }
  const legacy = /^(manylinux1|manylinux2010|manylinux2014)_([a-z0-9_]+)$/.exec(platform);
  if (legacy) {
    const glibc = LEGACY_GLIBC[legacy[1] as string] as [number, number];
    return { glibc: [glibc[0], glibc[1]], arch: legacy[2] as string };
  }
  return undefined;
}

/** Whether packaging would consider manylinux at all for these architectures. */
function haveCompatibleAbi(archs: readonly string[]): boolean {
  return archs.some((arch) => ALLOWED_ARCHS.has(arch) || ELF_CHECKED_ARCHS.has(arch));
}

/**
 * The manylinux tags a system with this glibc supports, best first: for each
 * architecture, `manylinux_<glibc>_<arch>` downwards (each legacy alias right after its
 * PEP 600 twin) to glibc 2.17 (2.5 on x86_64/i686).
 */
export function manylinuxPlatforms(archs: readonly string[], glibc: [number, number]): string[] {
  const result: string[] = [];
  if (!haveCompatibleAbi(archs)) return result;
  const tooOld: [number, number] = archs.some((a) => a === 'x86_64' || a === 'i686')
    ? [2, 4]
    : [2, 16];
  const [currentMajor, currentMinor] = glibc;
  const maxList: Array<[number, number]> = [[currentMajor, currentMinor]];
  for (let major = currentMajor - 1; major > 1; major--) maxList.push([major, LAST_GLIBC_MINOR]);
  for (const arch of archs) {
    for (const [major, maxMinor] of maxList) {
      const minMinor = major === tooOld[0] ? tooOld[1] : -1;
      for (let minor = maxMinor; minor > minMinor; minor--) {
        result.push(`manylinux_${major}_${minor}_${arch}`);
        const legacy = LEGACY_ALIASES.get(`${major}.${minor}`);
        if (legacy !== undefined) result.push(`${legacy}_${arch}`);
      }
    }
  }
  return result;
}
