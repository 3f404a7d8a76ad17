import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseHashText } from './hashes.js';
import { isTable, parseToml, type TomlTable } from '../project/toml.js';
import {
  canonical,
  filenameOf,
  LockError,
  type ConflictItem,
  type Lock,
  type LockArtifact,
  type LockDependency,
  type LockPackage,
  type LockSource,
} from './model.js';

/** Lines (1-based) of each `[[header]]` in order of appearance. */
export function arrayTableLines(text: string, header: string): number[] {
  const lines = text.split(/\r?\n/);
  const out: number[] = [];
  const want = `[[${header}]]`;
  for (let i = 0; i < lines.length; i++) if ((lines[i] ?? '').trim() === want) out.push(i + 1);
  return out;
}

class Ctx {
  constructor(
    readonly file: string,
    readonly dir: string,
  ) {}
  fail(line: number | undefined, message: string): never {
    throw new LockError(this.file, message, line);
  }
}

function str(ctx: Ctx, v: unknown, what: string, line?: number): string {
  if (typeof v !== 'string')
    ctx.fail(line, `${what}: expected a string, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}

function strArray(ctx: Ctx, v: unknown, what: string, line?: number): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) ctx.fail(line, `${what}: expected an array of strings`);
  return v.map((x) => str(ctx, x, what, line));
}

/** Fields of each uv.lock table this reader knows (uv 0.13 writes no others). */
const KNOWN = {
  top: [
    'version',
    'revision',
    'requires-python',
    'resolution-markers',
    'supported-markers',
    'required-markers',
    'conflicts',
    'options',
    'manifest',
    'package',
  ],
  package: [
    'name',
    'version',
    'source',
    'resolution-markers',
    'dependencies',
    'optional-dependencies',
    'dev-dependencies',
    'metadata',
    'wheels',
    'sdist',
  ],
  dependency: ['name', 'version', 'source', 'extra', 'marker'],
  source: ['registry', 'git', 'url', 'subdirectory', 'path', 'directory', 'editable', 'virtual'],
  artifact: ['url', 'path', 'filename', 'hash', 'size', 'upload-time', 'zstd'],
} as const;

/** Refuses a table with a field the reader does not know, naming it (nothing is dropped). */
function knownFields(
  ctx: Ctx,
  table: TomlTable,
  known: readonly string[],
  what: string,
  line?: number,
): void {
  for (const key of Object.keys(table)) {
    if (!known.includes(key))
      ctx.fail(
        line,
        `${what}: unsupported field '${key}' (not part of the uv.lock format pexkit reads; made by a newer uv?)`,
      );
  }
}

/** `hash = "<algorithm>:<hex>"` (sha256, sha512…; weak or unknown ones are refused on use). */
function hashOf(
  ctx: Ctx,
  hash: unknown,
  what: string,
  line?: number,
): { algorithm: string; digest: string } | undefined {
  if (hash === undefined) return undefined;
  const h = str(ctx, hash, `${what}.hash`, line);
  const pin = parseHashText(h);
  if ('error' in pin) ctx.fail(line, `${what}.hash: ${pin.error}, got ${JSON.stringify(h)}`);
  return pin as { algorithm: string; digest: string };
}

function sourceOf(ctx: Ctx, v: unknown, what: string, line?: number): LockSource {
  if (!isTable(v)) ctx.fail(line, `${what}.source: expected a table`);
  knownFields(ctx, v, KNOWN.source, `${what}.source`, line);
  if (v['subdirectory'] !== undefined)
    ctx.fail(
      line,
      `${what}.source.subdirectory: a project in a subdirectory of a URL source is unsupported (${JSON.stringify(v['subdirectory'])})`,
    );
  const kinds = ['registry', 'path', 'directory', 'editable', 'git', 'url', 'virtual'] as const;
  for (const kind of kinds) {
    const value = v[kind];
    if (value === undefined) continue;
    const s = str(ctx, value, `${what}.source.${kind}`, line);
    if (kind === 'registry' || kind === 'git' || kind === 'url') {
      if (kind === 'registry' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
        return { kind, path: s }; // a find-links directory
      }
      return { kind, url: s };
    }
    return { kind, path: s };
  }
  return ctx.fail(line, `${what}.source: unknown source kind ${JSON.stringify(Object.keys(v))}`);
}

function artifactOf(
  ctx: Ctx,
  v: unknown,
  kind: 'wheel' | 'sdist',
  what: string,
  base: string,
  line?: number,
  fallbackName?: string,
): LockArtifact {
  if (!isTable(v)) ctx.fail(line, `${what}: expected a table`);
  knownFields(ctx, v, KNOWN.artifact, what, line);
  const url = v['url'] === undefined ? undefined : str(ctx, v['url'], `${what}.url`, line);
  const path = v['path'] === undefined ? undefined : str(ctx, v['path'], `${what}.path`, line);
  const given =
    v['filename'] === undefined ? undefined : str(ctx, v['filename'], `${what}.filename`, line);
  const filename =
    given ??
    (url !== undefined ? filenameOf(url) : path !== undefined ? filenameOf(path) : fallbackName);
  if (filename === undefined) ctx.fail(line, `${what}: needs a url, path or filename`);
  const art: LockArtifact = { kind, filename };
  if (url !== undefined) {
    if (url.startsWith('file://')) art.path = decodeURIComponent(new URL(url).pathname);
    else art.url = url;
  }
  if (path !== undefined) art.path = isAbsolute(path) ? path : resolve(base, path);
  const pin = hashOf(ctx, v['hash'], what, line);
  if (pin !== undefined) {
    art.hashes = { [pin.algorithm]: pin.digest };
    if (pin.algorithm === 'sha256') art.sha256 = pin.digest;
  }
  if (v['size'] !== undefined) {
    if (typeof v['size'] !== 'number' || !Number.isInteger(v['size']))
      ctx.fail(line, `${what}.size: expected an integer`);
    art.size = v['size'];
  }
  return art;
}

function dependencyOf(ctx: Ctx, v: unknown, what: string, line?: number): LockDependency {
  if (!isTable(v)) ctx.fail(line, `${what}: expected a table`);
  knownFields(ctx, v, KNOWN.dependency, what, line);
  const dep: LockDependency = {
    name: canonical(str(ctx, v['name'], `${what}.name`, line)),
    extras: strArray(ctx, v['extra'], `${what}.extra`, line).map(canonical),
  };
  if (v['version'] !== undefined) dep.version = str(ctx, v['version'], `${what}.version`, line);
  if (v['marker'] !== undefined) dep.marker = str(ctx, v['marker'], `${what}.marker`, line);
  if (v['source'] !== undefined) dep.source = sourceOf(ctx, v['source'], what, line);
  return dep;
}

function dependencyList(ctx: Ctx, v: unknown, what: string, line?: number): LockDependency[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) ctx.fail(line, `${what}: expected an array`);
  return v.map((d, i) => dependencyOf(ctx, d, `${what}[${i}]`, line));
}

function packageOf(ctx: Ctx, raw: unknown, index: number, line?: number): LockPackage {
  if (!isTable(raw)) ctx.fail(line, `package[${index}]: expected a table`);
  const name = canonical(str(ctx, raw['name'], `package[${index}].name`, line));
  const what = `package '${name}'`;
  knownFields(ctx, raw, KNOWN.package, what, line);
  const source = sourceOf(ctx, raw['source'], what, line);
  const pkg: LockPackage = {
    name,
    source,
    dependencies: dependencyList(ctx, raw['dependencies'], `${what}.dependencies`, line),
    optionalDependencies: {},
    wheels: [],
    resolutionMarkers: strArray(ctx, raw['resolution-markers'], `${what}.resolution-markers`, line),
    line,
  };
  if (raw['version'] !== undefined) pkg.version = str(ctx, raw['version'], `${what}.version`, line);
  const optional = raw['optional-dependencies'];
  if (optional !== undefined) {
    if (!isTable(optional)) ctx.fail(line, `${what}.optional-dependencies: expected a table`);
    for (const [extra, deps] of Object.entries(optional)) {
      pkg.optionalDependencies[canonical(extra)] = dependencyList(
        ctx,
        deps,
        `${what}.optional-dependencies.${extra}`,
        line,
      );
    }
  }
  const groups = raw['dev-dependencies'];
  if (groups !== undefined) {
    if (!isTable(groups)) ctx.fail(line, `${what}.dev-dependencies: expected a table`);
    pkg.dependencyGroups = {};
    for (const [group, deps] of Object.entries(groups)) {
      pkg.dependencyGroups[canonical(group)] = dependencyList(
        ctx,
        deps,
        `${what}.dev-dependencies.${group}`,
        line,
      );
    }
  }
  // Artifacts of a find-links registry are relative to that directory; others to the lock's.
  const base =
    source.kind === 'registry' && source.path !== undefined
      ? resolve(ctx.dir, source.path)
      : ctx.dir;
  // `path` / `url` sources name the file themselves; their artifact tables may hold only a hash.
  const own =
    source.kind === 'path' || source.kind === 'url'
      ? filenameOf(source.path ?? source.url ?? '')
      : undefined;
  // A git source's artifact tables may hold only a hash (nothing to fetch): the package is
  // then built from git, which the plan refuses naming the source.
  const fetchable = (a: unknown): boolean =>
    source.kind !== 'git' ||
    (isTable(a) &&
      (a['url'] !== undefined || a['path'] !== undefined || a['filename'] !== undefined));
  const wheels = raw['wheels'];
  if (wheels !== undefined) {
    if (!Array.isArray(wheels)) ctx.fail(line, `${what}.wheels: expected an array`);
    pkg.wheels = wheels
      .filter(fetchable)
      .map((w, i) => artifactOf(ctx, w, 'wheel', `${what}.wheels[${i}]`, base, line, own));
  }
  if (raw['sdist'] !== undefined && fetchable(raw['sdist']))
    pkg.sdist = artifactOf(ctx, raw['sdist'], 'sdist', `${what}.sdist`, base, line, own);
  // A `path` source names the artifact itself.
  if (source.kind === 'path' && source.path !== undefined) {
    const abs = resolve(ctx.dir, source.path);
    for (const a of [...pkg.wheels, ...(pkg.sdist ? [pkg.sdist] : [])]) a.path ??= abs;
  }
  if (source.kind === 'url' && source.url !== undefined) {
    for (const a of [...pkg.wheels, ...(pkg.sdist ? [pkg.sdist] : [])])
      if (a.path === undefined) a.url ??= source.url;
  }
  if (isTable(raw['metadata']) && typeof raw['metadata']['requires-python'] === 'string') {
    pkg.requiresPython = raw['metadata']['requires-python'];
  }
  return pkg;
}

/** Parses the text of a `uv.lock` (pure). */
export function parseUvLock(text: string, path: string): Lock {
  const abs = resolve(path);
  const ctx = new Ctx(path, dirname(abs));
  const doc: TomlTable = parseLockToml(text, path);
  if (typeof doc['version'] !== 'number')
    ctx.fail(1, 'not a uv.lock: missing top-level integer `version`');
  if (doc['version'] !== 1)
    ctx.fail(1, `uv.lock version ${doc['version']} is not supported (expected 1)`);
  knownFields(ctx, doc, KNOWN.top, 'uv.lock', 1);
  const lines = arrayTableLines(text, 'package');
  const rawPackages: unknown = doc['package'] ?? [];
  if (!Array.isArray(rawPackages)) ctx.fail(undefined, '`package` must be an array of tables');
  const raws = rawPackages as unknown[];
  const packages = raws.map((raw, i) => packageOf(ctx, raw, i, lines[i]));
  const manifest = isTable(doc['manifest']) ? doc['manifest'] : {};
  let members = strArray(ctx, manifest['members'], 'manifest.members').map(canonical);
  if (members.length === 0) {
    // A single-project lock: the root is the editable/virtual package at ".".
    members = packages
      .filter(
        (p) =>
          (p.source.kind === 'editable' || p.source.kind === 'virtual') && p.source.path === '.',
      )
      .map((p) => p.name);
  }
  const lock: Lock = {
    path: abs,
    format: 'uv.lock',
    members,
    packages,
    hasEdges: true,
    resolutionMarkers: strArray(ctx, doc['resolution-markers'], 'resolution-markers'),
    extraIndexUrls: [],
    findLinks: [],
  };
  if (doc['requires-python'] !== undefined)
    lock.requiresPython = str(ctx, doc['requires-python'], 'requires-python');
  const supported = strArray(ctx, doc['supported-markers'], 'supported-markers');
  if (supported.length > 0) lock.supportedMarkers = supported;
  const required = strArray(ctx, doc['required-markers'], 'required-markers');
  if (required.length > 0) lock.requiredMarkers = required;
  const conflicts = conflictsOf(ctx, doc['conflicts']);
  if (conflicts.length > 0) lock.conflicts = conflicts;
  return lock;
}

/** `conflicts = [[{ package, extra | group }, …], …]`. */
function conflictsOf(ctx: Ctx, v: unknown): ConflictItem[][] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) ctx.fail(undefined, 'conflicts: expected an array of arrays');
  return (v as unknown[]).map((set, i) => {
    if (!Array.isArray(set)) ctx.fail(undefined, `conflicts[${i}]: expected an array`);
    return (set as unknown[]).map((item, j): ConflictItem => {
      const what = `conflicts[${i}][${j}]`;
      if (!isTable(item)) ctx.fail(undefined, `${what}: expected a table`);
      knownFields(ctx, item, ['package', 'extra', 'group'], what);
      const out: ConflictItem = {
        package: canonical(str(ctx, item['package'], `${what}.package`)),
      };
      if (item['extra'] !== undefined)
        out.extra = canonical(str(ctx, item['extra'], `${what}.extra`));
      if (item['group'] !== undefined)
        out.group = canonical(str(ctx, item['group'], `${what}.group`));
      if ((out.extra === undefined) === (out.group === undefined))
        ctx.fail(undefined, `${what}: needs exactly one of 'extra' or 'group'`);
      return out;
    });
  });
}

/** Reads a `uv.lock` file. */
export function readUvLock(path: string): Lock {
  return parseUvLock(readLockText(path), path);
}

/** Parses a lock file's TOML; a syntax error is a LockError naming the file, line and column. */
export function parseLockToml(text: string, path: string): TomlTable {
  const parsed = parseToml(text);
  if ('error' in parsed)
    throw new LockError(
      path,
      `invalid TOML: ${parsed.error.message}`,
      parsed.error.line,
      parsed.error.column,
    );
  return parsed.table;
}

export function readLockText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LockError(
      path,
      code === 'ENOENT' ? 'file not found' : `cannot read: ${String(error)}`,
    );
  }
}
