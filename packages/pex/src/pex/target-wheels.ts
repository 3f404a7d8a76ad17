/**
 * PEX-INFO's `target_wheels`: for each target the PEX was built for, the wheel every third-party
 * project uses on it and the projects whose requirements pulled that wheel in (the lock's edges,
 * first-party projects included). Recorded at build time so that `pexkit inspect` can say what a
 * PEX holds per target, and why, without the lock; the runtime does not read it.
 */
import { canonicalizeName } from '../names/canonicalize.js';
import { Requirement } from '../pep508/requirement.js';
import type { BuildPlan, ResolvedProject } from '../plan/build-plan.js';
import { evaluateMarkerOnTarget } from '../targets/markers.js';
import type { Target } from '../targets/target.js';
import { compareNames } from './user-code.js';

/** target → wheel file name → canonical names of the projects that require it (sorted). */
export type TargetWheels = Record<string, Record<string, string[]>>;

/** Name and marker of a PEP 508 string, or undefined when it does not parse. */
function edgeOf(requirement: string): Requirement | undefined {
  try {
    return Requirement.parse(requirement);
  } catch {
    return undefined;
  }
}

/**
 * Whether an edge holds on the target. A marker the target cannot decide (an abbreviated
 * platform and `platform_release`, say) counts as holding: the edge may pull the wheel in.
 */
function holds(edge: Requirement, target: Target | undefined): boolean {
  if (edge.marker === undefined || target === undefined) return true;
  try {
    return evaluateMarkerOnTarget(edge.marker, target);
  } catch {
    return true;
  }
}

/**
 * Computes `target_wheels` from the build plan. `requiresOf` gives a project's edges (default:
 * the plan's; PEX-INFO passes the ones it records, which fall back to the wheel's METADATA).
 */
export function targetWheels(
  plan: BuildPlan,
  requiresOf: (project: ResolvedProject) => readonly string[] = (p) => p.requires,
): TargetWheels {
  const out: TargetWheels = {};
  const firstParty = new Set(plan.firstParty.map((p) => canonicalizeName(p.name)));
  for (const [i, target] of plan.targets.entries()) {
    const resolved = plan.resolvedTargets?.[i];
    // Project name → the wheel it uses on this target.
    const active = new Map<string, string>();
    const sources: Array<{ from: string; requires: readonly string[] }> = [];
    for (const project of plan.projects) {
      const wheel = project.wheels.find((w) => w.targets.includes(target));
      if (wheel === undefined) continue;
      const name = canonicalizeName(project.name);
      active.set(name, wheel.filename);
      sources.push({ from: name, requires: requiresOf(project) });
    }
    for (const p of plan.firstParty)
      sources.push({ from: canonicalizeName(p.name), requires: p.dependencies });
    const requirers = new Map<string, Set<string>>();
    const add = (from: string, requirement: string): void => {
      const edge = edgeOf(requirement);
      if (edge === undefined) return;
      const name = canonicalizeName(edge.name);
      if (!active.has(name) || name === from || !holds(edge, resolved)) return;
      const set = requirers.get(name) ?? new Set<string>();
      set.add(from);
      requirers.set(name, set);
    };
    for (const s of sources) for (const r of s.requires) add(s.from, r);
    // Roots no first-party project declares (extras, dependency groups) belong to the app.
    const main = canonicalizeName(plan.main.name);
    for (const r of plan.requirements) {
      const edge = edgeOf(r);
      if (edge === undefined) continue;
      const got = requirers.get(canonicalizeName(edge.name));
      if (got !== undefined && [...got].some((n) => firstParty.has(n))) continue;
      add(main, r);
    }
    const wheels: Record<string, string[]> = {};
    const byFile = [...active].sort((a, b) => compareNames(a[1], b[1]));
    for (const [name, file] of byFile)
      wheels[file] = [...(requirers.get(name) ?? [])].sort(compareNames);
    out[target] = wheels;
  }
  return out;
}
