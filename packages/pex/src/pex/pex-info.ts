import { createHash } from 'node:crypto';
import { PEXKIT_VERSION } from '../package-info.js';
import type { BuildPlan, ResolvedProject } from '../plan/build-plan.js';
import type { WheelVerdict } from '../wheel/validate.js';
import type { BytecodeSet } from './bytecode.js';
import { compareVersions } from '../pep440/version.js';
import { compareNames } from './user-code.js';
import { targetWheels, type TargetWheels } from './target-wheels.js';

export type InheritPath = 'false' | 'prefer' | 'fallback';

/** The PEX-INFO document (see docs/pex-info.md). */
export interface PexInfo {
  format: 1;
  pex_hash: string;
  code_hash: string;
  bootstrap_hash: string;
  entry_point: string | null;
  script: string | null;
  interpreter_constraints: string[];
  inherit_path: InheritPath;
  venv: boolean;
  strip_pex_env: boolean;
  inject_env: Record<string, string>;
  inject_args: string[];
  distributions: Record<string, string>;
  /** One entry per project, or a list (newest version first) when targets needed several. */
  projects: Record<string, ProjectEntry | ProjectEntry[]>;
  requirements: string[];
  first_party: string[];
  targets: string[];
  /** target → wheel file → projects that require it (for `pexkit inspect`; not read at run time). */
  target_wheels: TargetWheels;
  build_properties: { pexkit_version: string };
  /**
   * Compiled modules shipped per Python `cache_tag` (absent when none): importlib's magic
   * number (hex), the compiling interpreter's version, and wheel file name → sha256 of
   * `.bytecode/<cache_tag>/<wheel>.zip`.
   */
  bytecode?: Record<string, { magic: string; python: string; wheels: Record<string, string> }>;
}

export interface ProjectEntry {
  version: string;
  requires: string[];
  requires_python: string | null;
  wheels: string[];
}

export interface PexInfoInput {
  plan: BuildPlan;
  /** Validation verdicts by wheel file name (metadata fallback when the plan lacks it). */
  verdicts: Map<string, WheelVerdict>;
  codeHash: string;
  bootstrapHash: string;
  entryPoint: string | null;
  script: string | null;
  interpreterConstraints: string[];
  inheritPath: InheritPath;
  venv: boolean;
  stripPexEnv?: boolean;
  injectEnv?: Record<string, string>;
  injectArgs?: string[];
  bytecode?: readonly BytecodeSet[];
}

/**
 * sha256 hex over named contents: for each entry in byte-wise name order, the UTF-8 name,
 * a NUL byte, the sha256 hex of the contents and a newline. Used for `code_hash` and
 * `bootstrap_hash`.
 */
export function hashNamedContents(files: Array<{ name: string; data: Uint8Array }>): string {
  const outer = createHash('sha256');
  for (const f of [...files].sort((a, b) => compareNames(a.name, b.name))) {
    outer.update(`${f.name}\0${createHash('sha256').update(f.data).digest('hex')}\n`, 'utf8');
  }
  return outer.digest('hex');
}

/** JSON with object keys sorted at every level, no whitespace. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort())
      out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Requires-Dist without extra-only requirements (what a plan without edges would have resolved). */
function requiresWithoutExtras(requiresDist: string[]): string[] {
  return requiresDist.filter((r) => !/\bextra\s*==/.test(r));
}

/** Builds PEX-INFO; `pex_hash` is the sha256 hex of the canonical JSON of every other key. */
export function buildPexInfo(input: PexInfoInput): { info: PexInfo; text: string } {
  const { plan } = input;
  const distributions: Record<string, string> = {};
  const byName = new Map<string, ProjectEntry[]>();
  const requiresOf = new Map<ResolvedProject, string[]>();
  for (const project of plan.projects) {
    const wheels = [...project.wheels].sort((a, b) => compareNames(a.filename, b.filename));
    for (const w of wheels) distributions[w.filename] = w.sha256;
    const verdict = wheels.map((w) => input.verdicts.get(w.filename)).find((v) => v !== undefined);
    const requires =
      project.requires.length > 0 || verdict === undefined
        ? project.requires
        : requiresWithoutExtras(verdict.requiresDist);
    requiresOf.set(project, requires);
    const entries = byName.get(project.name) ?? [];
    entries.push({
      version: project.version,
      requires: [...requires],
      requires_python: project.requiresPython ?? verdict?.requiresPython ?? null,
      wheels: wheels.map((w) => w.filename),
    });
    byName.set(project.name, entries);
  }
  const projects: PexInfo['projects'] = {};
  for (const [name, entries] of byName) {
    // Newest first: on a tie in tag rank the runtime keeps the first entry that fits.
    entries.sort((a, b) => compareVersions(b.version, a.version));
    projects[name] = entries.length === 1 ? entries[0] : entries;
  }
  const body: Omit<PexInfo, 'pex_hash'> = {
    format: 1,
    code_hash: input.codeHash,
    bootstrap_hash: input.bootstrapHash,
    entry_point: input.entryPoint,
    script: input.script,
    interpreter_constraints: [...input.interpreterConstraints],
    inherit_path: input.inheritPath,
    venv: input.venv,
    strip_pex_env: input.stripPexEnv ?? true,
    inject_env: { ...(input.injectEnv ?? {}) },
    inject_args: [...(input.injectArgs ?? [])],
    distributions,
    projects,
    requirements: [...plan.requirements],
    first_party: plan.firstParty.map((p) => p.name),
    targets: [...plan.targets],
    target_wheels: targetWheels(plan, (p) => requiresOf.get(p) ?? p.requires),
    build_properties: { pexkit_version: PEXKIT_VERSION },
  };
  const compiled = (input.bytecode ?? []).filter((set) => set.bundles.length > 0);
  if (compiled.length > 0) {
    body.bytecode = {};
    for (const set of compiled) {
      const wheels: Record<string, string> = {};
      for (const b of [...set.bundles].sort((a, c) => compareNames(a.wheel, c.wheel)))
        wheels[b.wheel] = b.sha256;
      body.bytecode[set.cacheTag] = { magic: set.magic, python: set.python, wheels };
    }
  }
  const pexHash = createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
  const info: PexInfo = { ...body, pex_hash: pexHash };
  return { info, text: `${JSON.stringify(sortKeys(info), null, 2)}\n` };
}
