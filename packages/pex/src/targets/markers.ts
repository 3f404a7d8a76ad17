/** Evaluating PEP 508 markers on a target, refusing to guess values the target does not pin down. */
import { PexkitError } from '../errors.js';
import { Marker, type MarkerEnvironment, type MarkerEvaluateOptions } from '../pep508/marker.js';
import type { MarkerVariable, Target } from './target.js';

/** A marker reads a variable whose value the target does not determine. */
export class MarkerNeedsUnknownValue extends PexkitError {
  override readonly name = 'MarkerNeedsUnknownValue';
  constructor(
    readonly marker: string,
    readonly variables: MarkerVariable[],
    readonly target: string,
    /** Set when the value matters only through the patch release the target leaves open. */
    readonly patchDependent = false,
  ) {
    const names = variables.join(', ');
    const versionHint = variables.includes('python_full_version')
      ? ' (or give the target a dotted x.y.z Python version for python_full_version)'
      : '';
    super(
      `Marker ${JSON.stringify(marker)} ` +
        (patchDependent ? `depends on the patch release through ${names}` : `needs ${names}`) +
        `, which the target ${target} does not determine; ` +
        `describe the target with --complete-platform <file> (make one on the target machine with ` +
        `\`pex3 interpreter inspect --markers --tags\`)${versionHint}`,
    );
  }
}

/** The variables an abbreviated target knows only up to its minor Python version. */
const FULL_VERSION_VARS = ['python_full_version', 'implementation_version'] as const;

/**
 * Marker variables `marker` reads that `target` does not know: listed as unknown and given no
 * value in its marker environment (a caller may fill one in, e.g. a known `platform_release`).
 */
export function unknownMarkerVariables(marker: Marker, target: Target): MarkerVariable[] {
  const unknown = new Set<string>(target.unknownMarkers);
  const env: Partial<Record<string, string>> = target.markerEnvironment;
  return marker
    .variables()
    .filter((name): name is MarkerVariable => unknown.has(name) && env[name] === undefined);
}

/**
 * Evaluates `marker` with the target's marker environment. An abbreviated target (`cp-311`)
 * does not know its patch release: a marker on `python_full_version` / `implementation_version`
 * is evaluated at both ends of the minor series (`3.11.0` and `3.11.999`) and must come out the
 * same (`python_full_version >= "3.9"` does; `python_full_version < "3.11.4"` does not). Throws
 * {@link MarkerNeedsUnknownValue} when the marker reads any other unknown variable, or when the
 * two ends disagree.
 */
export function evaluateMarkerOnTarget(
  marker: Marker | string,
  target: Target,
  options: MarkerEvaluateOptions = {},
): boolean {
  const parsed = typeof marker === 'string' ? Marker.parse(marker) : marker;
  const env = target.markerEnvironment;
  const unknown = unknownMarkerVariables(parsed, target);
  const minorOnly = unknown.filter(
    (v): v is (typeof FULL_VERSION_VARS)[number] =>
      (FULL_VERSION_VARS as readonly string[]).includes(v) && env.python_version !== undefined,
  );
  const others = unknown.filter((v) => !(minorOnly as string[]).includes(v));
  if (others.length > 0) throw new MarkerNeedsUnknownValue(String(marker), others, target.source);
  if (minorOnly.length === 0) return parsed.evaluate(env, options);
  const at = (patch: string): boolean => {
    const e: Partial<MarkerEnvironment> = { ...env };
    for (const v of minorOnly) {
      // PyPy's implementation_version is PyPy's own (7.3.x), not derivable from python_version.
      if (v === 'implementation_version' && target.implementation !== 'cp') continue;
      e[v] = `${env.python_version}.${patch}`;
    }
    return parsed.evaluate(e, options);
  };
  const low = at('0');
  if (low !== at('999'))
    throw new MarkerNeedsUnknownValue(String(marker), minorOnly, target.source, true);
  return low;
}
