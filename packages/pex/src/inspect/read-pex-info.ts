/**
 * PEX-INFO as `pexkit inspect` reads it: from a file it does not trust, so every field it uses
 * is checked for its type, and the document must hash to its own `pex_hash` (as the runtime
 * checks on a cold start).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../pex/pex-info.js';
import type { TargetWheels } from '../pex/target-wheels.js';
import { InspectError } from './errors.js';

/** The parts of PEX-INFO an inspection reports on. */
export interface InspectedPexInfo {
  pexHash: string;
  entryPoint: string | null;
  script: string | null;
  pexkitVersion: string | null;
  interpreterConstraints: string[];
  /** Wheel file name → sha256 hex. */
  distributions: Record<string, string>;
  /** Canonical project name → its entries (one per version). */
  projects: Record<string, Array<{ version: string; requires: string[]; wheels: string[] }>>;
  requirements: string[];
  firstParty: string[];
  targets: string[];
  /** Absent in PEXes built before pexkit recorded it. */
  targetWheels: TargetWheels | undefined;
}

type Json = unknown;

function isRecord(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringList(v: Json): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Parses and checks PEX-INFO (`text`) of the PEX at `file`. */
export function readPexInfo(file: string, text: string): InspectedPexInfo {
  const bad = (what: string): InspectError =>
    new InspectError(file, `PEX-INFO ${what}; the PEX is damaged or not built by pexkit`);
  let doc: Json;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw bad(`is not JSON (${(error as Error).message.split('\n')[0]})`);
  }
  if (!isRecord(doc)) throw bad('is not a JSON object');
  if (doc['format'] !== 1) {
    throw new InspectError(
      file,
      doc['format'] === undefined
        ? 'PEX-INFO has no "format": not a PEX built by pexkit (pex-built PEXes are not supported)'
        : `PEX-INFO format ${JSON.stringify(doc['format'])} is not one this pexkit knows (format 1); use the pexkit that built it`,
    );
  }
  const { pex_hash: pexHash, ...body } = doc;
  if (typeof pexHash !== 'string') throw bad('has no pex_hash');
  if (createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex') !== pexHash)
    throw bad('does not match its pex_hash');
  const str = (key: string): string | null => {
    const v = doc[key] ?? null;
    if (v !== null && typeof v !== 'string') throw bad(`"${key}" is not a string or null`);
    return v;
  };
  const list = (key: string): string[] => {
    const v = doc[key] ?? [];
    if (!isStringList(v)) throw bad(`"${key}" is not a list of strings`);
    return v;
  };
  const distributions = doc['distributions'];
  if (!isRecord(distributions) || !Object.values(distributions).every((v) => typeof v === 'string'))
    throw bad('"distributions" is not an object of sha256 strings');
  const projects: InspectedPexInfo['projects'] = {};
  const rawProjects = doc['projects'] ?? {};
  if (!isRecord(rawProjects)) throw bad('"projects" is not an object');
  for (const [name, value] of Object.entries(rawProjects)) {
    const entries = Array.isArray(value) ? value : [value];
    projects[name] = entries.map((e: Json) => {
      if (
        !isRecord(e) ||
        typeof e['version'] !== 'string' ||
        !isStringList(e['wheels']) ||
        !isStringList(e['requires'] ?? [])
      )
        throw bad(`"projects.${name}" is malformed`);
      return {
        version: e['version'],
        requires: (e['requires'] ?? []) as string[],
        wheels: e['wheels'],
      };
    });
  }
  let targetWheels: TargetWheels | undefined;
  const rawTw = doc['target_wheels'];
  if (rawTw !== undefined) {
    if (!isRecord(rawTw)) throw bad('"target_wheels" is not an object');
    targetWheels = {};
    for (const [target, wheels] of Object.entries(rawTw)) {
      if (!isRecord(wheels) || !Object.values(wheels).every(isStringList))
        throw bad(`"target_wheels.${target}" is malformed`);
      targetWheels[target] = wheels as Record<string, string[]>;
    }
  }
  const props = doc['build_properties'];
  const version = isRecord(props) ? props['pexkit_version'] : undefined;
  return {
    pexHash,
    entryPoint: str('entry_point'),
    script: str('script'),
    pexkitVersion: typeof version === 'string' ? version : null,
    interpreterConstraints: list('interpreter_constraints'),
    distributions: distributions as Record<string, string>,
    projects,
    requirements: list('requirements'),
    firstParty: list('first_party'),
    targets: list('targets'),
    targetWheels,
  };
}
