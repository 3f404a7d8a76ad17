/**
 * Marker expression grammar of PEP 508 (a port of packaging 26.3's `_parser.py` marker
 * rules), producing the same nested-list shape packaging uses so printing matches.
 */
import { decodePythonStringBody } from './python-string.js';
import { ParserSyntaxError, type Tokenizer } from './tokenizer.js';

export interface MarkerVariable {
  readonly kind: 'variable';
  readonly value: string;
}
export interface MarkerValue {
  readonly kind: 'value';
  readonly value: string;
}
export type MarkerOperand = MarkerVariable | MarkerValue;
export interface MarkerItem {
  readonly kind: 'item';
  readonly lhs: MarkerOperand;
  readonly op: string;
  readonly rhs: MarkerOperand;
}
export type MarkerAtom = MarkerItem | MarkerList;
export type MarkerList = readonly (MarkerAtom | 'and' | 'or')[];

/**
 * Deepest parenthesis nesting accepted. packaging itself stops near 490 levels with a
 * RecursionError; a bound keeps this parser's stack use small and its error typed.
 */
export const MAX_MARKER_NESTING = 200;

/** `marker` rule without the final END check: atoms joined by `and` / `or`. */
export function parseMarkerExpression(t: Tokenizer, depth = 0): MarkerList {
  if (depth > MAX_MARKER_NESTING)
    t.raise(`Parentheses nested more than ${MAX_MARKER_NESTING} deep`);
  const expression: (MarkerAtom | 'and' | 'or')[] = [parseAtom(t, depth)];
  while (t.check('BOOLOP')) {
    const token = t.read();
    const right = parseAtom(t, depth);
    expression.push(token.text as 'and' | 'or', right);
  }
  return expression;
}

/** A whole marker string. */
export function parseFullMarker(t: Tokenizer): MarkerList {
  const result = parseMarkerExpression(t);
  t.expect('END', 'end of marker expression');
  return result;
}

function parseAtom(t: Tokenizer, depth: number): MarkerAtom {
  t.consume('WS');
  let marker: MarkerAtom;
  if (t.check('LEFT_PARENTHESIS', true)) {
    marker = t.enclosing('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'marker expression', () => {
      t.consume('WS');
      const inner = parseMarkerExpression(t, depth + 1);
      t.consume('WS');
      return inner;
    });
  } else {
    marker = parseItem(t);
  }
  t.consume('WS');
  return marker;
}

function parseItem(t: Tokenizer): MarkerItem {
  t.consume('WS');
  const lhs = parseVar(t);
  t.consume('WS');
  const op = parseOp(t);
  t.consume('WS');
  const rhs = parseVar(t);
  t.consume('WS');
  return { kind: 'item', lhs, op, rhs };
}

function parseVar(t: Tokenizer): MarkerOperand {
  if (t.check('VARIABLE')) {
    const name = t.read().text.replace(/\./g, '_');
    const value = name === 'python_implementation' ? 'platform_python_implementation' : name;
    return { kind: 'variable', value };
  }
  if (t.check('QUOTED_STRING')) {
    const token = t.read();
    const decoded = decodePythonStringBody(token.text.slice(1, -1));
    if ('error' in decoded) {
      throw new ParserSyntaxError(`Invalid quoted string (${decoded.error})`, t.source, [
        token.position,
        token.position + token.text.length,
      ]);
    }
    return { kind: 'value', value: decoded.value };
  }
  return t.raise('Expected a marker variable or quoted string');
}

function parseOp(t: Tokenizer): string {
  if (t.check('IN')) {
    t.read();
    return 'in';
  }
  if (t.check('NOT')) {
    t.read();
    t.expect('WS', "whitespace after 'not'");
    t.expect('IN', "'in' after 'not'");
    return 'not in';
  }
  if (t.check('OP')) return t.read().text;
  return t.raise('Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in');
}
