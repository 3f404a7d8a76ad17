/**
 * Why no wheel of a release fits a target, for people: the few files closest to the target's
 * OS, architecture and interpreter, one line each with the reason it is rejected ("needs macOS
 * 10.13, target is 10.12"), instead of every tag of every file.
 */
import { parseMacosPlatform } from '../tags/macos.js';
import { parseManylinuxPlatform } from '../tags/manylinux.js';
import { parseMusllinuxPlatform } from '../tags/musllinux.js';
import { parseTag, type Tag } from '../tags/tag.js';
import type { Target } from '../targets/target.js';

/** Lines per package when not verbose (the last may say how many more files there are). */
export const NO_WHEEL_LINES = 8;

/** A wheel file that does not fit, and why (`requiresPython` excluded it, if so). */
export interface RejectedWheel {
  filename: string;
  /** Set when the tags fit but the file's requires-python excludes the target's Python. */
  requiresPython?: string;
}

interface Platform {
  os: string;
  arch: string;
  /** glibc / musl / macOS version the platform needs. */
  libc?: { kind: 'glibc' | 'musl'; version: [number, number] };
  macos?: [number, number];
}

const OS_NAMES: Record<string, string> = {
  linux: 'Linux',
  macos: 'macOS',
  windows: 'Windows',
  android: 'Android',
  ios: 'iOS',
  any: 'any platform',
};

const WINDOWS_ARCH: Record<string, string> = {
  win32: 'x86',
  win_amd64: 'x86_64',
  win_arm64: 'arm64',
  win_ia64: 'ia64',
};

/** OS, architecture and C library / macOS version of a platform tag. */
function describePlatform(platform: string): Platform {
  const many = parseManylinuxPlatform(platform);
  if (many) return { os: 'linux', arch: many.arch, libc: { kind: 'glibc', version: many.glibc } };
  const musl = parseMusllinuxPlatform(platform);
  if (musl) return { os: 'linux', arch: musl.arch, libc: { kind: 'musl', version: musl.musl } };
  const mac = parseMacosPlatform(platform);
  if (mac) return { os: 'macos', arch: mac.arch, macos: mac.version };
  if (platform === 'any') return { os: 'any', arch: 'any' };
  if (platform.startsWith('linux_')) return { os: 'linux', arch: platform.slice(6) };
  if (platform.startsWith('win'))
    return { os: 'windows', arch: WINDOWS_ARCH[platform] ?? platform };
  const m = /^(android|ios)_(?:\d+_)*(.+)$/.exec(platform);
  if (m) return { os: m[1] as string, arch: m[2] as string };
  return { os: platform.split('_')[0] ?? platform, arch: platform };
}

/** Architectures a macOS target of `arch` loads from multi-arch wheels. */
function macArchFits(wheelArch: string, targetArch: string): boolean {
  if (wheelArch === targetArch || wheelArch === 'universal2') return true;
  return targetArch === 'x86_64' && ['intel', 'fat64', 'fat3', 'universal'].includes(wheelArch);
}

function implName(prefix: string): string {
  return prefix === 'cp'
    ? 'CPython'
    : prefix === 'pp'
      ? 'PyPy'
      : prefix === 'py'
        ? 'Python'
        : prefix === 'gp'
          ? 'GraalPy'
          : prefix;
}

/** `cp312` → `CPython 3.12`; `py3` → `Python 3`. */
function interpreterName(interpreter: string): string {
  const m = /^([a-z]+?)(\d)(\d*)$/.exec(interpreter);
  if (!m) return interpreter;
  return `${implName(m[1] as string)} ${m[2]}${m[3] ? `.${m[3]}` : ''}`;
}

function targetInterpreter(target: Target): string {
  return `${target.implementation === 'cp' ? 'CPython' : 'PyPy'} ${target.pythonVersion.join('.')}`;
}

function versionText(v: readonly number[]): string {
  return v.join('.');
}

