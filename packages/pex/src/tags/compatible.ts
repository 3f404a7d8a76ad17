/**
 * Ordered compatibility tags for a target, as `packaging.tags.sys_tags()` produces them
 * on a system matching the target (packaging 26.3).
 */
import type { Target } from '../targets/target.js';
import { parseTag, tagToString, type Tag } from './tag.js';

function nodot(version: readonly number[]): string {
  return version.join('');
}

function tag(interpreter: string, abi: string, platform: string): string {
  return `${interpreter}-${abi}-${platform}`.toLowerCase();
}

/** `packaging.tags._is_threaded_cpython`: the first ABI is a free-threaded (`t`) one. */
function isThreadedCpython(abis: readonly string[]): boolean {
  const first = abis[0];
  if (first === undefined) return false;
  const match = /^cp\d+(.*)/s.exec(first);
  return match !== null && (match[1] as string).includes('t');
}

/**
 * The CPython ABIs an interpreter with main ABI `abi` loads, best first: a debug build
 * (`cp311d`, from 3.8 on) also loads the non-debug ABI (`cp311`).
 */
export function cpythonAbis(pythonVersion: readonly [number, number], abi: string): string[] {
  const abis = [abi];
  const debug = /^(cp\d+t?)d$/.exec(abi);
  const atLeast38 = pythonVersion[0] > 3 || (pythonVersion[0] === 3 && pythonVersion[1] >= 8);
  if (debug && atLeast38) abis.push(debug[1] as string);
  return abis;
}

/** `packaging.tags.cpython_tags(python_version, abis, platforms)`. */
export function cpythonTags(
  pythonVersion: readonly number[],
  abis: readonly string[],
  platforms: readonly string[],
): string[] {
  const result: string[] = [];
  const interpreter = `cp${nodot(pythonVersion.slice(0, 2))}`;
  const remaining = [...abis];
  const threading = isThreadedCpython(remaining);
  for (const explicit of threading ? ['abi3', 'abi3t', 'none'] : ['abi3', 'none']) {
    const index = remaining.indexOf(explicit);
    if (index >= 0) remaining.splice(index, 1);
  }
  for (const abi of remaining) for (const p of platforms) result.push(tag(interpreter, abi, p));
  const [major = 0, minor] = pythonVersion;
  const atLeast32 = minor !== undefined && (major > 3 || (major === 3 && minor >= 2));
  const useAbi3 = atLeast32 && !threading;
  const useAbi3t = atLeast32 && threading;
  if (useAbi3) for (const p of platforms) result.push(tag(interpreter, 'abi3', p));
  if (useAbi3t) for (const p of platforms) result.push(tag(interpreter, 'abi3t', p));
  for (const p of platforms) result.push(tag(interpreter, 'none', p));
  if ((useAbi3 || useAbi3t) && minor !== undefined) {
    for (let older = minor - 1; older > 1; older--) {
      const olderInterpreter = `cp${major}${older}`;
      for (const p of platforms) {
        if (useAbi3) result.push(tag(olderInterpreter, 'abi3', p));
        if (useAbi3t) result.push(tag(olderInterpreter, 'abi3t', p));
      }
    }
  }
  return result;
}

/** `packaging.tags.generic_tags(interpreter, abis, platforms)`: adds `none` when absent. */
export function genericTags(
  interpreter: string,
  abis: readonly string[],
  platforms: readonly string[],
): string[] {
  const all = abis.includes('none') ? [...abis] : [...abis, 'none'];
  const result: string[] = [];
  for (const abi of all) for (const p of platforms) result.push(tag(interpreter, abi, p));
  return result;
}

/** `py311`, `py3`, `py310`, …, `py30`. */
function pyInterpreterRange(pythonVersion: readonly number[]): string[] {
  const [major = 0, minor] = pythonVersion;
  const result: string[] = [];
  if (minor !== undefined) result.push(`py${major}${minor}`);
  result.push(`py${major}`);
  if (minor !== undefined) for (let m = minor - 1; m >= 0; m--) result.push(`py${major}${m}`);
  return result;
}

/** `packaging.tags.compatible_tags(python_version, interpreter, platforms)`. */
export function pythonCompatibleTags(
  pythonVersion: readonly number[],
  interpreter: string | undefined,
  platforms: readonly string[],
): string[] {
  const range = pyInterpreterRange(pythonVersion);
  const result: string[] = [];
  for (const version of range) for (const p of platforms) result.push(tag(version, 'none', p));
  if (interpreter) result.push(tag(interpreter, 'none', 'any'));
  for (const version of range) result.push(tag(version, 'none', 'any'));
  return result;
}

const tagCache = new WeakMap<Target, string[]>();
const rankCache = new WeakMap<Target, Map<string, number>>();

/**
 * The tags `target` supports, best first. A complete platform carries its own list,
 * which is used verbatim; otherwise the list `packaging.tags.sys_tags()` gives on such a
 * system: CPython tags (`cpXY-<abi>`, `abi3` back to `cp32`, `none`) or PyPy generic
 * tags (`ppXY-<abi>`, `none`), then `pyXY-none-<platform>` downwards, `cpXY-none-any`
 * (`pp3-none-any` on PyPy) and `pyXY-none-any` downwards. The list is computed once per
 * target object and shared: treat it (and the target) as read-only.
 */
export function compatibleTags(target: Target): string[] {
  if (target.compatibleTags !== undefined) return target.compatibleTags;
  const cached = tagCache.get(target);
  if (cached !== undefined) return cached;
  const version = target.pythonVersion;
  const nd = nodot(version);
  const tags =
    target.implementation === 'cp'
      ? [
          ...cpythonTags(version, target.abis, target.platforms),
          ...pythonCompatibleTags(version, `cp${nd}`, target.platforms),
        ]
      : [
          ...genericTags(`pp${nd}`, target.abis, target.platforms),
          ...pythonCompatibleTags(version, 'pp3', target.platforms),
        ];
  tagCache.set(target, tags);
  return tags;
}

function ranks(target: Target): Map<string, number> {
  let map = rankCache.get(target);
  if (map === undefined) {
    map = new Map();
    compatibleTags(target).forEach((t, index) => {
      if (!map!.has(t)) map!.set(t, index);
    });
    rankCache.set(target, map);
  }
  return map;
}

/**
 * Rank of the best tag of a wheel on `target`: the index in {@link compatibleTags} of
 * its best supported tag (lower is better), or `undefined` when no tag is supported.
 * String tags may be compressed tag sets (`py2.py3-none-any`).
 */
export function wheelSupportScore(
  tags: readonly Tag[] | readonly string[],
  target: Target,
): number | undefined {
  const rankOf = ranks(target);
  let best: number | undefined;
  for (const entry of tags) {
    const expanded =
      typeof entry === 'string' ? parseTag(entry).map(tagToString) : [tagToString(entry)];
    for (const t of expanded) {
      const rank = rankOf.get(t.toLowerCase());
      if (rank !== undefined && (best === undefined || rank < best)) best = rank;
    }
  }
  return best;
}
