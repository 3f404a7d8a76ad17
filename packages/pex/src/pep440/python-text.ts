/**
 * Character classes with Python's semantics, so that parsers ported from pypa's
 * `packaging` accept exactly the same text.
 */

/** Characters for which Python's `str.isspace()` is true (what `\s` and `str.strip()` use). */
export const PY_WHITESPACE_CLASS =
  '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const WS_RE = new RegExp(`^[${PY_WHITESPACE_CLASS}]$`);

/** `ch` is one whitespace character as Python's `str.isspace()` sees it. */
export function isPyWhitespace(ch: string): boolean {
  return WS_RE.test(ch);
}

/** Python's `str.strip()` with no argument. */
export function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPyWhitespace(text[start] as string)) start++;
  while (end > start && isPyWhitespace(text[end - 1] as string)) end--;
  return text.slice(start, end);
}

/** Quote a user-supplied string for an error message, shortening huge inputs. */
export function quoteInput(text: string, max = 200): string {
  const shown = text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
  return JSON.stringify(shown);
}
