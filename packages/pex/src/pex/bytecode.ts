/**
 * Bytecode shipped with the wheels, so a cold start does not compile what it imports (like pex
 * `--compile`, but per wheel, cached, and only for wheels of a sensible size).
 *
 * For every CPython version among the targets for which a local interpreter of that version is
 * found, each wheel's importable modules are compiled into PEP 552 unchecked-hash `.pyc` (they
 * depend only on the source and the Python version, never on a time) and packed, as the installed
 * tree's `…/__pycache__/<mod>.<cache_tag>.pyc` paths, into one zip per wheel and version. The
 * runtime unpacks the bundle for its own `cache_tag` and magic number beside the wheel when it
 * installs it (docs/pex-info.md, `bytecode`). Bundles are cached under
 * `<cacheDir>/bytecode/cpython-<X.Y.Z>/<wheel sha256>.zip` (+ `.json`), so only the first build
 * with a wheel pays for compiling it. Without such an interpreter the PEX simply carries no
 * bytecode for that version and the first start compiles, as before.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { tempPathFor, writeFileAtomic } from '../cache/atomic.js';
import { cacheDir as defaultCacheDir } from '../cache/cache-dir.js';
import { buildCachePath } from '../cache/layout.js';
import { PexkitError } from '../errors.js';
import { inspectInterpreter, type InterpreterInfo } from '../interpreter/current.js';
import type { BuildPlan, ResolvedWheel } from '../plan/build-plan.js';
import { candidatePythons, configuredPythons } from '../sdist/build.js';
import type { Target } from '../targets/target.js';
import { ZipWriter } from '../zip/writer.js';

const run = promisify(execFile);

/**
 * Wheels whose `.py` files add up to more than this are not compiled: the bytecode would add
 * about as much again to the PEX and to every cold start's writes, while an app imports a small
 * part of such a wheel (ansible's 15,000 collection modules: 148 MB of source).
 */
export const MAX_COMPILED_SOURCE = 16 * 1024 * 1024;

/** Compiling the lowest Python the runtime supports needs PEP 552 (3.7+); the runtime needs 3.8. */
const MIN_VERSION: [number, number] = [3, 8];

/** One wheel's bytecode for one Python version, a file in the cache. */
export interface BytecodeBundle {
  wheel: string;
  path: string;
  size: number;
  sha256: string;
}

/** The bytecode for one Python version (`cache_tag`, e.g. `cpython-311`). */
export interface BytecodeSet {
  cacheTag: string;
  /** importlib's MAGIC_NUMBER, hex: the runtime unpacks the bundles only when its own matches. */
  magic: string;
  /** The full version of the interpreter that compiled (the bytes may depend on it). */
  python: string;
  bundles: BytecodeBundle[];
}

/** Compiling a wheel failed in a way that is not the wheel's fault (the interpreter died). */
export class BytecodeError extends PexkitError {
  override readonly name = 'BytecodeError';
}

/**
 * The compiler, run as `python -I -S -c SCRIPT MAX WHEEL...`: prints one JSON line (cache_tag,
 * magic), then per wheel a u32 count (0xffffffff: skipped, too big) and that many
 * (u32 name length, name, u32 data length, data) records. Modules that do not compile on this
 * Python (a Python 2 file in a test dir, a template) are left out: the runtime then compiles
 * them, or fails, as it would have without bytecode.
 */
export const COMPILE_SCRIPT = String.raw`
import importlib.util, json, struct, sys, warnings, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc
warnings.simplefilter("ignore")
tag = sys.implementation.cache_tag
out = sys.stdout.buffer
out.write((json.dumps({"cache_tag": tag, "magic": importlib.util.MAGIC_NUMBER.hex()}) + "\n").encode())
limit = int(sys.argv[1])
def installed(name):
    top, _, rest = name.partition("/")
    if top.endswith(".dist-info"):
        return None
    if top.endswith(".data"):
        kind, _, sub = rest.partition("/")
        return sub if kind in ("purelib", "platlib") and sub else None
    return name
for path in sys.argv[2:]:
    with zipfile.ZipFile(path) as zf:
        members = sorted((i for i in zf.infolist() if i.filename.endswith(".py")), key=lambda i: i.filename)
        todo = [(installed(i.filename), i) for i in members]
        todo = [(rel, i) for rel, i in todo if rel]
        if sum(i.file_size for _, i in todo) > limit:
            out.write(struct.pack("<I", 0xFFFFFFFF))
            continue
        records = []
        for rel, info in todo:
            source = zf.read(info)
            try:
                code = compile(source, rel, "exec", dont_inherit=True, optimize=0)
            except Exception:
                continue
            data = _code_to_hash_pyc(code, importlib.util.source_hash(source), False)
            del code
            head, _, base = rel.rpartition("/")
            pyc = (head + "/" if head else "") + "__pycache__/" + base[:-3] + "." + tag + ".pyc"
            records.append((pyc.encode("utf-8"), data))
        out.write(struct.pack("<I", len(records)))
        for name, data in records:
            out.write(struct.pack("<I", len(name)) + name + struct.pack("<I", len(data)) + data)
out.flush()
`;

