/**
 * Expands one target platform tag into the ordered platform tags a system of that kind
 * supports, as `packaging.tags.platform_tags()` would list them on such a system.
 */
import { macPlatforms, parseMacosPlatform } from './macos.js';
import { manylinuxPlatforms, parseManylinuxPlatform } from './manylinux.js';
import { musllinuxPlatforms, parseMusllinuxPlatform } from './musllinux.js';
import { isWindowsPlatform, windowsPlatforms } from './windows.js';

/** A 32-bit ARM kernel in 64-bit mode (`armv8l`) also runs `armv7l` code. */
function linuxArchs(arch: string): string[] {
  return arch === 'armv8l' ? ['armv8l', 'armv7l'] : [arch];
}

/**
 * - `manylinux_2_28_x86_64` (or `manylinux2014_x86_64`): `linux_x86_64`, then manylinux
 *   from glibc 2.28 down (a glibc 2.28 machine; no musllinux).
 * - `musllinux_1_2_aarch64`: `linux_aarch64`, then `musllinux_1_2…1_0` (a musl 1.2 machine).
 * - `linux_<arch>`: only itself (libc unknown, so no manylinux/musllinux).
 * - `macosx_<major>_<minor>_<arch>`: `mac_platforms((major, minor), arch)`.
 * - Windows and anything else: the platform itself.
 */
export function expandPlatform(platform: string): string[] {
  const manylinux = parseManylinuxPlatform(platform);
  if (manylinux !== undefined) {
    const archs = linuxArchs(manylinux.arch);
    return [...archs.map((a) => `linux_${a}`), ...manylinuxPlatforms(archs, manylinux.glibc)];
  }
  const musllinux = parseMusllinuxPlatform(platform);
  if (musllinux !== undefined) {
    const archs = linuxArchs(musllinux.arch);
    return [...archs.map((a) => `linux_${a}`), ...musllinuxPlatforms(archs, musllinux.musl)];
  }
  const linux = /^linux_([a-z0-9_]+)$/.exec(platform);
  if (linux) return linuxArchs(linux[1] as string).map((a) => `linux_${a}`);
  const macos = parseMacosPlatform(platform);
  if (macos !== undefined) return macPlatforms(macos.version, macos.arch);
  if (isWindowsPlatform(platform)) return windowsPlatforms(platform);
  return [platform];
}
