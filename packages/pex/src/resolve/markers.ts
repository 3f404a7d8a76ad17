import { PexkitError } from '../errors.js';
import { redactUserinfo } from '../lock/model.js';
import { Marker, UndefinedEnvironmentName, type MarkerEnvironment } from '../pep508/marker.js';
import type { Target } from '../targets/target.js';

/** A marker needs a variable an (abbreviated) target does not pin down. */
export class MarkerNeedsCompletePlatformError extends PexkitError {
  override readonly name = 'MarkerNeedsCompletePlatformError';
}

const parsed = new Map<string, Marker>();

function parse(marker: string): Marker {
  let m = parsed.get(marker);
  if (m === undefined) {
    m = Marker.parse(marker);
    parsed.set(marker, m);
  }
  return m;
}

const FULL_VERSION_VARS = ['python_full_version', 'implementation_version'] as const;

/**
 * Evaluates `marker` for `target`. An abbreviated target (`cp-311`) does not know its patch
 * version: markers on `python_full_version` / `implementation_version` are evaluated at both ends
 * of the minor series (`3.11.0` and `3.11.999`) and must agree. Any other unknown variable, or a
 * disagreement, is an error that names the marker, where it comes from, and suggests
 * `--complete-platform`.
 */
export function evaluateMarker(marker: string, target: Target, extras: readonly string[], where: string): boolean {
  const m = parse(marker);
  const env: Partial<MarkerEnvironment> = { ...target.markerEnvironment };
  const opts = { extras, dependencyGroups: [] as string[] };
  const fail = (variable: string, reason: string): never => {
    throw new MarkerNeedsCompletePlatformError(
      redactUserinfo(`${where}: marker "${marker}" ${reason} ${JSON.stringify(variable)}, which target ${target.source} does not define. ` +
        'An abbreviated platform cannot know it: describe the target with a complete-platform JSON file made on ' +
        'the target machine (`pex3 interpreter inspect --markers --tags`) and pass that file as the target ' +
        '(pex calls this --complete-platform).'),
    );
  };
  const unknownFull = FULL_VERSION_VARS.filter((v) => env[v] === undefined);
  const needed = m.variables();
  const neededFull = unknownFull.filter((v) => needed.includes(v));
  try {
    if (neededFull.length === 0 || env.python_version === undefined) return m.evaluate(env, opts);
    const at = (patch: string) => {
      const e: Partial<MarkerEnvironment> = { ...env };
      for (const v of neededFull) {
        if (v === 'implementation_version' && target.implementation !== 'cp') continue;
        e[v] = `${env.python_version}.${patch}`;
      }
      return m.evaluate(e, opts);
    };
    const low = at('0');
    const high = at('999');
    if (low !== high) return fail(neededFull[0] as string, 'depends on the patch release through');
    return low;
  } catch (error) {
    if (error instanceof UndefinedEnvironmentName) return fail(error.variable, 'needs');
    throw error;
  }
}
