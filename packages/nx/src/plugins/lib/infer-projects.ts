import { existsSync, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CreateNodesResult, ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import {
  canonicalProjectName,
  parsePyproject,
  parsePyprojectToml,
  requirementHead,
  uvWorkspaceOf,
  defaultGroupRequirements,
  uvDefaultGroupRequirements,
  uvDefaultGroupNames,
  parseDependencyGroups,
  parseUvDefaultGroups,
  type PyprojectInfo,
  type UvSource,
} from '@pexkit/pex';
import { pexkitTableToOptions } from '../../utils/pexkit-table.js';
import { dirOf, isWithin, joinWorkspacePath, toWorkspacePath } from '../../utils/paths.js';
import type { PexExecutorSchema } from '../../executors/pex/schema.js';
import { LOCK_SUBSET_FILE, SYNC_GENERATOR } from '../../utils/lock-subset-file.js';
import { inspectTarget, pexOutputPath } from './inspect-target.js';
import { testTarget, unlockedTestTarget, type UvEnvironment } from './test-target.js';
import { smokeTarget } from './smoke-target.js';
import {
  addQualityTargets,
  configPlace,
  detectQualityTools,
  readToolConfigs,
  wantsQualityTargets,
  type QualitySetup,
} from './quality-targets.js';
import type { NormalizedPluginOptions } from './options.js';
import type { PythonProjectMetadata } from './python-project-metadata.js';

/** One pyproject.toml handed to the plugin, read once. */
export interface PyprojectFile {
  /** Workspace-relative `/` path. */
  file: string;
  text: string;
  /** Whether `<dir>/src` is a directory (decides the default source root). */
  hasSrc: boolean;
  /** Whether `<dir>/tests` or `<dir>/test` is a directory (decides the pytest target). */
  hasTests: boolean;
  /** Read only as a uv workspace root (a file outside the plugin's include pattern). */
  workspaceOnly?: boolean;
  /** Tool configuration files beside it (ruff.toml, mypy.ini, …): name → text. */
  toolConfigs?: Record<string, string>;
  /** Whether a uv.lock is beside it (undefined: not looked at). */
  hasUvLock?: boolean;
}

export interface InferenceResult {
  results: Array<[file: string, result: CreateNodesResult]>;
  errors: Array<[file: string, error: Error]>;
}

interface Parsed {
  file: PyprojectFile;
  dir: string;
  info: PyprojectInfo;
  doc: Record<string, unknown>;
}

/** A pyproject.toml declaring a uv workspace. */
interface UvRoot {
  file: PyprojectFile;
  doc: Record<string, unknown>;
  sources: Record<string, UvSource>;
  /** Its default dependency groups' requirements; undefined when they are malformed. */
  groups?: string[];
  /** The names of those groups (defined ones only). */
  groupNames?: string[];
}

/** What a project's tests install besides its closure. */
interface TestGroups {
  rootGroups: string[];
  ownGroups: string[];
  /** The root's default group names to select with `--group`; undefined: use the shared env. */
  rootGroupNames: string[] | undefined;
}

/** True when the TOML text may declare a uv workspace (cheap pre-check before parsing). */
export function mayDeclareUvWorkspace(text: string): boolean {
  return /^\s*\[tool\.uv\.workspace\]|^\s*workspace\s*=|^\s*tool\.uv\.workspace/m.test(text);
}

/**
 * Turns pyproject.toml files into Nx projects. Pure apart from reading lock files; errors are
 * collected per file so that one malformed file does not hide the rest of the graph.
 */
export function inferPythonProjects(
  workspaceRoot: string,
  files: PyprojectFile[],
  options: NormalizedPluginOptions,
  productionInput: 'production' | 'default',
): InferenceResult {
  const errors: Array<[string, Error]> = [];
  const parsed: Parsed[] = [];
  const uvRoots = new Map<string, UvRoot>();
  for (const file of files) {
    const abs = join(workspaceRoot, file.file);
    const dir = dirOf(file.file);
    try {
      const doc = parsePyprojectToml(file.text, file.file);
      if (uvWorkspaceOf(doc, file.text, file.file) !== undefined) {
        const root: UvRoot = { file, doc, sources: rootSources(doc) };
        uvRoots.set(dir, root);
        // A bad group is reported on the root file; the workspace still groups its members
        // (their builds do not depend on it), only the test targets need the groups.
        try {
          root.groups = uvDefaultGroupRequirements(doc, file.text, file.file);
          const defined = parseDependencyGroups(doc, file.text, file.file);
          root.groupNames = uvDefaultGroupNames(
            defined,
            parseUvDefaultGroups(doc, file.text, file.file),
          ).filter((g) => defined[g] !== undefined);
        } catch (error) {
          errors.push([file.file, error instanceof Error ? error : new Error(String(error))]);
        }
      }
      if (doc['project'] === undefined || file.workspaceOnly === true) continue; // a virtual uv workspace root or a tool-only file
      const srcDir = join(dirname(abs), 'src');
      const info = parsePyproject(file.text, abs, (d) => d === srcDir && file.hasSrc);
      parsed.push({ file, dir, info, doc });
    } catch (error) {
      errors.push([file.file, error instanceof Error ? error : new Error(String(error))]);
    }
  }

  // Group projects by their uv workspace: the nearest ancestor (or own) dir declaring one.
  const groups = new Map<string, Parsed[]>();
  for (const p of parsed) {
    let root = p.dir;
    let best: string | undefined;
    for (const candidate of uvRoots.keys()) {
      if (isWithin(p.dir, candidate) && (best === undefined || candidate.length > best.length))
        best = candidate;
    }
    if (best !== undefined) root = best;
    const list = groups.get(root) ?? [];
    list.push(p);
    groups.set(root, list);
  }

  const results: Array<[string, CreateNodesResult]> = [];
  for (const [wsDir, members] of groups) {
    const byName = new Map<string, Parsed>();
    for (const m of members) byName.set(m.info.name, m);
    const rootSourcesOfGroup = uvRoots.get(wsDir)?.sources ?? {};
    // Test targets need the lock; the lock's content enters the hashes through each project's
    // lock-subset file (written by `nx sync`), so inference never reads it.
    const hasLock = existsSync(join(workspaceRoot, joinWorkspacePath(wsDir, 'uv.lock')));
    const tests = new Map<string, TestGroups>();
    const root = uvRoots.get(wsDir);
    const rootGroups = root === undefined ? [] : root.groups;
    const rootPlace =
      root === undefined ? undefined : configPlace(wsDir, root.doc, root.file, root.groupNames);
    const quality = new Map<string, QualitySetup>();
    for (const m of members) {
      const place = configPlace(m.dir, m.doc, m.file, undefined, m.info);
      const setup = detectQualityTools(place, m.dir === wsDir ? undefined : rootPlace);
      if (wantsQualityTargets(setup, options)) quality.set(m.info.name, setup);
    }
    if (hasLock && rootGroups !== undefined) {
      for (const m of members) {
        const wantsTests = m.file.hasTests && options.testTargetName !== false;
        if (!wantsTests && !quality.has(m.info.name)) continue;
        try {
          const rootNames = m.dir === wsDir ? [] : (root?.groupNames ?? []);
          tests.set(m.info.name, {
            rootGroups,
            ownGroups: defaultGroupRequirements(
              m.info.dependencyGroups,
              m.info.uvDefaultGroups,
              m.file.file,
            ),
            // uv selects a member's group over the root's of the same name: such a member's
            // tests keep the shared environment.
            rootGroupNames: rootNames.some((g) => m.info.dependencyGroups[g] !== undefined)
              ? undefined
              : rootNames,
          });
        } catch (error) {
          errors.push([m.file.file, error instanceof Error ? error : new Error(String(error))]);
        }
      }
    }
    for (const m of members) {
      try {
        const environment = tests.get(m.info.name) ?? (hasLock ? undefined : 'unlocked');
        const project = projectConfiguration(
          workspaceRoot,
          m,
          wsDir,
          byName,
          rootSourcesOfGroup,
          options,
          productionInput,
          options.testTargetName !== false && m.file.hasTests ? environment : undefined,
        );
        const setup = quality.get(m.info.name);
        if (setup !== undefined && environment !== undefined) {
          const env = environment === 'unlocked' ? environment : uvEnvironmentOf(m, environment);
          addQualityTargets(
            project,
            { setup, projectDir: m.dir, wsDir, productionInput, options, environment: env },
            environment,
          );
        }
        results.push([m.file.file, { projects: { [m.dir]: project } }]);
      } catch (error) {
        errors.push([m.file.file, error instanceof Error ? error : new Error(String(error))]);
      }
    }
  }
  results.sort((a, b) => a[0].localeCompare(b[0]));
  return { results, errors };
}

function rootSources(doc: Record<string, unknown>): Record<string, UvSource> {
  const tool = doc['tool'] as Record<string, unknown> | undefined;
  const uv = tool?.['uv'] as Record<string, unknown> | undefined;
  const sources = uv?.['sources'];
  const out: Record<string, UvSource> = {};
  if (typeof sources !== 'object' || sources === null || Array.isArray(sources)) return out;
  for (const [k, v] of Object.entries(sources)) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      out[canonicalProjectName(k)] = v as UvSource;
  }
  return out;
}

