/**
 * Small, comment-preserving edits of pyproject.toml text for the generators: add a uv workspace
 * member, set keys of a table. Values are written with JSON syntax, which is valid TOML for
 * strings, booleans and arrays of strings.
 */
import { parse } from 'smol-toml';

export type TomlValue = string | boolean | string[];

function render(value: TomlValue): string {
  if (Array.isArray(value)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
  return JSON.stringify(value);
}

interface TableSpan {
  /** Index of the header line. */
  header: number;
  /** Index one past the table's last line. */
  end: number;
}

function findTable(lines: string[], name: string): TableSpan | undefined {
  const header = lines.findIndex((l) => l.trim() === `[${name}]`);
  if (header === -1) return undefined;
  let end = header + 1;
  while (end < lines.length && !/^\s*\[/.test(lines[end] ?? '')) end++;
  while (end > header + 1 && (lines[end - 1] ?? '').trim() === '') end--;
  return { header, end };
}

/** Line range [start, end) of `key = ...` inside a table (multi-line arrays included). */
function findKey(lines: string[], span: TableSpan, key: string): [number, number] | undefined {
  const re = new RegExp(`^\\s*"?${key.replace(/[-.]/g, (c) => `\\${c}`)}"?\\s*=`);
  for (let i = span.header + 1; i < span.end; i++) {
    if (!re.test(lines[i] ?? '')) continue;
    let j = i;
    let depth = 0;
    for (;;) {
      const line = (lines[j] ?? '').replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""').replace(/#.*$/, '');
      for (const ch of line) {
        if (ch === '[') depth++;
        else if (ch === ']') depth--;
      }
      if (depth <= 0 || j + 1 >= span.end) break;
      j++;
    }
    return [i, j + 1];
  }
  return undefined;
}

/** Sets `key = value` lines in `[table]` (created at the end when missing). */
export function setTableKeys(
  text: string,
  table: string,
  entries: Record<string, TomlValue>,
): string {
  const lines = text.replace(/\s*$/, '').split('\n');
  let span = findTable(lines, table);
  if (span === undefined) {
    lines.push('', `[${table}]`);
    span = { header: lines.length - 1, end: lines.length };
  }
  for (const [key, value] of Object.entries(entries)) {
    const found = findKey(lines, span, key);
    const line = `${key} = ${render(value)}`;
    if (found !== undefined) {
      lines.splice(found[0], found[1] - found[0], line);
      span = { header: span.header, end: span.end - (found[1] - found[0]) + 1 };
    } else {
      lines.splice(span.end, 0, line);
      span = { header: span.header, end: span.end + 1 };
    }
  }
  const out = `${lines.join('\n')}\n`;
  parse(out); // never write a file we cannot read back
  return out;
}

function globMatches(pattern: string, path: string): boolean {
  const re = pattern
    .split('/')
    .map((seg) =>
      seg
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]'),
    )
    .join('/');
  return new RegExp(`^${re}$`).test(path);
}

/** The uv workspace members listed in a root pyproject.toml. */
export function workspaceMembers(text: string): string[] | undefined {
  const doc = parse(text) as { tool?: { uv?: { workspace?: { members?: unknown } } } };
  const ws = doc.tool?.uv?.workspace;
  if (ws === undefined) return undefined;
  const members = ws.members;
  return Array.isArray(members) ? members.filter((m): m is string => typeof m === 'string') : [];
}

/**
 * Adds `member` to `[tool.uv.workspace] members` of a root pyproject.toml (text, or undefined to
 * create one), unless an existing pattern already covers it.
 */
export function addWorkspaceMember(text: string | undefined, member: string): string {
  if (text === undefined) {
    return [
      '# The uv workspace: every Python project of this Nx workspace shares one lock (uv.lock).',
      '[tool.uv.workspace]',
      `members = [${JSON.stringify(member)}]`,
      '',
      '[dependency-groups]',
      'dev = ["pytest>=8"]',
      '',
    ].join('\n');
  }
  const members = workspaceMembers(text) ?? [];
  if (members.some((m) => globMatches(m.replace(/\/+$/, ''), member))) return text;
  return setTableKeys(text, 'tool.uv.workspace', { members: [...members, member] });
}
