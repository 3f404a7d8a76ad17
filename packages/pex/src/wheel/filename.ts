/**
 * Wheel (PEP 427/491) and sdist file names, with `packaging.utils.parse_wheel_filename`
 * and `parse_sdist_filename` semantics (packaging 26.3).
 */
import { PexkitError } from '../errors.js';
import { canonicalizeName } from '../names/canonicalize.js';
import { Version } from '../pep440/version.js';
import { InvalidTag, parseTag, type Tag } from '../tags/tag.js';

export interface WheelFilename {
  /** The PEP 503 canonical project name. */
  name: string;
  version: Version;
  /** `[build number, rest]`, e.g. `1abc` → `[1n, 'abc']` (a bigint, exact like Python's int); absent without a build tag. */
  buildTag?: [bigint, string];
  /** The expanded tags of the (possibly compressed) tag set. */
  tags: Tag[];
}

export interface SdistFilename {
  name: string;
  version: Version;
}

export class InvalidWheelFilename extends PexkitError {
  override readonly name = 'InvalidWheelFilename';
  constructor(
    readonly filename: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Invalid wheel file name ${JSON.stringify(filename)}: ${reason}`, options);
  }
}

export class InvalidSdistFilename extends PexkitError {
  override readonly name = 'InvalidSdistFilename';
  constructor(
    readonly filename: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Invalid sdist file name ${JSON.stringify(filename)}: ${reason}`, options);
  }
}

/** PEP 427 escaped project name: Python's `^[\w._]+\Z` (Unicode word characters). */
const WHEEL_NAME = /^[\p{L}\p{N}_.]+$/u;

function countDashes(text: string): number {
  let count = 0;
  for (let i = text.indexOf('-'); i >= 0; i = text.indexOf('-', i + 1)) count++;
  return count;
}

/**
 * Parses `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`. The name must be
 * escaped (letters, digits, `_`, `.`; no `__`), the version valid PEP 440, the build tag
 * must start with a digit, and every tag part non-empty with identifier interpreters.
 */
export function parseWheelFilename(filename: string): WheelFilename {
  if (!filename.endsWith('.whl')) {
    throw new InvalidWheelFilename(filename, "the extension must be '.whl'");
  }
  const stem = filename.slice(0, -4);
  const dashes = countDashes(stem);
  if (dashes !== 4 && dashes !== 5) {
    throw new InvalidWheelFilename(
      filename,
      'expected {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl (wrong number of parts)',
    );
  }
  const parts = stem.split('-');
  const namePart = parts[0] as string;
  if (namePart.includes('__') || !WHEEL_NAME.test(namePart)) {
    throw new InvalidWheelFilename(filename, `invalid project name ${JSON.stringify(namePart)}`);
  }
  let version: Version;
  try {
    version = Version.parse(parts[1] as string);
  } catch (error) {
    if (!(error instanceof PexkitError)) throw error;
    throw new InvalidWheelFilename(filename, `invalid version ${JSON.stringify(parts[1])}`, {
      cause: error,
    });
  }
  let buildTag: [bigint, string] | undefined;
  if (dashes === 5) {
    const buildPart = parts[2] as string;
    const match = /^([0-9]+)([^\n]*)/.exec(buildPart);
    if (match === null) {
      throw new InvalidWheelFilename(
        filename,
        `invalid build number ${JSON.stringify(buildPart)} (must start with a digit)`,
      );
    }
    buildTag = [BigInt(match[1] as string), match[2] as string];
  }
  const tagText = parts.slice(-3).join('-');
  let tags: Tag[];
  try {
    tags = parseTag(tagText);
  } catch (error) {
    if (!(error instanceof InvalidTag)) throw error;
    throw new InvalidWheelFilename(filename, `invalid tag component (${error.message})`, {
      cause: error,
    });
  }
  const result: WheelFilename = { name: canonicalizeName(namePart), version, tags };
  if (buildTag !== undefined) result.buildTag = buildTag;
  return result;
}

/** Parses `{name}-{version}.tar.gz` or `.zip`, splitting at the last dash. */
export function parseSdistFilename(filename: string): SdistFilename {
  let stem: string;
  if (filename.endsWith('.tar.gz')) stem = filename.slice(0, -'.tar.gz'.length);
  else if (filename.endsWith('.zip')) stem = filename.slice(0, -'.zip'.length);
  else throw new InvalidSdistFilename(filename, "the extension must be '.tar.gz' or '.zip'");
  const dash = stem.lastIndexOf('-');
  if (dash < 0) throw new InvalidSdistFilename(filename, 'expected {name}-{version}');
  const namePart = stem.slice(0, dash);
  if (namePart === '') throw new InvalidSdistFilename(filename, 'the project name is empty');
  let version: Version;
  try {
    version = Version.parse(stem.slice(dash + 1));
  } catch (error) {
    if (!(error instanceof PexkitError)) throw error;
    throw new InvalidSdistFilename(
      filename,
      `invalid version ${JSON.stringify(stem.slice(dash + 1))}`,
      {
        cause: error,
      },
    );
  }
  return { name: canonicalizeName(namePart), version };
}
