import { UsageError } from '../../errors.js';
import { compatibleTags } from '../../tags/compatible.js';
import {
  completePlatformFromTarget,
  loadCompletePlatform,
} from '../../targets/complete-platform.js';
import type { CliCommand } from '../command.js';
import { parseCommandArgs, resolveTargetArgument } from './target-arg.js';

const HELP = `Usage: pexkit tags <target | complete-platform.json | current [--python <python>]>
       pexkit tags --complete-platform <file>

Prints the wheel tags the target supports, best first, one per line.
A target is <platform>-<impl>-<version>-<abi>, e.g. manylinux2014_x86_64-cp-311-cp311.

Options:
  --json   print a complete-platform JSON document instead (the known marker values and
           the ordered tags), which pex --complete-platform and pexkit read back
`;

export const tagsCommand: CliCommand = {
  name: 'tags',
  summary: 'print the ordered wheel tags a target supports',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, HELP, {
      'complete-platform': { type: 'string' },
      json: { type: 'boolean' },
      python: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const file = values['complete-platform'];
    const valid = file !== undefined ? positionals.length === 0 : positionals.length === 1;
    if (!valid) {
      throw new UsageError(`expected exactly one target or --complete-platform <file>\n\n${HELP}`);
    }
    const target =
      file !== undefined
        ? await loadCompletePlatform(file)
        : await resolveTargetArgument(positionals[0] as string, values.python);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(completePlatformFromTarget(target), null, 2)}\n`);
      return 0;
    }
    const tags = compatibleTags(target);
    process.stdout.write(`${tags.join('\n')}\n`);
    return 0;
  },
};
