/**
 * Property tests for every PEP 440 / 508 / 503 parser: random and mutated strings either
 * parse or throw the parser's own typed error naming the input; parsed values round-trip
 * through their printed form; 10 KB adversarial inputs finish quickly (no catastrophic
 * backtracking, no stack overflow).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalizeName, canonicalizeVersion, InvalidName } from '../names/canonicalize.js';
import { InvalidSpecifier, Specifier, SpecifierSet } from '../pep440/specifier.js';
import { InvalidVersion, Version } from '../pep440/version.js';
import { InvalidMarker, Marker } from '../pep508/marker.js';
import { InvalidRequirement, Requirement } from '../pep508/requirement.js';
import { Rng } from '../testing/differential.js';
import { genSpecifierSet, genVersionText, mutate } from './pep-generators.js';
import { ENVIRONMENTS, genMarker, genRequirement } from './pep508-generators.js';

type ErrorClass = abstract new (...args: never[]) => Error;

interface ParserUnderTest {
  name: string;
  parse: (text: string) => unknown;
  error: ErrorClass;
  /** Seeded generator of near-valid inputs to mutate. */
  seed: (rng: Rng) => string;
  print?: (value: unknown) => string;
}

const PARSERS: ParserUnderTest[] = [
  {
    name: 'Version.parse',
    parse: (s) => Version.parse(s),
    error: InvalidVersion,
    seed: genVersionText,
    print: String,
  },
  {
    name: 'Specifier.parse',
    parse: (s) => Specifier.parse(s),
    error: InvalidSpecifier,
    seed: (r) => genSpecifierSet(r).text.split(',')[0] ?? '',
    print: String,
  },
  {
    name: 'SpecifierSet.parse',
    parse: (s) => SpecifierSet.parse(s),
    error: InvalidSpecifier,
    seed: (r) => genSpecifierSet(r).text,
    print: String,
  },
  {
    name: 'Marker.parse',
    parse: (s) => Marker.parse(s),
    error: InvalidMarker,
    seed: (r) => genMarker(r),
  },
  {
    name: 'Requirement.parse',
    parse: (s) => Requirement.parse(s),
    error: InvalidRequirement,
    seed: genRequirement,
  },
  {
    name: 'canonicalizeName(validate)',
    parse: (s) => canonicalizeName(s, { validate: true }),
    error: InvalidName,
    seed: (r) => r.pick(['requests', 'zope.interface', 'a_b-c']),
  },
];

/** Parses, or throws `error` whose message shows (the start of) the input. */
function parsesOrTypedError(p: ParserUnderTest, text: string): boolean {
  try {
    p.parse(text);
    return true;
  } catch (e) {
    if (!(e instanceof p.error))
      throw new Error(`${p.name}(${JSON.stringify(text)}) threw ${String(e)}`);
    const shown = JSON.stringify(text.slice(0, 200)).slice(0, -1);
    if (!e.message.includes(shown))
      throw new Error(`${p.name} error does not name the input: ${e.message}`);
    return true;
  }
}

const ALPHABET = [
  ...'0123456789.-_+!*vVaAbcdeEhilmnoOprRst ~=<>()[];,@"\'\\\t\n',
  'é',
  '١',
  '\u00a0',
  '\u2028',
  '\ud800',
  '😀',
  'K',
];
const textArb = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

describe.each(PARSERS)('$name', (p) => {
  it('parses or throws its own typed error for random strings', () => {
    fc.assert(
      fc.property(textArb, (s) => parsesOrTypedError(p, s)),
      { numRuns: 1500 },
    );
  });

  it('parses or throws its own typed error for mutated near-valid strings', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const rng = new Rng(seed);
        return parsesOrTypedError(p, mutate(rng, p.seed(rng), 1 + rng.int(4)));
      }),
      { numRuns: 1500 },
    );
  });

  if (p.print) {
    const print = p.print;
    it('round-trips: parse(print(x)) prints the same', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
          const rng = new Rng(seed);
          let value: unknown;
          try {
            value = p.parse(p.seed(rng));
          } catch {
            return true;
          }
          const printed = print(value);
          return print(p.parse(printed)) === printed;
        }),
        { numRuns: 1000 },
      );
    });
  }
});

