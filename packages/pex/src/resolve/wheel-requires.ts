import { Marker } from '../pep508/marker.js';
import { parseCoreMetadata } from '../wheel/metadata.js';
import { ZipReader } from '../zip/reader.js';

/**
 * The `Requires-Dist` of a wheel without extra-only entries (no extras are activated for
 * flat locks), other markers kept: what PEX-INFO `requires` holds for a project read from a lock
 * without dependency edges.
 */
export async function requiresFromWheel(path: string): Promise<string[]> {
  return withoutExtraOnly(await requiresDistOfWheel(path));
}

/** Every `Requires-Dist` of the wheel at `path` (its METADATA), extra-only entries included. */
export async function requiresDistOfWheel(path: string): Promise<string[]> {
  const zip = await ZipReader.open(path);
  try {
    const entry = zip.entries.find((e) => /^[^/]+\.dist-info\/METADATA$/.test(e.name));
    if (entry === undefined) return [];
    return parseCoreMetadata((await zip.read(entry)).toString('utf8')).requiresDist;
  } finally {
    await zip.close();
  }
}

/** `requiresDist` without the entries whose marker mentions `extra`. */
export function withoutExtraOnly(requiresDist: readonly string[]): string[] {
  return requiresDist.filter((req) => {
    const semi = req.indexOf(';');
    if (semi < 0) return true;
    try {
      return !Marker.parse(req.slice(semi + 1))
        .variables()
        .includes('extra');
    } catch {
      return true;
    }
  });
}
