import { PexkitError } from '../errors.js';
import type { LockArtifact } from '../lock/model.js';
import { SpecifierSet } from '../pep440/specifier.js';
import { wheelSupportScore } from '../tags/compatible.js';
import type { Target } from '../targets/target.js';
import { explainNoWheel, type RejectedWheel } from './no-wheel.js';

/** The parts of a wheel file name that selection needs. */
export interface WheelNameParts {
  name: string;
  version: string;
  build?: [bigint, string];
  /** `{python}-{abi}-{platform}` (possibly a compressed tag set). */
  tag: string;
}

/** Splits `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`; undefined if it is not one. */
export function wheelNameParts(filename: string): WheelNameParts | undefined {
  if (!filename.endsWith('.whl')) return undefined;
  const parts = filename.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) return undefined;
  const [name, version] = parts as [string, string];
  const tag = parts.slice(-3).join('-');
  const out: WheelNameParts = { name, version, tag };
  if (parts.length === 6) {
    const m = /^(\d+)(.*)$/.exec(parts[2] as string);
    if (m === null) return undefined;
    out.build = [BigInt(m[1] as string), m[2] as string];
  }
  return out;
}

/** The Python version a target claims, as pip compares it with requires-python. */
export function targetPythonVersion(target: Target): string {
  return (
    target.markerEnvironment.python_full_version ??
    `${target.pythonVersion[0]}.${target.pythonVersion[1]}`
  );
}

/** A name to show for a target in messages. */
export function targetLabel(target: Target): string {
  return target.source;
}

/** No artifact of a locked package can serve a target. */
export class NoCompatibleWheelError extends PexkitError {
  override readonly name = 'NoCompatibleWheelError';
  constructor(
    readonly project: string,
    readonly version: string,
    readonly target: string,
    readonly availableTags: string[],
    detail = '',
    /** One line per closest rejected file and why (see `explainNoWheel`). */
    readonly explanation: string[] = [],
  ) {
    const files =
      availableTags.length === 0
        ? ' The lock lists no wheels for it.'
        : `:\n${explanation.map((l) => `  ${l}`).join('\n')}\n`;
    super(
      `No wheel of ${project} ${version} fits target ${target}${detail}${files}` +
        `${availableTags.length === 0 ? ' ' : ''}Pick another target, pin a version with wheels for it, or build on a matching machine.`,
    );
  }
}

/** The package's requires-python excludes the target's Python. */
export class RequiresPythonError extends PexkitError {
  override readonly name = 'RequiresPythonError';
}

export interface SelectablePackage {
  name: string;
  version?: string;
  wheels: LockArtifact[];
  sdist?: LockArtifact;
  requiresPython?: string;
}

/** A wheel candidate with index metadata (files from a simple index carry their own requires-python). */
export type Candidate = LockArtifact & { requiresPython?: string; yanked?: boolean | string };

export type Selection =
  | { kind: 'wheel'; artifact: Candidate; score: number }
  | {
      kind: 'sdist';
      artifact: LockArtifact;
      /** Tags of the wheels that exist (none fit). */
      availableTags: string[];
      /** Why the closest wheels do not fit, one line each (`explainNoWheel`). */
      explanation: string[];
    };

function pythonOk(spec: string | undefined, version: string, what: string): boolean {
  if (spec === undefined || spec.trim() === '') return true;
  try {
    return SpecifierSet.parse(spec).contains(version, { prereleases: true });
  } catch (error) {
    throw new RequiresPythonError(`${what}: invalid requires-python ${JSON.stringify(spec)}`, {
      cause: error,
    });
  }
}

function compareBuild(a: [bigint, string] | undefined, b: [bigint, string] | undefined): number {
  const x = a ?? [-1n, ''];
  const y = b ?? [-1n, ''];
  if (x[0] !== y[0]) return x[0] < y[0] ? -1 : 1;
  return x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0;
}

/**
 * The best artifact of `pkg` for `target`: the wheel whose best tag ranks highest in the
 * target's tag order (pip's choice: then the higher build number, then non-yanked), among wheels
 * whose requires-python admits the target. With no fitting wheel: the sdist if there is one
 * (the caller decides whether it can be built), else NoCompatibleWheelError naming what exists.
 */
export function selectArtifact(
  pkg: SelectablePackage,
  target: Target,
  candidates: Candidate[] = pkg.wheels,
  options: { verbose?: boolean } = {},
): Selection {
  const version = pkg.version ?? '(unversioned)';
  const pyVersion = targetPythonVersion(target);
  const label = targetLabel(target);
  if (!pythonOk(pkg.requiresPython, pyVersion, `${pkg.name} ${version}`)) {
    throw new RequiresPythonError(
      `${pkg.name} ${version} requires Python ${pkg.requiresPython}, but target ${label} has Python ${pyVersion}`,
    );
  }
  let best:
    { artifact: Candidate; score: number; build?: [bigint, string]; yanked: boolean } | undefined;
  const tags: string[] = [];
  const rejected: RejectedWheel[] = [];
  let excludedByPython = 0;
  for (const w of candidates) {
    const parts = wheelNameParts(w.filename);
    if (parts === undefined) continue;
    tags.push(parts.tag);
    const score = wheelSupportScore([parts.tag], target);
    if (score === undefined) {
      rejected.push({ filename: w.filename });
      continue;
    }
    if (!pythonOk(w.requiresPython, pyVersion, w.filename)) {
      excludedByPython++;
      rejected.push({ filename: w.filename, requiresPython: w.requiresPython as string });
      continue;
    }
    const yanked = w.yanked !== undefined && w.yanked !== false;
    const better =
      best === undefined ||
      (yanked !== best.yanked
        ? !yanked
        : score !== best.score
          ? score < best.score
          : compareBuild(parts.build, best.build) > 0);
    if (better) best = { artifact: w, score, build: parts.build, yanked };
  }
  if (best !== undefined) return { kind: 'wheel', artifact: best.artifact, score: best.score };
  const explanation = explainNoWheel(rejected, target, options);
  if (pkg.sdist !== undefined)
    return {
      kind: 'sdist',
      artifact: pkg.sdist,
      availableTags: [...new Set(tags)].sort(),
      explanation,
    };
  const detail =
    excludedByPython > 0
      ? ` (${excludedByPython} matching wheel(s) exclude Python ${pyVersion} by requires-python)`
      : '';
  throw new NoCompatibleWheelError(
    pkg.name,
    version,
    label,
    [...new Set(tags)].sort(),
    detail,
    explanation,
  );
}