/** The project's own environment for its tests and checks, or undefined for the shared one. */
function uvEnvironmentOf(m: Parsed, groups: TestGroups): UvEnvironment {
  return groups.rootGroupNames === undefined
    ? undefined
    : { pythonName: m.info.name, groups: groups.rootGroupNames };
}

/** A project gets a PEX target when it has a console script or `[tool.pexkit]` names an entry point. */
export function hasEntryPoint(info: PyprojectInfo): boolean {
  return (
    Object.keys(info.scripts).length > 0 ||
    typeof info.pexkit['entry-point'] === 'string' ||
    typeof info.pexkit['console-script'] === 'string'
  );
}

function projectConfiguration(
  workspaceRoot: string,
  m: Parsed,
  wsDir: string,
  byName: Map<string, Parsed>,
  groupSources: Record<string, UvSource>,
  options: NormalizedPluginOptions,
  productionInput: 'production' | 'default',
  testGroups: TestGroups | 'unlocked' | undefined,
): Omit<ProjectConfiguration, 'root'> & { root: string } {
  const { info, dir } = m;
  const dependencies: PythonProjectMetadata['dependencies'] = [];
  const seen = new Set<string>();
  const declared = [...info.dependencies, ...Object.values(info.optionalDependencies).flat()];
  for (const requirement of declared) {
    const head = requirementHead(requirement);
    if (head === undefined || head.name === info.name || seen.has(head.name)) continue;
    const source = info.uvSources[head.name] ?? groupSources[head.name];
    let root: string | undefined;
    if (source?.workspace === true) root = byName.get(head.name)?.dir;
    else if (source?.path !== undefined) root = joinWorkspacePath(dir, source.path);
    if (root === undefined) continue;
    seen.add(head.name);
    dependencies.push({ name: head.name, root });
  }
  const metadata: PythonProjectMetadata = {
    pythonName: info.name,
    sourceRoots: info.sourceRoots.map((r) => toWorkspacePath(workspaceRoot, r)),
    dependencies,
    uvWorkspaceRoot: wsDir,
  };
  if (typeof testGroups === 'object' && options.testTargetName !== false)
    metadata.test = {
      target: options.testTargetName,
      rootGroups: testGroups.rootGroups,
      ownGroups: testGroups.ownGroups,
    };
  const name =
    options.projectNameSource === 'directory'
      ? dir === '.'
        ? info.name
        : dir.slice(dir.lastIndexOf('/') + 1)
      : info.name;
  const targets: Record<string, TargetConfiguration> = {};
  const buildable = hasEntryPoint(info);
  if (buildable && options.buildTargetName !== false) {
    targets[options.buildTargetName] = buildTarget(m, productionInput);
    if (options.inspectTargetName !== false)
      targets[options.inspectTargetName] = inspectTarget(
        pexOutputPath(dir, info.name, pexkitTableToOptions(info.pexkit, m.file.file).output),
        options.buildTargetName,
      );
    if (options.smokeTargetName !== false)
      targets[options.smokeTargetName] = smokeTarget(
        options.buildTargetName,
        info.pexkit,
        `${m.file.file} [tool.pexkit]`,
      );
  }
  if (typeof testGroups === 'object' && options.testTargetName !== false) {
    const isolated = uvEnvironmentOf(m, testGroups);
    targets[options.testTargetName] = testTarget(dir, wsDir, productionInput, isolated);
  } else if (testGroups === 'unlocked' && m.file.hasTests && options.testTargetName !== false) {
    targets[options.testTargetName] = unlockedTestTarget(name, wsDir);
  }
  const project: Omit<ProjectConfiguration, 'root'> & { root: string } = {
    root: dir,
    name,
    projectType: buildable ? 'application' : 'library',
    metadata: { technologies: ['python'], description: info.description, pexkit: metadata },
    targets,
  };
  if (info.description === undefined) delete project.metadata?.description;
  if (options.tags.length > 0) project.tags = [...options.tags];
  return project;
}