function older(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/** What the target's platform list says about it. */
function targetPlatform(
  target: Target,
): Platform & { glibc?: [number, number]; musl?: [number, number] } {
  const first = describePlatform(target.platforms[0] ?? 'any');
  const out: Platform & { glibc?: [number, number]; musl?: [number, number] } = { ...first };
  for (const p of target.platforms) {
    const d = describePlatform(p);
    if (d.libc?.kind === 'glibc' && (out.glibc === undefined || older(out.glibc, d.libc.version)))
      out.glibc = d.libc.version;
    if (d.libc?.kind === 'musl' && (out.musl === undefined || older(out.musl, d.libc.version)))
      out.musl = d.libc.version;
    if (d.macos !== undefined && (out.macos === undefined || older(out.macos, d.macos)))
      out.macos = d.macos;
  }
  return out;
}

/** Distance of the platform from the target (0: supported) and the reason it is not. */
function platformMiss(
  platform: string,
  target: Target,
  want: ReturnType<typeof targetPlatform>,
): { distance: number; reason?: string } {
  if (platform === 'any' || target.platforms.includes(platform)) return { distance: 0 };
  const have = describePlatform(platform);
  if (have.os !== want.os) {
    return { distance: 40, reason: `for ${OS_NAMES[have.os] ?? have.os} (${platform})` };
  }
  const archOk = have.os === 'macos' ? macArchFits(have.arch, want.arch) : have.arch === want.arch;
  if (!archOk) return { distance: 20, reason: `for ${have.arch}, target is ${want.arch}` };
  if (have.macos !== undefined && want.macos !== undefined && older(want.macos, have.macos)) {
    const gap = (have.macos[0] - want.macos[0]) * 20 + (have.macos[1] - want.macos[1]);
    return {
      distance: 1 + Math.min(gap, 99) / 100,
      reason: `needs macOS ${versionText(have.macos)}, target is ${versionText(want.macos)}`,
    };
  }
  if (have.libc !== undefined) {
    const targetLibc = have.libc.kind === 'glibc' ? want.glibc : want.musl;
    const name = have.libc.kind;
    if (targetLibc === undefined) {
      const other = name === 'glibc' ? 'musl' : 'glibc';
      return {
        distance: 10,
        reason: `for ${name} (${platform}), target is ${want.musl !== undefined || want.glibc !== undefined ? other : 'not manylinux/musllinux'}`,
      };
    }
    if (older(targetLibc, have.libc.version)) {
      const gap = (have.libc.version[1] - targetLibc[1]) / 100;
      return {
        distance: 1 + Math.min(gap, 0.99),
        reason: `needs ${name} ${versionText(have.libc.version)}, target has ${versionText(targetLibc)}`,
      };
    }
  }
  if (platform.startsWith('linux_'))
    return { distance: 5, reason: `${platform} (built for one machine, not manylinux)` };
  return { distance: 30, reason: `platform ${platform} is not one the target supports` };
}

/** Distance of the interpreter/ABI pair from the target (0: supported) and why not. */
function interpreterMiss(tag: Tag, target: Target): { distance: number; reason?: string } {
  const { interpreter, abi } = tag;
  const [major, minor] = target.pythonVersion;
  const m = /^([a-z]+?)(\d)(\d*)$/.exec(interpreter);
  const prefix = m?.[1] ?? interpreter;
  const wMajor = Number(m?.[2] ?? NaN);
  const wMinor = m?.[3] ? Number(m[3]) : undefined;
  const samePython = wMajor === major && (wMinor === undefined || wMinor === minor);
  const implOk = prefix === 'py' || prefix === target.implementation;
  if (implOk && samePython) {
    if (abi === 'none' || target.abis.includes(abi)) return { distance: 0 };
    return {
      distance: 2,
      reason: `ABI ${abi}, target's ${targetInterpreter(target)} has ${target.abis.join('/')}`,
    };
  }
  if (abi === 'abi3' && target.implementation === 'cp' && prefix === 'cp' && wMajor === major) {
    if (wMinor !== undefined && wMinor <= minor) return { distance: 0 };
    return {
      distance: 2 + ((wMinor ?? minor) - minor) / 100,
      reason: `needs CPython ${wMajor}.${wMinor ?? ''}+ (abi3), target is ${targetInterpreter(target)}`,
    };
  }
  const wrongImpl = !implOk;
  const gap = wMinor === undefined ? 0 : Math.abs(wMinor - minor);
  return {
    distance: (wrongImpl ? 6 : 3) + Math.min(gap, 99) / 100,
    reason: `for ${interpreterName(interpreter)}${abi !== 'none' && abi !== 'abi3' && !abi.startsWith(interpreter) ? ` (ABI ${abi})` : ''}, target is ${targetInterpreter(target)}`,
  };
}

interface Miss {
  filename: string;
  distance: number;
  reason: string;
}

/** Why `file` does not fit `target`, through its closest tag. */
export function explainWheel(file: RejectedWheel, target: Target): Miss {
  const want = targetPlatform(target);
  const tagText = file.filename.slice(0, -4).split('-').slice(-3).join('-');
  let best: Miss | undefined;
  let tags: Tag[];
  try {
    tags = parseTag(tagText, { limit: 1000 });
  } catch {
    return { filename: file.filename, distance: 100, reason: 'not a valid wheel file name' };
  }
  for (const tag of tags) {
    const platform = platformMiss(tag.platform, target, want);
    const interp = interpreterMiss(tag, target);
    const distance = platform.distance + interp.distance;
    const reasons = [platform.reason, interp.reason].filter((r): r is string => r !== undefined);
    if (reasons.length === 0 && file.requiresPython !== undefined) {
      reasons.push(
        `requires Python ${file.requiresPython}, target is ${target.markerEnvironment.python_full_version ?? versionText(target.pythonVersion)}`,
      );
    }
    if (best === undefined || distance < best.distance) {
      best = { filename: file.filename, distance, reason: reasons.join('; ') || 'does not fit' };
    }
  }
  return best ?? { filename: file.filename, distance: 100, reason: 'no tags' };
}

/**
 * One line per rejected file, closest to the target first. Unless `verbose`, at most
 * {@link NO_WHEEL_LINES} lines: the closest files, then how many more there are.
 */
export function explainNoWheel(
  files: readonly RejectedWheel[],
  target: Target,
  options: { verbose?: boolean; limit?: number } = {},
): string[] {
  const misses = files
    .map((f) => explainWheel(f, target))
    .sort((a, b) => a.distance - b.distance || (a.filename < b.filename ? -1 : 1));
  const limit = options.verbose === true ? Infinity : (options.limit ?? NO_WHEEL_LINES);
  const shown = misses.length <= limit ? misses : misses.slice(0, limit - 1);
  const lines = shown.map((m) => `${m.filename}: ${m.reason}`);
  if (shown.length < misses.length) {
    lines.push(
      `… and ${misses.length - shown.length} more files further from the target (--verbose lists them all)`,
    );
  }
  return lines;
}
