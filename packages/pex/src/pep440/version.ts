/**
 * PEP 440 versions, parsed, normalised and ordered exactly like pypa's `packaging` 26.3
 * (`packaging.version.Version`). The parser is a hand-written scanner (linear time, no
 * regular-expression backtracking) that accepts the same language as packaging's
 * `VERSION_PATTERN` wrapped in Python-whitespace padding.
 *
 * Numbers are kept as `bigint`, like Python's unbounded `int`, so ordering and printing stay
 * exact for any length of digit run; the `number` getters are conveniences.
 */
import { PexkitError } from '../errors.js';
import { isPyWhitespace, quoteInput } from './python-text.js';

export type PreReleaseKind = 'a' | 'b' | 'rc';

/** A string that is not a valid PEP 440 version. */
export class InvalidVersion extends PexkitError {
  override readonly name = 'InvalidVersion';
  constructor(
    readonly input: string,
    detail?: string,
  ) {
    super(`Invalid version: ${quoteInput(input)}${detail ? ` (${detail})` : ''}`);
  }
}

/** The parts of a version, with Python-int precision. */
export interface VersionParts {
  readonly epoch: bigint;
  readonly release: readonly bigint[];
  readonly pre?: readonly [PreReleaseKind, bigint];
  readonly post?: bigint;
  readonly dev?: bigint;
  /** Local segment parts: digit-only parts as bigint, others lower-cased. */
  readonly local?: readonly (bigint | string)[];
}

const PRE_WORDS: readonly (readonly [string, PreReleaseKind])[] = [
  ['alpha', 'a'],
  ['a', 'a'],
  ['beta', 'b'],
  ['b', 'b'],
  ['preview', 'rc'],
  ['pre', 'rc'],
  ['c', 'rc'],
  ['rc', 'rc'],
];
const POST_WORDS = ['post', 'rev', 'r'] as const;
const PRE_RANK: Record<PreReleaseKind, number> = { a: 0, b: 1, rc: 2 };

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}
function isSep(ch: string | undefined): boolean {
  return ch === '.' || ch === '_' || ch === '-';
}
function isAsciiAlnum(ch: string | undefined): boolean {
  if (ch === undefined) return false;
  const c = ch.charCodeAt(0) | 0x20;
  return isDigit(ch) || (c >= 0x61 && c <= 0x7a && ch.length === 1);
}
/** ASCII-only lower-casing (packaging's version regex is ASCII-only). */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) | 0x20));
}

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}
  peek(offset = 0): string | undefined {
    return this.text[this.pos + offset];
  }
  digits(): string | undefined {
    const start = this.pos;
    while (isDigit(this.text[this.pos])) this.pos++;
    return this.pos > start ? this.text.slice(start, this.pos) : undefined;
  }
  optionalSep(): void {
    if (isSep(this.text[this.pos])) this.pos++;
  }
  word(words: readonly string[]): string | undefined {
    for (const w of words) {
      if (asciiLower(this.text.slice(this.pos, this.pos + w.length)) === w) {
        this.pos += w.length;
        return w;
      }
    }
    return undefined;
  }
}

