/** PEP 656 musllinux platform tags, ordered as `packaging._musllinux.platform_tags`. */

export interface MusllinuxPlatform {
  musl: [number, number];
  arch: string;
}

/** Reads `musllinux_<major>_<minor>_<arch>`. */
export function parseMusllinuxPlatform(platform: string): MusllinuxPlatform | undefined {
  const match = /^musllinux_(\d{1,9})_(\d{1,9})_([a-z0-9_]+)$/.exec(platform);
  if (!match) return undefined;
  return { musl: [Number(match[1]), Number(match[2])], arch: match[3] as string };
}

/** For each architecture: `musllinux_<major>_<minor>_<arch>` with the minor counting down to 0. */
export function musllinuxPlatforms(archs: readonly string[], musl: [number, number]): string[] {
  const result: string[] = [];
  for (const arch of archs) {
    for (let minor = musl[1]; minor >= 0; minor--) {
      result.push(`musllinux_${musl[0]}_${minor}_${arch}`);
    }
  }
  return result;
}
