/**
 * PEP 508 environment markers (`python_version >= "3.9" and sys_platform == "linux"`):
 * parse, print and evaluate exactly like pypa's `packaging` 26.3 (`packaging.markers`),
 * including its version-vs-string comparison rules, `in` / `not in` substring tests, and
 * PEP 685 normalisation of extra names. Unlike packaging, nothing is read from the running
 * process: every variable a marker needs must be in the given environment.
 */
import { PexkitError } from '../errors.js';
import { canonicalizeName } from '../names/canonicalize.js';
import { quoteInput } from '../pep440/python-text.js';
import { Specifier } from '../pep440/specifier.js';
import {
  parseFullMarker,
  type MarkerAtom,
  type MarkerItem,
  type MarkerList,
  type MarkerOperand,
} from './marker-parser.js';
import { ParserSyntaxError, Tokenizer } from './tokenizer.js';

/** The PEP 508 marker variables describing a target interpreter and platform. */
export interface MarkerEnvironment {
  implementation_name: string;
  implementation_version: string;
  os_name: string;
  platform_machine: string;
  platform_release: string;
  platform_system: string;
  platform_version: string;
  python_full_version: string;
  platform_python_implementation: string;
  python_version: string;
  sys_platform: string;
}

export const MARKER_ENVIRONMENT_KEYS: readonly (keyof MarkerEnvironment)[] = [
  'implementation_name',
  'implementation_version',
  'os_name',
  'platform_machine',
  'platform_release',
  'platform_system',
  'platform_version',
  'python_full_version',
  'platform_python_implementation',
  'python_version',
  'sys_platform',
];

export interface MarkerEvaluateOptions {
  /**
   * Requested extras. Without `extra`, the marker holds if it holds with `extra == ""` or
   * with `extra` equal to any of these (how installers apply a requirement's extras). They
   * are also the value of the set-valued `extras` variable (PEP 751 lock files).
   */
  extras?: readonly string[];
  /** Evaluate once with this value of `extra` (packaging's `{"extra": ...}`). */
  extra?: string;
  /** Value of the set-valued `dependency_groups` variable (PEP 751). */
  dependencyGroups?: readonly string[];
  /**
   * Evaluate `extra` as a set, once (uv.lock conflict markers): `extra == "x"` holds when `x` is
   * in the set, `extra != "x"` when it is not. Takes precedence over `extras` / `extra` for
   * the `extra` variable.
   */
  extraSet?: readonly string[];
}

/** A marker string that does not parse. */
export class InvalidMarker extends PexkitError {
  override readonly name = 'InvalidMarker';
  constructor(
    readonly input: string,
    detail: string,
  ) {
    super(`Invalid marker: ${quoteInput(input)}: ${detail}`);
  }
}

/** A marker needs a variable that the environment does not define. */
export class UndefinedEnvironmentName extends PexkitError {
  override readonly name = 'UndefinedEnvironmentName';
  constructor(
    readonly variable: string,
    readonly marker: string,
  ) {
    super(
      `Marker ${quoteInput(marker)} needs ${JSON.stringify(variable)}, which the environment does not define`,
    );
  }
}

/** A comparison that markers do not define (`~=` / `===` on non-version strings, sets on the left). */
export class UndefinedComparison extends PexkitError {
  override readonly name = 'UndefinedComparison';
}

const VERSION_KEYS = new Set([
  'implementation_version',
  'platform_release',
  'python_full_version',
  'python_version',
]);
const SET_KEYS = new Set(['extras', 'dependency_groups']);

type EnvValue = string | ReadonlySet<string>;
type Env = Record<string, EnvValue | undefined>;

function normalizeItem(item: MarkerItem): MarkerItem {
  const { lhs, rhs } = item;
  if (lhs.kind === 'variable' && lhs.value === 'extra' && rhs.kind === 'value') {
    return { ...item, rhs: { kind: 'value', value: canonicalizeName(rhs.value) } };
  }
  if (
    rhs.kind === 'variable' &&
    lhs.kind === 'value' &&
    (rhs.value === 'extra' || SET_KEYS.has(rhs.value))
  ) {
    return { ...item, lhs: { kind: 'value', value: canonicalizeName(lhs.value) } };
  }
  return item;
}

/** `_normalize_extra_values` of packaging: extra names in PEP 685 form. */
export function normalizeMarkerList(list: MarkerList): MarkerList {
  return list.map((m) =>
    m === 'and' || m === 'or' ? m : 'kind' in m ? normalizeItem(m) : normalizeMarkerList(m),
  );
}

