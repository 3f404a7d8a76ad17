import { dirname, isAbsolute, resolve } from 'node:path';
import { type GitPin, gitSourceUrl, pinProblem } from './git-url.js';
import { parseHashPin } from './hashes.js';
import { isTable } from '../project/toml.js';
import {
  canonical,
  filenameOf,
  LockError,
  registryPackage,
  type Lock,
  type LockArtifact,
  type LockDependency,
  type LockPackage,
} from './model.js';
import { arrayTableLines, parseLockToml, readLockText } from './uv-lock.js';

class Ctx {
  constructor(
    readonly file: string,
    readonly dir: string,
  ) {}
  fail(line: number | undefined, message: string): never {
    throw new LockError(this.file, message, line);
  }
  str(v: unknown, what: string, line?: number): string {
    if (typeof v !== 'string') this.fail(line, `${what}: expected a string`);
    return v;
  }
  optStr(v: unknown, what: string, line?: number): string | undefined {
    return v === undefined ? undefined : this.str(v, what, line);
  }
}

/** Fields of each PEP 751 table (lock-version 1.0); `tool` tables are for other tools. */
const KNOWN = {
  top: [
    'lock-version',
    'environments',
    'requires-python',
    'extras',
    'dependency-groups',
    'default-groups',
    'created-by',
    'packages',
    'tool',
  ],
  package: [
    'name',
    'version',
    'marker',
    'requires-python',
    'dependencies',
    'index',
    'vcs',
    'directory',
    'archive',
    'sdist',
    'wheels',
    'attestation-identities',
    'tool',
  ],
  artifact: ['name', 'upload-time', 'url', 'path', 'size', 'hashes', 'subdirectory'],
  vcs: ['type', 'url', 'path', 'requested-revision', 'commit-id', 'subdirectory'],
  directory: ['path', 'editable', 'subdirectory'],
} as const;

/** Refuses a table with a field PEP 751 does not define, naming it (nothing is dropped). */
function knownFields(
  ctx: Ctx,
  table: Record<string, unknown>,
  known: readonly string[],
  what: string,
  line?: number,
): void {
  for (const key of Object.keys(table))
    if (!known.includes(key))
      ctx.fail(line, `${what}: unsupported field '${key}' (not in PEP 751 lock-version 1.0)`);
}

function artifactOf(
  ctx: Ctx,
  v: unknown,
  kind: 'wheel' | 'sdist',
  what: string,
  line?: number,
): LockArtifact {
  if (!isTable(v)) ctx.fail(line, `${what}: expected a table`);
  knownFields(ctx, v, KNOWN.artifact, what, line);
  if (v['subdirectory'] !== undefined)
    ctx.fail(
      line,
      `${what}.subdirectory: a project in a subdirectory of an archive is unsupported (${JSON.stringify(v['subdirectory'])})`,
    );
  const url = ctx.optStr(v['url'], `${what}.url`, line);
  const path = ctx.optStr(v['path'], `${what}.path`, line);
  const name = ctx.optStr(v['name'], `${what}.name`, line);
  if (url === undefined && path === undefined)
    ctx.fail(line, `${what}: needs a url or a path (PEP 751)`);
  const filename = name ?? filenameOf((url ?? path) as string);
  const art: LockArtifact = { kind, filename };
  if (url !== undefined) art.url = url;
  if (path !== undefined) art.path = isAbsolute(path) ? path : resolve(ctx.dir, path);
  const hashes = v['hashes'];
  if (!isTable(hashes)) ctx.fail(line, `${what}.hashes: required table (PEP 751)`);
  for (const [algorithm, value] of Object.entries(hashes)) {
    const pin = parseHashPin(algorithm, ctx.str(value, `${what}.hashes.${algorithm}`, line));
    if ('error' in pin) ctx.fail(line, `${what}.hashes.${algorithm}: ${pin.error}`);
    else (art.hashes ??= {})[pin.algorithm] = pin.digest;
  }
  if (art.hashes?.['sha256'] !== undefined) art.sha256 = art.hashes['sha256'];
  if (v['size'] !== undefined) {
    if (typeof v['size'] !== 'number' || !Number.isInteger(v['size']))
      ctx.fail(line, `${what}.size: expected an integer`);
    art.size = v['size'];
  }
  return art;
}