function parseParts(text: string): VersionParts | undefined {
  // Fast path of packaging: only digits and dots.
  if (/^[0-9.]*$/.test(text)) {
    const pieces = text.split('.');
    if (pieces.some((p) => p === '')) return undefined;
    return { epoch: 0n, release: pieces.map((p) => BigInt(p)) };
  }
  const s = new Scanner(text);
  while (s.pos < text.length && isPyWhitespace(text[s.pos] as string)) s.pos++;
  if (s.peek() === 'v' || s.peek() === 'V') s.pos++;
  let first = s.digits();
  if (first === undefined) return undefined;
  let epoch = 0n;
  if (s.peek() === '!') {
    s.pos++;
    epoch = BigInt(first);
    first = s.digits();
    if (first === undefined) return undefined;
  }
  const release = [BigInt(first)];
  while (s.peek() === '.' && isDigit(s.peek(1))) {
    s.pos++;
    release.push(BigInt(s.digits() as string));
  }
  let pre: [PreReleaseKind, bigint] | undefined;
  {
    const save = s.pos;
    s.optionalSep();
    const found = PRE_WORDS.find(([w]) => asciiLower(text.slice(s.pos, s.pos + w.length)) === w);
    if (found) {
      s.pos += found[0].length;
      s.optionalSep();
      pre = [found[1], BigInt(s.digits() ?? '0')];
    } else {
      s.pos = save;
    }
  }
  let post: bigint | undefined;
  {
    const save = s.pos;
    if (s.peek() === '-' && isDigit(s.peek(1))) {
      s.pos++;
      post = BigInt(s.digits() as string);
    } else {
      s.optionalSep();
      if (s.word(POST_WORDS)) {
        s.optionalSep();
        post = BigInt(s.digits() ?? '0');
      } else {
        s.pos = save;
      }
    }
  }
  let dev: bigint | undefined;
  {
    const save = s.pos;
    s.optionalSep();
    if (s.word(['dev'])) {
      s.optionalSep();
      dev = BigInt(s.digits() ?? '0');
    } else {
      s.pos = save;
    }
  }
  let local: (bigint | string)[] | undefined;
  if (s.peek() === '+' && isAsciiAlnum(s.peek(1))) {
    s.pos++;
    const start = s.pos;
    for (;;) {
      while (isAsciiAlnum(s.peek())) s.pos++;
      if (isSep(s.peek()) && isAsciiAlnum(s.peek(1))) {
        s.pos++;
        continue;
      }
      break;
    }
    local = parseLocal(text.slice(start, s.pos));
  }
  while (s.pos < text.length && isPyWhitespace(text[s.pos] as string)) s.pos++;
  if (s.pos !== text.length) return undefined;
  return {
    epoch,
    release,
    ...(pre ? { pre } : {}),
    ...(post !== undefined ? { post } : {}),
    ...(dev !== undefined ? { dev } : {}),
    ...(local ? { local } : {}),
  };
}

