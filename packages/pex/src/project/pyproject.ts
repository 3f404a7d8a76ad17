import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { PexkitError } from '../errors.js';
import { SpecifierSet } from '../pep440/specifier.js';
import { Requirement } from '../pep508/requirement.js';
import { isTable, lineOfKey, parseToml, type TomlTable } from './toml.js';

/** A pyproject.toml that cannot be read: the message names the file and line or key. */
export class PyprojectError extends PexkitError {
  override readonly name = 'PyprojectError';
  constructor(
    readonly file: string,
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(
      `${file}${line !== undefined ? `:${line}${column !== undefined ? `:${column}` : ''}` : ''}: ${message}`,
    );
  }
}

/** One `[tool.uv.sources]` entry. */
export interface UvSource {
  workspace?: boolean;
  path?: string;
  editable?: boolean;
  git?: string;
  url?: string;
  index?: string;
  marker?: string;
}

/** A PEP 735 dependency group entry: a requirement string or an include. */
export type DependencyGroupEntry = string | { includeGroup: string };

export interface PyprojectInfo {
  /** Absolute path of the pyproject.toml. */
  path: string;
  /** Canonical (PEP 503) name. */
  name: string;
  /** The name as written. */
  displayName: string;
  /** `[project] version`; `0.0.0` when the version is dynamic (see `dynamicVersion`). */
  version: string;
  dynamicVersion: boolean;
  description?: string;
  dependencies: string[];
  optionalDependencies: Record<string, string[]>;
  dependencyGroups: Record<string, DependencyGroupEntry[]>;
  /** `[tool.uv] default-groups`: group names (canonical) or `"all"`; undefined when unset. */
  uvDefaultGroups?: string[] | 'all';
  scripts: Record<string, string>;
  guiScripts: Record<string, string>;
  entryPoints: Record<string, Record<string, string>>;
  requiresPython?: string;
  /** `[tool.uv.sources]`, keyed by canonical name. */
  uvSources: Record<string, UvSource>;
  uvWorkspace?: { members: string[]; exclude: string[] };
  /** `[tool.pexkit]` as written. */
  pexkit: Record<string, unknown>;
  /** Absolute directories holding the import packages: `src/` when present, else the root. */
  sourceRoots: string[];
}

/** PEP 503 normalisation (lower case, runs of `-_.` become `-`). */
export function canonicalProjectName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

const NAME_RE = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

class Checker {
  constructor(
    readonly file: string,
    readonly text: string,
  ) {}
  /** Fails naming the key; `needle` (an array element's text) narrows the line down. */
  fail(keyPath: string[], message: string, needle?: string): never {
    const base = keyPath.map((k) => k.replace(/\[\d+\]$/, ''));
    let line = lineOfKey(this.text, base);
    if (needle !== undefined && line !== undefined) {
      const lines = this.text.split(/\r?\n/);
      for (let i = line - 1; i < lines.length; i++) {
        if ((lines[i] ?? '').includes(needle)) {
          line = i + 1;
          break;
        }
      }
    }
    throw new PyprojectError(this.file, `${keyPath.join('.')}: ${message}`, line);
  }
  string(value: unknown, keyPath: string[]): string {
    if (value === undefined) this.fail(keyPath, 'missing (a string is required)');
    if (typeof value !== 'string') this.fail(keyPath, `expected a string, got ${describe(value)}`);
    return value;
  }
  optString(value: unknown, keyPath: string[]): string | undefined {
    return value === undefined ? undefined : this.string(value, keyPath);
  }
  stringArray(value: unknown, keyPath: string[]): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value))
      this.fail(keyPath, `expected an array of strings, got ${describe(value)}`);
    return value.map((v, i) =>
      this.string(v, [...keyPath.slice(0, -1), `${keyPath[keyPath.length - 1]}[${i}]`]),
    );
  }
  /** An array of PEP 508 requirement strings, each checked. */
  requirements(value: unknown, keyPath: string[]): string[] {
    const list = this.stringArray(value, keyPath);
    list.forEach((req, i) => {
      try {
        Requirement.parse(req);
      } catch (error) {
        this.fail(
          [...keyPath.slice(0, -1), `${keyPath[keyPath.length - 1]}[${i}]`],
          (error as Error).message,
          req,
        );
      }
    });
    return list;
  }
  table(value: unknown, keyPath: string[]): TomlTable {
    if (value === undefined) return {};
    if (!isTable(value)) this.fail(keyPath, `expected a table, got ${describe(value)}`);
    return value;
  }
  stringMap(value: unknown, keyPath: string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.table(value, keyPath)))
      out[k] = this.string(v, [...keyPath, k]);
    return out;
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  return typeof value === 'object' ? 'a table' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Parses the TOML of a pyproject.toml; errors name the file and line:column. */
export function parsePyprojectToml(text: string, path: string): TomlTable {
  const parsed = parseToml(text);
  if ('error' in parsed) {
    throw new PyprojectError(
      path,
      `invalid TOML: ${parsed.error.message}`,
      parsed.error.line,
      parsed.error.column,
    );
  }
  return parsed.table;
}

