/** Core metadata (`METADATA`, email-header format) and `entry_points.txt`. Pure functions. */

export interface CoreMetadata {
  name: string;
  version: string;
  requiresPython: string | undefined;
  requiresDist: string[];
}

/** Header fields of a METADATA file (body ignored); repeated fields keep every value. */
export function parseMetadataHeaders(text: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  let last: { key: string; index: number } | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break; // the body (description) starts after the first blank line
    if (/^[ \t]/.test(line) && last !== undefined) {
      const values = fields.get(last.key) ?? [];
      values[last.index] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const values = fields.get(key) ?? [];
    values.push(value);
    fields.set(key, values);
    last = { key, index: values.length - 1 };
  }
  return fields;
}

/** Name, Version, Requires-Python and Requires-Dist of a METADATA file. */
export function parseCoreMetadata(text: string): CoreMetadata {
  const fields = parseMetadataHeaders(text);
  const one = (key: string): string | undefined => fields.get(key)?.[0];
  const name = one('name');
  const version = one('version');
  if (name === undefined || version === undefined)
    throw new Error('METADATA lacks Name or Version');
  return {
    name,
    version,
    requiresPython: one('requires-python') || undefined,
    requiresDist: fields.get('requires-dist') ?? [],
  };
}

/** METADATA text for a first-party project (Metadata-Version 2.1). */
export function formatCoreMetadata(meta: CoreMetadata): string {
  const lines = ['Metadata-Version: 2.1', `Name: ${meta.name}`, `Version: ${meta.version}`];
  if (meta.requiresPython !== undefined) lines.push(`Requires-Python: ${meta.requiresPython}`);
  for (const req of meta.requiresDist) lines.push(`Requires-Dist: ${req}`);
  return `${lines.join('\n')}\n`;
}

export type EntryPoints = Record<string, Record<string, string>>;

/** Parses `entry_points.txt` (INI: `[group]` then `name = object.reference`). */
export function parseEntryPoints(text: string): EntryPoints {
  const groups: EntryPoints = {};
  let group: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section !== null) {
      group = groups[section[1].trim()] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (group === undefined || eq <= 0) continue;
    group[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return groups;
}

/** `entry_points.txt` with groups and names sorted; '' when there are none. */
export function formatEntryPoints(groups: EntryPoints): string {
  const out: string[] = [];
  for (const group of Object.keys(groups).sort()) {
    const names = Object.keys(groups[group]).sort();
    if (names.length === 0) continue;
    out.push(`[${group}]`);
    for (const name of names) out.push(`${name} = ${groups[group][name]}`);
    out.push('');
  }
  return out.join('\n');
}