function parseLocal(local: string): (bigint | string)[] {
  return local
    .split(/[._-]/)
    .map((part) => (/^[0-9]+$/.test(part) ? BigInt(part) : asciiLower(part)));
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Release without trailing zeros (keeps at least nothing: `0.0` → `[]`), as packaging's `_cmpkey`. */
function trimmedForKey(release: readonly bigint[]): readonly bigint[] {
  let i = release.length;
  while (i > 0 && release[i - 1] === 0n) i--;
  return i === release.length ? release : release.slice(0, i);
}

function compareReleases(a: readonly bigint[], b: readonly bigint[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = cmpBig(a[i] as bigint, b[i] as bigint);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function suffixKey(v: VersionParts): bigint[] {
  let preRank: bigint;
  let preN = 0n;
  if (v.pre === undefined && v.post === undefined && v.dev !== undefined) preRank = -1n;
  else if (v.pre === undefined) preRank = 3n;
  else {
    preRank = BigInt(PRE_RANK[v.pre[0]]);
    preN = v.pre[1];
  }
  return [
    preRank,
    preN,
    v.post === undefined ? 0n : 1n,
    v.post ?? 0n,
    v.dev === undefined ? 1n : 0n,
    v.dev ?? 0n,
  ];
}

function compareLocal(a: readonly (bigint | string)[], b: readonly (bigint | string)[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as bigint | string;
    const y = b[i] as bigint | string;
    if (typeof x === 'string' && typeof y === 'string') {
      if (x !== y) return x < y ? -1 : 1;
    } else if (typeof x === 'bigint' && typeof y === 'bigint') {
      const c = cmpBig(x, y);
      if (c !== 0) return c;
    } else {
      return typeof x === 'string' ? -1 : 1; // strings sort before numbers
    }
  }
  return a.length - b.length;
}

/** Total order of PEP 440 (packaging's `_cmpkey`). */
export function comparePartsOf(a: VersionParts, b: VersionParts): number {
  const e = cmpBig(a.epoch, b.epoch);
  if (e !== 0) return e;
  const r = compareReleases(trimmedForKey(a.release), trimmedForKey(b.release));
  if (r !== 0) return Math.sign(r);
  const sa = suffixKey(a);
  const sb = suffixKey(b);
  for (let i = 0; i < sa.length; i++) {
    const c = cmpBig(sa[i] as bigint, sb[i] as bigint);
    if (c !== 0) return c;
  }
  if (a.local === undefined || b.local === undefined) {
    return a.local === b.local ? 0 : a.local === undefined ? -1 : 1;
  }
  return Math.sign(compareLocal(a.local, b.local));
}

/** A parsed PEP 440 version. Immutable. */
export class Version {
  readonly #parts: VersionParts;
  #text: string | undefined;

  private constructor(parts: VersionParts) {
    this.#parts = parts;
  }

  /** Parse `text` like `packaging.version.Version(text)`; throws {@link InvalidVersion}. */
  static parse(text: string): Version {
    if (typeof text !== 'string') throw new InvalidVersion(String(text), 'not a string');
    const parts = parseParts(text);
    if (!parts) throw new InvalidVersion(text);
    return new Version(parts);
  }

  /** Parse, returning `undefined` instead of throwing for invalid text. */
  static tryParse(text: string): Version | undefined {
    const parts = typeof text === 'string' ? parseParts(text) : undefined;
    return parts ? new Version(parts) : undefined;
  }

  /** Build a version from parts (no validation beyond non-negativity). */
  static fromParts(parts: VersionParts): Version {
    const nums = [parts.epoch, ...parts.release, parts.pre?.[1], parts.post, parts.dev];
    if (parts.release.length === 0 || nums.some((n) => n !== undefined && n < 0n)) {
      throw new InvalidVersion(
        JSON.stringify(parts, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
      );
    }
    return new Version(parts);
  }

  /** The exact parts (bigint precision). */
  get parts(): VersionParts {
    return this.#parts;
  }
  get epoch(): number {
    return Number(this.#parts.epoch);
  }
  get release(): readonly number[] {
    return this.#parts.release.map(Number);
  }
  get pre(): [PreReleaseKind, number] | undefined {
    const p = this.#parts.pre;
    return p ? [p[0], Number(p[1])] : undefined;
  }
  get post(): number | undefined {
    return this.#parts.post === undefined ? undefined : Number(this.#parts.post);
  }
  get dev(): number | undefined {
    return this.#parts.dev === undefined ? undefined : Number(this.#parts.dev);
  }
  get local(): string | undefined {
    return this.#parts.local?.map(String).join('.');
  }
  get isPrerelease(): boolean {
    return this.#parts.dev !== undefined || this.#parts.pre !== undefined;
  }
  get isPostrelease(): boolean {
    return this.#parts.post !== undefined;
  }
  get isDevrelease(): boolean {
    return this.#parts.dev !== undefined;
  }
  /** Everything but the local segment, as a string (packaging's `public`). */
  get public(): string {
    return this.toString().split('+', 1)[0] as string;
  }
  /** Epoch and release only, as a string (packaging's `base_version`). */
  get baseVersion(): string {
    const rel = this.#parts.release.join('.');
    return this.#parts.epoch !== 0n ? `${this.#parts.epoch}!${rel}` : rel;
  }
  get major(): number {
    return Number(this.#parts.release[0] ?? 0n);
  }
  get minor(): number {
    return Number(this.#parts.release[1] ?? 0n);
  }
  get micro(): number {
    return Number(this.#parts.release[2] ?? 0n);
  }

  /** Negative, zero or positive as `this` sorts before, equal to or after `other`. */
  compare(other: Version): number {
    return comparePartsOf(this.#parts, other.#parts);
  }
  equals(other: Version): boolean {
    return this.compare(other) === 0;
  }

  /** Canonical form, identical to packaging's `str(Version(...))`. */
  toString(): string {
    if (this.#text === undefined) {
      const p = this.#parts;
      let out = this.baseVersion;
      if (p.pre) out += `${p.pre[0]}${p.pre[1]}`;
      if (p.post !== undefined) out += `.post${p.post}`;
      if (p.dev !== undefined) out += `.dev${p.dev}`;
      if (p.local) out += `+${this.local}`;
      this.#text = out;
    }
    return this.#text;
  }
  toJSON(): string {
    return this.toString();
  }
}

/** Compare two versions given as strings or {@link Version}s (throws {@link InvalidVersion}). */
export function compareVersions(a: Version | string, b: Version | string): number {
  const va = typeof a === 'string' ? Version.parse(a) : a;
  const vb = typeof b === 'string' ? Version.parse(b) : b;
  return va.compare(vb);
}
