/**
 * Targets as data: the interpreter and platform a PEX is built for. The abbreviated form
 * follows pex's `--platform` syntax, `<platform>-<impl>-<version>-<abi>`.
 */
import { PexkitError } from '../errors.js';
import type { MarkerEnvironment } from '../pep508/marker.js';
import { cpythonAbis } from '../tags/compatible.js';
import { parseMacosPlatform } from '../tags/macos.js';
import { parseManylinuxPlatform } from '../tags/manylinux.js';
import { parseMusllinuxPlatform } from '../tags/musllinux.js';
import { expandPlatform } from '../tags/platforms.js';
import { isWindowsPlatform, windowsMachine } from '../tags/windows.js';

/** The PEP 508 environment marker variables. */
export const MARKER_VARIABLES: readonly MarkerVariable[] = [
  'implementation_name',
  'implementation_version',
  'os_name',
  'platform_machine',
  'platform_python_implementation',
  'platform_release',
  'platform_system',
  'platform_version',
  'python_full_version',
  'python_version',
  'sys_platform',
];
export type MarkerVariable = keyof MarkerEnvironment;
/** The marker values known for a target; absent keys are unknown. */
export type TargetMarkerEnvironment = Partial<MarkerEnvironment>;

export interface Target {
  /** The text or file the target came from, for messages. */
  source: string;
  /** Ordered platform tags the target supports, best first. */
  platforms: string[];
  implementation: 'cp' | 'pp';
  pythonVersion: [number, number];
  /** ABIs of the interpreter, best first (e.g. `cp311d`, `cp311`). */
  abis: string[];
  markerEnvironment: TargetMarkerEnvironment;
  /** Marker variables whose value the target does not pin down. */
  unknownMarkers: MarkerVariable[];
  /** A complete platform's own ordered tag list; used verbatim when present. */
  compatibleTags?: string[];
}

/** A target string or complete-platform file that cannot be used. */
export class InvalidTarget extends PexkitError {
  override readonly name = 'InvalidTarget';
}

const EXPECTED =
  'expected <platform>-<impl>-<version>-<abi>, e.g. manylinux2014_x86_64-cp-311-cp311, ' +
  'macosx_11_0_arm64-cp-3.12-cp312, win_amd64-cp-310-cp310 or ' +
  'manylinux_2_28_x86_64-pp-310-pypy310_pp73';

function invalid(text: string, reason: string): InvalidTarget {
  return new InvalidTarget(`Invalid target ${JSON.stringify(text)}: ${reason}; ${EXPECTED}`);
}

function parseVersion(text: string, version: string): { info: [number, number]; full?: string } {
  if (/^\d{2,4}$/.test(version)) {
    return { info: [Number(version[0]), Number(version.slice(1))] };
  }
  const dotted = /^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?$/.exec(version);
  if (!dotted) {
    throw invalid(
      text,
      `the version ${JSON.stringify(version)} must be 2+ digits (311) or dotted (3.11, 3.11.4)`,
    );
  }
  const info: [number, number] = [Number(dotted[1]), Number(dotted[2])];
  return dotted[3] === undefined
    ? { info }
    : { info, full: `${info[0]}.${info[1]}.${Number(dotted[3])}` };
}

function validatePlatform(text: string, platform: string): void {
  if (!/^[a-z0-9_]+$/.test(platform)) {
    throw invalid(text, `the platform ${JSON.stringify(platform)} is not a platform tag`);
  }
  const manylinux = parseManylinuxPlatform(platform);
  if (manylinux && (manylinux.glibc[0] !== 2 || manylinux.glibc[1] > 999)) {
    throw invalid(
      text,
      `the platform ${platform} names an unknown glibc ${manylinux.glibc.join('.')}`,
    );
  }
  const musl = parseMusllinuxPlatform(platform);
  if (musl && (musl.musl[0] !== 1 || musl.musl[1] > 999)) {
    throw invalid(text, `the platform ${platform} names an unknown musl ${musl.musl.join('.')}`);
  }
  const mac = parseMacosPlatform(platform);
  if (mac && (mac.version[0] < 10 || mac.version[0] > 99 || mac.version[1] > 99)) {
    throw invalid(
      text,
      `the platform ${platform} names an unsupported macOS ${mac.version.join('.')}`,
    );
  }
  if (platform.startsWith('macosx') && !mac) {
    throw invalid(
      text,
      `the macOS platform ${platform} must look like macosx_<major>_<minor>_<arch>`,
    );
  }
}