function packageOf(ctx: Ctx, raw: unknown, position: number, line?: number): LockPackage {
  if (!isTable(raw)) ctx.fail(line, `packages[${position}]: expected a table`);
  const name = canonical(ctx.str(raw['name'], `packages[${position}].name`, line));
  const what = `package '${name}'`;
  knownFields(ctx, raw, KNOWN.package, what, line);
  const pkg: LockPackage = registryPackage(name, line);
  const version = ctx.optStr(raw['version'], `${what}.version`, line);
  if (version !== undefined) pkg.version = version;
  const marker = ctx.optStr(raw['marker'], `${what}.marker`, line);
  if (marker !== undefined) pkg.marker = marker;
  const rp = ctx.optStr(raw['requires-python'], `${what}.requires-python`, line);
  if (rp !== undefined) pkg.requiresPython = rp;
  const index = ctx.optStr(raw['index'], `${what}.index`, line);
  if (index !== undefined) {
    pkg.indexUrl = index;
    pkg.source.url = index;
  }
  if (raw['dependencies'] !== undefined) {
    if (!Array.isArray(raw['dependencies']))
      ctx.fail(line, `${what}.dependencies: expected an array`);
    pkg.dependencies = raw['dependencies'].map((d: unknown, i: number): LockDependency => {
      if (!isTable(d)) ctx.fail(line, `${what}.dependencies[${i}]: expected a table`);
      const dep: LockDependency = {
        name: canonical(ctx.str(d['name'], `${what}.dependencies[${i}].name`, line)),
        extras: [],
      };
      const v = ctx.optStr(d['version'], `${what}.dependencies[${i}].version`, line);
      if (v !== undefined) dep.version = v;
      return dep;
    });
  }
  const sources = ['vcs', 'directory', 'archive', 'sdist', 'wheels'].filter(
    (k) => raw[k] !== undefined,
  );
  if (raw['vcs'] !== undefined) {
    const vcs = raw['vcs'];
    if (!isTable(vcs)) ctx.fail(line, `${what}.vcs: expected a table`);
    knownFields(ctx, vcs, KNOWN.vcs, `${what}.vcs`, line);
    const type = ctx.str(vcs['type'], `${what}.vcs.type`, line);
    if (type !== 'git')
      ctx.fail(
        line,
        `${what}.vcs.type: ${JSON.stringify(type)} is unsupported (only git sources are built)`,
      );
    const url = ctx.optStr(vcs['url'], `${what}.vcs.url`, line);
    const pin: GitPin = {
      repo: url ?? resolve(ctx.dir, ctx.str(vcs['path'], `${what}.vcs.path`, line)),
      commit: ctx.str(vcs['commit-id'], `${what}.vcs.commit-id`, line),
    };
    const sub = ctx.optStr(vcs['subdirectory'], `${what}.vcs.subdirectory`, line);
    if (sub !== undefined) pin.subdirectory = sub;
    const why = pinProblem(pin);
    if (why !== undefined) ctx.fail(line, `${what}.vcs: ${why}`);
    pkg.source = { kind: 'git', url: gitSourceUrl(pin) };
  } else if (raw['directory'] !== undefined) {
    const d = raw['directory'];
    if (!isTable(d)) ctx.fail(line, `${what}.directory: expected a table`);
    knownFields(ctx, d, KNOWN.directory, `${what}.directory`, line);
    pkg.source = {
      kind: d['editable'] === true ? 'editable' : 'directory',
      path: ctx.str(d['path'], `${what}.directory.path`, line),
    };
  } else if (raw['archive'] !== undefined) {
    const art = artifactOf(ctx, raw['archive'], 'sdist', `${what}.archive`, line);
    if (art.filename.endsWith('.whl')) art.kind = 'wheel';
    pkg.source =
      art.url !== undefined
        ? { kind: 'url', url: art.url }
        : { kind: 'path', path: art.path as string };
    if (art.kind === 'wheel') pkg.wheels.push(art);
    else pkg.sdist = art;
  }
  if (raw['sdist'] !== undefined)
    pkg.sdist = artifactOf(ctx, raw['sdist'], 'sdist', `${what}.sdist`, line);
  if (raw['wheels'] !== undefined) {
    if (!Array.isArray(raw['wheels'])) ctx.fail(line, `${what}.wheels: expected an array`);
    pkg.wheels.push(
      ...raw['wheels'].map((w: unknown, i: number) =>
        artifactOf(ctx, w, 'wheel', `${what}.wheels[${i}]`, line),
      ),
    );
  }
  if (sources.length === 0)
    ctx.fail(line, `${what}: no vcs, directory, archive, sdist or wheels (PEP 751 requires one)`);
  return pkg;
}

/** Parses the text of a PEP 751 `pylock.toml` (pure). */
export function parsePylock(text: string, path: string): Lock {
  const abs = resolve(path);
  const ctx = new Ctx(path, dirname(abs));
  const doc = parseLockToml(text, path);
  knownFields(ctx, doc, KNOWN.top, 'pylock.toml', 1);
  const lockVersion = ctx.str(doc['lock-version'], 'not a PEP 751 lock: `lock-version`', 1);
  if (!/^1(\.\d+)?$/.test(lockVersion))
    ctx.fail(1, `lock-version ${lockVersion} is not supported (expected 1.x)`);
  const lines = arrayTableLines(text, 'packages');
  const raw: unknown = doc['packages'] ?? [];
  if (!Array.isArray(raw)) ctx.fail(undefined, '`packages` must be an array of tables');
  const packages = (raw as unknown[]).map((p, i) => packageOf(ctx, p, i, lines[i]));
  const lock: Lock = {
    path: abs,
    format: 'pylock',
    members: [],
    packages,
    hasEdges: packages.some((p) => p.dependencies.length > 0),
    resolutionMarkers: [],
    extraIndexUrls: [],
    findLinks: [],
  };
  const rp = ctx.optStr(doc['requires-python'], 'requires-python');
  if (rp !== undefined) lock.requiresPython = rp;
  const list = (key: string): string[] | undefined => {
    const v = doc[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) ctx.fail(1, `${key}: expected an array of strings`);
    return (v as unknown[]).map((x) => ctx.str(x, key));
  };
  const environments = list('environments');
  if (environments !== undefined && environments.length > 0) lock.supportedMarkers = environments;
  const extras = list('extras');
  if (extras !== undefined) lock.extras = extras.map(canonical);
  const groups = list('dependency-groups');
  if (groups !== undefined) lock.dependencyGroups = groups.map(canonical);
  const defaults = list('default-groups');
  if (defaults !== undefined) {
    lock.defaultGroups = defaults.map(canonical);
    for (const g of lock.defaultGroups)
      if (!(lock.dependencyGroups ?? []).includes(g))
        ctx.fail(1, `default-groups: '${g}' is not in dependency-groups (PEP 751)`);
  }
  return lock;
}

/** Reads a `pylock.toml` / `pylock.<name>.toml`. */
export function readPylock(path: string): Lock {
  return parsePylock(readLockText(path), path);
}
