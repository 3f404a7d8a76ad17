/**
 * Differential suite: parseWheelFilename against packaging.utils.parse_wheel_filename on
 * thousands of generated (valid, invalid, mutated) names plus every wheel file name found
 * in the repository's lock files. Reproduce with PEXKIT_DIFF_SEED=<seed>.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PexkitError } from '../errors.js';
import { REPO_ROOT } from '../testing/python-tools.js';
import { differentialSeed, Rng } from '../testing/differential.js';
import { runTagsOracle, type OracleWheelResult } from '../testing/differential-tags.js';
import { InvalidTag, parseTag, tagToString } from '../tags/tag.js';
import { InvalidWheelFilename, parseWheelFilename } from '../wheel/filename.js';

const SEED = differentialSeed();
const COUNT = 8000;

// Each pool: [mostly valid, mostly invalid]; generation picks the first 90% of the time.
type Pool = readonly [readonly string[], readonly string[]];
const NAMES: Pool = [
  [
    'foo',
    'Foo_Bar',
    'foo.bar',
    'foo_',
    '_foo',
    'a',
    'déjà',
    'Ω',
    'İstanbul',
    '中文',
    'x١',
    'x²',
    'Ⅻ',
    'ǅa',
    '9',
    'Zope.Interface',
    'ª',
    'A..B',
    'pkg_1.2',
  ],
  ['foo__bar', '', 'a\u0301', 'foo bar', 'foo+bar', 'foo!'],
];
const VERSIONS: Pool = [
  [
    '1.0',
    '1.0.0',
    '2!1.0',
    '1.0a1',
    '1.0rc1',
    '1.0.post1',
    '1.0.dev0',
    '1.0+local',
    '1.0+local.7',
    'v1.0',
    '1.0_a1',
    '1.0.POST1',
    '1.0RC1',
    'V1.0',
    '1.0a',
    '1.0+abc_def',
    '1.0+ABC',
    '99999999999999999999.0',
    '0.0.0.0.1',
    '1.0c1',
    '1.0pre2',
  ],
  ['abc', '', '1..0', '1.0.', ' 1.0', '1.0 ', '١.٠', '1e3', '1.0+', '1!2!3'],
];
const BUILDS: Pool = [
  ['1', '1abc', '01', '1_x', '1.0', '123456789012345', '0', '1\nx'],
  ['abc', '', '١'],
];
const PYTHONS: Pool = [
  ['py3', 'py2.py3', 'cp311', 'CP311', 'pp310', 'py_3', '_x', 'é', 'py3.cp39'],
  ['3py', 'py3.', '.py3', '²', 'py3..py2'],
];
const ABIS: Pool = [
  ['none', 'abi3', 'cp311', 'cp311.none', 'CP311D', 'pypy310_pp73'],
  ['', 'x.'],
];
const PLATFORMS: Pool = [
  [
    'any',
    'manylinux_2_17_x86_64.manylinux2014_x86_64',
    'win_amd64',
    'macosx_11_0_arm64',
    'ANY',
    'a.b.c',
    'musllinux_1_2_aarch64',
  ],
  ['', 'any.'],
];
const EXTENSIONS: Pool = [['.whl'], ['.WHL', '.zip', '', '.whl ']];
const NOISE = ['-', '.', '_', 'a', '1', 'A', 'é', '\n', ' ', '!', '+'];

function generate(seed: number, count: number): string[] {
  const rng = new Rng(seed);
  const random = () => rng.next();
  const pick = <T>(items: readonly T[]): T => rng.pick(items);
  const draw = (pool: Pool): string => pick(random() < 0.9 ? pool[0] : pool[1]);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const parts = [draw(NAMES), draw(VERSIONS)];
    if (random() < 0.3) parts.push(draw(BUILDS));
    parts.push(draw(PYTHONS), draw(ABIS), draw(PLATFORMS));
    let name = parts.join('-') + draw(EXTENSIONS);
    const chars = Array.from(name);
    for (let m = random() < 0.2 ? 1 + Math.floor(random() * 3) : 0; m > 0; m--) {
      const at = Math.floor(random() * (chars.length + 1));
      const op = random();
      if (op < 0.4) chars.splice(at, 0, pick(NOISE));
      else if (op < 0.7) chars.splice(at, 1);
      else chars.splice(at, 1, pick(NOISE));
    }
    name = chars.join('');
    names.push(name);
  }
  return names;
}

function repositoryWheelNames(): string[] {
  let out = '';
  try {
    out = execFileSync(
      'git',
      ['grep', '-ohE', '[A-Za-z0-9_.+!-]+\\.whl', '--', '*.lock', '*.toml', '*.txt'],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      },
    );
  } catch {
    return [];
  }
  return [...new Set(out.split('\n').filter(Boolean))];
}

type Outcome = OracleWheelResult;

function ours(filename: string): Outcome {
  try {
    const parsed = parseWheelFilename(filename);
    return {
      name: parsed.name,
      version: String(parsed.version),
      build: parsed.buildTag ? [String(parsed.buildTag[0]), parsed.buildTag[1]] : null,
      tags: parsed.tags.map(tagToString).sort(),
    };
  } catch (error) {
    if (error instanceof InvalidWheelFilename) return { error: 'InvalidWheelFilename' };
    if (error instanceof PexkitError) return { error: `escaped ${error.name}` };
    throw error;
  }
}

const sortedTags = (tags: string[]) => [...tags].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe('parseWheelFilename agrees with packaging.utils.parse_wheel_filename', () => {
  it(`${COUNT} generated names (seed ${SEED}) and the repository's real wheel names`, () => {
    console.log(`wheel file name differential: PEXKIT_DIFF_SEED=${SEED}`);
    const real = repositoryWheelNames();
    const names = [...generate(SEED, COUNT), ...real];
    const started = Date.now();
    const answers = runTagsOracle<Outcome>(names.map((s) => ({ k: 'wheel', s })));
    const oracleMs = Date.now() - started;
    const mismatches: string[] = [];
    let valid = 0;
    names.forEach((filename, index) => {
      const expected = answers[index] as Outcome;
      const normalized =
        'tags' in expected ? { ...expected, tags: sortedTags(expected.tags) } : expected;
      const actual = ours(filename);
      if ('tags' in actual) actual.tags = sortedTags(actual.tags);
      if (!('error' in expected)) valid++;
      if (JSON.stringify(actual) !== JSON.stringify(normalized)) {
        mismatches.push(
          `${JSON.stringify(filename)}: ours ${JSON.stringify(actual)} packaging ${JSON.stringify(normalized)}`,
        );
      }
    });
    console.log(
      `${names.length} names (${real.length} from lock files): ${valid} valid, ${names.length - valid} invalid; ` +
        `oracle ${oracleMs} ms; ${mismatches.length} mismatches`,
    );
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(real.length).toBeGreaterThan(10);
    expect(valid).toBeGreaterThan(COUNT / 10);
    expect(names.length - valid).toBeGreaterThan(COUNT / 10);
  });
});

describe('parseTag agrees with packaging.tags.parse_tag', () => {
  it('on the tag part of every generated name, valid or not', () => {
    const tagTexts = [
      ...new Set(
        generate(SEED + 1, 4000).map((name) =>
          name
            .replace(/\.whl$/, '')
            .split('-')
            .slice(-3)
            .join('-'),
        ),
      ),
    ];
    const answers = runTagsOracle<string[] | { error: string }>(
      tagTexts.map((s) => ({ k: 'tag', s })),
    );
    const mismatches: string[] = [];
    tagTexts.forEach((text, index) => {
      let actual: string[] | { error: string };
      try {
        actual = sortedTags(parseTag(text).map(tagToString));
      } catch (error) {
        if (!(error instanceof InvalidTag)) throw error;
        actual = { error: 'InvalidTag' };
      }
      const want = answers[index] as string[] | { error: string };
      const normalized = Array.isArray(want) ? sortedTags(want) : want;
      if (JSON.stringify(actual) !== JSON.stringify(normalized)) {
        mismatches.push(
          `${JSON.stringify(text)}: ours ${JSON.stringify(actual)} packaging ${JSON.stringify(normalized)}`,
        );
      }
    });
    console.log(
      `${tagTexts.length} tag strings (seed ${SEED + 1}): ${mismatches.length} mismatches`,
    );
    expect(mismatches.slice(0, 20)).toEqual([]);
  });
});
