import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { PexExecutorSchema } from '../schema.js';

/** Executor options with every default filled in and every path absolute. */
export interface NormalizedPexOptions {
  projectName: string;
  /** Canonical Python project name. */
  pythonName: string;
  /** Absolute project directory (holds pyproject.toml). */
  projectDir: string;
  /** Absolute lock file path. */
  lock: string;
  /** Absolute output path. */
  output: string;
  /** Output relative to the workspace root (for messages). */
  outputRelative: string;
  targets: string[];
  python?: string[];
  entryPoint?: string;
  consoleScript?: string;
  interpreterConstraints?: string[];
  pythonShebang?: string;
  layout: 'zipapp' | 'packed' | 'loose';
  indexUrl?: string;
  extraIndexUrls: string[];
  findLinks: string[];
  offline: boolean;
  compress: boolean;
  compile: boolean;
  inheritPath: 'false' | 'prefer' | 'fallback';
  venv: boolean;
  cacheDir?: string;
  extras: string[];
  groups: string[];
  includeTests: boolean;
  excludes: string[];
  allowUndeclaredImports: boolean;
}

export interface NormalizeContext {
  workspaceRoot: string;
  projectName: string;
  /** Workspace-relative project root. */
  projectRoot: string;
  pythonName: string;
  /** Workspace-relative root of the project's uv workspace (where uv.lock lives). */
  uvWorkspaceRoot: string;
  /** The project's `[project.scripts]` names (the default entry point is chosen from them). */
  scripts?: string[];
  /** Checks that a file exists (injected for tests). */
  exists?: (path: string) => boolean;
}

/** Bad executor options: the message names the project and the option. */
export class PexOptionsError extends Error {
  override readonly name = 'PexOptionsError';
}

const LAYOUTS = ['zipapp', 'packed', 'loose'] as const;
const INHERIT = ['false', 'prefer', 'fallback'] as const;

export function normalizeOptions(
  options: PexExecutorSchema,
  ctx: NormalizeContext,
): NormalizedPexOptions {
  const fail = (option: string, message: string): never => {
    throw new PexOptionsError(`${ctx.projectName}: option '${option}' ${message}`);
  };
  const exists = ctx.exists ?? existsSync;
  const fromRoot = (p: string) => (isAbsolute(p) ? p : resolve(ctx.workspaceRoot, p));
  if (options.entryPoint !== undefined && options.consoleScript !== undefined) {
    fail(
      'entryPoint',
      `and 'consoleScript' are mutually exclusive (got ${options.entryPoint} and ${options.consoleScript})`,
    );
  }
  if (
    options.entryPoint !== undefined &&
    !/^[A-Za-z_][\w.]*(:[A-Za-z_][\w.]*)?$/.test(options.entryPoint)
  ) {
    fail(
      'entryPoint',
      `must be 'module' or 'module:function', got ${JSON.stringify(options.entryPoint)}`,
    );
  }
  const layout = options.layout ?? 'zipapp';
  if (!LAYOUTS.includes(layout))
    fail('layout', `must be one of ${LAYOUTS.join(', ')}, got ${JSON.stringify(layout)}`);
  const inheritPath = String(options.inheritPath ?? 'false') as NormalizedPexOptions['inheritPath'];
  if (!INHERIT.includes(inheritPath))
    fail(
      'inheritPath',
      `must be one of ${INHERIT.join(', ')}, got ${JSON.stringify(options.inheritPath)}`,
    );
  const targets = options.targets ?? ['current'];
  if (targets.length === 0) fail('targets', 'must name at least one target (e.g. current)');

  const lock = fromRoot(options.lock ?? join(ctx.uvWorkspaceRoot, 'uv.lock'));
  if (!exists(lock)) {
    const rel = relative(ctx.workspaceRoot, lock);
    if (options.lock !== undefined) fail('lock', `names ${rel}, which does not exist`);
    fail(
      'lock',
      `is not set and ${rel} does not exist: run 'uv lock' in ${relative(ctx.workspaceRoot, resolve(ctx.workspaceRoot, ctx.uvWorkspaceRoot)) || '.'} or set 'lock'`,
    );
  }
  const defaultOutput = join(
    'dist',
    ctx.projectRoot === '.' ? '' : ctx.projectRoot,
    `${ctx.pythonName}.pex`,
  );
  const output = fromRoot(options.output ?? defaultOutput);
  const outputRelative = relative(ctx.workspaceRoot, output);
  if (outputRelative === '' || outputRelative.startsWith('..') || isAbsolute(outputRelative)) {
    fail('output', `must be a path inside the workspace, got ${JSON.stringify(options.output)}`);
  }

  const out: NormalizedPexOptions = {
    projectName: ctx.projectName,
    pythonName: ctx.pythonName,
    projectDir: resolve(ctx.workspaceRoot, ctx.projectRoot),
    lock,
    output,
    outputRelative,
    targets: [...targets],
    layout,
    extraIndexUrls: [...(options.extraIndexUrls ?? [])],
    findLinks: (options.findLinks ?? []).map((f) =>
      /^[a-z][a-z0-9+.-]*:\/\//i.test(f) ? f : fromRoot(f),
    ),
    offline: options.offline ?? false,
    compress: options.compress ?? true,
    compile: options.compile ?? false,
    inheritPath,
    venv: options.venv ?? false,
    extras: [...(options.extras ?? [])],
    groups: [...(options.groups ?? [])],
    includeTests: options.includeTests ?? false,
    excludes: [...(options.excludes ?? [])],
    allowUndeclaredImports: options.allowUndeclaredImports ?? false,
  };
  if (options.entryPoint !== undefined) out.entryPoint = options.entryPoint;
  if (options.consoleScript !== undefined) out.consoleScript = options.consoleScript;
  if (options.entryPoint === undefined && options.consoleScript === undefined) {
    const script = defaultConsoleScript(ctx.scripts ?? [], ctx.pythonName);
    if (script === undefined && (ctx.scripts ?? []).length > 1) {
      fail(
        'consoleScript',
        `is not set and the project has several console scripts (${(ctx.scripts ?? []).join(', ')}): choose one`,
      );
    }
    if (script !== undefined) out.consoleScript = script;
  }
  if (options.python !== undefined && options.python.length > 0) out.python = [...options.python];
  if (options.interpreterConstraints !== undefined)
    out.interpreterConstraints = [...options.interpreterConstraints];
  if (options.pythonShebang !== undefined) out.pythonShebang = options.pythonShebang;
  if (options.indexUrl !== undefined) out.indexUrl = options.indexUrl;
  if (options.cacheDir !== undefined) out.cacheDir = fromRoot(options.cacheDir);
  return out;
}

/** The console script a PEX runs by default: the only one, or the one named like the project. */
export function defaultConsoleScript(
  scripts: readonly string[],
  pythonName: string,
): string | undefined {
  if (scripts.length === 1) return scripts[0];
  return scripts.find((s) => s.replace(/[-_.]+/g, '-').toLowerCase() === pythonName);
}