describe('round trips of markers and requirements', () => {
  it('print → parse → print is stable and evaluates the same', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const rng = new Rng(seed);
        let req: Requirement;
        try {
          req = Requirement.parse(genRequirement(rng));
        } catch {
          return true;
        }
        let printed: string;
        try {
          printed = req.toString();
        } catch (e) {
          return e instanceof InvalidMarker; // both quote kinds in one value cannot be printed
        }
        // Like packaging, values are printed raw: escapes and line breaks do not survive printing.
        if (/[\\\n\r\0]/.test(printed)) return true;
        const again = Requirement.parse(printed);
        expect(again.toString()).toBe(printed);
        if (req.marker && again.marker) {
          const env = rng.pick(ENVIRONMENTS);
          const a = (() => {
            try {
              return String(req.marker?.evaluate(env));
            } catch (e) {
              return (e as Error).name;
            }
          })();
          const b = (() => {
            try {
              return String(again.marker?.evaluate(env));
            } catch (e) {
              return (e as Error).name;
            }
          })();
          expect(b).toBe(a);
        }
        return true;
      }),
      { numRuns: 1500 },
    );
  });
});

describe('version order', () => {
  it('is a total order consistent with equality', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const rng = new Rng(seed);
        const vs = [0, 1, 2]
          .map(() => Version.tryParse(genVersionText(rng)))
          .filter((v): v is Version => v !== undefined);
        for (const a of vs) {
          for (const b of vs) {
            expect(Math.sign(a.compare(b))).toBe(-Math.sign(b.compare(a)) || 0);
            if (a.compare(b) === 0) expect(canonicalizeVersion(a)).toBe(canonicalizeVersion(b));
            for (const c of vs)
              if (a.compare(b) <= 0 && b.compare(c) <= 0)
                expect(a.compare(c)).toBeLessThanOrEqual(0);
          }
        }
        return true;
      }),
      { numRuns: 1000 },
    );
  });
});

const K10 = 10_000;
const ADVERSARIAL: string[] = [
  '1'.repeat(K10),
  '1.'.repeat(K10 / 2),
  `${'1.'.repeat(K10 / 2)}x`,
  `1.0${'a'.repeat(K10)}`,
  'v'.repeat(K10),
  `${' '.repeat(K10)}1${' '.repeat(K10)}x`,
  `1.0+${'a.'.repeat(K10 / 2)}`,
  `1.0+${'a.'.repeat(K10 / 2)}+`,
  `${'1!'.repeat(K10 / 2)}`,
  `==${'1'.repeat(K10)}x`,
  `~=${'1.'.repeat(K10 / 2)}x`,
  `==${'1.'.repeat(K10 / 2)}*`,
  `===${'a'.repeat(K10)} b`,
  `${'>=1.0,'.repeat(K10 / 6)}`,
  `${'>=1.0,'.repeat(K10 / 6)}=>`,
  '('.repeat(K10),
  `${'('.repeat(150)}os_name == "x"${')'.repeat(150)}`,
  `python_version == "${'x'.repeat(K10)}`,
  `python_version == "${'\\x41'.repeat(K10 / 4)}"`,
  `${'os_name == "x" and '.repeat(K10 / 20)}os_name == "x"`,
  `${'os_name == "x" or '.repeat(K10 / 20)}`,
  'a'.repeat(K10),
  `${'a-'.repeat(K10 / 2)}`,
  `name${' '.repeat(K10)}x`,
  `name @ ${'x'.repeat(K10)} ; os_name == "x"`,
  `name[${'a,'.repeat(K10 / 2)}]`,
  `name${'>=1.0,'.repeat(K10 / 6)}`,
  `name ${'('.repeat(K10)}`,
  `name; ${'python_version'.repeat(K10 / 14)}`,
  `name==${'1'.repeat(K10)}.*.*`,
];

describe('adversarial 10 KB inputs', () => {
  it.each(PARSERS.map((p) => [p.name, p] as const))(
    '%s finishes each quickly with a typed result',
    (_name, p) => {
      for (const text of ADVERSARIAL) {
        const started = performance.now();
        expect(parsesOrTypedError(p, text)).toBe(true);
        const ms = performance.now() - started;
        expect(
          ms,
          `${p.name} on ${JSON.stringify(text.slice(0, 40))}… (${text.length} chars)`,
        ).toBeLessThan(500);
      }
    },
  );

  it('evaluates a long marker quickly', () => {
    const m = Marker.parse(`${'os_name == "x" or '.repeat(500)}python_version >= "3.8"`);
    const started = performance.now();
    expect(m.evaluate(ENVIRONMENTS[0] as (typeof ENVIRONMENTS)[number])).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
