import { resolve } from 'node:path';
import { writeFileAtomic } from '../../cache/atomic.js';
import { UsageError } from '../../errors.js';
import { renderHtml } from '../../inspect/html.js';
import { inspectPex } from '../../inspect/inspect-pex.js';
import { formatReport } from '../../inspect/format-text.js';
import type { CliCommand } from '../command.js';
import { parseCommandArgs } from './target-arg.js';

const HELP = `Usage: pexkit inspect <pex> [options]

Shows what a PEX costs: for each target it was built for, every wheel with its version, its
size in the PEX (compressed) and installed (unpacked under PEX_ROOT), its file count and the
projects that pulled it in; then the first-party code, the runtime and the totals. Reads a
zipapp, packed or loose PEX built by pexkit, checking it as the runtime would (zip structure,
PEX-INFO's pex_hash, every wheel's sha256).

Options:
  --against <old.pex>   also show what changed since another PEX: wheels added, removed,
                        grown or shrunk, with sizes
  --json                print the report as JSON (schema "pexkit-inspect/1", see the docs)
  --json-file <file>    also write the JSON report to <file>
  --html <file>         also write a self-contained HTML page with a treemap of installed
                        size by wheel (no network needed to view it)
  -h, --help

Examples:
  pexkit inspect dist/app.pex
  pexkit inspect dist/app.pex --against main/app.pex --html report.html
`;

const OPTIONS = {
  against: { type: 'string' },
  json: { type: 'boolean' },
  'json-file': { type: 'string' },
  html: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface InspectArgs {
  pex: string;
  against?: string;
  json: boolean;
  jsonFile?: string;
  html?: string;
}

/** Parses `pexkit inspect` arguments; undefined for --help. */
export function parseInspectArgs(argv: string[]): InspectArgs | undefined {
  const { values, positionals } = parseCommandArgs(argv, HELP, OPTIONS);
  if (values.help === true) return undefined;
  if (positionals.length !== 1) {
    throw new UsageError(
      `${positionals.length === 0 ? 'no PEX given' : `one PEX at a time (got ${positionals.length})`}\n\n${HELP}`,
    );
  }
  const args: InspectArgs = { pex: positionals[0] as string, json: values.json === true };
  if (values.against !== undefined) args.against = values.against;
  if (values['json-file'] !== undefined) args.jsonFile = values['json-file'];
  if (values.html !== undefined) args.html = values.html;
  // A report written over the PEX it describes would destroy it.
  const inputs = [args.pex, args.against].filter((p): p is string => p !== undefined);
  for (const [option, out] of [
    ['--json-file', args.jsonFile],
    ['--html', args.html],
  ] as const) {
    if (out !== undefined && inputs.some((p) => resolve(p) === resolve(out)))
      throw new UsageError(`${option} ${out} would overwrite the PEX it reports on`);
  }
  return args;
}

export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'show what a PEX holds and costs per target (wheels, sizes, why), as text, JSON or HTML',
  async run(argv) {
    const args = parseInspectArgs(argv);
    if (args === undefined) {
      process.stdout.write(HELP);
      return 0;
    }
    const report = await inspectPex(
      args.pex,
      args.against !== undefined ? { against: args.against } : {},
    );
    const json = `${JSON.stringify(report, null, 2)}\n`;
    if (args.jsonFile !== undefined) await writeFileAtomic(args.jsonFile, json);
    if (args.html !== undefined) await writeFileAtomic(args.html, renderHtml(report));
    process.stdout.write(args.json ? json : formatReport(report));
    return 0;
  },
};
