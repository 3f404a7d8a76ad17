/**
 * PEP 440 version specifiers (`>=1.0`, `~=2.2`, `==1.2.*`, `===foo`) and comma-separated sets
 * of them, with the parsing, printing, containment and pre-release rules of pypa's
 * `packaging` 26.3 (`packaging.specifiers`).
 *
 * Pre-release policy, as packaging 26.3 has it: `contains()` accepts a pre-release that is in
 * range unless `prereleases: false` is passed; `filter()` drops pre-releases when any final
 * release matched (unless pre-releases are asked for, or a clause names a pre-release).
 */
import { PexkitError } from '../errors.js';
import { pyStrip, quoteInput, PY_WHITESPACE_CLASS } from './python-text.js';
import { inSpecifierRange, type SpecifierOperator } from './specifier-match.js';
import { Version } from './version.js';

export type { SpecifierOperator } from './specifier-match.js';

/** A string that is not a valid PEP 440 specifier (or specifier set). */
export class InvalidSpecifier extends PexkitError {
  override readonly name = 'InvalidSpecifier';
  constructor(
    readonly input: string,
    detail?: string,
  ) {
    super(`Invalid specifier: ${quoteInput(input)}${detail ? ` (${detail})` : ''}`);
  }
}

export interface PrereleaseOptions {
  /** `true`: accept pre-releases; `false`: reject them; unset: packaging's default policy. */
  prereleases?: boolean;
}

const ARBITRARY_RE = new RegExp(`^[^${PY_WHITESPACE_CLASS};)]*$`);
const WILDCARD_PREFIX_RE = /^[vV]?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*$/;
const TWO_CHAR_OPS = ['~=', '==', '!=', '<=', '>='];

