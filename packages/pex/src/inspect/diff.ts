/**
 * What changed between two PEXes (`pexkit inspect new.pex --against old.pex`): wheels added,
 * removed, grown or shrunk (by installed size), compared by project over every wheel file of
 * each PEX, plus the change in file size and in first-party code and runtime. Pure.
 */
import type { InspectReport, SizeReport, WheelReport } from './report.js';

/** One project whose wheels differ. Sizes are summed over its wheel files (one, usually). */
export interface DiffEntry {
  name: string;
  old_version: string | null;
  new_version: string | null;
  old_pex_bytes: number;
  new_pex_bytes: number;
  old_installed_bytes: number;
  new_installed_bytes: number;
  /** new minus old */
  delta_pex_bytes: number;
  delta_installed_bytes: number;
}

export interface SizeDelta {
  old: number;
  new: number;
  delta: number;
}

export interface InspectDiff {
  /** The older PEX's path. */
  against: string;
  against_pex_hash: string;
  /** Largest first. */
  added: DiffEntry[];
  removed: DiffEntry[];
  /** Installed size grew (largest growth first). */
  grown: DiffEntry[];
  /** Installed size shrank (largest drop first). */
  shrunk: DiffEntry[];
  /** Different wheel files of the same installed size. */
  changed: DiffEntry[];
  unchanged: number;
  /** The PEX file's size. */
  size: SizeDelta;
  installed_bytes: SizeDelta;
  first_party: SizeDelta;
  runtime: SizeDelta;
}

interface Side {
  version: string;
  files: string[];
  pex: number;
  installed: number;
}

function group(wheels: WheelReport[]): Map<string, Side> {
  const out = new Map<string, Side>();
  for (const w of wheels) {
    const side = out.get(w.name) ?? { version: '', files: [], pex: 0, installed: 0 };
    side.version = side.version === '' ? w.version : `${side.version}, ${w.version}`;
    side.files.push(`${w.file}:${w.sha256}`);
    side.pex += w.pex_bytes;
    side.installed += w.installed_bytes;
    out.set(w.name, side);
  }
  return out;
}

function delta(oldValue: number, newValue: number): SizeDelta {
  return { old: oldValue, new: newValue, delta: newValue - oldValue };
}

function installed(part: SizeReport): number {
  return part.installed_bytes;
}

/** Compares `current` with the `old` report. */
export function diffReports(current: InspectReport, old: InspectReport): InspectDiff {
  const now = group(current.wheels);
  const before = group(old.wheels);
  const out: InspectDiff = {
    against: old.pex.path,
    against_pex_hash: old.pex.pex_hash,
    added: [],
    removed: [],
    grown: [],
    shrunk: [],
    changed: [],
    unchanged: 0,
    size: delta(old.pex.size, current.pex.size),
    installed_bytes: delta(old.totals.installed_bytes, current.totals.installed_bytes),
    first_party: delta(installed(old.first_party), installed(current.first_party)),
    runtime: delta(installed(old.runtime), installed(current.runtime)),
  };
  const names = [...new Set([...now.keys(), ...before.keys()])].sort();
  for (const name of names) {
    const n = now.get(name);
    const o = before.get(name);
    const entry: DiffEntry = {
      name,
      old_version: o?.version ?? null,
      new_version: n?.version ?? null,
      old_pex_bytes: o?.pex ?? 0,
      new_pex_bytes: n?.pex ?? 0,
      old_installed_bytes: o?.installed ?? 0,
      new_installed_bytes: n?.installed ?? 0,
      delta_pex_bytes: (n?.pex ?? 0) - (o?.pex ?? 0),
      delta_installed_bytes: (n?.installed ?? 0) - (o?.installed ?? 0),
    };
    if (o === undefined) out.added.push(entry);
    else if (n === undefined) out.removed.push(entry);
    else if (entry.delta_installed_bytes > 0) out.grown.push(entry);
    else if (entry.delta_installed_bytes < 0) out.shrunk.push(entry);
    else if (n.files.join('\n') !== o.files.join('\n')) out.changed.push(entry);
    else out.unchanged += 1;
  }
  const bySize = (a: DiffEntry, b: DiffEntry): number =>
    Math.abs(b.delta_installed_bytes) - Math.abs(a.delta_installed_bytes) ||
    (a.name < b.name ? -1 : 1);
  for (const list of [out.added, out.removed, out.grown, out.shrunk, out.changed])
    list.sort(bySize);
  return out;
}
