/**
 * Which Python versions a sealed PEX can actually run on: for each target and each Python 3 minor
 * version, the runtime's own walk (requirements → projects' requires, markers evaluated, entries
 * whose Requires-Python allows the version, the best-ranked wheel whose tags fit) must find a wheel
 * for every project it reaches. The interpreter constraints written into PEX-INFO are the
 * requires-python ones narrowed to those versions (issue 12: a PEX whose click needs 3.10+ said
 * `>=3.9`).
 *
 * Granularity is the minor version: a Requires-Python such as `>=3.9.2` counts 3.9 as allowed
 * (a patch release of it is); the project's own requires-python text is kept whole in the result.
 */
import { PexkitError } from '../errors.js';
import { SpecifierSet } from '../pep440/specifier.js';
import { Requirement } from '../pep508/requirement.js';
import type { ResolvedProject } from '../plan/build-plan.js';
import { wheelSupportScore } from '../tags/compatible.js';
import type { Tag } from '../tags/tag.js';
import { evaluateMarkerOnTarget } from '../targets/markers.js';
import type { MarkerVariable, Target } from '../targets/target.js';
import { parseWheelFilename } from '../wheel/filename.js';

/** Minor versions 3.0 … 3.LAST_MINOR are tried; LAST_MINOR allowed means "and every later one". */
export const LAST_MINOR = 40;

/** No Python version satisfies the constraints and has a wheel of every project the PEX needs. */
export class NoPythonFitsError extends PexkitError {
  override readonly name = 'NoPythonFitsError';
}