function itemText(item: Version | string): string {
  return typeof item === 'string' ? item : item.toString();
}
function coerce(item: Version | string): Version | undefined {
  return typeof item === 'string' ? Version.tryParse(item) : item;
}
/** Python's str ordering (code points), used for printing sets. */
function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] as string).codePointAt(0)! - (y[i] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** One clause: an operator and a version. */
export class Specifier {
  readonly #version: Version | undefined;
  readonly #wildcard: boolean;

  private constructor(
    readonly operator: SpecifierOperator,
    /** The version as written (stripped), e.g. `1.2.*` or `v1.0`. */
    readonly version: string,
  ) {
    this.#wildcard = version.endsWith('.*');
    this.#version = Version.tryParse(this.#wildcard ? version.slice(0, -2) : version);
  }

  /** Parse like `packaging.specifiers.Specifier(text)`; throws {@link InvalidSpecifier}. */
  static parse(text: string): Specifier {
    if (typeof text !== 'string') throw new InvalidSpecifier(String(text), 'not a string');
    const spec = pyStrip(text);
    let op: SpecifierOperator;
    if (spec.startsWith('===')) op = '===';
    else if (TWO_CHAR_OPS.includes(spec.slice(0, 2))) op = spec.slice(0, 2) as SpecifierOperator;
    else if (spec[0] === '<' || spec[0] === '>') op = spec[0];
    else throw new InvalidSpecifier(text, 'no operator');
    const version = pyStrip(spec.slice(op.length));
    const problem = checkVersion(op, version);
    if (problem) throw new InvalidSpecifier(text, problem);
    return new Specifier(op, version);
  }

  /** Whether pre-releases are accepted by default (packaging's `Specifier.prereleases`). */
  get prereleases(): boolean | undefined {
    if (this.operator === '!=') return false;
    if (this.operator === '==' && this.#wildcard) return false;
    if (this.#version === undefined) return undefined;
    return this.#version.isPrerelease;
  }

  /** In range, ignoring the pre-release policy. `===` compares text case-insensitively. */
  #matches(item: Version | string): boolean {
    if (this.operator === '===') return itemText(item).toLowerCase() === this.version.toLowerCase();
    const v = coerce(item);
    if (v === undefined || this.#version === undefined) return false;
    return inSpecifierRange(
      this.operator,
      this.#version,
      this.#wildcard,
      this.version.includes('+'),
      v,
    );
  }

  /** `packaging`'s `Specifier.contains(item, prereleases)`. Invalid version strings are not contained. */
  contains(item: Version | string, opts: PrereleaseOptions = {}): boolean {
    if (this.operator === '===') return this.filter([item], opts).length > 0;
    const v = coerce(item);
    if (v === undefined) return false;
    if (opts.prereleases === false && v.isPrerelease) return false;
    return this.#matches(v);
  }

  /** The items in range, in order, with packaging's pre-release policy. */
  filter<T extends Version | string>(items: Iterable<T>, opts: PrereleaseOptions = {}): T[] {
    const pre = opts.prereleases ?? (this.prereleases ? true : undefined);
    if (this.operator === '===') {
      return applyPrereleasePolicy(
        [...items].filter((i) => this.#matches(i)),
        pre,
      );
    }
    return filterInRange(items, (v) => this.#matches(v), pre);
  }

  /** `op` + version as written, like packaging's `str(Specifier)`. */
  toString(): string {
    return `${this.operator}${this.version}`;
  }

  /** Key under which packaging considers two clauses equal (`==1.0` and `==1.0.0`). */
  get canonicalKey(): string {
    if (this.operator === '===' || this.#wildcard || this.#version === undefined)
      return this.toString();
    const p = this.#version.parts;
    let release = p.release;
    if (this.operator !== '~=') {
      let i = release.length;
      while (i > 1 && release[i - 1] === 0n) i--;
      release = release.slice(0, i);
    }
    return `${this.operator}${Version.fromParts({ ...p, release }).toString()}`;
  }
}

function checkVersion(op: SpecifierOperator, version: string): string | undefined {
  if (op === '===')
    return ARBITRARY_RE.test(version)
      ? undefined
      : 'whitespace, ";" or ")" in an arbitrary version';
  if ((op === '==' || op === '!=') && version.endsWith('.*')) {
    return WILDCARD_PREFIX_RE.test(version.slice(0, -2))
      ? undefined
      : '.* suffix can only follow a release segment such as 1.2';
  }
  const v = Version.tryParse(version);
  if (v === undefined) return 'not a version';
  if (op !== '==' && op !== '!=' && v.local !== undefined)
    return `local versions are not allowed with ${op}`;
  if (op === '~=' && v.release.length < 2) return '~= needs at least two release segments';
  return undefined;
}

/** filter_by_ranges of packaging: invalid items dropped, pre-release policy applied. */
function filterInRange<T extends Version | string>(
  items: Iterable<T>,
  inRange: (v: Version) => boolean,
  pre: boolean | undefined,
): T[] {
  const out: T[] = [];
  const buffered: T[] = [];
  let foundFinal = false;
  for (const item of items) {
    const v = coerce(item);
    if (v === undefined) continue;
    if (pre === false && v.isPrerelease) continue;
    if (!inRange(v)) continue;
    if (pre === undefined && v.isPrerelease) {
      if (!foundFinal) buffered.push(item);
      continue;
    }
    if (!v.isPrerelease) foundFinal = true;
    out.push(item);
  }
  if (pre === undefined && !foundFinal) out.push(...buffered);
  return out;
}

/** `_apply_prereleases_filter` of packaging (items already matched; invalid ones kept). */
function applyPrereleasePolicy<T extends Version | string>(
  items: T[],
  pre: boolean | undefined,
): T[] {
  if (pre === true) return items;
  if (pre === false) return items.filter((i) => !(coerce(i)?.isPrerelease ?? false));
  const out: T[] = [];
  const nonFinal: T[] = [];
  const arbitrary: T[] = [];
  let foundFinal = false;
  for (const item of items) {
    const v = coerce(item);
    if (v === undefined) {
      if (foundFinal) out.push(item);
      else {
        arbitrary.push(item);
        nonFinal.push(item);
      }
    } else if (!v.isPrerelease) {
      if (!foundFinal) {
        out.push(...arbitrary);
        foundFinal = true;
      }
      out.push(item);
    } else if (!foundFinal) {
      nonFinal.push(item);
    }
  }
  if (!foundFinal) out.push(...nonFinal);
  return out;
}

/** A comma-separated list of clauses that must all hold (an empty set contains everything). */
export class SpecifierSet {
  readonly #hasArbitrary: boolean;

  private constructor(
    readonly specifiers: readonly Specifier[],
    hasArbitrary: boolean,
  ) {
    this.#hasArbitrary = hasArbitrary;
  }

  /** Parse like `packaging.specifiers.SpecifierSet(text)`; throws {@link InvalidSpecifier}. */
  static parse(text: string): SpecifierSet {
    if (typeof text !== 'string') throw new InvalidSpecifier(String(text), 'not a string');
    const specs: Specifier[] = [];
    for (const piece of text.split(',')) {
      const s = pyStrip(piece);
      if (!s) continue;
      try {
        specs.push(Specifier.parse(s));
      } catch (e) {
        if (e instanceof InvalidSpecifier) {
          throw new InvalidSpecifier(
            text,
            `clause ${quoteInput(s)}: ${e.message.replace(/^Invalid specifier: /, '')}`,
          );
        }
        throw e;
      }
    }
    return new SpecifierSet(specs, text.includes('==='));
  }

  static fromSpecifiers(specs: readonly Specifier[]): SpecifierSet {
    return new SpecifierSet(
      [...specs],
      specs.some((s) => s.toString().includes('===')),
    );
  }

  get length(): number {
    return this.specifiers.length;
  }

  /** `true` when a clause names a pre-release, else undefined (packaging's `SpecifierSet.prereleases`). */
  get prereleases(): boolean | undefined {
    if (this.specifiers.length === 0) return undefined;
    return this.specifiers.some((s) => s.prereleases) ? true : undefined;
  }

  contains(item: Version | string, opts: PrereleaseOptions = {}): boolean {
    const v = coerce(item);
    const checkItem =
      v === undefined || (this.#hasArbitrary && typeof item === 'string') ? item : v;
    if (
      v !== undefined &&
      !this.#hasArbitrary &&
      v.local === undefined &&
      this.specifiers.length > 0
    ) {
      if (v.isPrerelease && opts.prereleases === false) return false;
      return this.specifiers.every((s) => s.contains(v, { prereleases: true }));
    }
    return this.filter([checkItem], opts).length > 0;
  }

  filter<T extends Version | string>(items: Iterable<T>, opts: PrereleaseOptions = {}): T[] {
    const pre = opts.prereleases ?? this.prereleases;
    if (this.specifiers.length > 0) {
      if (this.#hasArbitrary) {
        const matched = [...items].filter((i) =>
          this.specifiers.every((s) => s.contains(i, { prereleases: true })),
        );
        return applyPrereleasePolicy(matched, pre);
      }
      return filterInRange(
        items,
        (v) => this.specifiers.every((s) => s.contains(v, { prereleases: true })),
        pre,
      );
    }
    return applyPrereleasePolicy([...items], pre);
  }

  /** Clauses sorted and de-duplicated, comma-joined: packaging's `str(SpecifierSet)`. */
  toString(): string {
    if (this.specifiers.length <= 1) return this.specifiers.map(String).join(',');
    const sorted = [...this.specifiers].sort((a, b) =>
      compareCodePoints(a.toString(), b.toString()),
    );
    const seen = new Set<string>();
    const out: string[] = [];
    for (const s of sorted) {
      const key = s.canonicalKey;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(s.toString());
    }
    return out.join(',');
  }
}
