import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.js';
import { formatSmokeReport, smokePex, type SmokeOptions } from '../../smoke/smoke-pex.js';
import type { CliCommand } from '../command.js';

const HELP = `Usage: pexkit smoke [options] PEX [-- ARGS...]

Runs a built PEX under every interpreter on this machine (pyenv's installs and python3.X /
pypy3.X on PATH) that one of its targets describes and its interpreter constraints admit, each
with an empty PEX_ROOT (a cold start) and PEX_PYTHON naming it. Fails (exit 1) on a non-zero
exit, a timeout or a Python traceback in the output, or when no interpreter fits.

  -- ARGS...            arguments for the PEX (default: --help)
  --python PYTHON       interpreter describing the 'current' target, repeatable (as for
                        pexkit build; default: $PEXKIT_PYTHON, then python3)
  --timeout SECONDS     per interpreter (default: 120)
  --cache-dir DIR       pexkit cache (interpreter facts; default: $PEXKIT_CACHE_DIR or
                        ~/.cache/pexkit)
  --json                print the report as JSON
  -v, --verbose         show the output of passing runs too
  -h, --help            this help
`;

/** Parses `pexkit smoke` arguments (pure). */
export function parseSmokeArgs(argv: string[]): {
  options: SmokeOptions;
  help: boolean;
  json: boolean;
  verbose: boolean;
} {
  const dash = argv.indexOf('--');
  const own = dash === -1 ? argv : argv.slice(0, dash);
  let parsed;
  try {
    parsed = parseArgs({
      args: own,
      allowPositionals: true,
      strict: true,
      options: {
        python: { type: 'string', multiple: true },
        timeout: { type: 'string' },
        'cache-dir': { type: 'string' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${HELP}`);
  }
  const v = parsed.values;
  const help = v.help === true;
  const [pex, ...extra] = parsed.positionals;
  if (!help && pex === undefined) throw new UsageError(`give the PEX to run\n\n${HELP}`);
  if (extra.length > 0)
    throw new UsageError(
      `one PEX at a time; put its arguments after -- (got ${extra.map((e) => JSON.stringify(e)).join(' ')})`,
    );
  let timeoutMs: number | undefined;
  if (v.timeout !== undefined) {
    const seconds = Number(v.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0)
      throw new UsageError(`--timeout must be a positive number of seconds, got '${v.timeout}'`);
    timeoutMs = seconds * 1000;
  }
  const options: SmokeOptions = { pex: pex ?? '' };
  if (dash !== -1) options.args = argv.slice(dash + 1);
  if (v.python !== undefined) options.python = v.python;
  if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
  if (v['cache-dir'] !== undefined) options.cacheDir = v['cache-dir'];
  return { options, help, json: v.json === true, verbose: v.verbose === true };
}

export const smokeCommand: CliCommand = {
  name: 'smoke',
  summary: 'run a built PEX under every local interpreter it is for (cold PEX_ROOT)',
  async run(argv) {
    const { options, help, json, verbose } = parseSmokeArgs(argv);
    if (help) {
      process.stdout.write(HELP);
      return 0;
    }
    const report = await smokePex({
      ...options,
      onRun: json ? undefined : (python) => process.stderr.write(`pexkit smoke: ${python}\n`),
    });
    process.stdout.write(
      json ? `${JSON.stringify(report, null, 2)}\n` : formatSmokeReport(report, { verbose }),
    );
    return report.ok ? 0 : 1;
  },
};
