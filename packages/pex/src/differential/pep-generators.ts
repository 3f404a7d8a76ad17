/**
 * Seeded generators of PEP 440 / PEP 508 inputs for the differential suite: well-formed
 * strings in every spelling packaging accepts, near misses around specifier boundaries,
 * and randomly mutated text (so that invalid inputs are compared too).
 */
import type { Rng } from '../testing/differential.js';

const WS_ODD = [' ', '\t', '\n', '\u00a0', '\x1c', '\u3000', '\ufeff', '\r\n', '\u2028'];
const MUTATION_CHARS = [
  ...'0123456789.-_+!*vVaAbBcCdDeEhHilmnoOpPrRstuvwxyz ~=<>()[];,@"\'',
  'é',
  '١',
  '²',
  'ı',
  'ſ',
  '\u00a0',
  '\t',
  '\n',
  '\\',
  '\u0000',
  'K',
];

export interface VersionShape {
  epoch?: number;
  release: number[];
  pre?: [string, number | undefined];
  post?: number | undefined | 'implicit';
  hasPost?: boolean;
  dev?: number | undefined;
  hasDev?: boolean;
  local?: string;
}

function num(rng: Rng): string {
  const r = rng.next();
  if (r < 0.7) return String(rng.int(13));
  if (r < 0.8) return `0${rng.int(10)}`;
  if (r < 0.95) return String(rng.int(3000));
  return rng.pick(['12345678901234567890123', '4294967296', '9007199254740993', '000']);
}
function sep(rng: Rng): string {
  return rng.chance(0.5) ? '' : rng.pick(['.', '-', '_']);
}

/** A random version shape (numbers kept small so neighbours collide often). */
export function genShape(rng: Rng): VersionShape {
  const shape: VersionShape = { release: [] };
  if (rng.chance(0.08)) shape.epoch = rng.int(3);
  const n = rng.pick([1, 2, 2, 3, 3, 3, 4, 5]);
  for (let i = 0; i < n; i++) shape.release.push(rng.chance(0.3) ? 0 : rng.int(6));
  if (rng.chance(0.3))
    shape.pre = [
      rng.pick(['a', 'b', 'rc', 'c', 'alpha', 'beta', 'pre', 'preview']),
      rng.chance(0.85) ? rng.int(4) : undefined,
    ];
  if (rng.chance(0.25)) {
    shape.hasPost = true;
    shape.post = rng.chance(0.1) ? 'implicit' : rng.chance(0.85) ? rng.int(4) : undefined;
  }
  if (rng.chance(0.2)) {
    shape.hasDev = true;
    shape.dev = rng.chance(0.85) ? rng.int(4) : undefined;
  }
  if (rng.chance(0.15))
    shape.local = rng.pick(['ubuntu', 'ubuntu.1', '1', 'abc.01', 'ABC', 'x7-y_8', '0', 'cpu']);
  return shape;
}

/** Spell a shape, randomly choosing among the spellings PEP 440 normalises. */
export function spellShape(rng: Rng, s: VersionShape, plain = false): string {
  let out = '';
  if (!plain && rng.chance(0.06)) out += rng.pick(['v', 'V']);
  if (s.epoch !== undefined) out += `${s.epoch}!`;
  out += s.release.map((x) => (!plain && rng.chance(0.04) ? `0${x}` : String(x))).join('.');
  const up = (w: string): string => (!plain && rng.chance(0.15) ? w.toUpperCase() : w);
  if (s.pre)
    out += (plain ? '' : sep(rng)) + up(s.pre[0]) + (plain ? '' : sep(rng)) + (s.pre[1] ?? '');
  if (s.hasPost) {
    if (s.post === 'implicit') out += `-${rng.int(4)}`;
    else
      out +=
        (plain ? '.' : sep(rng)) +
        up(plain ? 'post' : rng.pick(['post', 'post', 'rev', 'r'])) +
        (plain ? '' : sep(rng)) +
        (s.post ?? '');
  }
  if (s.hasDev)
    out += (plain ? '.' : sep(rng)) + up('dev') + (plain ? '' : sep(rng)) + (s.dev ?? '');
  if (s.local) out += `+${s.local}`;
  return out;
}

