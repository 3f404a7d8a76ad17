/**
 * PEP 508 dependency specifiers (`name[extra1,extra2] (>=1.0,<2) ; python_version < "3.11"`,
 * `name @ https://...`): parse and print exactly like pypa's `packaging` 26.3
 * (`packaging.requirements.Requirement`, grammar from `packaging/_parser.py`).
 */
import { PexkitError } from '../errors.js';
import { quoteInput } from '../pep440/python-text.js';
import { InvalidSpecifier, SpecifierSet } from '../pep440/specifier.js';
import { Marker } from './marker.js';
import { parseMarkerExpression, type MarkerList } from './marker-parser.js';
import { ParserSyntaxError, Tokenizer } from './tokenizer.js';

/** A requirement string that does not parse. */
export class InvalidRequirement extends PexkitError {
  override readonly name = 'InvalidRequirement';
  constructor(
    readonly input: string,
    detail: string,
  ) {
    super(`Invalid requirement: ${quoteInput(input)}: ${detail}`);
  }
}

interface ParsedRequirement {
  name: string;
  url: string;
  extras: string[];
  specifier: string;
  marker: MarkerList | undefined;
}

function parseExtras(t: Tokenizer): string[] {
  if (!t.check('LEFT_BRACKET', true)) return [];
  return t.enclosing('LEFT_BRACKET', 'RIGHT_BRACKET', 'extras', () => {
    t.consume('WS');
    const extras: string[] = [];
    if (t.check('IDENTIFIER')) {
      extras.push(t.read().text);
      for (;;) {
        t.consume('WS');
        if (t.check('IDENTIFIER', true)) t.raise('Expected comma between extra names');
        else if (!t.check('COMMA')) break;
        t.read();
        t.consume('WS');
        extras.push(t.expect('IDENTIFIER', 'extra name after comma').text);
      }
    }
    t.consume('WS');
    return extras;
  });
}

function parseVersionMany(t: Tokenizer): string {
  let specifiers = '';
  while (t.check('SPECIFIER')) {
    const spanStart = t.position;
    const spec = t.read().text;
    specifiers += spec;
    if (t.check('VERSION_PREFIX_TRAIL', true)) {
      const eq = spec.startsWith('!=') || (spec.startsWith('==') && !spec.startsWith('==='));
      t.raise(
        eq
          ? '.* suffix cannot be used with pre-release, post-release, dev or local versions'
          : '.* suffix can only be used with `==` or `!=` operators',
        spanStart,
        t.position + 1,
      );
    }
    if (t.check('VERSION_LOCAL_LABEL_TRAIL', true)) {
      t.raise(
        'Local version label can only be used with `==` or `!=` operators',
        spanStart,
        t.position,
      );
    }
    t.consume('WS');
    if (!t.check('COMMA')) break;
    specifiers += t.read().text;
    t.consume('WS');
  }
  return specifiers;
}

function parseRequirementMarker(t: Tokenizer, spanStart: number, expected: string): MarkerList {
  if (!t.check('SEMICOLON')) t.raise(`Expected ${expected} or end`, spanStart);
  t.read();
  const marker = parseMarkerExpression(t);
  t.consume('WS');
  return marker;
}

function parseRequirementText(source: string): ParsedRequirement {
  const t = new Tokenizer(source);
  t.consume('WS');
  const name = t.expect('IDENTIFIER', 'package name at the start of dependency specifier').text;
  t.consume('WS');
  const extras = parseExtras(t);
  t.consume('WS');
  let url = '';
  let specifier = '';
  let marker: MarkerList | undefined;
  if (t.check('AT')) {
    t.read();
    t.consume('WS');
    const urlStart = t.position;
    url = t.expect('URL', 'URL after @').text;
    if (!t.check('END', true)) {
      t.expect('WS', 'whitespace after URL');
      if (!t.check('END', true)) {
        marker = parseRequirementMarker(t, urlStart, 'semicolon (after URL and whitespace)');
      }
    }
  } else {
    const specStart = t.position;
    specifier = t.enclosing('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'version specifier', () => {
      t.consume('WS');
      const s = parseVersionMany(t);
      t.consume('WS');
      return s;
    });
    t.consume('WS');
    if (!t.check('END', true)) {
      marker = parseRequirementMarker(
        t,
        specStart,
        specifier
          ? 'comma (within version specifier), semicolon (after version specifier)'
          : 'semicolon (after name with no version specifier)',
      );
    }
  }
  t.expect('END', 'end of dependency specifier');
  return { name, url, extras, specifier, marker };
}

/** A parsed dependency specifier. */
export class Requirement {
  private constructor(
    /** The name as written (not normalised). */
    readonly name: string,
    /** Extras as written, de-duplicated, sorted as packaging prints them (not normalised). */
    readonly extras: string[],
    readonly specifier: SpecifierSet,
    readonly url: string | undefined,
    readonly marker: Marker | undefined,
  ) {}

  /** Parse like `packaging.requirements.Requirement(text)`; throws {@link InvalidRequirement}. */
  static parse(text: string): Requirement {
    if (typeof text !== 'string') throw new InvalidRequirement(String(text), 'not a string');
    let parsed: ParsedRequirement;
    try {
      parsed = parseRequirementText(text);
    } catch (e) {
      if (e instanceof ParserSyntaxError) throw new InvalidRequirement(text, e.message);
      throw e;
    }
    let specifier: SpecifierSet;
    try {
      specifier = SpecifierSet.parse(parsed.specifier);
    } catch (e) {
      if (e instanceof InvalidSpecifier) throw new InvalidRequirement(text, e.message);
      throw e;
    }
    const extras = [...new Set(parsed.extras)].sort(comparePy);
    const marker = parsed.marker ? Marker.fromParsed(parsed.marker, text) : undefined;
    return new Requirement(parsed.name, extras, specifier, parsed.url || undefined, marker);
  }

  /** Same text as packaging's `str(Requirement(...))`. */
  toString(): string {
    let out = this.name;
    if (this.extras.length > 0) out += `[${this.extras.join(',')}]`;
    if (this.specifier.length > 0) out += this.specifier.toString();
    if (this.url) {
      out += ` @ ${this.url}`;
      if (this.marker) out += ' ';
    }
    if (this.marker) out += `; ${this.marker.toString()}`;
    return out;
  }
}

/** Python's string ordering (by code point). */
function comparePy(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0) as number);
  const y = [...b].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  }
  return x.length - y.length;
}