function serializeOperand(o: MarkerOperand, source: string): string {
  if (o.kind === 'variable') return o.value;
  if (!o.value.includes('"')) return `"${o.value}"`;
  if (!o.value.includes("'")) return `'${o.value}'`;
  throw new InvalidMarker(source, 'cannot print a marker value containing both quote characters');
}

function format(m: MarkerAtom | 'and' | 'or', first: boolean, source: string): string {
  if (m === 'and' || m === 'or') return m;
  if ('kind' in m)
    return `${serializeOperand(m.lhs, source)} ${m.op} ${serializeOperand(m.rhs, source)}`;
  if (m.length === 1 && m[0] !== 'and' && m[0] !== 'or')
    return format(m[0] as MarkerAtom, first, source);
  const inner = m.map((x) => format(x, false, source)).join(' ');
  return first ? inner : `(${inner})`;
}

function evalOp(lhs: string, op: string, rhs: EnvValue, key: string): boolean {
  if (VERSION_KEYS.has(key) && typeof rhs === 'string') {
    let spec: Specifier | undefined;
    try {
      spec = Specifier.parse(`${op}${rhs}`);
    } catch {
      spec = undefined;
    }
    if (spec) return spec.contains(lhs, { prereleases: true });
  }
  const has = (): boolean => (typeof rhs === 'string' ? rhs.includes(lhs) : rhs.has(lhs));
  switch (op) {
    case 'in':
      return has();
    case 'not in':
      return !has();
    case '<':
    case '>':
      return false;
    case '<=':
    case '==':
    case '>=':
      return typeof rhs === 'string' && lhs === rhs;
    case '!=':
      return !(typeof rhs === 'string' && lhs === rhs);
    default:
      throw new UndefinedComparison(
        `Undefined ${JSON.stringify(op)} on ${JSON.stringify(lhs)} and ${JSON.stringify(typeof rhs === 'string' ? rhs : [...rhs])} (for ${key})`,
      );
  }
}

type Fixed = MarkerList | boolean;

function fixAtom(m: MarkerAtom, set: ReadonlySet<string>): MarkerAtom | boolean {
  if (!('kind' in m)) {
    const inner = fixList(m, set);
    return typeof inner === 'boolean' ? inner : inner;
  }
  const { lhs, rhs, op } = m;
  if (lhs.kind === 'variable' && lhs.value === 'extra' && rhs.kind === 'value') {
    if (op === '==') return set.has(rhs.value);
    if (op === '!=') return !set.has(rhs.value);
  }
  return m;
}

/** Substitutes `extra` atoms in a disjunction of conjunctions and simplifies. */
function fixList(list: MarkerList, set: ReadonlySet<string>): Fixed {
  const groups: Array<Array<MarkerAtom | boolean>> = [[]];
  for (const m of list) {
    if (m === 'or') groups.push([]);
    else if (m !== 'and')
      (groups[groups.length - 1] as Array<MarkerAtom | boolean>).push(fixAtom(m, set));
  }
  const kept: MarkerAtom[][] = [];
  for (const g of groups) {
    if (g.includes(false)) continue;
    const rest = g.filter((x): x is MarkerAtom => x !== true);
    if (rest.length === 0) return true;
    kept.push(rest);
  }
  if (kept.length === 0) return false;
  const out: Array<MarkerAtom | 'and' | 'or'> = [];
  kept.forEach((g, i) => {
    if (i > 0) out.push('or');
    g.forEach((x, j) => {
      if (j > 0) out.push('and');
      out.push(x);
    });
  });
  return out;
}

/** A parsed marker expression. */
export class Marker {
  readonly #markers: MarkerList;
  readonly #source: string;

  private constructor(markers: MarkerList, source: string) {
    this.#markers = markers;
    this.#source = source;
  }

  /** Parse like `packaging.markers.Marker(text)`; throws {@link InvalidMarker}. */
  static parse(text: string): Marker {
    if (typeof text !== 'string') throw new InvalidMarker(String(text), 'not a string');
    try {
      return new Marker(normalizeMarkerList(parseFullMarker(new Tokenizer(text))), text);
    } catch (e) {
      if (e instanceof ParserSyntaxError) throw new InvalidMarker(text, e.message);
      throw e;
    }
  }

  /** @internal Used by {@link Requirement} for the marker after `;`. */
  static fromParsed(markers: MarkerList, source: string): Marker {
    return new Marker(normalizeMarkerList(markers), source);
  }

