import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import { hashArray } from '@nx/devkit';
import { parse as parseToml } from 'smol-toml';
import {
  canonicalProjectName,
  expandDependencyGroups,
  parseDependencyGroups,
  requirementHead,
  uvDefaultGroupNames,
  type DependencyGroupEntry,
  type PyprojectInfo,
} from '@pexkit/pex';
import { SYNC_GENERATOR, TEST_GROUPS_FILE } from '../../utils/lock-subset-file.js';
import { joinWorkspacePath } from '../../utils/paths.js';
import type { NormalizedPluginOptions } from './options.js';
import {
  unlockedTestTarget,
  uvPythonInput,
  uvRunCommand,
  uvRunOptions,
  type UvEnvironment,
} from './test-target.js';

/**
 * Inferred quality targets: `lint` (`ruff check`), `format` / `format-check` (`ruff format`) and
 * `typecheck` (mypy or pyright), run through `uv run --locked` in the environment the pytest
 * target uses. Inferred when the project or its uv root configures the tool (a `[tool.X]` table
 * in pyproject.toml or the tool's own file) or lists it in a dependency group.
 */
export type QualityTool = 'ruff' | 'mypy' | 'pyright';

/** Each tool's own configuration files, in the tool's order of precedence (before pyproject.toml). */
export const TOOL_CONFIG_FILES: Readonly<Record<QualityTool, readonly string[]>> = {
  ruff: ['.ruff.toml', 'ruff.toml'],
  mypy: ['mypy.ini', '.mypy.ini'],
  pyright: ['pyrightconfig.json'],
};

const ALL_TOOL_CONFIG_FILES = [...new Set(Object.values(TOOL_CONFIG_FILES).flat())].sort();

/**
 * The tool configuration files in a directory (absolute path): file name → text. `present`: the
 * directory's entry names when the caller listed it already (only those are read).
 */
export function readToolConfigs(
  dirAbs: string,
  present?: ReadonlySet<string> | ReadonlyMap<string, unknown>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ALL_TOOL_CONFIG_FILES) {
    if (present !== undefined && !present.has(name)) continue;
    const file = join(dirAbs, name);
    if (!existsSync(file)) continue;
    try {
      out[name] = readFileSync(file, 'utf8');
    } catch {
      // unreadable (a directory, no permission): the tool reports it
    }
  }
  return out;
}

/** Cache-key parts for a directory's tool configuration files (they decide which targets exist). */
export function toolConfigKey(configs: Record<string, string> | undefined): string[] {
  return Object.entries(configs ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, text]) => `${name}:${hashArray([text])}`);
}

/** A directory the tools may read configuration from: a project's, or its uv root's. */
export interface ConfigPlace {
  /** Workspace-relative `/` directory. */
  dir: string;
  /** Its pyproject.toml, parsed. */
  doc: Record<string, unknown>;
  /** Its tool configuration files (name → text). */
  configs: Record<string, string>;
  /** Its `[dependency-groups]`. */
  groups: Record<string, DependencyGroupEntry[]>;
  /** The groups `uv run` installs by default (for the uv root: the ones the environment selects). */
  defaultGroups: string[];
}

/**
 * The {@link ConfigPlace} of a parsed pyproject.toml: a project's (`info`: its default groups
 * are the ones uv installs for it) or a uv root's (`rootDefaultGroups`: the ones the environment
 * selects).
 */
export function configPlace(
  dir: string,
  doc: Record<string, unknown>,
  file: { file: string; text: string; toolConfigs?: Record<string, string> },
  rootDefaultGroups: string[] | undefined,
  info?: Pick<PyprojectInfo, 'dependencyGroups' | 'uvDefaultGroups'>,
): ConfigPlace {
  let groups: Record<string, DependencyGroupEntry[]> = {};
  if (info !== undefined) groups = info.dependencyGroups;
  else {
    try {
      groups = parseDependencyGroups(doc, file.text, file.file);
    } catch {
      // reported on the root file by the inference
    }
  }
  return {
    dir,
    doc,
    configs: file.toolConfigs ?? {},
    groups,
    defaultGroups:
      info !== undefined
        ? uvDefaultGroupNames(info.dependencyGroups, info.uvDefaultGroups)
        : (rootDefaultGroups ?? []),
  };
}

