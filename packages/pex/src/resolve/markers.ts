import { PexkitError } from '../errors.js';
import { redactUserinfo } from '../lock/model.js';
import { Marker, UndefinedEnvironmentName } from '../pep508/marker.js';
import { evaluateMarkerOnTarget, MarkerNeedsUnknownValue } from '../targets/markers.js';
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

/**
 * Evaluates a lock's `marker` for `target` (see `evaluateMarkerOnTarget` for what an abbreviated
 * target can and cannot answer). An unknown variable is an error that names the marker, where it
 * comes from (`where`), and suggests a complete-platform file.
 */
export function evaluateMarker(
  marker: string,
  target: Target,
  extras: readonly string[],
  where: string,
  more: { extraSet?: readonly string[]; dependencyGroups?: readonly string[] } = {},
): boolean {
  const fail = (variable: string, reason: string): never => {
    throw new MarkerNeedsCompletePlatformError(
      redactUserinfo(
        `${where}: marker "${marker}" ${reason} ${JSON.stringify(variable)}, which target ${target.source} does not define. ` +
          'An abbreviated platform cannot know it: describe the target with a complete-platform JSON file made on ' +
          'the target machine (`pex3 interpreter inspect --markers --tags`) and pass that file as the target ' +
          '(pex calls this --complete-platform).',
      ),
    );
  };
  try {
    return evaluateMarkerOnTarget(parse(marker), target, {
      extras,
      dependencyGroups: more.dependencyGroups ?? [],
      ...(more.extraSet !== undefined ? { extraSet: more.extraSet } : {}),
    });
  } catch (error) {
    if (error instanceof MarkerNeedsUnknownValue)
      return fail(
        error.variables[0] as string,
        error.patchDependent ? 'depends on the patch release through' : 'needs',
      );
    if (error instanceof UndefinedEnvironmentName) return fail(error.variable, 'needs');
    throw error;
  }
}

/**
 * `marker` with its `extra` atoms decided by the set `extras` (uv.lock conflict markers):
 * `true` / `false`, or the rest of the marker as text.
 */
export function fixMarkerExtras(marker: string, extras: readonly string[]): string | boolean {
  const parsed = parse(marker);
  if (!parsed.variables().includes('extra')) return marker;
  const fixed = parsed.fixExtras(extras);
  return typeof fixed === 'boolean' ? fixed : fixed.toString();
}
