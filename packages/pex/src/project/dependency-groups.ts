/**
 * PEP 735 dependency groups: expanding `{include-group = ...}` entries into requirement strings,
 * and the groups uv installs by default (`[tool.uv] default-groups`, else `dev`).
 */
import type { TomlTable } from './toml.js';
import {
  parseDependencyGroups,
  parseUvDefaultGroups,
  PyprojectError,
  type DependencyGroupEntry,
} from './pyproject.js';

/**
 * The requirements of `names` (canonical group names; names the file does not define are
 * skipped), includes expanded depth first, each requirement once, in order. An include of an
 * undefined group or an include cycle is an error naming the file and the groups.
 */
export function expandDependencyGroups(
  groups: Record<string, DependencyGroupEntry[]>,
  names: readonly string[],
  path: string,
): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const expand = (name: string, stack: string[]): void => {
    if (stack.includes(name)) {
      throw new PyprojectError(
        path,
        `dependency-groups: include cycle ${[...stack, name].join(' -> ')}`,
      );
    }
    const entries = groups[name];
    if (entries === undefined) {
      throw new PyprojectError(
        path,
        `dependency-groups.${stack[stack.length - 1] ?? name}: includes '${name}', which is not defined`,
      );
    }
    for (const entry of entries) {
      if (typeof entry !== 'string') expand(entry.includeGroup, [...stack, name]);
      else if (!seen.has(entry)) {
        seen.add(entry);
        out.push(entry);
      }
    }
  };
  for (const name of names) if (groups[name] !== undefined) expand(name, []);
  return out;
}

/** uv's `default-groups` setting: a list of group names, `"all"`, or (unset) `["dev"]`. */
export function uvDefaultGroupNames(
  groups: Record<string, DependencyGroupEntry[]>,
  setting: string[] | 'all' | undefined,
): string[] {
  if (setting === 'all') return Object.keys(groups).sort();
  return setting ?? ['dev'];
}

/**
 * The requirements of the dependency groups that `uv sync` / `uv run` install by default (the
 * `default-groups` setting, else `dev`), includes expanded. For a parsed project:
 * `defaultGroupRequirements(info.dependencyGroups, info.uvDefaultGroups, file)`.
 */
export function defaultGroupRequirements(
  groups: Record<string, DependencyGroupEntry[]>,
  setting: string[] | 'all' | undefined,
  path: string,
): string[] {
  return expandDependencyGroups(groups, uvDefaultGroupNames(groups, setting), path);
}

/** {@link defaultGroupRequirements} of a pyproject without `[project]` (a virtual uv root). */
export function uvDefaultGroupRequirements(doc: TomlTable, text: string, path: string): string[] {
  return defaultGroupRequirements(
    parseDependencyGroups(doc, text, path),
    parseUvDefaultGroups(doc, text, path),
    path,
  );
}
