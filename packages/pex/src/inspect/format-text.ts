/** The human-readable form of an {@link InspectReport} (what `pexkit inspect` prints). */
import { formatBytes } from '../fetch/progress.js';
import type { DiffEntry, InspectDiff } from './diff.js';
import type { InspectReport, SizeReport } from './report.js';

function signed(bytes: number): string {
  return `${bytes > 0 ? '+' : bytes < 0 ? '-' : '±'}${formatBytes(Math.abs(bytes))}`;
}

/** Left-aligns text columns and right-aligns the others. */
function table(rows: string[][], rightAligned: Set<number>): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) =>
        rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  );
}

function sizeCells(s: SizeReport): string[] {
  return [formatBytes(s.pex_bytes), formatBytes(s.installed_bytes), String(s.files)];
}

function diffLines(diff: InspectDiff): string[] {
  const lines = [
    `Against ${diff.against}: ${signed(diff.size.delta)} on disk (${formatBytes(diff.size.old)} → ${formatBytes(diff.size.new)}), ` +
      `${signed(diff.installed_bytes.delta)} installed (${formatBytes(diff.installed_bytes.old)} → ${formatBytes(diff.installed_bytes.new)})`,
  ];
  const rows: string[][] = [];
  const version = (e: DiffEntry): string =>
    e.old_version !== null && e.new_version !== null && e.old_version !== e.new_version
      ? `${e.old_version} → ${e.new_version}`
      : (e.new_version ?? e.old_version ?? '');
  const add = (label: string, list: DiffEntry[]): void => {
    for (const e of list)
      rows.push([
        label,
        e.name,
        version(e),
        `${signed(e.delta_installed_bytes)} installed`,
        `${signed(e.delta_pex_bytes)} in PEX`,
      ]);
  };
  add('added', diff.added);
  add('removed', diff.removed);
  add('grown', diff.grown);
  add('shrunk', diff.shrunk);
  add('changed', diff.changed);
  if (diff.first_party.delta !== 0)
    rows.push(['changed', '(first-party)', '', `${signed(diff.first_party.delta)} installed`, '']);
  if (diff.runtime.delta !== 0)
    rows.push(['changed', '(runtime)', '', `${signed(diff.runtime.delta)} installed`, '']);
  if (rows.length === 0) lines.push('  no wheel changed');
  else lines.push(...table(rows, new Set([3, 4])).map((l) => `  ${l}`));
  lines.push(`  ${diff.unchanged} wheel project(s) unchanged`);
  return lines;
}

/** The report as text: a table per target, then totals, then the diff (if any). */
export function formatReport(report: InspectReport): string {
  const p = report.pex;
  const entry = p.entry_point ?? (p.script !== null ? `script ${p.script}` : 'none');
  const lines = [
    `${p.path}: ${p.layout}, ${formatBytes(p.size)}, pex_hash ${p.pex_hash.slice(0, 12)}, entry point ${entry}` +
      (p.pexkit_version !== null ? `, built by pexkit ${p.pexkit_version}` : ''),
  ];
  if (!p.per_target)
    lines.push(
      '(PEX-INFO has no target_wheels: every target lists every wheel; requirers ignore markers)',
    );
  const header = ['wheel', 'version', 'in PEX', 'installed', 'files', 'required by'];
  for (const t of report.targets) {
    lines.push('', `Target ${t.target}: ${t.wheels.length} wheel(s)`);
    const rows = [header];
    for (const w of t.wheels)
      rows.push([w.name, w.version, ...sizeCells(w), w.required_by.join(', ') || '-']);
    rows.push([
      'first-party',
      report.first_party.projects.join(', '),
      ...sizeCells(report.first_party),
      '',
    ]);
    rows.push(['runtime', '', ...sizeCells(report.runtime), '']);
    rows.push(['total', '', ...sizeCells(t.totals), '']);
    lines.push(...table(rows, new Set([2, 3, 4])).map((l) => `  ${l}`));
  }
  const t = report.totals;
  lines.push(
    '',
    `Total: ${formatBytes(t.pex_bytes)} on disk; ${t.wheels} wheel(s), ${t.files} files, ` +
      `${formatBytes(t.installed_bytes)} installed (wheels ${formatBytes(
        t.installed_bytes - report.first_party.installed_bytes - report.runtime.installed_bytes,
      )}, first-party ${formatBytes(report.first_party.installed_bytes)}, runtime ${formatBytes(report.runtime.installed_bytes)})`,
  );
  if (report.diff !== undefined) lines.push('', ...diffLines(report.diff));
  return `${lines.join('\n')}\n`;
}
