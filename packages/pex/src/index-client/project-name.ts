/**
 * PEP 503 name normalisation and the project part of distribution file names.
 * (A private copy until the shared `names/` and `wheel/filename` modules land; same semantics.)
 */
export function normalizeProjectName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** Canonical project name of a wheel or sdist file name, or undefined if it is neither. */
export function projectOfFilename(filename: string): string | undefined {
  if (filename.endsWith('.whl')) {
    const parts = filename.slice(0, -4).split('-');
    if (parts.length !== 5 && parts.length !== 6) return undefined;
    return normalizeProjectName(parts[0]);
  }
  const stem = /\.(tar\.gz|zip|tar\.bz2|tgz)$/.exec(filename);
  if (stem === null) return undefined;
  const base = filename.slice(0, stem.index);
  const dash = base.lastIndexOf('-');
  if (dash <= 0) return undefined;
  return normalizeProjectName(base.slice(0, dash));
}
