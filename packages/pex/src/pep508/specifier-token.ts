/**
 * Hand-written matcher for the SPECIFIER token of PEP 508 requirements: the prefix of
 * `source` at `pos` that packaging's `Specifier._specifier_regex_str` matches (leftmost
 * alternative, greedy optional parts). Linear time, unlike a backtracking regex on long
 * digit runs.
 */
import { isPyWhitespace } from '../pep440/python-text.js';

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}
function isSep(ch: string | undefined): boolean {
  return ch === '-' || ch === '_' || ch === '.';
}
function isLowerAlnum(ch: string | undefined, ignoreCase: boolean): boolean {
  if (ch === undefined) return false;
  if (isDigit(ch) || (ch >= 'a' && ch <= 'z')) return true;
  return ignoreCase && ch >= 'A' && ch <= 'Z';
}

class Cursor {
  constructor(
    readonly s: string,
    public i: number,
  ) {}
  get ch(): string | undefined {
    return this.s[this.i];
  }
  ws(): void {
    while (this.i < this.s.length && isPyWhitespace(this.s[this.i] as string)) this.i++;
  }
  digits(): number {
    const start = this.i;
    while (isDigit(this.s[this.i])) this.i++;
    return this.i - start;
  }
  sep(): void {
    if (isSep(this.ch)) this.i++;
  }
  word(words: readonly string[]): boolean {
    for (const w of words) {
      if (this.s.slice(this.i, this.i + w.length).replace(/[A-Z]/g, (c) => c.toLowerCase()) === w) {
        this.i += w.length;
        return true;
      }
    }
    return false;
  }
  /** Run `part`; rewind if it returns false. */
  optional(part: () => boolean): boolean {
    const save = this.i;
    if (part()) return true;
    this.i = save;
    return false;
  }
}

const PRE = ['alpha', 'beta', 'preview', 'pre', 'a', 'b', 'c', 'rc'];
const POST = ['post', 'rev', 'r'];

/** `v? ([0-9]+!)? [0-9]+ (\.[0-9]+)*` (or `+` for `~=`); returns the number of release parts. */
function releasePart(c: Cursor): number {
  if (c.ch === 'v' || c.ch === 'V') c.i++;
  const save = c.i;
  if (c.digits() > 0 && c.ch === '!' && isDigit(c.s[c.i + 1])) c.i++;
  else c.i = save;
  if (c.digits() === 0) return 0;
  let parts = 1;
  while (c.ch === '.' && isDigit(c.s[c.i + 1])) {
    c.i++;
    c.digits();
    parts++;
  }
  return parts;
}

function suffixes(c: Cursor, withLocal: boolean): void {
  c.optional(() => {
    c.sep();
    if (!c.word(PRE)) return false;
    c.sep();
    c.digits();
    return true;
  });
  if (!(c.ch === '-' && isDigit(c.s[c.i + 1]) && (c.i++, c.digits(), true))) {
    c.optional(() => {
      c.sep();
      if (!c.word(POST)) return false;
      c.sep();
      c.digits();
      return true;
    });
  }
  c.optional(() => {
    c.sep();
    if (!c.word(['dev'])) return false;
    c.sep();
    c.digits();
    return true;
  });
  if (withLocal && c.ch === '+' && isLowerAlnum(c.s[c.i + 1], true)) {
    c.i++;
    for (;;) {
      while (isLowerAlnum(c.ch, true)) c.i++;
      if (isSep(c.ch) && isLowerAlnum(c.s[c.i + 1], true)) {
        c.i++;
        continue;
      }
      break;
    }
  }
}

/** End index of the SPECIFIER token starting at `pos`, or undefined when none matches. */
export function scanSpecifierToken(source: string, pos: number): number | undefined {
  const c = new Cursor(source, pos);
  if (source.startsWith('===', pos)) {
    c.i += 3;
    c.ws();
    while (c.i < source.length && !isPyWhitespace(c.ch as string) && c.ch !== ';' && c.ch !== ')')
      c.i++;
    return c.i;
  }
  const two = source.slice(pos, pos + 2);
  if (two === '==' || two === '!=') {
    c.i += 2;
    c.ws();
    if (releasePart(c) === 0) return undefined;
    if (c.ch === '.' && c.s[c.i + 1] === '*') return c.i + 2;
    suffixes(c, true);
    return c.i;
  }
  if (two === '~=') {
    c.i += 2;
    c.ws();
    if (releasePart(c) < 2) return undefined;
    suffixes(c, false);
    return c.i;
  }
  for (const op of ['<=', '>=', '<', '>']) {
    if (!source.startsWith(op, pos)) continue;
    c.i = pos + op.length;
    c.ws();
    if (releasePart(c) === 0) continue;
    suffixes(c, false);
    return c.i;
  }
  return undefined;
}
