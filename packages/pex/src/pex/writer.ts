import { copyFile, chmod, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PexkitError, UsageError } from '../errors.js';
import type { BuildPlan, ResolvedWheel } from '../plan/build-plan.js';
import { narrowConstraints, pythonRangeOf } from '../resolve/python-range.js';
import { sha256File, validateWheel, type WheelVerdict } from '../wheel/validate.js';
import { reproducibleDosTime } from '../zip/dos-time.js';
import { prepareEntry, ZipWriter, type PreparedEntry, type RawEntry } from '../zip/writer.js';
import type { BytecodeSet } from './bytecode.js';
import { deflatedWheel } from './deflated-wheel.js';
import { readBootstrapFiles } from './bootstrap-files.js';
import { checkConstraintsMeetTargets, checkEntryModule } from './entry-check.js';
import { defaultConsoleScript, resolveEntry } from './entry-point.js';
import {
  checkOutputNotInput,
  checkOutputPath,
  commitOutput,
  hashTree,
  releaseTemp,
  removeStaleTemps,
  tempOutputPath,
  trackTemp,
} from './output.js';
import { buildPexInfo, hashNamedContents, type InheritPath, type PexInfo } from './pex-info.js';
import {
  collectUserCode,
  compareNames,
  firstPartyDistInfo,
  type UserCodeFile,
} from './user-code.js';

export type PexLayout = 'zipapp' | 'packed' | 'loose';
export const PEX_LAYOUTS: readonly PexLayout[] = ['zipapp', 'packed', 'loose'];

/** Where build progress and warnings go (all optional). */
export interface PexLogger {
  info?(message: string): void;
  warn?(message: string): void;
  debug?(message: string): void;
}

export interface WritePexOptions {
  /** Output file (zipapp) or directory (packed, loose). */
  output: string;
  layout?: PexLayout;
  /** `module` or `module:function`. */
  entryPoint?: string;
  /** A console script of the app, its workspace deps or its wheels; resolved at build time. */
  consoleScript?: string;
  /** Overrides the plan's interpreter constraints (pex syntax). */
  interpreterConstraints?: string[];
  /** `python3.11`, `/usr/bin/python3` or a full `#!…` line; default `/usr/bin/env python3`. */
  pythonShebang?: string;
  /** Deflate new entries and whole wheels when smaller (default true). */
  compress?: boolean;
  inheritPath?: InheritPath | boolean;
  venv?: boolean;
  /** pexkit cache (wheel verdicts); see `cacheDir()`. */
  cacheDir?: string;
  /**
   * Ship `.pyc` for the wheels' modules, compiled by a local CPython of each target's version
   * (see bytecode.ts). Off by default, as in pex: the PEX grows (+20% for numpy+pandas) and its
   * bytes depend on which interpreters (and patch releases) are installed where it is built.
   */
  compileBytecode?: boolean;
  /** Interpreters to try first when looking for one to compile bytecode with (`--python`). */
  python?: string | readonly string[];
  includeTests?: boolean;
  /** Globs of first-party files to leave out. */
  excludes?: string[];
  /** Globs of first-party files (or directories) to keep even when a default rule drops them. */
  includes?: string[];
  /** The runtime to embed (default: the package's `bootstrap/`). */
  bootstrapDir?: string;
  /** Environment for `SOURCE_DATE_EPOCH` (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  logger?: PexLogger;
}

export interface WritePexResult {
  output: string;
  layout: PexLayout;
  /** sha256 of the zipapp file, or of the directory tree (see `hashTree`). */
  sha256: string;
  size: number;
  pexHash: string;
  info: PexInfo;
  /** Zip entries in the zipapp (0 for directory layouts). */
  entries: number;
  zip64: boolean;
  warnings: string[];
}

/** A wheel on disk does not match the plan. */
export class WheelMismatchError extends PexkitError {
  override readonly name = 'WheelMismatchError';
}

type Item =
  | { kind: 'dir'; name: string }
  | { kind: 'data'; name: string; data: Buffer; executable: boolean }
  | { kind: 'wheel'; name: string; path: string; size: number; sha256: string; store?: boolean };

const RESERVED = ['__main__.py', 'PEX-INFO', '.bootstrap', '.deps', '.bytecode'];

