import { UsageError } from '../../errors.js';
import type { BuildPlan } from '../../plan/build-plan.js';
import { planBuild, type PlanOptions } from '../../resolve/plan.js';
import type { CliCommand } from '../command.js';
import { parseCommandArgs } from './target-arg.js';
import { NETWORK_LIMITS_HELP } from '../../fetch/limits.js';

const HELP = `Usage: pexkit plan [options]

Resolves a project's lock for each target and fetches the chosen wheels (verified, cached), then
prints which wheel every third-party project uses on every target — what \`pexkit build\` would seal.

Options:
  --project <dir>           the project (default .)
  --lock <file>             uv.lock, pylock.toml or a pinned requirements file (default: uv.lock at the workspace root)
  --target <target>         current (default), an abbreviated platform such as manylinux2014_x86_64-cp-311-cp311,
                            or a complete-platform JSON file (repeatable)
  --python <python>         interpreter (path or PATH name), repeatable: the first describes 'current';
                            sdists are built by the one matching each target's tags
                            (default: $PEXKIT_PYTHON, then python3.X/pypy3.X on PATH, pyenv)
  --extra <name>            extra of the project (repeatable)
  --group <name>            dependency group of the project (repeatable)
  --index-url <url>         simple index for requirements locks (default: PIP_INDEX_URL / UV_INDEX_URL / PyPI)
  --extra-index-url <url>   additional index (repeatable)
  --find-links <dir|url>    wheelhouse directory or HTML page (repeatable)
  --offline                 use only the cache and find-links
  --cache-dir <dir>         cache root (default: $PEXKIT_CACHE_DIR, $XDG_CACHE_HOME/pexkit, ~/.cache/pexkit)
  --json                    print the whole build plan as JSON
  -v, --verbose             list every wheel file (and why it does not fit) when none fits
  -h, --help

${NETWORK_LIMITS_HELP}`;

const OPTIONS = {
  project: { type: 'string' },
  lock: { type: 'string' },
  target: { type: 'string', multiple: true },
  python: { type: 'string', multiple: true },
  extra: { type: 'string', multiple: true },
  group: { type: 'string', multiple: true },
  'index-url': { type: 'string' },
  'extra-index-url': { type: 'string', multiple: true },
  'find-links': { type: 'string', multiple: true },
  offline: { type: 'boolean' },
  'cache-dir': { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Maps `pexkit plan` arguments onto {@link PlanOptions}. */
export function parsePlanArgs(argv: string[]): {
  options: PlanOptions;
  json: boolean;
  help: boolean;
} {
  const { values, positionals } = parseCommandArgs(argv, HELP, OPTIONS);
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument '${positionals[0]}'\n\n${HELP}`);
  const options: PlanOptions = { project: values.project ?? '.' };
  if (values.lock !== undefined) options.lock = values.lock;
  if (values.target !== undefined) options.targets = values.target;
  if (values.python !== undefined) options.python = values.python;
  if (values.extra !== undefined) options.extras = values.extra;
  if (values.group !== undefined) options.groups = values.group;
  if (values['index-url'] !== undefined) options.indexUrl = values['index-url'];
  if (values['extra-index-url'] !== undefined) options.extraIndexUrls = values['extra-index-url'];
  if (values['find-links'] !== undefined) options.findLinks = values['find-links'];
  if (values.offline === true) options.offline = true;
  if (values['cache-dir'] !== undefined) options.cacheDir = values['cache-dir'];
  if (values.verbose === true) options.verbose = true;
  return { options, json: values.json === true, help: values.help === true };
}

/** A table: one line per target, project and wheel file. */
export function formatPlan(plan: BuildPlan): string {
  const lines = [
    `${plan.main.name} ${plan.main.version} (first-party: ${plan.firstParty.map((p) => p.name).join(', ')})`,
  ];
  for (const target of plan.targets) {
    lines.push(`${target}:`);
    for (const project of plan.projects) {
      for (const wheel of project.wheels) {
        if (wheel.targets.includes(target))
          lines.push(`  ${project.name}==${project.version}  ${wheel.filename}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

export const planCommand: CliCommand = {
  name: 'plan',
  summary: "show (and fetch) the wheels a project's PEX would hold for each target",
  async run(argv) {
    const { options, json, help } = parsePlanArgs(argv);
    if (help) {
      process.stdout.write(HELP);
      return 0;
    }
    const plan = await planBuild({
      ...options,
      logger: (line) => process.stderr.write(`pexkit plan: ${line}\n`),
    });
    process.stdout.write(json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan));
    return 0;
  },
};
