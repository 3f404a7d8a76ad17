/**
 * Safety rules for entry names read from untrusted archives (wheels). Pure functions.
 */

/** Why `name` is unsafe to extract under a root directory, or undefined when it is safe. */
export function unsafeEntryNameReason(name: string): string | undefined {
  if (name.length === 0) return 'empty name';
  if (name.includes('\0')) return 'NUL byte in name';
  if (name.includes('\\')) return 'backslash in name (a Windows path separator trick)';
  if (name.startsWith('/')) return 'absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'drive letter';
  const body = name.endsWith('/') ? name.slice(0, -1) : name;
  for (const part of body.split('/')) {
    if (part === '') return 'empty path component';
    if (part === '..') return "'..' path component (zip-slip)";
    if (part === '.') return "'.' path component";
  }
  return undefined;
}

/** True when the entry's Unix mode (high 16 bits of the external attributes) says symlink. */
export function isSymlinkAttributes(externalAttributes: number, versionMadeBy: number): boolean {
  const hostSystem = versionMadeBy >>> 8;
  // Unix (3) and macOS (19) store st_mode in the high half; others cannot express symlinks.
  if (hostSystem !== 3 && hostSystem !== 19) return false;
  const mode = (externalAttributes >>> 16) & 0o170000;
  return mode === 0o120000;
}
