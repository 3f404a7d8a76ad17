/**
 * The tokenizer of PEP 508 dependency specifiers and markers, a port of packaging 26.3's
 * `_tokenizer.py`. Token rules are sticky regular expressions that match at the current
 * position (never scanning ahead), with Python's Unicode-aware `\b`; the version-specifier
 * token is scanned by hand (see `specifier-token.ts`) so long digit runs cannot backtrack.
 */
import { scanSpecifierToken } from './specifier-token.js';

const W = '[\\p{L}\\p{N}_]';
/** Python `\b` before a word character / after one. */
const B_START = `(?<!${W})`;
const B_END = `(?!${W})`;
const B_ANY = `(?:(?<=${W})(?!${W})|(?<!${W})(?=${W}))`;

export type TokenName =
  | 'LEFT_PARENTHESIS'
  | 'RIGHT_PARENTHESIS'
  | 'LEFT_BRACKET'
  | 'RIGHT_BRACKET'
  | 'SEMICOLON'
  | 'COMMA'
  | 'QUOTED_STRING'
  | 'OP'
  | 'BOOLOP'
  | 'IN'
  | 'NOT'
  | 'VARIABLE'
  | 'SPECIFIER'
  | 'AT'
  | 'URL'
  | 'IDENTIFIER'
  | 'VERSION_PREFIX_TRAIL'
  | 'VERSION_LOCAL_LABEL_TRAIL'
  | 'WS'
  | 'END';

const RULES: Record<Exclude<TokenName, 'SPECIFIER' | 'END'>, RegExp> = {
  LEFT_PARENTHESIS: /\(/uy,
  RIGHT_PARENTHESIS: /\)/uy,
  LEFT_BRACKET: /\[/uy,
  RIGHT_BRACKET: /\]/uy,
  SEMICOLON: /;/uy,
  COMMA: /,/uy,
  QUOTED_STRING: /'[^']*'|"[^"]*"/uy,
  OP: /===|==|~=|!=|<=|>=|<|>/uy,
  BOOLOP: new RegExp(`${B_START}(?:or|and)${B_END}`, 'uy'),
  IN: new RegExp(`${B_START}in${B_END}`, 'uy'),
  NOT: new RegExp(`${B_START}not${B_END}`, 'uy'),
  VARIABLE: new RegExp(
    `${B_START}(?:python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)` +
      `|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)` +
      `|extras?|dependency_groups)${B_END}`,
    'uy',
  ),
  AT: /@/uy,
  URL: /[^ \t]+/uy,
  IDENTIFIER: new RegExp(`${B_START}[a-zA-Z0-9][a-zA-Z0-9._-]*${B_ANY}`, 'uy'),
  VERSION_PREFIX_TRAIL: /\.\*/uy,
  VERSION_LOCAL_LABEL_TRAIL: /\+[a-z0-9]+(?:[-_.][a-z0-9]+)*/uy,
  WS: /[ \t]+/uy,
};

export interface Token {
  readonly name: TokenName;
  readonly text: string;
  readonly position: number;
}

/** A syntax error with its position in the source. */
export class ParserSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly source: string,
    readonly span: readonly [number, number],
  ) {
    super(`${reason} at position ${span[0]}`);
  }
}

export class Tokenizer {
  position = 0;
  #next: Token | undefined;

  constructor(readonly source: string) {}

  #match(name: TokenName): string | undefined {
    if (name === 'END') return this.position >= this.source.length ? '' : undefined;
    if (name === 'SPECIFIER') {
      const end = scanSpecifierToken(this.source, this.position);
      return end === undefined ? undefined : this.source.slice(this.position, end);
    }
    const re = RULES[name];
    re.lastIndex = this.position;
    const m = re.exec(this.source);
    return m ? m[0] : undefined;
  }

  /** Whether the next token is `name`; unless `peek`, it becomes the pending token. */
  check(name: TokenName, peek = false): boolean {
    if (this.#next !== undefined) throw new Error(`internal: pending token ${this.#next.name}`);
    const text = this.#match(name);
    if (text === undefined) return false;
    if (!peek) this.#next = { name, text, position: this.position };
    return true;
  }

  consume(name: TokenName): void {
    if (this.check(name)) this.read();
  }

  expect(name: TokenName, expected: string): Token {
    if (!this.check(name)) this.raise(`Expected ${expected}`);
    return this.read();
  }

  read(): Token {
    const token = this.#next;
    if (token === undefined) throw new Error('internal: no pending token');
    this.position += token.text.length;
    this.#next = undefined;
    return token;
  }

  raise(message: string, spanStart?: number, spanEnd?: number): never {
    throw new ParserSyntaxError(message, this.source, [
      spanStart ?? this.position,
      spanEnd ?? this.position,
    ]);
  }

  /** `with tokenizer.enclosing_tokens(open, close, around=...)` of packaging. */
  enclosing<T>(open: TokenName, close: TokenName, around: string, body: () => T): T {
    let openPosition: number | undefined;
    if (this.check(open)) {
      openPosition = this.position;
      this.read();
    }
    const result = body();
    if (openPosition === undefined) return result;
    if (!this.check(close)) {
      this.raise(`Expected matching ${close} for ${open}, after ${around}`, openPosition);
    }
    this.read();
    return result;
  }
}
