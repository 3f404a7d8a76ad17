/**
 * The inspection report: what a PEX costs, per target and in total. Its JSON form (`pexkit
 * inspect --json`) is this object as is; the shape is versioned by `schema` and documented in
 * docs/inspect.md. Pure: built from {@link PexFacts}.
 */
import { canonicalizeName } from '../names/canonicalize.js';
import { Requirement } from '../pep508/requirement.js';
import { parseWheelFilename } from '../wheel/filename.js';
import { InspectError } from './errors.js';
import type { InspectDiff } from './diff.js';
import type { PartSize, PexFacts } from './read-pex.js';

export const INSPECT_SCHEMA = 'pexkit-inspect/1';

/** Sizes in bytes: in the PEX (compressed), and installed (unpacked under PEX_ROOT). */
export interface SizeReport {
  files: number;
  pex_bytes: number;
  installed_bytes: number;
}

/** One wheel file of the PEX. */
export interface WheelReport extends SizeReport {
  /** Canonical project name. */
  name: string;
  version: string;
  file: string;
  sha256: string;
  /** Size of the .whl file itself. */
  wheel_bytes: number;
  /** The targets that use it. */
  targets: string[];
}

/** A wheel as one target uses it. */
export interface TargetWheelReport extends SizeReport {
  name: string;
  version: string;
  file: string;
  /** Canonical names of the projects whose requirements pulled it in on this target. */
  required_by: string[];
}

export interface TargetReport {
  target: string;
  /** Sorted by name. */
  wheels: TargetWheelReport[];
  /** This target's wheels plus the first-party code and the runtime. */
  totals: SizeReport & { wheels: number };
}

export interface InspectReport {
  schema: typeof INSPECT_SCHEMA;
  pex: {
    path: string;
    layout: 'zipapp' | 'packed' | 'loose';
    /** Bytes on disk. */
    size: number;
    pex_hash: string;
    entry_point: string | null;
    script: string | null;
    pexkit_version: string | null;
    interpreter_constraints: string[];
    targets: string[];
    /**
     * Whether PEX-INFO records which wheels each target uses and why (`target_wheels`). When
     * false (a PEX from an older pexkit) every target lists every wheel and `required_by` comes
     * from the projects' edges without their markers.
     */
    per_target: boolean;
  };
  /** Every wheel file, sorted by name then file. */
  wheels: WheelReport[];
  targets: TargetReport[];
  first_party: SizeReport & {
    projects: string[];
    /** By top-level name at the root (`app/`, `app-1.0.dist-info/`, `mod.py`), largest first. */
    top_level: Array<SizeReport & { name: string }>;
  };
  runtime: SizeReport;
  /** Over every wheel file once, plus first-party code and runtime; pex_bytes is the file size. */
  totals: SizeReport & { wheels: number };
  diff?: InspectDiff;
}

function size(part: PartSize): SizeReport {
  return { files: part.files, pex_bytes: part.pexBytes, installed_bytes: part.installedBytes };
}

function sum(parts: SizeReport[]): SizeReport {
  const out: SizeReport = { files: 0, pex_bytes: 0, installed_bytes: 0 };
  for (const p of parts) {
    out.files += p.files;
    out.pex_bytes += p.pex_bytes;
    out.installed_bytes += p.installed_bytes;
  }
  return out;
}

function byName<T extends { name: string; file: string }>(a: T, b: T): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
}

/** Project name and version of each wheel file: from PEX-INFO `projects`, else its file name. */
function projectsOfWheels(facts: PexFacts): Map<string, { name: string; version: string }> {
  const out = new Map<string, { name: string; version: string }>();
  for (const [name, entries] of Object.entries(facts.info.projects)) {
    for (const e of entries) for (const w of e.wheels) out.set(w, { name, version: e.version });
  }
  for (const w of facts.wheels) {
    if (out.has(w.file)) continue;
    try {
      const parsed = parseWheelFilename(w.file);
      out.set(w.file, { name: parsed.name, version: parsed.version.toString() });
    } catch {
      throw new InspectError(facts.path, `.deps/${w.file} is not a valid wheel file name`);
    }
  }
  return out;
}

