import { parse, TomlError } from 'smol-toml';

/** A plain TOML table as parsed. */
export type TomlTable = Record<string, unknown>;

/** Where a TOML syntax error is: 1-based line and column, and the parser's message. */
export interface TomlSyntaxError {
  line: number;
  column: number;
  message: string;
}

/**
 * Parses TOML 1.0 text (smol-toml). Returns the table, or a syntax error with its position,
 * so each reader can raise its own typed error naming the file.
 */
export function parseToml(text: string): { table: TomlTable } | { error: TomlSyntaxError } {
  try {
    return { table: parse(text) as TomlTable };
  } catch (error) {
    if (error instanceof TomlError) {
      const first = error.message.split('\n')[0] ?? error.message;
      return {
        error: {
          line: error.line,
          column: error.column,
          message: first.replace(/^Invalid TOML document: /, ''),
        },
      };
    }
    throw error;
  }
}

/** True for a TOML table (not an array, not a date). */
export function isTable(value: unknown): value is TomlTable {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

/**
 * Finds the 1-based line of a key path in TOML text, best effort (for schema errors: the parser
 * keeps no positions). Looks for `[a.b]` headers and `key =` lines; returns undefined if not found.
 */
export function lineOfKey(text: string, keyPath: string[]): number | undefined {
  const lines = text.split(/\r?\n/);
  const last = keyPath[keyPath.length - 1];
  if (last === undefined) return undefined;
  const header = keyPath.join('.');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === `[${header}]` || line === `[[${header}]]`) return i + 1;
  }
  const escaped = last.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^\\s*(?:[\\w."-]+\\.)?"?${escaped}"?\\s*=`);
  for (let i = 0; i < lines.length; i++) {
    if (re.test(lines[i] ?? '')) return i + 1;
  }
  return undefined;
}
