import type { Tree } from '@nx/devkit';
import { parse } from 'smol-toml';
import { setTableKeys } from './toml-edit.js';

/** The generators' `--linter` and `--typeChecker` options. */
export type Linter = 'ruff' | 'none';
export type TypeChecker = 'mypy' | 'pyright' | 'none';

/** What the generators add to the uv root's `dev` group for each tool. */
export const TOOL_REQUIREMENTS: Readonly<Record<'ruff' | 'mypy' | 'pyright', string>> = {
  ruff: 'ruff>=0.6',
  mypy: 'mypy>=1.10',
  pyright: 'pyright>=1.1.380',
};

export class QualityToolsError extends Error {
  override readonly name = 'QualityToolsError';
}

export function normalizeLinter(value: unknown, kind: string): Linter {
  if (value === undefined) return 'ruff';
  if (value === 'ruff' || value === 'none') return value;
  throw new QualityToolsError(
    `@pexkit/nx:${kind}: --linter must be 'ruff' or 'none', got ${JSON.stringify(value)}`,
  );
}

export function normalizeTypeChecker(value: unknown, kind: string): TypeChecker {
  if (value === undefined) return 'none';
  if (value === 'mypy' || value === 'pyright' || value === 'none') return value;
  throw new QualityToolsError(
    `@pexkit/nx:${kind}: --typeChecker must be 'mypy', 'pyright' or 'none', got ${JSON.stringify(value)}`,
  );
}

type Doc = Record<string, unknown>;

function table(value: unknown): Doc | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Doc)
    : undefined;
}

/** Whether the uv root (its pyproject.toml text, beside `ruff.toml`s in the tree) configures ruff. */
export function rootConfiguresRuff(tree: Tree, rootText: string): boolean {
  if (tree.exists('ruff.toml') || tree.exists('.ruff.toml')) return true;
  return table(table((parse(rootText) as Doc)['tool'])?.['ruff']) !== undefined;
}

function listsTool(entries: unknown[], tool: string): boolean {
  return entries.some(
    (e) => typeof e === 'string' && new RegExp(`^\\s*${tool}\\s*(?:[\\[<>=!~;@ ]|$)`, 'i').test(e),
  );
}

/**
 * Adds the tools' requirements to the uv root's `dev` dependency group (where the generators put
 * pytest), unless a group there already lists them. Returns the new text.
 */
export function addDevTools(rootText: string, tools: Array<'ruff' | 'mypy' | 'pyright'>): string {
  const doc = parse(rootText) as Doc;
  const groups = table(doc['dependency-groups']) ?? {};
  const listed = (tool: string) =>
    Object.values(groups).some((g) => Array.isArray(g) && listsTool(g, tool));
  const missing = tools.filter((t) => !listed(t));
  if (missing.length === 0) return rootText;
  const dev = groups['dev'] ?? [];
  if (!Array.isArray(dev) || dev.some((e) => typeof e !== 'string')) {
    throw new QualityToolsError(
      `pyproject.toml: [dependency-groups] dev is not a plain list of requirements; add ${missing.map((t) => JSON.stringify(TOOL_REQUIREMENTS[t])).join(', ')} to a dependency group yourself, or pass --linter=none --typeChecker=none`,
    );
  }
  return setTableKeys(rootText, 'dependency-groups', {
    dev: [...(dev as string[]), ...missing.map((t) => TOOL_REQUIREMENTS[t])],
  });
}