/** Where a tool's configuration comes from: the file it reads and the files that file extends. */
export interface ToolConfig {
  /** Workspace-relative file. */
  file: string;
  /** Workspace-relative files named by `extend` (ruff) / `extends` (pyright), inside the workspace. */
  extends: string[];
}

/** How one tool is set up for a project. */
export interface ToolUse {
  tool: QualityTool;
  /** The configuration the tool reads (the project's own, else the uv root's), if any. */
  config?: ToolConfig;
  /** A non-default dependency group that provides the tool (selected with `--group`). */
  extraGroups: string[];
  /** The requirements of those groups (their locked versions join the lock subsets). */
  extraRequirements: string[];
}

export interface QualitySetup {
  ruff?: ToolUse;
  typecheck?: ToolUse;
}

function table(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function toolTable(
  doc: Record<string, unknown>,
  tool: QualityTool,
): Record<string, unknown> | undefined {
  return table(table(doc['tool'])?.[tool]);
}

/** The path a config's `extend`/`extends` names, workspace-relative, or undefined if outside. */
function extendedFile(configDir: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '' || value.startsWith('~') || posix.isAbsolute(value))
    return undefined;
  const path = posix.normalize(posix.join(configDir, value));
  return path === '..' || path.startsWith('../') ? undefined : path;
}

function extendsOf(tool: QualityTool, name: string, text: string): unknown {
  try {
    if (name.endsWith('.toml')) return parseToml(text)['extend'];
    if (name.endsWith('.json')) return /"extends"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
  } catch {
    // a malformed file: the tool reports it
  }
  return undefined;
}

/** The configuration `tool` reads in `place`, by the tool's precedence, or undefined. */
export function toolConfigIn(tool: QualityTool, place: ConfigPlace): ToolConfig | undefined {
  const extend = (value: unknown): string[] => {
    const file = extendedFile(place.dir, value);
    return file === undefined ? [] : [file];
  };
  for (const name of TOOL_CONFIG_FILES[tool]) {
    const text = place.configs[name];
    if (text !== undefined)
      return {
        file: joinWorkspacePath(place.dir, name),
        extends: tool === 'mypy' ? [] : extend(extendsOf(tool, name, text)),
      };
  }
  const section = toolTable(place.doc, tool);
  if (section === undefined) return undefined;
  const key = tool === 'ruff' ? 'extend' : tool === 'pyright' ? 'extends' : undefined;
  return {
    file: joinWorkspacePath(place.dir, 'pyproject.toml'),
    extends: key === undefined ? [] : extend(section[key]),
  };
}

/** The requirements of groups `names`, or none when they are malformed (reported elsewhere). */
function requirementsOf(place: ConfigPlace, names: string[]): string[] {
  try {
    return expandDependencyGroups(
      place.groups,
      names,
      joinWorkspacePath(place.dir, 'pyproject.toml'),
    );
  } catch {
    return [];
  }
}

function lists(requirements: string[], tool: QualityTool): boolean {
  return requirements.some((r) => {
    const head = requirementHead(r);
    return head !== undefined && canonicalProjectName(head.name) === tool;
  });
}

/**
 * Where the environment gets `tool` from: `'default'` (a group `uv run` installs anyway), the
 * name of another group that lists it, or undefined.
 */
function groupProviding(
  tool: QualityTool,
  places: ConfigPlace[],
): { group: 'default' } | { group: string; requirements: string[] } | undefined {
  for (const place of places) {
    if (lists(requirementsOf(place, place.defaultGroups), tool)) return { group: 'default' };
  }
  for (const place of places) {
    for (const name of Object.keys(place.groups).sort()) {
      const requirements = requirementsOf(place, [name]);
      if (lists(requirements, tool)) return { group: name, requirements };
    }
  }
  return undefined;
}

