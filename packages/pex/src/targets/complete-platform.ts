/**
 * pex's `--complete-platform` JSON: `{"marker_environment": {...}, "compatible_tags": [...]}`,
 * produced on the real target machine (e.g. by `pex3 interpreter inspect --markers --tags`).
 */
import { readFile } from 'node:fs/promises';
import { compatibleTags } from '../tags/compatible.js';
import { InvalidTag, parseTag, tagToString } from '../tags/tag.js';
import {
  InvalidTarget,
  MARKER_VARIABLES,
  unknownMarkersOf,
  type MarkerVariable,
  type Target,
  type TargetMarkerEnvironment,
} from './target.js';

export interface CompletePlatformJson {
  marker_environment: Record<string, string>;
  compatible_tags: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(source: string, reason: string): InvalidTarget {
  return new InvalidTarget(`Invalid complete platform ${source}: ${reason}`);
}

/** Builds a target from parsed complete-platform JSON; `source` names it in errors. */
export function targetFromCompletePlatform(json: unknown, source: string): Target {
  if (!isRecord(json)) throw bad(source, 'expected a JSON object');
  const env = json['marker_environment'];
  const rawTags = json['compatible_tags'];
  if (!isRecord(env)) throw bad(source, '"marker_environment" must be an object of strings');
  if (!Array.isArray(rawTags) || rawTags.length === 0) {
    throw bad(source, '"compatible_tags" must be a non-empty array of tag strings');
  }
  const markerEnvironment: TargetMarkerEnvironment = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === null) continue;
    if (typeof value !== 'string') throw bad(source, `marker_environment.${key} must be a string`);
    if ((MARKER_VARIABLES as readonly string[]).includes(key)) {
      markerEnvironment[key as MarkerVariable] = value;
    }
  }
  const tags: string[] = [];
  const seen = new Set<string>();
  for (const [index, raw] of rawTags.entries()) {
    if (typeof raw !== 'string') throw bad(source, `compatible_tags[${index}] must be a string`);
    let expanded;
    try {
      expanded = parseTag(raw);
    } catch (error) {
      if (error instanceof InvalidTag)
        throw bad(source, `compatible_tags[${index}]: ${error.message}`);
      throw error;
    }
    for (const t of expanded) {
      const key = tagToString(t);
      if (!seen.has(key)) {
        seen.add(key);
        tags.push(key);
      }
    }
  }
  const first = parseTag(tags[0] as string)[0]!;
  const impl = markerEnvironment.implementation_name ?? first.interpreter;
  const implementation: 'cp' | 'pp' | undefined =
    impl === 'cpython' || impl.startsWith('cp')
      ? 'cp'
      : impl === 'pypy' || impl.startsWith('pp')
        ? 'pp'
        : undefined;
  if (implementation === undefined) {
    throw bad(source, `implementation ${JSON.stringify(impl)} is neither CPython nor PyPy`);
  }
  const versionText = markerEnvironment.python_version ?? '';
  const dotted = /^(\d+)\.(\d+)$/.exec(versionText);
  const fromTag = /^(?:cp|pp)(\d)(\d+)$/.exec(first.interpreter);
  const pythonVersion: [number, number] | undefined = dotted
    ? [Number(dotted[1]), Number(dotted[2])]
    : fromTag
      ? [Number(fromTag[1]), Number(fromTag[2])]
      : undefined;
  if (pythonVersion === undefined) {
    throw bad(source, 'cannot tell the Python version (no marker_environment.python_version)');
  }
  const platforms: string[] = [];
  const abis: string[] = [];
  for (const key of tags) {
    const [interpreter, abi, platform] = key.split('-') as [string, string, string];
    if (platform !== 'any' && !platforms.includes(platform)) platforms.push(platform);
    if (interpreter === first.interpreter && !abis.includes(abi)) abis.push(abi);
  }
  return {
    source,
    platforms,
    implementation,
    pythonVersion,
    abis,
    markerEnvironment,
    unknownMarkers: unknownMarkersOf(markerEnvironment),
    compatibleTags: tags,
  };
}

/** Reads a complete-platform JSON file. */
export async function loadCompletePlatform(path: string): Promise<Target> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidTarget(
      `Cannot read complete platform file ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw bad(path, `not JSON (${(error as Error).message})`);
  }
  return targetFromCompletePlatform(json, path);
}

/** The complete-platform JSON describing `target` (unknown markers are left out). */
export function completePlatformFromTarget(target: Target): CompletePlatformJson {
  const env: Record<string, string> = {};
  for (const name of MARKER_VARIABLES) {
    const value = target.markerEnvironment[name];
    if (value !== undefined) env[name] = value;
  }
  return { marker_environment: env, compatible_tags: [...compatibleTags(target)] };
}