interface CacheMeta {
  cacheTag: string;
  magic: string;
  python: string;
  /** Absent when the wheel was too big to compile. */
  sha256?: string;
  size?: number;
}

interface Logger {
  info?(message: string): void;
  debug?(message: string): void;
}

export interface CompileOptions {
  cacheDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Interpreters the user named (`--python`); tried first. */
  python?: string | readonly string[];
  logger?: Logger;
  /** Default MAX_COMPILED_SOURCE (tests). */
  maxSource?: number;
}

/** Counts of wheels this process compiled (not served from the cache), for tests and benchmarks. */
export const compileStats = { compiled: 0 };

const versionKey = (v: readonly number[]): string => `${v[0]}.${v[1]}`;

/** A local CPython of `target`'s version (any platform: bytecode does not depend on it). */
async function compilerFor(
  target: Target,
  options: CompileOptions,
): Promise<InterpreterInfo | undefined> {
  const env = options.env ?? process.env;
  // The user's interpreters, then installed binaries (pyenv's), then PATH names last: a name on
  // PATH may be a pyenv shim, which costs a run of the shim on every build to resolve.
  const configured = configuredPythons(options.python, env);
  const all = candidatePythons(target, options.python, env);
  const ordered = [
    ...configured,
    ...all.filter((c) => isAbsolute(c) && !configured.includes(c)),
    ...all.filter((c) => !isAbsolute(c) && !configured.includes(c)),
  ];
  for (const candidate of ordered) {
    try {
      const info = await inspectInterpreter(candidate, { cacheDir: options.cacheDir, env });
      if (
        info.markerEnvironment['platform_python_implementation'] === 'CPython' &&
        info.version[0] === target.pythonVersion[0] &&
        info.version[1] === target.pythonVersion[1]
      )
        return info;
    } catch {
      continue;
    }
  }
  return undefined;
}

/**
 * The bytecode sets for `wheels` (see the module comment), one per CPython version among the
 * plan's targets that a local interpreter serves; wheels too big to compile get no bundle.
 */
export async function compileBytecode(
  plan: BuildPlan,
  wheels: readonly ResolvedWheel[],
  options: CompileOptions = {},
): Promise<BytecodeSet[]> {
  const log = options.logger ?? {};
  const versions = new Map<string, { target: Target; names: Set<string> }>();
  for (const target of plan.resolvedTargets ?? []) {
    const [major, minor] = target.pythonVersion;
    if (target.implementation !== 'cp') continue;
    if (major < MIN_VERSION[0] || (major === MIN_VERSION[0] && minor < MIN_VERSION[1])) continue;
    const key = versionKey(target.pythonVersion);
    const entry = versions.get(key) ?? { target, names: new Set<string>() };
    entry.names.add(target.source ?? '');
    versions.set(key, entry);
  }
  const sets: BytecodeSet[] = [];
  for (const [key, { target, names }] of [...versions].sort(([a], [b]) => a.localeCompare(b))) {
    const python = await compilerFor(target, options);
    if (python === undefined) {
      log.info?.(
        `no CPython ${key} here to compile bytecode with (pass --python): the PEX's first start on ${key} compiles the modules it imports`,
      );
      continue;
    }
    const mine = wheels.filter(
      (w) => w.targets.length === 0 || w.targets.some((t) => names.has(t)),
    );
    const set = await bytecodeFor(python, mine, options);
    if (set !== undefined) sets.push(set);
  }
  return sets;
}

async function bytecodeFor(
  python: InterpreterInfo,
  wheels: readonly ResolvedWheel[],
  options: CompileOptions,
): Promise<BytecodeSet | undefined> {
  const full = python.version.join('.');
  const dir = buildCachePath(
    defaultCacheDir({ cacheDir: options.cacheDir, env: options.env }),
    'bytecode',
    `cpython-${full}`,
  );
  const metas = new Map<string, CacheMeta>();
  const missing: ResolvedWheel[] = [];
  for (const w of wheels) {
    const meta = await readMeta(dir, w.sha256);
    if (meta === undefined) missing.push(w);
    else metas.set(w.filename, meta);
  }
  if (missing.length > 0) {
    const started = Date.now();
    const limit = options.maxSource ?? MAX_COMPILED_SOURCE;
    for (const [wheel, meta] of await compileMissing(python, full, dir, missing, limit))
      metas.set(wheel, meta);
    options.logger?.debug?.(
      `compiled ${missing.length} wheel(s) with ${python.path} in ${Date.now() - started} ms`,
    );
  }
  const first = metas.values().next().value;
  if (first === undefined) return undefined;
  const bundles: BytecodeBundle[] = [];
  for (const w of wheels) {
    const meta = metas.get(w.filename);
    if (meta?.sha256 === undefined || meta.size === undefined) continue;
    bundles.push({
      wheel: w.filename,
      path: join(dir, `${w.sha256}.zip`),
      size: meta.size,
      sha256: meta.sha256,
    });
  }
  return { cacheTag: first.cacheTag, magic: first.magic, python: full, bundles };
}

