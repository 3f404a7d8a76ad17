/** macOS platform tags, ordered as `packaging.tags.mac_platforms(version, arch)`. */

export interface MacosPlatform {
  version: [number, number];
  arch: string;
}

/** Reads `macosx_<major>_<minor>_<arch>` (arch may hold underscores, e.g. `x86_64`). */
export function parseMacosPlatform(platform: string): MacosPlatform | undefined {
  const match = /^macosx_(\d{1,9})_(\d{1,9})_([a-z0-9_]+)$/.exec(platform);
  if (!match) return undefined;
  return { version: [Number(match[1]), Number(match[2])], arch: match[3] as string };
}

function lessThan(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/** The binary formats (arch families) a `cpuArch` binary on macOS `version` can load. */
export function macBinaryFormats(version: [number, number], cpuArch: string): string[] {
  const formats = [cpuArch];
  if (cpuArch === 'x86_64') {
    if (lessThan(version, [10, 4])) return [];
    formats.push('intel', 'fat64', 'fat3');
  } else if (cpuArch === 'i386') {
    if (lessThan(version, [10, 4])) return [];
    formats.push('intel', 'fat3', 'fat');
  } else if (cpuArch === 'ppc64') {
    if (lessThan([10, 5], version) || lessThan(version, [10, 4])) return [];
    formats.push('fat64');
  } else if (cpuArch === 'ppc') {
    if (lessThan([10, 6], version)) return [];
    formats.push('fat3', 'fat');
  }
  if (cpuArch === 'arm64' || cpuArch === 'x86_64') formats.push('universal2');
  if (['x86_64', 'i386', 'ppc64', 'ppc', 'intel'].includes(cpuArch)) formats.push('universal');
  return formats;
}

/**
 * Platform tags for macOS `version` on `arch`, best first. Before 11 the minor version
 * counts down (10.15, 10.14, …, 10.0); from 11 on the major does (14.0, 13.0, 12.0, 11.0),
 * followed by 10.16…10.4 (every x86_64 family on x86_64, only `universal2` elsewhere).
 */
export function macPlatforms(version: [number, number], arch: string): string[] {
  const result: string[] = [];
  const emit = (major: number, minor: number, formats: readonly string[]): void => {
    for (const format of formats) result.push(`macosx_${major}_${minor}_${format}`);
  };
  if (!lessThan(version, [10, 0]) && lessThan(version, [11, 0])) {
    for (let minor = version[1]; minor >= 0; minor--) {
      emit(10, minor, macBinaryFormats([10, minor], arch));
    }
  }
  if (!lessThan(version, [11, 0])) {
    for (let major = version[0]; major > 10; major--) {
      emit(major, 0, macBinaryFormats([major, 0], arch));
    }
    for (let minor = 16; minor > 3; minor--) {
      emit(10, minor, arch === 'x86_64' ? macBinaryFormats([10, minor], arch) : ['universal2']);
    }
  }
  return result;
}
