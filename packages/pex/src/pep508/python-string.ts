/**
 * Decode the body of a quoted marker value the way packaging does (`ast.literal_eval` of a
 * one-line Python string literal without prefix): backslash escapes, line continuations, and
 * the same rejections (raw line breaks, NUL, lone surrogates, malformed `\x`/`\u`/`\U`).
 * `\N{name}` escapes need the Unicode name database and are rejected here (documented gap).
 */

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** Returns the decoded string, or an error description. */
export function decodePythonStringBody(body: string): { value: string } | { error: string } {
  if (body.includes('\0')) return { error: 'NUL character in quoted string' };
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(body)) {
    return { error: 'lone surrogate in quoted string' };
  }
  const src = body.replace(/\r\n?/g, '\n');
  let out = '';
  let i = 0;
  while (i < src.length) {
    const ch = src[i] as string;
    if (ch === '\n') return { error: 'line break in quoted string' };
    if (ch !== '\\') {
      out += ch;
      i++;
      continue;
    }
    const next = src[i + 1];
    if (next === undefined) return { error: 'quoted string ends with a backslash' };
    if (next === '\n') {
      i += 2;
      continue;
    }
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    if (next >= '0' && next <= '7') {
      let j = i + 1;
      while (j < i + 4 && j < src.length && (src[j] as string) >= '0' && (src[j] as string) <= '7')
        j++;
      out += String.fromCodePoint(parseInt(src.slice(i + 1, j), 8));
      i = j;
      continue;
    }
    const hexLen = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hexLen > 0) {
      const hex = src.slice(i + 2, i + 2 + hexLen);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(hex))
        return { error: `truncated \\${next} escape` };
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) return { error: 'illegal Unicode character' };
      out += String.fromCodePoint(cp);
      i += 2 + hexLen;
      continue;
    }
    if (next === 'N') return { error: '\\N{...} escapes are not supported' };
    out += `\\${next}`;
    i += 2;
  }
  return { value: out };
}