function shebangLine(value: string | undefined): Buffer {
  const v = value === undefined || value === '' ? 'python3' : value;
  const line = v.startsWith('#!') ? v : v.includes('/') ? `#!${v}` : `#!/usr/bin/env ${v}`;
  if (line.includes('\n')) throw new UsageError('--python-shebang must be a single line');
  return Buffer.from(`${line}\n`, 'utf8');
}

function inheritPathOf(value: WritePexOptions['inheritPath']): InheritPath {
  if (value === undefined || value === false) return 'false';
  if (value === true) return 'prefer';
  if (value === 'false' || value === 'prefer' || value === 'fallback') return value;
  throw new UsageError(`--inherit-path must be false, prefer or fallback, got '${String(value)}'`);
}

/** Every distinct wheel of the plan, sorted by file name. */
export function planWheels(plan: BuildPlan): ResolvedWheel[] {
  const byName = new Map<string, ResolvedWheel>();
  for (const p of plan.projects)
    for (const w of p.wheels) if (!byName.has(w.filename)) byName.set(w.filename, w);
  return [...byName.values()].sort((a, b) => compareNames(a.filename, b.filename));
}

async function validateAll(
  wheels: ResolvedWheel[],
  options: WritePexOptions,
): Promise<Map<string, WheelVerdict>> {
  const verdicts = new Map<string, WheelVerdict>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < wheels.length) {
      const w = wheels[next++];
      const info = await stat(w.path).catch((error: unknown) => {
        throw new WheelMismatchError(`wheel ${w.filename} is missing at ${w.path}`, {
          cause: error,
        });
      });
      if (info.size !== w.size) {
        throw new WheelMismatchError(
          `wheel ${w.filename} at ${w.path} is ${info.size} bytes, the plan says ${w.size}`,
        );
      }
      verdicts.set(w.filename, await validateWheel(w, { cacheDir: options.cacheDir }));
    }
  };
  await Promise.all([worker(), worker()]);
  return verdicts;
}

/**
 * Seals a PEX from a build plan: validates every wheel, collects first-party code (plus a
 * generated `.dist-info` per project), writes PEX-INFO, and lays it all out as a zipapp, packed
 * or loose PEX. The output appears atomically (temp + fsync + rename) with mode 0755, or not at
 * all; a failure leaves any previous output untouched.
 */
