/** PEP 503 names and the project / version of distribution file names (shared standards modules). */
import { canonicalizeName } from '../names/canonicalize.js';
import type { Version } from '../pep440/version.js';
import { parseSdistFilename, parseWheelFilename } from '../wheel/filename.js';

export function normalizeProjectName(name: string): string {
  return canonicalizeName(name);
}

/** Canonical name and version of a wheel or sdist file name; undefined if it is neither (or invalid). */
export function parseDistributionFilename(
  filename: string,
): { name: string; version: Version } | undefined {
  try {
    if (filename.endsWith('.whl')) return parseWheelFilename(filename);
    if (filename.endsWith('.tar.gz') || filename.endsWith('.zip'))
      return parseSdistFilename(filename);
  } catch {
    return undefined;
  }
  return undefined;
}

/** Canonical project name of a wheel or sdist file name, or undefined if it is neither. */
export function projectOfFilename(filename: string): string | undefined {
  return parseDistributionFilename(filename)?.name;
}
