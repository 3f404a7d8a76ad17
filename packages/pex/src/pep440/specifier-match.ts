/**
 * Whether a version lies in the range one PEP 440 specifier clause describes, ignoring the
 * pre-release policy (the caller applies it). A port of the interval semantics of pypa's
 * `packaging` 26.3 (`packaging/_ranges.py`): `<=V` and `==V` take `V+local`; `>V` skips
 * post-releases and local versions of V (and of V's pre-release when V is one); `<V` skips
 * V's pre-releases unless V is one; wildcards cover `V.dev0 <= x < next.dev0`.
 */
import { comparePartsOf, Version, type VersionParts } from './version.js';

export type SpecifierOperator = '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';

function trimmedRelease(release: readonly bigint[]): readonly bigint[] {
  let i = release.length;
  while (i > 0 && release[i - 1] === 0n) i--;
  return release.slice(0, i);
}

function sameRelease(a: VersionParts, b: VersionParts): boolean {
  if (a.epoch !== b.epoch) return false;
  const ta = trimmedRelease(a.release);
  const tb = trimmedRelease(b.release);
  return ta.length === tb.length && ta.every((x, i) => x === tb[i]);
}

function samePre(a: VersionParts, b: VersionParts): boolean {
  if (a.pre === undefined || b.pre === undefined) return a.pre === b.pre;
  return a.pre[0] === b.pre[0] && a.pre[1] === b.pre[1];
}

/** Equal in everything but the local segment. */
function samePublic(a: VersionParts, b: VersionParts): boolean {
  return sameRelease(a, b) && samePre(a, b) && a.post === b.post && a.dev === b.dev;
}

function cmp(a: VersionParts, b: VersionParts): number {
  return comparePartsOf(a, b);
}

/** `release[:-1] + (release[-1] + 1)` at `.dev0`, with the epoch kept. */
function nextPrefixDev0(epoch: bigint, release: readonly bigint[]): VersionParts {
  const next = [...release.slice(0, -1), (release[release.length - 1] as bigint) + 1n];
  return { epoch, release: next, dev: 0n };
}

/**
 * Does `p` fall in the range of `op spec`? `spec` is the parsed specifier version (without
 * the `.*` of a wildcard); `wildcard` and `hasLocal` describe how it was written.
 */
export function inSpecifierRange(
  op: Exclude<SpecifierOperator, '==='>,
  spec: Version,
  wildcard: boolean,
  hasLocal: boolean,
  p: Version,
): boolean {
  const v = spec.parts;
  const x = p.parts;
  if (wildcard) {
    const lower: VersionParts = { epoch: v.epoch, release: v.release, dev: 0n };
    const upper = nextPrefixDev0(v.epoch, v.release);
    const inside = cmp(x, lower) >= 0 && cmp(x, upper) < 0;
    return op === '!=' ? !inside : inside;
  }
  switch (op) {
    case '==':
    case '!=': {
      const equal = hasLocal ? cmp(x, v) === 0 : samePublic(x, v);
      return op === '==' ? equal : !equal;
    }
    case '>=':
      return cmp(x, v) >= 0;
    case '<=':
      return cmp(x, v) <= 0 || samePublic(x, v);
    case '>': {
      if (v.dev !== undefined) {
        return cmp(x, { ...withoutLocal(v), dev: v.dev + 1n }) >= 0;
      }
      if (v.post !== undefined) {
        return cmp(x, { ...withoutLocal(v), post: v.post + 1n, dev: 0n }) >= 0;
      }
      if (cmp(x, v) <= 0) return false;
      return !(sameRelease(x, v) && samePre(x, v));
    }
    case '<': {
      const bound = spec.isPrerelease ? v : { ...withoutLocal(v), dev: 0n };
      return cmp(x, bound) < 0;
    }
    case '~=': {
      const upper = nextPrefixDev0(v.epoch, v.release.slice(0, -1));
      return cmp(x, v) >= 0 && cmp(x, upper) < 0;
    }
  }
}

function withoutLocal(v: VersionParts): VersionParts {
  const { local: _local, ...rest } = v;
  return rest;
}
