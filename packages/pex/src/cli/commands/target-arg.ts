/** Resolves a `<target>` command-line argument: an abbreviated target or a complete-platform file. */
import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../../errors.js';
import { resolveTargets, type NamedTarget } from '../../resolve/targets.js';
import { loadCompletePlatform } from '../../targets/complete-platform.js';
import { parseTarget, type Target } from '../../targets/target.js';

/**
 * `current` is the interpreter `python` (else `python3` on PATH); a `.json` path or an
 * existing file is a complete platform; anything else is the abbreviated form.
 */
export async function resolveTargetArgument(text: string, python?: string): Promise<Target> {
  if (text === 'current') {
    const [resolved] = await resolveTargets([text], python !== undefined ? { python } : {});
    return (resolved as NamedTarget).target;
  }
  if (text.endsWith('.json') || existsSync(text)) return loadCompletePlatform(text);
  return parseTarget(text);
}

/** `node:util` `parseArgs` with positionals allowed; its option errors become {@link UsageError}s. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  help: string,
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: T }>> {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options });
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(`${error.message}\n\n${help}`);
    throw error;
  }
}
