/** Evaluating PEP 508 markers on a target, refusing to guess values the target does not pin down. */
import { PexkitError } from '../errors.js';
import { Marker, type MarkerEvaluateOptions } from '../pep508/marker.js';
import type { MarkerVariable, Target } from './target.js';

/** A marker reads a variable whose value the target does not determine. */
export class MarkerNeedsUnknownValue extends PexkitError {
  override readonly name = 'MarkerNeedsUnknownValue';
  constructor(
    readonly marker: string,
    readonly variables: MarkerVariable[],
    readonly target: string,
  ) {
    const names = variables.join(', ');
    const versionHint = variables.includes('python_full_version')
      ? ' (or give the target a dotted x.y.z Python version for python_full_version)'
      : '';
    super(
      `Marker ${JSON.stringify(marker)} needs ${names}, which the target ${target} does not determine; ` +
        `describe the target with --complete-platform <file> (make one on the target machine with ` +
        `\`pex3 interpreter inspect --markers --tags\`)${versionHint}`,
    );
  }
}

/** Marker variables `marker` reads that `target` does not know. */
export function unknownMarkerVariables(marker: Marker, target: Target): MarkerVariable[] {
  const unknown = new Set<string>(target.unknownMarkers);
  return marker.variables().filter((name): name is MarkerVariable => unknown.has(name));
}

/**
 * Evaluates `marker` with the target's marker environment. Throws
 * {@link MarkerNeedsUnknownValue} when it reads a variable the target leaves unknown.
 */
export function evaluateMarkerOnTarget(
  marker: Marker | string,
  target: Target,
  options: MarkerEvaluateOptions = {},
): boolean {
  const parsed = typeof marker === 'string' ? Marker.parse(marker) : marker;
  const unknown = unknownMarkerVariables(parsed, target);
  if (unknown.length > 0) throw new MarkerNeedsUnknownValue(String(marker), unknown, target.source);
  return parsed.evaluate(target.markerEnvironment, options);
}
