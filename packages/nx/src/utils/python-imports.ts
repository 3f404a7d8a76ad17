/**
 * A fast, regex-based scanner for the absolute `import` statements of a Python source file.
 * It is deliberately approximate (no tokenizer): it reads `import a.b, c as d` and `from a.b import x`
 * at any indentation, skips relative imports (`from . import x`) and lines inside triple-quoted
 * strings, and returns top-level module names, sorted and deduplicated.
 */

const IMPORT_RE = /^[ \t]*import[ \t]+([^#\n;]+)/;
const FROM_RE = /^[ \t]*from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b/;
const IDENT_RE = /^[A-Za-z_]\w*$/;

/** Top-level module names imported by `source` (absolute imports only). */
export function scanPythonImports(source: string): string[] {
  const found = new Set<string>();
  const lines = source.split(/\r?\n/);
  let inString: '"""' | "'''" | undefined;
  let continuation = '';
  for (const rawLine of lines) {
    let line = rawLine;
    if (inString !== undefined) {
      const end = line.indexOf(inString);
      if (end === -1) continue;
      line = ' '.repeat(end + 3) + line.slice(end + 3);
      inString = undefined;
    }
    inString = openTripleQuote(line);
    if (continuation !== '') {
      line = continuation + ' ' + line.trim();
      continuation = '';
    }
    if (line.trimEnd().endsWith('\\')) {
      continuation = line.trimEnd().slice(0, -1);
      continue;
    }
    const from = FROM_RE.exec(line);
    if (from?.[1] !== undefined) {
      addTop(found, from[1]);
      continue;
    }
    const imp = IMPORT_RE.exec(line);
    if (imp?.[1] !== undefined) {
      for (const part of imp[1].split(',')) {
        const name =
          part
            .trim()
            .split(/\s+as\s+/)[0]
            ?.trim() ?? '';
        if (name.replace(/[()]/g, '') !== '') addTop(found, name.replace(/[()]/g, ''));
      }
    }
  }
  return [...found].sort();
}

function addTop(found: Set<string>, dotted: string): void {
  const top = dotted.split('.')[0] ?? '';
  if (IDENT_RE.test(top)) found.add(top);
}

/** The triple quote left open at the end of `line`, if any (comments and simple strings ignored). */
function openTripleQuote(line: string): '"""' | "'''" | undefined {
  let open: '"""' | "'''" | undefined;
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    if (open === undefined && ch === '#') break;
    const three = line.slice(i, i + 3);
    if (three === '"""' || three === "'''") {
      if (open === undefined) open = three;
      else if (open === three) open = undefined;
      i += 3;
      continue;
    }
    if (open === undefined && (ch === '"' || ch === "'")) {
      const close = line.indexOf(ch, i + 1);
      if (close === -1) break;
      i = close + 1;
      continue;
    }
    i++;
  }
  return open;
}