async function readMeta(dir: string, sha256: string): Promise<CacheMeta | undefined> {
  try {
    const meta = JSON.parse(await readFile(join(dir, `${sha256}.json`), 'utf8')) as CacheMeta;
    if (typeof meta.cacheTag !== 'string' || typeof meta.magic !== 'string') return undefined;
    if (meta.sha256 === undefined) return meta; // too big: recorded, never compiled again
    const data = await readFile(join(dir, `${sha256}.zip`));
    if (data.length !== meta.size) return undefined;
    if (createHash('sha256').update(data).digest('hex') !== meta.sha256) return undefined;
    return meta;
  } catch {
    return undefined; // missing or damaged: compile again
  }
}

/** Compiles `wheels` on up to two interpreter processes; writes each bundle + meta to the cache. */
async function compileMissing(
  python: InterpreterInfo,
  full: string,
  dir: string,
  wheels: readonly ResolvedWheel[],
  limit: number,
): Promise<Map<string, CacheMeta>> {
  const groups: ResolvedWheel[][] = [[], []];
  const load = [0, 0];
  for (const w of [...wheels].sort((a, b) => b.size - a.size)) {
    const i = load[0]! <= load[1]! ? 0 : 1;
    groups[i]!.push(w);
    load[i]! += w.size;
  }
  const out = new Map<string, CacheMeta>();
  await Promise.all(
    groups
      .filter((g) => g.length > 0)
      .map(async (group) => {
        let stdout: Buffer;
        try {
          ({ stdout } = await run(
            python.path,
            ['-I', '-S', '-c', COMPILE_SCRIPT, String(limit), ...group.map((w) => w.path)],
            { encoding: 'buffer', maxBuffer: 1 << 30, timeout: 30 * 60_000 },
          ));
        } catch (error) {
          const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
          throw new BytecodeError(
            `compiling the modules of ${group.map((w) => w.filename).join(', ')} with ${python.path} failed: ${stderr.split('\n').pop() || (error as Error).message}`,
            { cause: error },
          );
        }
        const newline = stdout.indexOf(10);
        const head = JSON.parse(stdout.subarray(0, newline).toString('utf8')) as {
          cache_tag: string;
          magic: string;
        };
        let pos = newline + 1;
        const u32 = (): number => {
          const v = stdout.readUInt32LE(pos);
          pos += 4;
          return v;
        };
        for (const w of group) {
          const count = u32();
          const meta: CacheMeta = { cacheTag: head.cache_tag, magic: head.magic, python: full };
          if (count !== 0xffffffff) {
            const records: Array<{ name: string; data: Buffer }> = [];
            for (let i = 0; i < count; i++) {
              const name = stdout.subarray(pos + 4, pos + 4 + stdout.readUInt32LE(pos));
              pos += 4 + name.length;
              const data = stdout.subarray(pos + 4, pos + 4 + stdout.readUInt32LE(pos));
              pos += 4 + data.length;
              records.push({ name: name.toString('utf8'), data });
            }
            Object.assign(meta, await writeBundle(join(dir, `${w.sha256}.zip`), records));
          }
          compileStats.compiled++;
          await writeFileAtomic(join(dir, `${w.sha256}.json`), `${JSON.stringify(meta)}\n`);
          out.set(w.filename, meta);
        }
      }),
  );
  return out;
}

/** A deterministic zip of the records (sorted by name, 1980 timestamps), atomically in place. */
async function writeBundle(
  path: string,
  records: Array<{ name: string; data: Buffer }>,
): Promise<{ sha256: string; size: number }> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    const zip = await ZipWriter.create(temp);
    const sorted = [...records].sort((a, b) =>
      Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)),
    );
    for (const r of sorted) await zip.addBuffer(r.name, r.data, { compress: true });
    await zip.close();
    const data = await readFile(temp);
    const sha256 = createHash('sha256').update(data).digest('hex');
    await rename(temp, path);
    return { sha256, size: (await stat(path)).size };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