function toolUse(
  tool: QualityTool,
  project: ConfigPlace,
  root: ConfigPlace | undefined,
): ToolUse | undefined {
  const places = root === undefined ? [project] : [project, root];
  const config = toolConfigIn(tool, project) ?? (root && toolConfigIn(tool, root));
  const provider = groupProviding(tool, places);
  if (config === undefined && provider === undefined) return undefined;
  const use: ToolUse = { tool, extraGroups: [], extraRequirements: [] };
  if (config !== undefined) use.config = config;
  if (provider !== undefined && 'requirements' in provider) {
    use.extraGroups.push(provider.group);
    use.extraRequirements.push(...provider.requirements);
  }
  return use;
}

/**
 * Which quality tools a project uses: ruff, and one type checker (mypy when both mypy and pyright
 * are set up).
 */
export function detectQualityTools(
  project: ConfigPlace,
  root: ConfigPlace | undefined,
): QualitySetup {
  const setup: QualitySetup = {};
  const ruff = toolUse('ruff', project, root);
  if (ruff !== undefined) setup.ruff = ruff;
  const typecheck = toolUse('mypy', project, root) ?? toolUse('pyright', project, root);
  if (typecheck !== undefined) setup.typecheck = typecheck;
  return setup;
}

/** Whether the options leave any quality target to infer for this setup. */
export function wantsQualityTargets(
  setup: QualitySetup,
  options: NormalizedPluginOptions,
): boolean {
  const ruff =
    setup.ruff !== undefined &&
    (options.lintTargetName !== false ||
      options.formatTargetName !== false ||
      options.formatCheckTargetName !== false);
  return ruff || (setup.typecheck !== undefined && options.typecheckTargetName !== false);
}

/**
 * The configuration files a tool reads outside the project (the project's own files are in the
 * `default` input): the uv root's configuration when the project has none, and extended files.
 * Only these: a file the tool does not read never makes the project affected.
 */
function configInputs(use: ToolUse, projectDir: string): string[] {
  if (use.config === undefined) return [];
  const files = [use.config.file, ...use.config.extends];
  const outside = files.filter((f) => !(projectDir === '.' || f.startsWith(`${projectDir}/`)));
  return [...new Set(outside)].map((f) => `{workspaceRoot}/${f}`);
}

/** `--config-file` / `--project` when the type checker's configuration is the uv root's. */
function typecheckArgs(use: ToolUse, projectDir: string): string {
  const file = use.config?.file;
  const rel =
    file === undefined || projectDir === '.' || file.startsWith(`${projectDir}/`)
      ? undefined
      : posix.relative(`/${projectDir}`, `/${file}`);
  if (use.tool === 'mypy') return rel === undefined ? ' .' : ` --config-file ${rel} .`;
  return rel === undefined ? '' : ` --project ${rel} .`;
}

export interface QualityTargetsInput {
  setup: QualitySetup;
  /** Nx project name (for messages). */
  project: string;
  projectDir: string;
  wsDir: string;
  productionInput: 'production' | 'default';
  /** The environment the tests use; `'unlocked'` before `uv lock`. */
  environment: UvEnvironment | 'unlocked';
  options: NormalizedPluginOptions;
}

const TOOL_LABEL: Record<QualityTool, string> = { ruff: 'ruff', mypy: 'mypy', pyright: 'pyright' };

