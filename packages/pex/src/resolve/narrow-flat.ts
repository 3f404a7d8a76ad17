/**
 * Narrowing a flat lock (pinned requirements without `# via`, pylock without dependency edges)
 * to what a project needs. Such a lock lists a closure for some set of roots, often a whole
 * workspace; the packages' own Requires-Dist (from the METADATA of the wheels the plan fetched)
 * give the edges it lacks. Walked per target from the project's requirements, with markers
 * (and the extras each edge activates) evaluated in the target's environment.
 */
import { canonicalizeName } from '../names/canonicalize.js';
import { Requirement } from '../pep508/requirement.js';
import type { ResolvedProject } from '../plan/build-plan.js';
import type { Target } from '../targets/target.js';
import { evaluateMarker } from './markers.js';

export interface NarrowTarget {
  name: string;
  target: Target;
}

/**
 * Drops from `projects` every (project, target) pair the walk from `roots` does not reach on
 * that target, following `requiresDist` (canonical project name → full Requires-Dist); a wheel
 * left with no target goes, and a project left with no wheel. Returns the names dropped entirely.
 */
export function narrowFlatProjects(
  projects: Map<string, ResolvedProject>,
  requiresDist: ReadonlyMap<string, readonly string[]>,
  roots: readonly string[],
  targets: readonly NarrowTarget[],
): string[] {
  const byName = new Map<string, ResolvedProject[]>();
  for (const p of projects.values()) {
    const key = canonicalizeName(p.name);
    byName.set(key, [...(byName.get(key) ?? []), p]);
  }
  const reachedBy = new Map<string, Set<string>>(); // target name → reached canonical names
  for (const { name: targetName, target } of targets) {
    const reached = new Set<string>();
    const seen = new Set<string>(); // name + extras already walked
    const queue: Array<{ name: string; extras: string[] }> = [];
    const follow = (text: string, extras: readonly string[], where: string): void => {
      const req = Requirement.parse(text);
      if (req.marker !== undefined && !evaluateMarker(req.marker.toString(), target, extras, where))
        return;
      queue.push({
        name: canonicalizeName(req.name),
        extras: req.extras.map((e) => canonicalizeName(e)),
      });
    };
    for (const r of roots) follow(r, [], `requirement '${r}'`);
    for (let head = 0; head < queue.length; head++) {
      const { name, extras } = queue[head] as { name: string; extras: string[] };
      const key = `${name}[${extras.join(',')}]`;
      if (seen.has(key)) continue;
      seen.add(key);
      reached.add(name);
      for (const r of requiresDist.get(name) ?? [])
        follow(r, extras, `Requires-Dist '${r}' of ${name}`);
    }
    reachedBy.set(targetName, reached);
  }
  const dropped: string[] = [];
  for (const [key, project] of projects) {
    const name = canonicalizeName(project.name);
    for (const wheel of project.wheels)
      wheel.targets = wheel.targets.filter((t) => reachedBy.get(t)?.has(name) ?? true);
    project.wheels = project.wheels.filter((w) => w.targets.length > 0);
    if (project.wheels.length === 0) {
      projects.delete(key);
      dropped.push(project.name);
    }
  }
  return dropped.sort();
}