export async function writePex(plan: BuildPlan, options: WritePexOptions): Promise<WritePexResult> {
  const layout = options.layout ?? 'zipapp';
  if (!PEX_LAYOUTS.includes(layout))
    throw new UsageError(`--layout must be one of ${PEX_LAYOUTS.join(', ')}, got '${layout}'`);
  const output = resolve(options.output);
  const log = options.logger ?? {};
  const compress = options.compress ?? true;
  const preamble = shebangLine(options.pythonShebang);
  const dosTime = reproducibleDosTime(options.env ?? process.env);
  const inheritPath = inheritPathOf(options.inheritPath);
  await checkOutputPath(output);

  const wheels = planWheels(plan);
  const bytecode: Promise<BytecodeSet[]> =
    options.compileBytecode !== true
      ? Promise.resolve([])
      : import('./bytecode.js').then(({ compileBytecode }) =>
          compileBytecode(plan, wheels, {
            cacheDir: options.cacheDir,
            env: options.env,
            python: options.python,
            logger: log,
          }),
        );
  bytecode.catch(() => undefined); // awaited below; a validation error may come first
  const verdicts = await validateAll(wheels, options);
  const entry = resolveEntry(options, plan, verdicts.values());

  const code = await collectUserCode(plan.firstParty, {
    includeTests: options.includeTests,
    excludes: options.excludes,
    includes: options.includes,
  });
  const userFiles: UserCodeFile[] = [...code];
  await checkOutputNotInput(output, [
    ...(plan.lockPath === undefined ? [] : [{ path: plan.lockPath, what: 'the lock file' }]),
    ...plan.firstParty.map((p) => ({
      path: join(p.root, 'pyproject.toml'),
      what: `the pyproject.toml of ${p.name}`,
    })),
    ...wheels.map((w) => ({ path: w.path, what: 'the wheel' })),
    ...code.flatMap((f) =>
      f.source === undefined
        ? []
        : [{ path: f.source.path, what: `a source file of ${f.project}`, id: f.source.id }],
    ),
  ]);
  for (const project of plan.firstParty) userFiles.push(...firstPartyDistInfo(project, code));
  userFiles.sort((a, b) => compareNames(a.name, b.name));
  for (const f of userFiles) {
    const top = f.name.split('/')[0];
    if (RESERVED.includes(top)) {
      throw new UsageError(
        `first-party project '${f.project}' has '${f.name}', a name the PEX format reserves`,
      );
    }
  }
  const bootstrap = await readBootstrapFiles(options.bootstrapDir);
  const bootstrapHash = hashNamedContents([
    { name: '__main__.py', data: bootstrap.main },
    ...bootstrap.package,
  ]);
  const constraints = options.interpreterConstraints ?? plan.interpreterConstraints;
  checkConstraintsMeetTargets(constraints, plan.resolvedTargets, plan.targets);
  await checkEntryModule(
    entry.entryPoint,
    options.entryPoint !== undefined
      ? `--entry-point '${options.entryPoint}'`
      : `console script '${options.consoleScript ?? defaultConsoleScript(plan.main)}' (${entry.entryPoint})`,
    userFiles.map((f) => f.name),
    wheels,
    verdicts,
  );
  const { info, text } = buildPexInfo({
    plan,
    verdicts,
    codeHash: hashNamedContents(userFiles),
    bootstrapHash,
    entryPoint: entry.entryPoint,
    script: entry.script,
    interpreterConstraints:
      plan.resolvedTargets === undefined
        ? constraints
        : narrowConstraints(
            constraints,
            pythonRangeOf(
              plan.requirements,
              plan.projects,
              plan.firstParty.map((p) => p.name),
              plan.resolvedTargets,
              (wheel) => verdicts.get(wheel)?.requiresPython,
            ),
          ),
    inheritPath,
    venv: options.venv ?? false,
    bytecode: await bytecode,
  });

  const items: Item[] = [
    { kind: 'data', name: '__main__.py', data: bootstrap.main, executable: false },
    { kind: 'data', name: 'PEX-INFO', data: Buffer.from(text, 'utf8'), executable: false },
    ...bootstrap.package.map((f): Item => ({
      kind: 'data',
      name: `.bootstrap/${f.name}`,
      data: f.data,
      executable: false,
    })),
    ...wheels.map((w): Item => ({
      kind: 'wheel',
      name: `.deps/${w.filename}`,
      path: w.path,
      size: w.size,
      sha256: w.sha256,
    })),
    ...(info.bytecode === undefined ? [] : bytecodeItems(await bytecode)),
    ...userFiles.map((f): Item => ({
      kind: 'data',
      name: f.name,
      data: f.data,
      executable: f.executable,
    })),
  ];
  await mkdir(dirname(output), { recursive: true });
  await removeStaleTemps(output);
  const temp = tempOutputPath(output);
  trackTemp(temp);
  const warnings: string[] = [];
  try {
    let result: { sha256: string; size: number; entries: number; zip64: boolean };
    if (layout === 'zipapp') {
      result = await writeZipapp(temp, withDirectories(items), {
        preamble,
        dosTime,
        compress,
        cacheDir: options.cacheDir,
      });
      if (result.zip64) {
        const why = `${result.entries} zip entries, ${result.size} bytes`;
        warnings.push(
          `${output} needs ZIP64 (${why}): as a zipapp it runs only on Python 3.13+, whose zipimport reads ZIP64; ` +
            `build with --layout packed to run on every Python`,
        );
      }
    } else {
      result = await writeDirectory(temp, items, layout, { dosTime, compress });
    }
    await commitOutput(temp, output);
    // The result goes back to the caller, which reports it (the CLI and the Nx executor each do).
    for (const w of warnings) log.warn?.(w);
    return { output, layout, ...result, pexHash: info.pex_hash, info, warnings };
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  } finally {
    releaseTemp(temp);
  }
}

/** `.bytecode/<cache_tag>/<wheel>.zip` entries: the cached bundles, STORED (already deflated inside). */
function bytecodeItems(sets: readonly BytecodeSet[]): Item[] {
  return sets.flatMap((set) =>
    set.bundles.map((b): Item => ({
      kind: 'wheel',
      name: `.bytecode/${set.cacheTag}/${b.wheel}.zip`,
      path: b.path,
      size: b.size,
      sha256: b.sha256,
      store: true,
    })),
  );
}