/** The inferred lint, format, format-check and typecheck targets of a project. */
export function qualityTargets(input: QualityTargetsInput): Record<string, TargetConfiguration> {
  const { setup, projectDir, wsDir, options } = input;
  const out: Record<string, TargetConfiguration> = {};
  const specs: Array<{
    name: string | false;
    use: ToolUse | undefined;
    args: (use: ToolUse) => string;
    description: string;
    verb: string;
    cache: boolean;
    typecheck?: boolean;
    example: string[];
  }> = [
    {
      name: options.lintTargetName,
      use: setup.ruff,
      args: () => 'python -m ruff check',
      description: 'Lint the Python code with ruff check (the version uv.lock pins)',
      verb: 'lint',
      cache: true,
      example: ['--fix'],
    },
    {
      name: options.formatTargetName,
      use: setup.ruff,
      args: () => 'python -m ruff format',
      description: 'Format the Python code in place with ruff format (not cached: it writes files)',
      verb: 'format',
      cache: false,
      example: ['--diff'],
    },
    {
      name: options.formatCheckTargetName,
      use: setup.ruff,
      args: () => 'python -m ruff format --check',
      description: "Check the Python code's formatting with ruff format --check",
      verb: 'check formatting',
      cache: true,
      example: ['--diff'],
    },
    {
      name: options.typecheckTargetName,
      use: setup.typecheck,
      args: (use) => `python -m ${use.tool}${typecheckArgs(use, projectDir)}`,
      description: `Type-check the Python code with ${TOOL_LABEL[setup.typecheck?.tool ?? 'mypy']} (the version uv.lock pins)`,
      verb: 'type-check',
      cache: true,
      typecheck: true,
      example: setup.typecheck?.tool === 'pyright' ? ['--verbose'] : ['--strict'],
    },
  ];
  for (const spec of specs) {
    if (spec.name === false || spec.use === undefined) continue;
    if (input.environment === 'unlocked') {
      out[spec.name] = unlockedTestTarget(
        input.project,
        wsDir,
        spec.name,
        `${spec.description} (needs uv.lock: run uv lock first)`,
        spec.verb,
      );
      continue;
    }
    const command = `${uvRunCommand(input.environment, spec.use.extraGroups)} ${spec.args(spec.use)}`;
    const target: TargetConfiguration = {
      command,
      options: uvRunOptions(projectDir, wsDir, input.environment),
      cache: spec.cache,
      metadata: {
        technologies: ['python'],
        description: spec.description,
        help: { command: `${command} --help`, example: { args: spec.example } },
      },
    };
    if (spec.cache) {
      target.inputs = [
        'default',
        `{workspaceRoot}/${joinWorkspacePath(wsDir, TEST_GROUPS_FILE)}`,
        ...(spec.typecheck === true ? [`^${input.productionInput}`] : []),
        ...configInputs(spec.use, projectDir),
        ...(spec.typecheck === true ? [uvPythonInput(wsDir)] : []),
      ];
      target.outputs = [];
      target.syncGenerators = [SYNC_GENERATOR];
    }
    out[spec.name] = target;
  }
  return out;
}

/** What a project's quality targets install besides its closure (tracked in the lock subsets). */
export interface ChecksMetadata {
  target: string;
  rootGroups: string[];
  ownGroups: string[];
}

/**
 * Adds the quality targets to an inferred project and, once locked, `metadata.pexkit.checks`:
 * the groups their environment installs, so that `nx sync` writes their lock subsets (the tool
 * versions) even for a project without tests.
 */
export function addQualityTargets(
  project: {
    name?: string;
    targets?: Record<string, TargetConfiguration>;
    metadata?: Record<string, unknown>;
  },
  input: Omit<QualityTargetsInput, 'project'>,
  groups: { rootGroups: string[]; ownGroups: string[] } | 'unlocked',
): void {
  const targets = qualityTargets({ ...input, project: project.name ?? input.projectDir });
  const names = Object.keys(targets);
  if (names.length === 0) return;
  project.targets = { ...(project.targets ?? {}), ...targets };
  const pexkit = table(project.metadata?.['pexkit']);
  if (groups === 'unlocked' || pexkit === undefined) return;
  const extra = [input.setup.ruff, input.setup.typecheck].flatMap(
    (u) => u?.extraRequirements ?? [],
  );
  const checks: ChecksMetadata = {
    target: names[0] as string,
    rootGroups: [...groups.rootGroups],
    ownGroups: [...new Set([...groups.ownGroups, ...extra])],
  };
  pexkit['checks'] = checks;
}