/**
 * Without `target_wheels`: every wheel for every target, requirers from the unevaluated edges
 * in PEX-INFO `projects` and the roots in `requirements` (credited to the app).
 */
function guessTargetWheels(facts: PexFacts): Record<string, Record<string, string[]>> {
  const requirers = new Map<string, Set<string>>();
  const add = (from: string, requirement: string): void => {
    let name: string;
    try {
      name = canonicalizeName(Requirement.parse(requirement).name);
    } catch {
      return;
    }
    const set = requirers.get(name) ?? new Set<string>();
    set.add(from);
    requirers.set(name, set);
  };
  for (const [name, entries] of Object.entries(facts.info.projects))
    for (const e of entries) for (const r of e.requires) add(name, r);
  const main = facts.info.firstParty[0];
  if (main !== undefined) for (const r of facts.info.requirements) add(main, r);
  const names = projectsOfWheels(facts);
  const wheels: Record<string, string[]> = {};
  for (const w of facts.wheels) {
    const name = names.get(w.file)?.name ?? '';
    wheels[w.file] = [...(requirers.get(name) ?? [])].sort();
  }
  const targets = facts.info.targets.length > 0 ? facts.info.targets : ['(all)'];
  return Object.fromEntries(targets.map((t) => [t, wheels]));
}

/** Builds the report for the PEX `facts` describe. */
export function buildReport(facts: PexFacts): InspectReport {
  const names = projectsOfWheels(facts);
  const perTarget = facts.info.targetWheels !== undefined;
  const targetWheels = facts.info.targetWheels ?? guessTargetWheels(facts);
  const wheelFacts = new Map(facts.wheels.map((w) => [w.file, w]));
  const usedBy = new Map<string, string[]>();
  const firstParty = size(facts.firstParty);
  const runtime = size(facts.runtime);
  const targets: TargetReport[] = [];
  // In the order the PEX was built for (PEX-INFO sorts the keys of target_wheels).
  const order = [
    ...facts.info.targets.filter((t) => t in targetWheels),
    ...Object.keys(targetWheels).filter((t) => !facts.info.targets.includes(t)),
  ];
  for (const target of [...new Set(order)]) {
    const wheels = targetWheels[target] as Record<string, string[]>;
    const list: TargetWheelReport[] = [];
    for (const [file, requiredBy] of Object.entries(wheels)) {
      const w = wheelFacts.get(file);
      if (w === undefined) {
        throw new InspectError(
          facts.path,
          `PEX-INFO target_wheels names ${file} for ${target}, which is not in .deps/`,
        );
      }
      const project = names.get(file) as { name: string; version: string };
      list.push({ ...project, file, ...size(w), required_by: [...requiredBy] });
      usedBy.set(file, [...(usedBy.get(file) ?? []), target]);
    }
    list.sort(byName);
    targets.push({
      target,
      wheels: list,
      totals: { wheels: list.length, ...sum([...list, firstParty, runtime]) },
    });
  }
  const wheels: WheelReport[] = facts.wheels
    .map((w) => ({
      ...(names.get(w.file) as { name: string; version: string }),
      file: w.file,
      sha256: w.sha256,
      ...size(w),
      wheel_bytes: w.wheelBytes,
      targets: usedBy.get(w.file) ?? [],
    }))
    .sort(byName);
  const topLevel = Object.entries(facts.firstParty.topLevel)
    .map(([name, part]) => ({ name, ...size(part) }))
    .sort((a, b) => b.installed_bytes - a.installed_bytes || (a.name < b.name ? -1 : 1));
  const all = sum([...wheels, firstParty, runtime]);
  return {
    schema: INSPECT_SCHEMA,
    pex: {
      path: facts.path,
      layout: facts.layout,
      size: facts.size,
      pex_hash: facts.info.pexHash,
      entry_point: facts.info.entryPoint,
      script: facts.info.script,
      pexkit_version: facts.info.pexkitVersion,
      interpreter_constraints: [...facts.info.interpreterConstraints],
      targets: [...facts.info.targets],
      per_target: perTarget,
    },
    wheels,
    targets,
    first_party: { ...firstParty, projects: [...facts.info.firstParty], top_level: topLevel },
    runtime,
    totals: { wheels: wheels.length, ...all, pex_bytes: facts.size },
  };
}