/** Reads `[tool.uv.workspace]` of a parsed pyproject, if any. */
export function uvWorkspaceOf(
  doc: TomlTable,
  text: string,
  path: string,
): PyprojectInfo['uvWorkspace'] {
  const c = new Checker(path, text);
  const tool = c.table(doc['tool'], ['tool']);
  const uv = c.table(tool['uv'], ['tool', 'uv']);
  if (uv['workspace'] === undefined) return undefined;
  const ws = c.table(uv['workspace'], ['tool', 'uv', 'workspace']);
  return {
    members: c.stringArray(ws['members'], ['tool', 'uv', 'workspace', 'members']),
    exclude: c.stringArray(ws['exclude'], ['tool', 'uv', 'workspace', 'exclude']),
  };
}

function uvSourcesOf(c: Checker, doc: TomlTable): Record<string, UvSource> {
  const tool = c.table(doc['tool'], ['tool']);
  const uv = c.table(tool['uv'], ['tool', 'uv']);
  const sources = c.table(uv['sources'], ['tool', 'uv', 'sources']);
  const out: Record<string, UvSource> = {};
  for (const [name, raw] of Object.entries(sources)) {
    const key = ['tool', 'uv', 'sources', name];
    // A list of sources with markers: keep the first (pexkit builds one variant).
    const entry = Array.isArray(raw) ? raw[0] : raw;
    const t = c.table(entry, key);
    const src: UvSource = {};
    if (t['workspace'] !== undefined) {
      if (typeof t['workspace'] !== 'boolean') c.fail([...key, 'workspace'], 'expected a boolean');
      src.workspace = t['workspace'];
    }
    if (t['editable'] !== undefined) {
      if (typeof t['editable'] !== 'boolean') c.fail([...key, 'editable'], 'expected a boolean');
      src.editable = t['editable'];
    }
    for (const k of ['path', 'git', 'url', 'index', 'marker'] as const) {
      const v = c.optString(t[k], [...key, k]);
      if (v !== undefined) src[k] = v;
    }
    out[canonicalProjectName(name)] = src;
  }
  return out;
}

/** `[dependency-groups]` (PEP 735) of a parsed pyproject, group names canonical. */
export function parseDependencyGroups(
  doc: TomlTable,
  text: string,
  path: string,
): Record<string, DependencyGroupEntry[]> {
  return dependencyGroupsOf(new Checker(path, text), doc);
}

/** `[tool.uv] default-groups`: a list of group names or `"all"`; undefined when unset. */
export function parseUvDefaultGroups(
  doc: TomlTable,
  text: string,
  path: string,
): string[] | 'all' | undefined {
  return uvDefaultGroupsOf(new Checker(path, text), doc);
}

function uvDefaultGroupsOf(c: Checker, doc: TomlTable): string[] | 'all' | undefined {
  const uv = c.table(c.table(doc['tool'], ['tool'])['uv'], ['tool', 'uv']);
  const value = uv['default-groups'];
  if (value === undefined || value === 'all') return value;
  return c.stringArray(value, ['tool', 'uv', 'default-groups']).map(canonicalProjectName);
}

function dependencyGroupsOf(c: Checker, doc: TomlTable): Record<string, DependencyGroupEntry[]> {
  const groups = c.table(doc['dependency-groups'], ['dependency-groups']);
  const out: Record<string, DependencyGroupEntry[]> = {};
  for (const [group, raw] of Object.entries(groups)) {
    const key = ['dependency-groups', group];
    if (!Array.isArray(raw)) c.fail(key, `expected an array, got ${describe(raw)}`);
    out[canonicalProjectName(group)] = raw.map((entry) => {
      if (typeof entry === 'string') return entry;
      if (isTable(entry) && typeof entry['include-group'] === 'string') {
        return { includeGroup: canonicalProjectName(entry['include-group']) };
      }
      return c.fail(
        key,
        `entries must be strings or {include-group = "..."} tables, got ${describe(entry)}`,
      );
    });
  }
  return out;
}