/** Replace, insert or delete characters at random. */
export function mutate(rng: Rng, text: string, times = 1 + rng.int(3)): string {
  let out = text;
  for (let i = 0; i < times; i++) {
    const at = rng.int(out.length + 1);
    const r = rng.next();
    if (r < 0.4) out = out.slice(0, at) + rng.pick(MUTATION_CHARS) + out.slice(at);
    else if (r < 0.7) out = out.slice(0, at) + out.slice(at + 1);
    else if (r < 0.9) out = out.slice(0, at) + rng.pick(MUTATION_CHARS) + out.slice(at + 1);
    else out = out.slice(0, at) + out.slice(at, at + 3) + out.slice(at);
  }
  return out;
}

const TRICKY_VERSIONS = [
  '1.0',
  '1.0.0',
  '1',
  '0',
  '00',
  '1.0rc1',
  '1.0c1',
  '1.0-1',
  '1.0.a1',
  '1.0_post2',
  '1.0.post',
  '1.0-post-2',
  'v1.0',
  'V1.0',
  'vv1.0',
  '1.0a-',
  '1.0a.',
  '1.0.dev',
  '1.0DEV',
  '1.0+local',
  '1.0+LOCAL.01',
  '1.0+',
  '1.0+a..b',
  '1!1.0',
  '1!',
  '!1.0',
  '1.0.*',
  '1..0',
  '.1',
  '1.',
  '',
  ' ',
  '1.0 ',
  '\t1.0\n',
  '\u00a01.0',
  '\ufeff1.0',
  '1.0a1.post2.dev3+abc.4',
  '1.0-dev',
  '1.0-r',
  '1.0rev',
  '1.0preview',
  '1.0pre',
  '1.0alpha',
  '1.0beta1',
  '1.0.0.0.0.0',
  '2!0.0.0',
  'one',
  '1.0ā',
  '١.٠',
  '1e3',
  '0x10',
  '1.0_',
  '1.0-',
  '1.0a1-1',
  '1.0a--1',
  '1.0.post1.post2',
  '1.0a1b1',
  '1.0dev1dev2',
  '1.0+abc+def',
  '1.0+abc-',
  '999999999999999999999999.1',
];

const SOUP = [
  '1',
  '0',
  '2',
  '10',
  '.',
  '-',
  '_',
  'a',
  'b',
  'rc',
  'c',
  'alpha',
  'beta',
  'pre',
  'preview',
  'post',
  'rev',
  'r',
  'dev',
  '+',
  '!',
  'v',
  'abc',
  'X',
];

/** Random concatenation of version-ish tokens: odd but often valid orderings. */
export function genVersionSoup(rng: Rng): string {
  const n = 1 + rng.int(8);
  let out = rng.chance(0.7) ? String(rng.int(4)) : '';
  for (let i = 0; i < n; i++) out += rng.pick(SOUP);
  return out;
}

/** A version-like string: mostly valid in some spelling, sometimes mutated or tricky. */
export function genVersionText(rng: Rng): string {
  const r = rng.next();
  if (r < 0.12) return rng.pick(TRICKY_VERSIONS);
  if (r > 0.9) return genVersionSoup(rng);
  let text = spellShape(rng, genShape(rng));
  if (r < 0.2)
    text = `${num(rng)}.${num(rng)}${rng.chance(0.5) ? `.${num(rng)}` : ''}${text.replace(/^[^a-zA-Z+]*/, '')}`;
  if (rng.chance(0.04)) text = rng.pick(WS_ODD) + text;
  if (rng.chance(0.04)) text += rng.pick(WS_ODD);
  if (rng.chance(0.15)) text = mutate(rng, text);
  return text;
}