function normalizeAbi(
  text: string,
  implementation: 'cp' | 'pp',
  interpreter: string,
  abi: string,
): string {
  if (!/^[a-z0-9_]+$/.test(abi))
    throw invalid(text, `the ABI ${JSON.stringify(abi)} is not an ABI tag`);
  if (implementation === 'pp' || abi.startsWith(interpreter)) return abi;
  if (abi === 'none' || abi === 'abi3' || abi === 'abi3t' || /^cp\d+[a-z]*$/.test(abi)) return abi;
  // pex accepts ABI flags alone: `linux_x86_64-cp-37-m` means `cp37m`.
  if (/^[dmut]{1,4}$/.test(abi)) return interpreter + abi;
  throw invalid(
    text,
    `the ABI ${JSON.stringify(abi)} is not a CPython ABI (cp311, cp311d, abi3, none)`,
  );
}

/** The marker values a platform tag pins down. */
function platformMarkers(platform: string, major: number): TargetMarkerEnvironment {
  const linuxArch =
    parseManylinuxPlatform(platform)?.arch ??
    parseMusllinuxPlatform(platform)?.arch ??
    /^linux_([a-z0-9_]+)$/.exec(platform)?.[1];
  if (linuxArch !== undefined) {
    return {
      os_name: 'posix',
      sys_platform: major === 2 ? 'linux2' : 'linux',
      platform_system: 'Linux',
      platform_machine: linuxArch,
    };
  }
  const mac = parseMacosPlatform(platform);
  if (mac !== undefined) {
    const env: TargetMarkerEnvironment = {
      os_name: 'posix',
      sys_platform: 'darwin',
      platform_system: 'Darwin',
    };
    // Fat/universal families say what a binary holds, not which machine runs it.
    if (['x86_64', 'arm64', 'i386', 'ppc', 'ppc64'].includes(mac.arch)) {
      env.platform_machine = mac.arch === 'ppc' ? 'Power Macintosh' : mac.arch;
    }
    return env;
  }
  if (isWindowsPlatform(platform)) {
    const env: TargetMarkerEnvironment = {
      os_name: 'nt',
      sys_platform: 'win32',
      platform_system: 'Windows',
    };
    const machine = windowsMachine(platform);
    if (machine !== undefined) env.platform_machine = machine;
    return env;
  }
  return {};
}

/** The marker variables absent from `env`, in PEP 508 order. */
export function unknownMarkersOf(env: TargetMarkerEnvironment): MarkerVariable[] {
  return MARKER_VARIABLES.filter((name) => env[name] === undefined);
}

/**
 * Parses pex's abbreviated `--platform` form `<platform>-<impl>-<version>-<abi>`.
 * The platform may itself hold dashes and dots (`macosx-10.13-x86_64`), which normalise
 * to underscores. The version is `311`, `3.11` or `3.11.4` (which also fixes
 * `python_full_version`). CPython ABIs may be flags alone (`d` → `cp311d`).
 */
export function parseTarget(text: string): Target {
  const source = text;
  const trimmed = text.trim();
  const parts = trimmed.split('-');
  if (parts.length < 4) {
    throw invalid(source, `it has ${parts.length} dash-separated field(s), not 4`);
  }
  const abiRaw = parts.pop() as string;
  const versionRaw = parts.pop() as string;
  const implRaw = parts.pop() as string;
  const platform = parts.join('-').toLowerCase().replace(/[-.]/g, '_');
  if (platform === '' || versionRaw === '' || implRaw === '' || abiRaw === '') {
    throw invalid(source, 'no field may be blank');
  }
  const impl = implRaw.toLowerCase();
  if (impl !== 'cp' && impl !== 'pp') {
    throw invalid(
      source,
      `the implementation ${JSON.stringify(implRaw)} must be cp (CPython) or pp (PyPy)`,
    );
  }
  validatePlatform(source, platform);
  const { info, full } = parseVersion(source, versionRaw);
  const interpreter = `${impl}${info[0]}${info[1]}`;
  const abi = normalizeAbi(source, impl, interpreter, abiRaw.toLowerCase());
  const abis = impl === 'cp' ? cpythonAbis(info, abi) : [abi];

  const markerEnvironment: TargetMarkerEnvironment = {
    ...platformMarkers(platform, info[0]),
    python_version: `${info[0]}.${info[1]}`,
    implementation_name: impl === 'cp' ? 'cpython' : 'pypy',
    platform_python_implementation: impl === 'cp' ? 'CPython' : 'PyPy',
  };
  if (full !== undefined) {
    markerEnvironment.python_full_version = full;
    // CPython's implementation version is its Python version; PyPy has its own.
    if (impl === 'cp') markerEnvironment.implementation_version = full;
  }
  if (info[0] === 2) {
    // Python 2 has no sys.implementation: PEP 508 defaults these to "" and "0".
    markerEnvironment.implementation_name = '';
    markerEnvironment.implementation_version = '0';
  }
  return {
    source,
    platforms: expandPlatform(platform),
    implementation: impl,
    pythonVersion: info,
    abis,
    markerEnvironment,
    unknownMarkers: unknownMarkersOf(markerEnvironment),
  };
}
