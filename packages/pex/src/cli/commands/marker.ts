import { UsageError } from '../../errors.js';
import { loadCompletePlatform } from '../../targets/complete-platform.js';
import { evaluateMarkerOnTarget } from '../../targets/markers.js';
import type { CliCommand } from '../command.js';
import { parseCommandArgs, resolveTargetArgument } from './target-arg.js';

const HELP = `Usage: pexkit marker '<marker>' --target <target> [--extra <name>]...
       pexkit marker '<marker>' --complete-platform <file> [--extra <name>]...

Evaluates a PEP 508 environment marker on a target and prints true or false.
A target is <platform>-<impl>-<version>-<abi>, e.g. manylinux2014_x86_64-cp-311-cp311,
a complete-platform .json file, or current (the interpreter --python or python3);
abbreviated targets do not know platform_release, platform_version or (without an x.y.z
version) python_full_version: describe the machine with --complete-platform for those.
`;

export const markerCommand: CliCommand = {
  name: 'marker',
  summary: 'evaluate a PEP 508 marker on a target',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, HELP, {
      target: { type: 'string' },
      'complete-platform': { type: 'string' },
      extra: { type: 'string', multiple: true },
      python: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const file = values['complete-platform'];
    const text = values.target;
    if (positionals.length !== 1 || (file === undefined) === (text === undefined)) {
      throw new UsageError(
        `expected one marker and exactly one of --target or --complete-platform\n\n${HELP}`,
      );
    }
    const target =
      file !== undefined
        ? await loadCompletePlatform(file)
        : await resolveTargetArgument(text as string, values.python);
    const extras = values.extra ?? [];
    const result = evaluateMarkerOnTarget(
      positionals[0] as string,
      target,
      extras.length > 0 ? { extras } : {},
    );
    process.stdout.write(`${result}\n`);
    return 0;
  },
};
