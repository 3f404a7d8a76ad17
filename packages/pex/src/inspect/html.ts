/**
 * `pexkit inspect --html`: one self-contained page (inline CSS, SVG and a few lines of script;
 * a Content-Security-Policy forbids any network fetch at view time) with a treemap of installed
 * size by wheel, a table per target and the diff. Every name comes from a PEX that may be
 * hostile, so every text is escaped; the page embeds no JSON.
 */
import { createHash } from 'node:crypto';
import type { DiffEntry, InspectDiff } from './diff.js';
import { formatBytes } from '../fetch/progress.js';
import type { InspectReport, SizeReport } from './report.js';
import { squarify } from './treemap.js';

const WIDTH = 1200;
const HEIGHT = 560;

/** Escapes text for HTML content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A stable pastel fill per wheel name, as `#rrggbb` (HSL 55% saturation, 72% lightness). */
export function wheelColour(name: string): string {
  const hue = createHash('sha256').update(name).digest().readUInt16BE(0) % 360;
  const s = 0.55;
  const l = 0.72;
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number): string => {
    const k = (n + hue / 30) % 12;
    const v = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(v * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

function fixed(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

function treemap(report: InspectReport): string {
  const items = [
    ...report.wheels.map((w) => ({ key: `w:${w.file}`, value: w.installed_bytes })),
    { key: 'p:first-party', value: report.first_party.installed_bytes },
    { key: 'p:runtime', value: report.runtime.installed_bytes },
  ];
  const byFile = new Map(report.wheels.map((w) => [w.file, w]));
  const total = report.totals.installed_bytes;
  const boxes = squarify(items, WIDTH, HEIGHT).map((box) => {
    const isWheel = box.key.startsWith('w:');
    const wheel = isWheel ? byFile.get(box.key.slice(2)) : undefined;
    const part = box.key.slice(2);
    const label = wheel !== undefined ? wheel.name : part;
    const detail = wheel !== undefined ? `${wheel.name} ${wheel.version}` : part;
    const share = total > 0 ? ((100 * box.value) / total).toFixed(1) : '0';
    const title = `${detail}: ${formatBytes(box.value)} installed (${share}%)${wheel !== undefined ? `, ${wheel.files} files, ${formatBytes(wheel.pex_bytes)} in the PEX` : ''}`;
    const attr =
      wheel !== undefined
        ? `data-wheel="${escapeHtml(wheel.file)}"`
        : `data-part="${escapeHtml(part)}"`;
    const fill =
      wheel !== undefined ? wheelColour(wheel.name) : part === 'runtime' ? '#c9c9c9' : '#9fd3a8';
    const lines: string[] = [];
    // Labels only where they fit (about 7 px per character at 12 px).
    if (box.w > 40 && box.h > 18) {
      const maxChars = Math.floor((box.w - 8) / 7);
      const cut = (s: string): string =>
        s.length > maxChars ? `${s.slice(0, Math.max(maxChars - 1, 1))}…` : s;
      lines.push(
        `<text x="${fixed(box.x + 4)}" y="${fixed(box.y + 15)}" class="l">${escapeHtml(cut(label))}</text>`,
      );
      const size = formatBytes(box.value);
      if (box.h > 34 && size.length <= maxChars)
        lines.push(
          `<text x="${fixed(box.x + 4)}" y="${fixed(box.y + 30)}" class="s">${escapeHtml(size)}</text>`,
        );
    }
    return (
      `<g class="box"><rect ${attr} x="${fixed(box.x)}" y="${fixed(box.y)}" width="${fixed(box.w)}" height="${fixed(box.h)}" fill="${fill}">` +
      `<title>${escapeHtml(title)}</title></rect>${lines.join('')}</g>`
    );
  });
  return `<svg id="treemap" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Installed size by wheel">${boxes.join('\n')}</svg>`;
}

function cell(value: string | number, sortKey?: number): string {
  const key = sortKey !== undefined ? ` data-v="${sortKey}"` : '';
  return `<td${key}${sortKey !== undefined ? ' class="n"' : ''}>${escapeHtml(String(value))}</td>`;
}

function sizeCells(s: SizeReport): string {
  return (
    cell(formatBytes(s.pex_bytes), s.pex_bytes) +
    cell(formatBytes(s.installed_bytes), s.installed_bytes) +
    cell(s.files, s.files)
  );
}

function targetTable(report: InspectReport, index: number): string {
  const t = report.targets[index];
  if (t === undefined) return '';
  const rows = t.wheels.map(
    (w) =>
      `<tr>${cell(w.name)}${cell(w.version)}${sizeCells(w)}${cell(w.required_by.join(', ') || '-')}</tr>`,
  );
  const foot = [
    `<tr>${cell('first-party')}${cell(report.first_party.projects.join(', '))}${sizeCells(report.first_party)}${cell('')}</tr>`,
    `<tr>${cell('runtime')}${cell('')}${sizeCells(report.runtime)}${cell('')}</tr>`,
    `<tr class="total">${cell('total')}${cell(`${t.totals.wheels} wheels`)}${sizeCells(t.totals)}${cell('')}</tr>`,
  ];
  return (
    `<h2>Target <code>${escapeHtml(t.target)}</code>: ${t.wheels.length} wheel(s)</h2>` +
    `<table class="sortable"><thead><tr><th>wheel</th><th>version</th><th>in PEX</th><th>installed</th><th>files</th><th>required by</th></tr></thead>` +
    `<tbody>${rows.join('\n')}</tbody><tfoot>${foot.join('')}</tfoot></table>`
  );
}

function signed(bytes: number): string {
  return `${bytes > 0 ? '+' : bytes < 0 ? '−' : '±'}${formatBytes(Math.abs(bytes))}`;
}

function diffSection(diff: InspectDiff): string {
  const rows: string[] = [];
  const add = (kind: string, list: DiffEntry[]): void => {
    for (const e of list) {
      const version =
        e.old_version !== null && e.new_version !== null && e.old_version !== e.new_version
          ? `${e.old_version} → ${e.new_version}`
          : (e.new_version ?? e.old_version ?? '');
      rows.push(
        `<tr class="${kind}">${cell(kind)}${cell(e.name)}${cell(version)}${cell(signed(e.delta_installed_bytes), e.delta_installed_bytes)}${cell(signed(e.delta_pex_bytes), e.delta_pex_bytes)}</tr>`,
      );
    }
  };
  add('added', diff.added);
  add('removed', diff.removed);
  add('grown', diff.grown);
  add('shrunk', diff.shrunk);
  add('changed', diff.changed);
  return (
    `<h2>Against <code>${escapeHtml(diff.against)}</code></h2>` +
    `<p>${escapeHtml(signed(diff.size.delta))} on disk (${escapeHtml(formatBytes(diff.size.old))} → ${escapeHtml(formatBytes(diff.size.new))}), ` +
    `${escapeHtml(signed(diff.installed_bytes.delta))} installed; ${diff.unchanged} wheel project(s) unchanged.</p>` +
    (rows.length === 0
      ? '<p>No wheel changed.</p>'
      : `<table class="sortable"><thead><tr><th>change</th><th>wheel</th><th>version</th><th>installed</th><th>in PEX</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`)
  );
}

const STYLE = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1d1d1f;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.meta{color:#555;margin:0 0 16px}.meta code{font-size:12px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:0 0 16px}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:120px}
.card b{display:block;font-size:18px}
svg{width:100%;height:auto;border:1px solid #ccc;background:#fafafa}
.box rect{stroke:#fff;stroke-width:1.5}.box:hover rect{stroke:#222}
text{pointer-events:none;fill:#1d1d1f}.l{font-size:12px;font-weight:600}.s{font-size:11px}
table{border-collapse:collapse;width:100%;margin:0 0 8px}
th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eee}
th{cursor:pointer;background:#f4f4f4;user-select:none}td.n{text-align:right;font-variant-numeric:tabular-nums}
tfoot td{font-weight:600;border-top:1px solid #ccc}
tr.added td:first-child{color:#b00}tr.removed td:first-child{color:#070}
`;

// Sorts a table by the clicked column (numbers by data-v). No data is embedded in the script.
const SCRIPT = `
document.querySelectorAll('table.sortable th').forEach(function(th,i){th.addEventListener('click',function(){
var body=th.closest('table').tBodies[0],rows=Array.prototype.slice.call(body.rows),up=th.dataset.up!=='1';th.dataset.up=up?'1':'0';
rows.sort(function(a,b){var x=a.cells[i],y=b.cells[i],p=x.dataset.v,q=y.dataset.v;
var r=p!==undefined&&q!==undefined?Number(p)-Number(q):x.textContent.localeCompare(y.textContent);return up?-r:r;});
rows.forEach(function(r){body.appendChild(r);});});});
`;

/** The report as one self-contained HTML page. */
export function renderHtml(report: InspectReport): string {
  const p = report.pex;
  const name = p.path.split(/[\\/]/).pop() ?? p.path;
  const t = report.totals;
  const cards = [
    ['on disk', formatBytes(p.size)],
    ['installed', formatBytes(t.installed_bytes)],
    ['wheels', String(t.wheels)],
    ['files', String(t.files)],
    ['first-party', formatBytes(report.first_party.installed_bytes)],
    ['runtime', formatBytes(report.runtime.installed_bytes)],
  ]
    .map(
      ([k, v]) =>
        `<div class="card">${escapeHtml(k as string)}<b>${escapeHtml(v as string)}</b></div>`,
    )
    .join('');
  const entry = p.entry_point ?? (p.script !== null ? `script ${p.script}` : 'none');
  const tables = report.targets.map((_, i) => targetTable(report, i)).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(name)}: pexkit inspect</title>
<style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(name)}</h1>
<p class="meta">${escapeHtml(p.layout)} · pex_hash <code>${escapeHtml(p.pex_hash.slice(0, 16))}</code> · entry point <code>${escapeHtml(entry)}</code> · targets ${escapeHtml(p.targets.join(', ') || '-')}${p.pexkit_version !== null ? ` · pexkit ${escapeHtml(p.pexkit_version)}` : ''}</p>
<div class="cards">${cards}</div>
<h2>Installed size by wheel</h2>
${treemap(report)}
${tables}
${report.diff !== undefined ? diffSection(report.diff) : ''}
<script>${SCRIPT}</script>
</body></html>
`;
}