function canonical(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** `target` as it would be on Python 3.`minor` (same platform, implementation and ABI kind). */
export function retarget(target: Target, minor: number): Target {
  const abis = target.abis.map((abi) =>
    abi.replace(/^(cp|pypy)3\d+/, (_m, kind: string) => `${kind}3${minor}`),
  );
  const env = { ...target.markerEnvironment, python_version: `3.${minor}` };
  delete env.python_full_version;
  if (target.implementation === 'cp') delete env.implementation_version;
  const unknown = new Set<MarkerVariable>(target.unknownMarkers);
  unknown.add('python_full_version');
  if (target.implementation === 'cp') unknown.add('implementation_version');
  const out: Target = {
    source: `${target.source} at Python 3.${minor}`,
    platforms: target.platforms,
    implementation: target.implementation,
    pythonVersion: [3, minor],
    abis,
    markerEnvironment: env,
    unknownMarkers: [...unknown],
  };
  return out;
}

/** Parses met while walking one PEX: each text is parsed once, not once per minor and target. */
class ParseMemo {
  private readonly specs = new Map<string, SpecifierSet | null>();
  private readonly reqs = new Map<string, Requirement>();
  private readonly tags = new Map<string, readonly Tag[]>();

  specifier(spec: string): SpecifierSet | null {
    let set = this.specs.get(spec);
    if (set === undefined) {
      try {
        set = SpecifierSet.parse(spec);
      } catch {
        set = null; // the runtime does not refuse to run over an unparseable Requires-Python
      }
      this.specs.set(spec, set);
    }
    return set;
  }

  requirement(text: string): Requirement {
    let req = this.reqs.get(text);
    if (req === undefined) {
      req = Requirement.parse(text);
      this.reqs.set(text, req);
    }
    return req;
  }

  wheelTags(filename: string): readonly Tag[] {
    let tags = this.tags.get(filename);
    if (tags === undefined) {
      tags = parseWheelFilename(filename).tags;
      this.tags.set(filename, tags);
    }
    return tags;
  }
}

function allowsMinor(spec: string | undefined, minor: number, memo = new ParseMemo()): boolean {
  if (spec === undefined || spec.trim() === '') return true;
  const set = memo.specifier(spec);
  if (set === null) return true;
  return set.contains(`3.${minor}.0`) || set.contains(`3.${minor}.999`);
}

function applies(req: Requirement, target: Target): boolean {
  if (req.marker === undefined) return true;
  try {
    return evaluateMarkerOnTarget(req.marker, target, { extra: '' });
  } catch {
    return true; // a value the target leaves open: the project may be needed
  }
}

/**
 * Why the runtime's walk fails for `target` (already retargeted), or undefined when every project
 * it reaches has an entry and wheel that fit.
 */
export function whyNotRunnable(
  requirements: readonly string[],
  projects: readonly ResolvedProject[],
  firstParty: readonly string[],
  target: Target,
  wheelRequiresPython: (filename: string) => string | undefined = () => undefined,
  memo: ParseMemo = new ParseMemo(),
): string | undefined {
  const byName = new Map<string, ResolvedProject[]>();
  for (const p of projects) {
    const key = canonical(p.name);
    byName.set(key, [...(byName.get(key) ?? []), p]);
  }
  const skip = new Set(firstParty.map(canonical));
  const minor = target.pythonVersion[1];
  const seen = new Set<string>();
  const queue = [...requirements];
  while (queue.length > 0) {
    const text = queue.shift() as string;
    const req = memo.requirement(text);
    const name = canonical(req.name);
    if (seen.has(name) || skip.has(name) || !applies(req, target)) continue;
    seen.add(name);
    const entries = byName.get(name);
    if (entries === undefined) continue; // not carried for this target: the build chose so
    const fitting = entries.filter((e) => allowsMinor(e.requiresPython, minor, memo));
    if (fitting.length === 0) {
      return `${name} ${entries.map((e) => e.version).join(' / ')} requires Python ${entries.map((e) => e.requiresPython ?? '?').join(' / ')}`;
    }
    let best: { rank: number; project: ResolvedProject } | undefined;
    for (const project of fitting) {
      for (const wheel of project.wheels) {
        if (!allowsMinor(wheelRequiresPython(wheel.filename), minor, memo)) continue;
        const rank = wheelSupportScore(memo.wheelTags(wheel.filename), target);
        if (rank !== undefined && (best === undefined || rank < best.rank))
          best = { rank, project };
      }
    }
    if (best === undefined) {
      const wheels = fitting.flatMap((e) => e.wheels.map((w) => w.filename));
      return `no wheel of ${name} fits (${wheels
        .map((w) => {
          const rp = wheelRequiresPython(w);
          return rp === undefined ? w : `${w}, Requires-Python ${rp}`;
        })
        .join('; ')})`;
    }
    queue.push(...best.project.requires);
  }
  return undefined;
}

export interface PythonRange {
  /** Minor versions (3.x) on which some target's wheels all fit; LAST_MINOR stands for "and later". */
  minors: number[];
  /** For the minors the walk rejected: why, for the first target (messages). */
  rejected: Record<number, string>;
}

const MENTIONED_MINOR = /(?:^|\D)3\.?(\d+)/g;

/**
 * The highest Python 3 minor version that any input of the walk can compare against: in a marker,
 * a Requires-Python, a wheel's Python or ABI tag (`cp313`, `py310`), a target. Every minor above
 * it walks exactly like the one after it (specifiers, marker comparisons and tag ranks are the
 * same there), so only minors up to it plus one need the walk. Project versions and platform
 * tags are not scanned: retargeting changes neither.
 */
function highestMentionedMinor(
  requirements: readonly string[],
  projects: readonly ResolvedProject[],
  targets: readonly Target[],
  wheelRequiresPython: (filename: string) => string | undefined,
  memo: ParseMemo,
): number {
  let highest = 0;
  const scan = (text: string | undefined): void => {
    if (text === undefined) return;
    for (const m of text.matchAll(MENTIONED_MINOR)) {
      const minor = Number(m[1]);
      if (minor > highest) highest = minor;
    }
  };
  const scanMarker = (req: string): void => {
    const marker = memo.requirement(req).marker;
    if (marker !== undefined) scan(marker.toString());
  };
  requirements.forEach(scanMarker);
  for (const p of projects) {
    p.requires.forEach(scanMarker);
    scan(p.requiresPython);
    for (const w of p.wheels) {
      for (const tag of memo.wheelTags(w.filename)) scan(`${tag.interpreter} ${tag.abi}`);
      scan(wheelRequiresPython(w.filename));
    }
  }
  for (const t of targets) {
    highest = Math.max(highest, t.pythonVersion[1]);
    t.abis.forEach(scan);
  }
  return highest;
}

/** The Python 3 minor versions the PEX's wheels run on, over all its targets. */
export function pythonRangeOf(
  requirements: readonly string[],
  projects: readonly ResolvedProject[],
  firstParty: readonly string[],
  targets: readonly Target[],
  wheelRequiresPython: (filename: string) => string | undefined = () => undefined,
): PythonRange {
  const minors: number[] = [];
  const rejected: Record<number, string> = {};
  const memo = new ParseMemo();
  const lastWalked = Math.min(
    LAST_MINOR,
    highestMentionedMinor(requirements, projects, targets, wheelRequiresPython, memo) + 1,
  );
  // Platforms no wheel names add only tags no wheel has: leaving them out keeps every wheel's
  // rank order and makes each minor's tag list a few entries long instead of thousands.
  const named = new Set<string>();
  for (const p of projects)
    for (const w of p.wheels) for (const tag of memo.wheelTags(w.filename)) named.add(tag.platform);
  const walked = targets.map((t) => ({
    ...t,
    platforms: t.platforms.filter((p) => named.has(p.toLowerCase())),
  }));
  for (let minor = 0; minor <= lastWalked; minor++) {
    let why: string | undefined = 'no target';
    for (const [i, target] of targets.entries()) {
      const reason = whyNotRunnable(
        requirements,
        projects,
        firstParty,
        // A target at its own version is walked as it is (a complete platform keeps its tags).
        target.pythonVersion[0] === 3 && target.pythonVersion[1] === minor
          ? target
          : retarget(walked[i] as Target, minor),
        wheelRequiresPython,
        memo,
      );
      if (reason === undefined) {
        why = undefined;
        break;
      }
      if (why === 'no target') why = reason;
    }
    if (why === undefined) minors.push(minor);
    else rejected[minor] = why;
  }
  // Minors above the last one walked behave as it does.
  for (let minor = lastWalked + 1; minor <= LAST_MINOR; minor++) {
    if (minors.includes(lastWalked)) minors.push(minor);
    else rejected[minor] = rejected[lastWalked] as string;
  }
  return { minors, rejected };
}

const CONSTRAINT = /^\s*([A-Za-z][A-Za-z0-9_]*)?\s*(.*?)\s*$/s;

/**
 * `constraints` (pex syntax, any one may hold) narrowed to `range`: each constraint is joined
 * with the bounds of each run of consecutive allowed minor versions it overlaps. Unchanged when
 * every minor a constraint allows is in the range. Throws {@link NoPythonFitsError} when nothing
 * is left.
 */
export function narrowConstraints(constraints: readonly string[], range: PythonRange): string[] {
  const allowed = new Set(range.minors);
  const pieces = constraints.length > 0 ? constraints : [''];
  const out: string[] = [];
  for (const c of pieces) {
    const spec = (CONSTRAINT.exec(c) as RegExpExecArray)[2] as string;
    const wants: number[] = [];
    for (let minor = 0; minor <= LAST_MINOR; minor++)
      if (allowsMinor(spec, minor)) wants.push(minor);
    const keep = wants.filter((m) => allowed.has(m));
    if (keep.length === wants.length) {
      if (c !== '') out.push(c);
      continue;
    }
    // Runs of consecutive minors, each written as >=3.a[,<3.(b+1)].
    for (let i = 0; i < keep.length;) {
      let j = i;
      while (j + 1 < keep.length && (keep[j + 1] as number) === (keep[j] as number) + 1) j++;
      const lo = keep[i] as number;
      const hi = keep[j] as number;
      const bounds = [`>=3.${lo}`, ...(hi === LAST_MINOR ? [] : [`<3.${hi + 1}`])].join(',');
      out.push(c.trim() === '' ? bounds : `${c.trim()},${bounds}`);
      i = j + 1;
    }
  }
  if (out.length === 0 && pieces.some((c) => c !== '' || allowed.size === 0)) {
    const wanted = constraints.length > 0 ? constraints.join(' or ') : 'any Python 3';
    const reasons = Object.entries(range.rejected)
      .filter(([m]) =>
        pieces.some((c) => allowsMinor((CONSTRAINT.exec(c) as RegExpExecArray)[2], Number(m))),
      )
      .slice(0, 4)
      .map(([m, why]) => `3.${m}: ${why}`);
    throw new NoPythonFitsError(
      `no Python version satisfies ${wanted} and has a wheel of every project this PEX needs` +
        (reasons.length > 0 ? ` (${reasons.join('; ')})` : ''),
    );
  }
  return out;
}
