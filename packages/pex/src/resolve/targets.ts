import { currentTarget } from '../interpreter/current.js';
import { loadCompletePlatform } from '../targets/complete-platform.js';
import { parseTarget, type Target } from '../targets/target.js';

/** A target as the user gave it, resolved. */
export interface NamedTarget {
  /** The text as given (`current`, `manylinux2014_x86_64-cp-311-cp311`, `path/to/platform.json`). */
  name: string;
  target: Target;
}

export interface ResolveTargetsOptions {
  python?: string;
  cacheDir?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Resolves target strings: `current` asks the configured interpreter (else `python3` on PATH);
 * a name ending in `.json` is a complete-platform file; anything else is pex's abbreviated form.
 */
export async function resolveTargets(
  names: readonly string[],
  options: ResolveTargetsOptions = {},
): Promise<NamedTarget[]> {
  const out: NamedTarget[] = [];
  for (const name of names.length === 0 ? ['current'] : names) {
    if (out.some((t) => t.name === name)) continue;
    let target: Target;
    if (name === 'current') {
      const opts: Parameters<typeof currentTarget>[0] = {};
      if (options.python !== undefined) opts.python = options.python;
      if (options.cacheDir !== undefined) opts.cacheDir = options.cacheDir;
      if (options.env !== undefined) opts.env = options.env;
      target = await currentTarget(opts);
    } else if (name.endsWith('.json')) {
      target = await loadCompletePlatform(name);
    } else {
      target = parseTarget(name);
    }
    out.push({ name, target: { ...target, source: name } });
  }
  return out;
}