/** Adds an explicit entry for every parent directory, then sorts by name (byte-wise). */
function withDirectories(items: Item[]): Item[] {
  const dirs = new Set<string>();
  for (const item of items) {
    const parts = item.name.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(`${parts.slice(0, i).join('/')}/`);
  }
  const all: Item[] = [...items, ...[...dirs].map((name): Item => ({ kind: 'dir', name }))];
  return all.sort((a, b) => compareNames(a.name, b.name));
}

async function writeZipapp(
  path: string,
  items: Item[],
  options: {
    preamble: Buffer;
    dosTime: ReturnType<typeof reproducibleDosTime>;
    compress: boolean;
    cacheDir?: string;
  },
): Promise<{ sha256: string; size: number; entries: number; zip64: boolean }> {
  // Deflate every new entry up front in libuv's thread pool, then write in order. Wheels are
  // deflated whole (cached by sha256) when that makes them smaller; see deflated-wheel.ts.
  const prepared = new Map<string, Promise<PreparedEntry>>();
  const wheels = new Map<string, Promise<RawEntry | undefined>>();
  for (const item of items) {
    if (item.kind === 'data') prepared.set(item.name, prepareEntry(item.data, options.compress));
    else if (item.kind === 'wheel' && options.compress && item.store !== true)
      wheels.set(item.name, deflatedWheel(item.path, item.sha256, item.size, options));
  }
  const zip = await ZipWriter.create(path, {
    preamble: options.preamble,
    dosTime: options.dosTime,
  });
  try {
    for (const item of items) {
      if (item.kind === 'dir') zip.addDirectory(item.name);
      else if (item.kind === 'data')
        zip.addPrepared(item.name, await prepared.get(item.name)!, { executable: item.executable });
      else {
        const deflated = await wheels.get(item.name);
        if (deflated !== undefined) zip.addRaw(item.name, deflated);
        else await zip.addFileStored(item.name, item.path, item.size);
      }
      await zip.maybeFlush();
    }
  } catch (error) {
    await Promise.allSettled([...prepared.values(), ...wheels.values()]);
    await zip.abort();
    throw error;
  }
  const summary = await zip.close();
  await chmod(path, 0o755);
  return {
    sha256: await sha256File(path),
    size: summary.size,
    entries: summary.entries,
    zip64: summary.zip64,
  };
}

async function writeDirectory(
  root: string,
  items: Item[],
  layout: 'packed' | 'loose',
  options: { dosTime: ReturnType<typeof reproducibleDosTime>; compress: boolean },
): Promise<{ sha256: string; size: number; entries: number; zip64: boolean }> {
  await mkdir(root, { recursive: true });
  const put = async (name: string, data: Buffer, executable: boolean): Promise<void> => {
    const full = join(root, name);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, data);
    await chmod(full, executable ? 0o755 : 0o644);
  };
  const bootstrapItems = items.filter((i) => i.name.startsWith('.bootstrap/'));
  for (const item of items) {
    if (item.kind === 'wheel') {
      const full = join(root, item.name);
      await mkdir(dirname(full), { recursive: true });
      await copyFile(item.path, full);
      await chmod(full, 0o644);
    } else if (
      item.kind === 'data' &&
      !(layout === 'packed' && item.name.startsWith('.bootstrap/'))
    ) {
      await put(item.name, item.data, item.executable);
    }
  }
  if (layout === 'packed') {
    // `.bootstrap` is a zip of its own (pexkit_boot/…), importable as a sys.path entry.
    const zipItems = withDirectories(
      bootstrapItems.map((i): Item => ({
        ...(i as Extract<Item, { kind: 'data' }>),
        name: i.name.slice('.bootstrap/'.length),
      })),
    );
    const zip = await ZipWriter.create(join(root, '.bootstrap'), { dosTime: options.dosTime });
    for (const item of zipItems) {
      if (item.kind === 'dir') zip.addDirectory(item.name);
      else if (item.kind === 'data')
        await zip.addBuffer(item.name, item.data, { compress: options.compress });
    }
    await zip.close();
    await chmod(join(root, '.bootstrap'), 0o644);
  }
  await fixDirectoryModes(root);
  const tree = await hashTree(root);
  return { sha256: tree.sha256, size: tree.size, entries: 0, zip64: false };
}

async function fixDirectoryModes(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const e of await readdir(dir, { withFileTypes: true }))
    if (e.isDirectory()) await fixDirectoryModes(join(dir, e.name));
}
