import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.js';
import { buildPex, type BuildPexOptions } from '../../pex/build.js';
import { exitOnSignals } from '../../pex/output.js';
import { PEX_LAYOUTS, type PexLayout } from '../../pex/writer.js';
import type { CliCommand } from '../command.js';
import { NETWORK_LIMITS_HELP } from '../../fetch/limits.js';

const HELP = `Usage: pexkit build [options]

Builds a PEX for a Python project from its lock file.

  --project DIR                 directory holding pyproject.toml (default: .)
  --lock FILE                   lock file (uv.lock, pylock.toml, requirements.txt)
  --target T                    target platform, repeatable (default: current)
  --python PYTHON               interpreter (path or PATH name), repeatable: the first describes
                                'current'; sdists are built by the one matching each target's
                                tags (default: $PEXKIT_PYTHON, then python3.X/pypy3.X, pyenv)
  -m, --entry-point MOD[:FN]    entry point module or module:function
  -c, --console-script NAME     console script of the app or a dependency (default: the
                                app's only script, or the one named like the project)
  --interpreter-constraint IC   e.g. 'CPython>=3.9,<3.14', repeatable
  --python-shebang SHEBANG      python3.11, /usr/bin/python3 or a full #! line
  --layout L                    zipapp (default), packed or loose
  -o, --output PATH             output file or directory (default: <project>/dist/<name>.pex)
  --index-url URL               package index (default: PyPI)
  --extra-index-url URL         additional index, repeatable
  --find-links DIR|URL          wheel directory or page, repeatable
  --offline                     use only the local cache
  --compress / --no-compress    deflate code and metadata entries (default: compress)
  --compile / --no-compile      ship each wheel's modules as .pyc, compiled by a local CPython of
                                each target's version (faster first start, larger PEX, bytes that
                                depend on the local interpreters); default: --no-compile
  --inherit-path [MODE]         false (default), prefer or fallback (bare: prefer)
  --venv                        venv mode at run time
  --cache-dir DIR               pexkit cache (default: $PEXKIT_CACHE_DIR or ~/.cache/pexkit)
  --extra NAME                  extra of the project to include, repeatable
  --group NAME                  dependency group of the project to include (PEP 735, read
                                from the lock), repeatable
  --include-tests               keep tests/ and test_*.py in the first-party code
  --exclude GLOB                leave matching first-party files out, repeatable
  --include GLOB                keep matching files/dirs a default rule drops, repeatable
  -v, --verbose                 list every wheel file (and why it does not fit) when none fits
  -q, --quiet                   print only the output path
  -h, --help                    this help

${NETWORK_LIMITS_HELP}`;

const INHERIT_MODES = ['false', 'prefer', 'fallback'];

/** Parses `pexkit build` arguments into `buildPex` options (pure). */
export function parseBuildArgs(argv: string[]): {
  options: BuildPexOptions;
  help: boolean;
  quiet: boolean;
} {
  // `--inherit-path` may stand alone (meaning prefer), which parseArgs cannot express.
  const args = argv.flatMap((a, i) =>
    a === '--inherit-path' && !INHERIT_MODES.includes(argv[i + 1] ?? '')
      ? ['--inherit-path=prefer']
      : [a],
  );
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        project: { type: 'string' },
        lock: { type: 'string' },
        target: { type: 'string', multiple: true },
        python: { type: 'string', multiple: true },
        'entry-point': { type: 'string', short: 'm' },
        'console-script': { type: 'string', short: 'c' },
        'interpreter-constraint': { type: 'string', multiple: true },
        'python-shebang': { type: 'string' },
        layout: { type: 'string' },
        output: { type: 'string', short: 'o' },
        'index-url': { type: 'string' },
        'extra-index-url': { type: 'string', multiple: true },
        'find-links': { type: 'string', multiple: true },
        offline: { type: 'boolean' },
        compress: { type: 'boolean' },
        'no-compress': { type: 'boolean' },
        compile: { type: 'boolean' },
        'no-compile': { type: 'boolean' },
        'inherit-path': { type: 'string' },
        venv: { type: 'boolean' },
        'cache-dir': { type: 'string' },
        extra: { type: 'string', multiple: true },
        group: { type: 'string', multiple: true },
        'include-tests': { type: 'boolean' },
        exclude: { type: 'string', multiple: true },
        include: { type: 'string', multiple: true },
        verbose: { type: 'boolean', short: 'v' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${HELP}`);
  }
  const v = parsed.values;
  if (v.compress === true && v['no-compress'] === true)
    throw new UsageError('give --compress or --no-compress, not both');
  const layout = v.layout;
  if (layout !== undefined && !PEX_LAYOUTS.includes(layout as PexLayout)) {
    throw new UsageError(`--layout must be one of ${PEX_LAYOUTS.join(', ')}, got '${layout}'`);
  }
  const inherit = v['inherit-path'];
  if (inherit !== undefined && !INHERIT_MODES.includes(inherit)) {
    throw new UsageError(`--inherit-path must be false, prefer or fallback, got '${inherit}'`);
  }
  const options: BuildPexOptions = {
    project: v.project ?? '.',
    lock: v.lock,
    targets: v.target,
    python: v.python,
    entryPoint: v['entry-point'],
    consoleScript: v['console-script'],
    interpreterConstraints: v['interpreter-constraint'],
    pythonShebang: v['python-shebang'],
    layout: layout as PexLayout | undefined,
    output: v.output,
    indexUrl: v['index-url'],
    extraIndexUrls: v['extra-index-url'],
    findLinks: v['find-links'],
    offline: v.offline,
    compress: v['no-compress'] === true ? false : v.compress,
    compileBytecode: v['no-compile'] === true ? false : v.compile === true ? true : undefined,
    inheritPath: inherit as BuildPexOptions['inheritPath'],
    venv: v.venv,
    cacheDir: v['cache-dir'],
    extras: v.extra,
    groups: v.group,
    includeTests: v['include-tests'],
    excludes: v.exclude,
    includes: v.include,
    verbose: v.verbose,
  };
  for (const key of Object.keys(options) as Array<keyof BuildPexOptions>) {
    if (options[key] === undefined) delete options[key];
  }
  return { options, help: v.help === true, quiet: v.quiet === true };
}

export const buildCommand: CliCommand = {
  name: 'build',
  summary: 'build a PEX (zipapp, packed or loose) from a project and its lock',
  async run(argv) {
    const { options, help, quiet } = parseBuildArgs(argv);
    if (help) {
      process.stdout.write(HELP);
      return 0;
    }
    exitOnSignals(); // an interrupted build removes its temp output (the old output stays)
    const started = process.hrtime.bigint();
    const result = await buildPex({
      ...options,
      progress: quiet ? 'none' : 'auto',
      logger: {
        warn: (m) => process.stderr.write(`pexkit build: warning: ${m}\n`),
        info: quiet ? undefined : (m) => process.stderr.write(`pexkit build: ${m}\n`),
      },
    });
    if (quiet) {
      process.stdout.write(`${result.output}\n`);
    } else {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      process.stdout.write(
        `${result.output}\n  layout ${result.layout}, ${result.size} bytes, sha256 ${result.sha256}\n` +
          `  pex_hash ${result.pexHash}, ${result.plan.projects.length} third-party projects, ${ms.toFixed(0)} ms\n`,
      );
    }
    return 0;
  },
};