/** Versions near `shape`: the kind that sit on either side of a specifier's boundaries. */
export function neighbours(rng: Rng, shape: VersionShape, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const s: VersionShape = { ...shape, release: [...shape.release] };
    const r = rng.int(12);
    if (r === 0) s.release.push(0);
    else if (r === 1 && s.release.length > 1) s.release.pop();
    else if (r === 2) {
      const at = rng.int(s.release.length);
      s.release[at] = Math.max(0, (s.release[at] ?? 0) + rng.pick([-1, 1]));
    } else if (r === 3) s.local = s.local ? undefined : rng.pick(['local', '1', 'abc.2']);
    else if (r === 4) {
      s.hasPost = !s.hasPost;
      s.post = rng.int(3);
    } else if (r === 5) {
      s.hasDev = !s.hasDev;
      s.dev = rng.int(3);
    } else if (r === 6) s.pre = s.pre ? undefined : [rng.pick(['a', 'b', 'rc']), rng.int(3)];
    else if (r === 7 && s.pre) s.pre = [s.pre[0], (s.pre[1] ?? 0) + rng.pick([0, 1])];
    else if (r === 8) s.epoch = s.epoch ? undefined : 1;
    else if (r === 9) {
      out.push(genVersionText(rng));
      continue;
    } else if (r === 10) s.release.push(rng.int(3), 0);
    out.push(spellShape(rng, s, rng.chance(0.5)));
  }
  return out;
}

export interface SpecifierDraft {
  text: string;
  shape: VersionShape;
}

const OPS = ['==', '!=', '<=', '>=', '<', '>', '~=', '===', '==', '>=', '<'];

/** One specifier clause, with the shape of its version (for generating neighbours). */
export function genSpecifier(rng: Rng): SpecifierDraft {
  const op = rng.pick(OPS);
  const shape = genShape(rng);
  let version: string;
  if (op === '===') {
    version = rng.chance(0.7)
      ? spellShape(rng, shape, rng.chance(0.5))
      : rng.pick(['foo', 'FOO-bar', '1.0-custom', '']);
  } else if ((op === '==' || op === '!=') && rng.chance(0.3)) {
    version = `${spellShape(rng, { ...shape, pre: undefined, hasPost: false, hasDev: false, local: undefined }, true)}.*`;
    if (rng.chance(0.05)) version = `${spellShape(rng, shape)}.*`;
  } else {
    const s =
      op === '==' || op === '!=' || rng.chance(0.1) ? shape : { ...shape, local: undefined };
    version = spellShape(rng, s, rng.chance(0.5));
  }
  const gap = rng.chance(0.15) ? rng.pick([' ', '  ', '\t']) : '';
  let text = `${op}${gap}${version}`;
  if (rng.chance(0.05)) text = mutate(rng, text);
  return { text, shape };
}

/** A comma-separated specifier set (possibly empty) and the shapes of its clauses. */
export function genSpecifierSet(rng: Rng): { text: string; shapes: VersionShape[] } {
  const n = rng.pick([0, 1, 1, 1, 2, 2, 3]);
  const drafts = Array.from({ length: n }, () => genSpecifier(rng));
  let text = drafts.map((d) => d.text).join(rng.pick([',', ', ', ' , ', ',\t']));
  if (rng.chance(0.05)) text += ',';
  if (rng.chance(0.05)) text = ` ${text} `;
  return { text, shapes: drafts.map((d) => d.shape) };
}

/** Candidate versions to test against a specifier set with these clause shapes. */
export function candidatesFor(rng: Rng, shapes: VersionShape[], count: number): string[] {
  if (shapes.length === 0) return Array.from({ length: count }, () => genVersionText(rng));
  return Array.from({ length: count }, () => neighbours(rng, rng.pick(shapes), 1)[0] as string);
}

export const PROJECT_NAMES = [
  'requests',
  'Django',
  'zope.interface',
  'typing_extensions',
  'ruamel.yaml.clib',
  'A',
  'a-b_c.d',
  'foo--bar',
  'Foo__Bar',
  'x1',
  '1x',
  'foo-',
  '-foo',
  '.foo',
  'foo.',
  'fo o',
  'déjà',
  'İstanbul',
  'ΣΑΣ',
  'ǅ',
  'pkg_1.2',
  'a_-_.b',
  '',
  'FOO',
  'straße',
  'K',
];

/** A project name: common, odd and invalid spellings, sometimes mutated. */
export function genName(rng: Rng): string {
  const name = rng.pick(PROJECT_NAMES);
  return rng.chance(0.3) ? mutate(rng, name) : name;
}