/** Test files by Python conventions, left out of the build's inputs. */
export const PYTHON_TEST_EXCLUDES = [
  '!{projectRoot}/tests/**/*',
  '!{projectRoot}/test/**/*',
  '!{projectRoot}/**/test_*.py',
  '!{projectRoot}/**/*_test.py',
  '!{projectRoot}/**/conftest.py',
];

/**
 * The `current` target (the default) means "the interpreter pexkit would inspect": PEXKIT_PYTHON,
 * else python3 on PATH (through a pyenv/asdf shim, the version it picks here). Its
 * implementation, version, ABI (SOABI: `t` for free-threaded builds), platform and C library
 * decide which wheels go in, so they are part of the cache key.
 */
export const CURRENT_PYTHON_INPUT = { runtime: pythonRuntimeKey('"${PEXKIT_PYTHON:-python3}"') };

/** A runtime input describing one interpreter (a shell word: quoted path or PATH name). */
export function pythonRuntimeKey(python: string): string {
  return `${python} -c "import sys,sysconfig,platform;print(sys.implementation.cache_tag,sysconfig.get_config_var('SOABI'),sysconfig.get_platform(),platform.libc_ver())"`;
}

/** Shell-quotes a configured interpreter for a runtime input. */
function shellWord(text: string): string {
  return /^[\w./+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function buildTarget(
  m: Parsed,
  productionInput: 'production' | 'default',
): TargetConfiguration<Partial<PexExecutorSchema>> {
  const tableOptions = pexkitTableToOptions(m.info.pexkit, `${m.file.file} [tool.pexkit]`);
  const options: Partial<PexExecutorSchema> = { ...tableOptions };
  const inputs: TargetConfiguration['inputs'] = [
    productionInput,
    ...PYTHON_TEST_EXCLUDES,
    `{projectRoot}/${LOCK_SUBSET_FILE}`,
    `^${productionInput}`,
    // No Node version or CPU: @pexkit/pex deflates the same bytes on every Node (zip/deflate.ts).
  ];
  const targets = tableOptions.targets;
  const pythons = tableOptions.python;
  if (pythons !== undefined && pythons.length > 0) {
    // The configured interpreters describe `current` and build the sdists.
    for (const p of pythons) inputs.push({ runtime: pythonRuntimeKey(shellWord(p)) });
  } else if (targets === undefined || targets.includes('current')) {
    inputs.push(CURRENT_PYTHON_INPUT);
  }
  const output = tableOptions.output;
  return {
    executor: '@pexkit/nx:pex',
    cache: true,
    inputs,
    syncGenerators: [SYNC_GENERATOR],
    outputs: [
      output !== undefined
        ? `{workspaceRoot}/${joinWorkspacePath(output)}`
        : '{workspaceRoot}/dist/{projectRoot}',
    ],
    options,
    metadata: {
      technologies: ['python'],
      description: 'Build a hermetic PEX file with pexkit',
      help: { command: 'npx pexkit build --help', example: { options: { targets: ['current'] } } },
    },
  };
}

/**
 * Reads the plugin's input files from disk (once per call): per file one read and one listing of
 * its directory, which answers src/, tests/, uv.lock and the tool configuration files (a dozen
 * stat calls per project were most of the warm path at 5,000 projects).
 */
export function readPyprojectFiles(
  workspaceRoot: string,
  files: readonly string[],
): PyprojectFile[] {
  return files.map((file) => {
    const slash = file.lastIndexOf('/');
    const dirAbs = slash < 0 ? workspaceRoot : join(workspaceRoot, file.slice(0, slash));
    const text = readFileSync(`${dirAbs}/${file.slice(slash + 1)}`, 'utf8');
    const entries = new Map<string, Dirent>();
    try {
      for (const entry of readdirSync(dirAbs, { withFileTypes: true }))
        entries.set(entry.name, entry);
    } catch {
      // unlistable: as if empty (the read above succeeded, so this is rare)
    }
    const isDir = (name: string): boolean => {
      const entry = entries.get(name);
      if (entry === undefined) return false;
      return entry.isSymbolicLink() ? isDirectory(`${dirAbs}/${name}`) : entry.isDirectory();
    };
    const lock = entries.get('uv.lock');
    return {
      file,
      text,
      hasSrc: isDir('src'),
      hasTests: isDir('tests') || isDir('test'),
      toolConfigs: readToolConfigs(dirAbs, entries),
      hasUvLock: lock !== undefined && (!lock.isSymbolicLink() || existsSync(`${dirAbs}/uv.lock`)),
    };
  });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}
