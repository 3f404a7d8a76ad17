/**
 * Project names: PEP 503 normalisation (`packaging.utils.canonicalize_name`), the
 * normalised-name check, and the escaping used in wheel and `.dist-info` file names.
 */
import { PexkitError } from '../errors.js';
import { quoteInput } from '../pep440/python-text.js';
import { Version } from '../pep440/version.js';

/** A project name that is not valid (PEP 508 names: ASCII letters, digits, `.`, `_`, `-`). */
export class InvalidName extends PexkitError {
  override readonly name = 'InvalidName';
  constructor(readonly input: string) {
    super(
      `Invalid project name: ${quoteInput(input)} (names use ASCII letters, digits, ".", "_" and "-", and start and end with a letter or digit)`,
    );
  }
}

const VALID_NAME_RE = /^(?:[a-z0-9]|[a-z0-9][a-z0-9._-]*[a-z0-9])$/i;
const NORMALIZED_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Whether `name` is a valid PEP 508 project name. */
export function isValidName(name: string): boolean {
  return VALID_NAME_RE.test(name);
}

/**
 * PEP 503 normalisation: lower-case, runs of `-`, `_`, `.` become one `-`. With
 * `validate`, throws {@link InvalidName} for names PEP 508 does not allow.
 */
export function canonicalizeName(name: string, opts: { validate?: boolean } = {}): string {
  if (opts.validate && !isValidName(name)) throw new InvalidName(name);
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Whether `name` is already in PEP 503 normal form. */
export function isNormalizedName(name: string): boolean {
  return NORMALIZED_RE.test(name);
}

/** Name as written in wheel and `.dist-info` file names: `re.sub(r"[-_.]+", "_", name).lower()`. */
export function escapeWheelName(name: string): string {
  return name.replace(/[-_.]+/g, '_').toLowerCase();
}

/**
 * `packaging.utils.canonicalize_version`: the normalised version with trailing `.0`s of the
 * release dropped (unless `stripTrailingZero: false`); text that is not a version is returned as is.
 */
export function canonicalizeVersion(
  version: Version | string,
  opts: { stripTrailingZero?: boolean } = {},
): string {
  const v = typeof version === 'string' ? Version.tryParse(version) : version;
  if (v === undefined) return version as string;
  if (opts.stripTrailingZero === false) return v.toString();
  const p = v.parts;
  let i = p.release.length;
  while (i > 1 && p.release[i - 1] === 0n) i--;
  return Version.fromParts({ ...p, release: p.release.slice(0, i) }).toString();
}