/**
 * Parses the text of a pyproject.toml (pure). `path` is used for messages and to resolve
 * directories; `sourceRoots` defaults to `[tool.pexkit] source-roots`, else `src/` or the root as
 * told by `hasDir` (which defaults to "no src/").
 */
export function parsePyproject(
  text: string,
  path: string,
  hasDir: (absDir: string) => boolean = () => false,
): PyprojectInfo {
  const abs = isAbsolute(path) ? path : resolve(path);
  const c = new Checker(path, text);
  const doc = parsePyprojectToml(text, path);
  if (doc['project'] === undefined) {
    throw new PyprojectError(
      path,
      'no [project] table (PEP 621 metadata is required to build a project)',
    );
  }
  const project = c.table(doc['project'], ['project']);
  const displayName = c.string(project['name'], ['project', 'name']);
  if (!NAME_RE.test(displayName))
    c.fail(['project', 'name'], `invalid project name ${JSON.stringify(displayName)}`);
  const dynamic = c.stringArray(project['dynamic'], ['project', 'dynamic']);
  const dynamicVersion = dynamic.includes('version');
  let version = c.optString(project['version'], ['project', 'version']);
  if (version === undefined) {
    if (!dynamicVersion)
      c.fail(['project', 'version'], 'missing (and "version" is not listed in project.dynamic)');
    version = '0.0.0';
  }
  const optionalRaw = c.table(project['optional-dependencies'], [
    'project',
    'optional-dependencies',
  ]);
  const optionalDependencies: Record<string, string[]> = {};
  for (const [extra, deps] of Object.entries(optionalRaw)) {
    optionalDependencies[canonicalProjectName(extra)] = c.requirements(deps, [
      'project',
      'optional-dependencies',
      extra,
    ]);
  }
  const epRaw = c.table(project['entry-points'], ['project', 'entry-points']);
  const entryPoints: Record<string, Record<string, string>> = {};
  for (const [group, eps] of Object.entries(epRaw)) {
    if (group === 'console_scripts' || group === 'gui_scripts') {
      c.fail(
        ['project', 'entry-points', group],
        'use [project.scripts] / [project.gui-scripts] instead (PEP 621)',
      );
    }
    entryPoints[group] = c.stringMap(eps, ['project', 'entry-points', group]);
  }
  const tool = c.table(doc['tool'], ['tool']);
  const pexkit = c.table(tool['pexkit'], ['tool', 'pexkit']);
  const root = dirname(abs);
  let sourceRoots: string[];
  if (pexkit['source-roots'] !== undefined) {
    sourceRoots = c
      .stringArray(pexkit['source-roots'], ['tool', 'pexkit', 'source-roots'])
      .map((d) => resolve(root, d));
  } else {
    sourceRoots = [hasDir(join(root, 'src')) ? join(root, 'src') : root];
  }
  const info: PyprojectInfo = {
    path: abs,
    name: canonicalProjectName(displayName),
    displayName,
    version,
    dynamicVersion,
    dependencies: c.requirements(project['dependencies'], ['project', 'dependencies']),
    optionalDependencies,
    dependencyGroups: dependencyGroupsOf(c, doc),
    scripts: c.stringMap(project['scripts'], ['project', 'scripts']),
    guiScripts: c.stringMap(project['gui-scripts'], ['project', 'gui-scripts']),
    entryPoints,
    uvSources: uvSourcesOf(c, doc),
    pexkit,
    sourceRoots,
  };
  const uvDefaultGroups = uvDefaultGroupsOf(c, doc);
  if (uvDefaultGroups !== undefined) info.uvDefaultGroups = uvDefaultGroups;
  const description = c.optString(project['description'], ['project', 'description']);
  if (description !== undefined) info.description = description;
  const requiresPython = c.optString(project['requires-python'], ['project', 'requires-python']);
  if (requiresPython !== undefined) {
    try {
      SpecifierSet.parse(requiresPython);
    } catch (error) {
      c.fail(['project', 'requires-python'], (error as Error).message);
    }
  }
  if (requiresPython !== undefined) info.requiresPython = requiresPython;
  const ws = uvWorkspaceOf(doc, text, path);
  if (ws !== undefined) info.uvWorkspace = ws;
  return info;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Reads a pyproject.toml (or the one in a directory). */
export function readPyproject(path: string): PyprojectInfo {
  let file = resolve(path);
  if (isDir(file)) file = join(file, 'pyproject.toml');
  if (!existsSync(file)) throw new PyprojectError(file, 'file not found');
  return parsePyproject(readFileSync(file, 'utf8'), file, isDir);
}