  /** Normalised text, identical to packaging's `str(Marker(...))`. */
  toString(): string {
    return format(this.#markers, true, this.#source);
  }

  /** Names of the variables the marker reads, sorted. */
  variables(): string[] {
    const names = new Set<string>();
    const walk = (list: MarkerList): void => {
      for (const m of list) {
        if (m === 'and' || m === 'or') continue;
        if ('kind' in m) {
          const v = m.lhs.kind === 'variable' ? m.lhs.value : m.rhs.value;
          names.add(v);
        } else walk(m);
      }
    };
    walk(this.#markers);
    return [...names].sort();
  }

  /**
   * This marker with every `extra == "x"` / `extra != "x"` replaced by its value for the set
   * `extras` (uv.lock conflict markers) and simplified: `true` / `false` when nothing else is
   * left, else the remaining marker (other variables untouched).
   */
  fixExtras(extras: readonly string[]): Marker | boolean {
    const set = new Set(extras.map((e) => canonicalizeName(e)));
    const result = fixList(this.#markers, set);
    if (typeof result === 'boolean') return result;
    const marker = new Marker(result, this.#source);
    return Marker.parse(marker.toString());
  }

  /**
   * Evaluate against `env`. Throws {@link UndefinedEnvironmentName} naming a needed variable
   * that `env` lacks, and {@link UndefinedComparison} where packaging raises it.
   */
  evaluate(env: Partial<MarkerEnvironment>, opts: MarkerEvaluateOptions = {}): boolean {
    const base: Env = { ...(env as Record<string, string | undefined>) };
    if (
      typeof base['python_full_version'] === 'string' &&
      base['python_full_version'].endsWith('+')
    ) {
      base['python_full_version'] = `${base['python_full_version']}local`;
    }
    if (opts.extras !== undefined)
      base['extras'] = new Set(opts.extras.map((e) => canonicalizeName(e)));
    if (opts.dependencyGroups !== undefined) {
      base['dependency_groups'] = new Set(opts.dependencyGroups.map((g) => canonicalizeName(g)));
    }
    if (opts.extraSet !== undefined)
      return this.#evaluateList(this.#markers, {
        ...base,
        extra: new Set(opts.extraSet.map((e) => canonicalizeName(e))),
      });
    const candidates = opts.extra !== undefined ? [opts.extra] : ['', ...(opts.extras ?? [])];
    return candidates.some((extra) =>
      this.#evaluateList(this.#markers, { ...base, extra: extra ? canonicalizeName(extra) : '' }),
    );
  }

  #lookup(env: Env, key: string): EnvValue {
    const value = env[key];
    if (value === undefined || !Object.prototype.hasOwnProperty.call(env, key)) {
      throw new UndefinedEnvironmentName(key, this.#source);
    }
    return value;
  }

  #evaluateList(list: MarkerList, env: Env): boolean {
    const groups: boolean[][] = [[]];
    for (const m of list) {
      if (m === 'or') groups.push([]);
      else if (m === 'and') continue;
      else if ('kind' in m)
        (groups[groups.length - 1] as boolean[]).push(this.#evaluateItem(m, env));
      else (groups[groups.length - 1] as boolean[]).push(this.#evaluateList(m, env));
    }
    return groups.some((g) => g.every(Boolean));
  }

  #evaluateItem(item: MarkerItem, env: Env): boolean {
    let key: string;
    let lhs: EnvValue;
    let rhs: EnvValue;
    if (item.lhs.kind === 'variable') {
      key = item.lhs.value;
      lhs = this.#lookup(env, key);
      rhs = item.rhs.value;
    } else {
      lhs = item.lhs.value;
      key = item.rhs.value;
      rhs = this.#lookup(env, key);
    }
    if (key === 'extra' && typeof lhs !== 'string' && typeof rhs === 'string') {
      if (item.op === '==') return lhs.has(rhs);
      if (item.op === '!=') return !lhs.has(rhs);
    }
    if (typeof lhs !== 'string') {
      throw new UndefinedComparison(
        `Set-valued marker ${JSON.stringify(key)} can only be used with the membership form ("<name>" in ${key}), not on the left of ${JSON.stringify(item.op)} in ${quoteInput(this.#source)}`,
      );
    }
    if (SET_KEYS.has(key)) {
      lhs = canonicalizeName(lhs);
      rhs =
        typeof rhs === 'string'
          ? canonicalizeName(rhs)
          : new Set([...rhs].map((v) => canonicalizeName(v)));
    }
    return evalOp(lhs, item.op, rhs, key);
  }
}
