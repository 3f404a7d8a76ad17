/** Windows platform tags: each Windows target supports exactly its own platform tag. */

export const WINDOWS_PLATFORMS = ['win32', 'win_amd64', 'win_arm64'] as const;
export type WindowsPlatform = (typeof WINDOWS_PLATFORMS)[number];

export function isWindowsPlatform(platform: string): platform is WindowsPlatform {
  return (WINDOWS_PLATFORMS as readonly string[]).includes(platform);
}

/**
 * `packaging` yields `sysconfig.get_platform()` normalised (`win32`, `win_amd64`,
 * `win_arm64`) and nothing else on Windows.
 */
export function windowsPlatforms(platform: WindowsPlatform): string[] {
  return [platform];
}

/** `platform.machine()` on a Windows target, when the tag pins it down. */
export function windowsMachine(platform: WindowsPlatform): string | undefined {
  if (platform === 'win_amd64') return 'AMD64';
  if (platform === 'win_arm64') return 'ARM64';
  // A 32-bit Python reports the OS architecture (x86 or AMD64): not knowable from the tag.
  return undefined;
}
