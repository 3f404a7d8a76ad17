import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUESTS_WHEELS } from '../pex/test-support/fixtures.js';
import { downloadWheel } from '../wheel/test-support/download.js';
import { renderHtml } from './html.js';
import { inspectPex } from './inspect-pex.js';
import { INSPECT_SCHEMA, type InspectReport } from './report.js';
import { buildTestPex } from './test-support/test-pex.js';

const pkgDir = fileURLToPath(new URL('../..', import.meta.url));
const support = fileURLToPath(new URL('./test-support/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'pexkit-inspect-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function python(script: string, ...args: string[]): string {
  return execFileSync('python3', [join(support, script), ...args], { encoding: 'utf8' });
}

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(pkgDir, 'bin/pexkit.js'), 'inspect', ...args], {
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const OLD_WHEELS = [
  'requests==2.32.3',
  'idna==3.10',
  'certifi==2024.8.30',
  'urllib3==1.26.20',
  'charset-normalizer==3.4.0',
  'six==1.16.0',
];

let current: string;
let old: string;
beforeAll(async () => {
  current = await buildTestPex(work, 'current', REQUESTS_WHEELS);
  old = await buildTestPex(work, 'old', OLD_WHEELS);
});

describe('pexkit inspect', () => {
  it('reports the sizes and file counts Python zipfile sees, per wheel and per part', async () => {
    const report = await inspectPex(current);
    const oracle = JSON.parse(python('zip_sizes.py', current)) as {
      wheels: Record<string, Record<string, number>>;
      first_party: number[];
      runtime: number[];
    };
    expect(Object.keys(oracle.wheels)).toHaveLength(5);
    for (const w of report.wheels) {
      expect(
        {
          pex_bytes: w.pex_bytes,
          wheel_bytes: w.wheel_bytes,
          files: w.files,
          installed_bytes: w.installed_bytes,
        },
        w.file,
      ).toEqual(oracle.wheels[w.file]);
    }
    expect(report.wheels.map((w) => w.file).sort()).toEqual(Object.keys(oracle.wheels).sort());
    const part = (p: { files: number; pex_bytes: number; installed_bytes: number }) => [
      p.files,
      p.pex_bytes,
      p.installed_bytes,
    ];
    expect(part(report.first_party)).toEqual(oracle.first_party);
    expect(part(report.runtime)).toEqual(oracle.runtime);
    expect(report.pex.size).toBe(readFileSync(current).length);
    const t = report.targets[0];
    expect(t?.target).toBe('current');
    expect(t?.totals.installed_bytes).toBe(
      Object.values(oracle.wheels).reduce((a, w) => a + (w.installed_bytes as number), 0) +
        (oracle.first_party[2] as number) +
        (oracle.runtime[2] as number),
    );
  });

  it('says which project pulled each wheel in (edges recorded in PEX-INFO at build time)', async () => {
    const report = await inspectPex(current);
    expect(report.pex.per_target).toBe(true);
    const by = Object.fromEntries(
      (report.targets[0]?.wheels ?? []).map((w) => [w.name, w.required_by]),
    );
    expect(by).toEqual({
      certifi: ['requests'],
      'charset-normalizer': ['requests'],
      idna: ['requests'],
      requests: ['hello-app'],
      urllib3: ['requests'],
    });
    expect(report.first_party.projects).toEqual(['hello-app']);
    expect(report.first_party.top_level.map((t) => t.name)).toContain('hello_app/');
  });

  it('diffs against an older PEX: added, removed, grown or shrunk, with sizes', async () => {
    const [now, before] = await Promise.all([inspectPex(current), inspectPex(old)]);
    const report = await inspectPex(current, { against: old });
    const diff = report.diff;
    expect(diff?.against).toBe(old);
    expect(diff?.added).toEqual([]);
    expect(diff?.removed.map((e) => [e.name, e.old_version, e.new_version])).toEqual([
      ['six', '1.16.0', null],
    ]);
    const size = (r: InspectReport, name: string) =>
      r.wheels.find((w) => w.name === name)?.installed_bytes ?? 0;
    const delta = size(now, 'urllib3') - size(before, 'urllib3');
    expect(delta).not.toBe(0);
    const moved = [...(diff?.grown ?? []), ...(diff?.shrunk ?? [])];
    expect(
      moved.map((e) => [e.name, e.old_version, e.new_version, e.delta_installed_bytes]),
    ).toEqual([['urllib3', '1.26.20', '2.2.3', delta]]);
    expect((delta > 0 ? diff?.grown : diff?.shrunk)?.[0]?.name).toBe('urllib3');
    expect(diff?.removed[0]?.delta_installed_bytes).toBe(-size(before, 'six'));
    expect(diff?.unchanged).toBe(4);
    expect(diff?.size).toEqual({
      old: before.pex.size,
      new: now.pex.size,
      delta: now.pex.size - before.pex.size,
    });
    // And the other way round: six is added.
    const back = (await inspectPex(old, { against: current })).diff;
    expect(back?.added.map((e) => e.name)).toEqual(['six']);
  });

  it('prints a documented JSON shape (--json) and writes the same to --json-file', () => {
    const file = join(work, 'report.json');
    const r = cli(current, '--json', '--json-file', file);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(report);
    expect(report['schema']).toBe(INSPECT_SCHEMA);
    expect(Object.keys(report).sort()).toEqual([
      'first_party',
      'pex',
      'runtime',
      'schema',
      'targets',
      'totals',
      'wheels',
    ]);
    const typed = report as unknown as InspectReport;
    expect(Object.keys(typed.pex).sort()).toEqual([
      'entry_point',
      'interpreter_constraints',
      'layout',
      'path',
      'per_target',
      'pex_hash',
      'pexkit_version',
      'script',
      'size',
      'targets',
    ]);
    expect(Object.keys(typed.wheels[0] ?? {}).sort()).toEqual(
      [
        'files',
        'installed_bytes',
        'name',
        'pex_bytes',
        'sha256',
        'targets',
        'version',
        'wheel_bytes',
        'file',
      ].sort(),
    );
    expect(Object.keys(typed.targets[0] ?? {}).sort()).toEqual(['target', 'totals', 'wheels']);
    expect(Object.keys(typed.targets[0]?.wheels[0] ?? {}).sort()).toEqual(
      ['file', 'files', 'installed_bytes', 'name', 'pex_bytes', 'required_by', 'version'].sort(),
    );
    expect(Object.keys(typed.totals).sort()).toEqual([
      'files',
      'installed_bytes',
      'pex_bytes',
      'wheels',
    ]);
    const withDiff = JSON.parse(cli(current, '--json', '--against', old).stdout) as InspectReport;
    expect(Object.keys(withDiff.diff ?? {}).sort()).toEqual([
      'added',
      'against',
      'against_pex_hash',
      'changed',
      'first_party',
      'grown',
      'installed_bytes',
      'removed',
      'runtime',
      'shrunk',
      'size',
      'unchanged',
    ]);
  });

  it('prints a table per target with totals, and the diff', () => {
    const r = cli(current, '--against', old);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Target current: 5 wheel\(s\)$/m);
    expect(r.stdout).toMatch(/^ {2}urllib3 +2\.2\.3 +[\d.]+ kB +[\d.]+ kB +\d+ +requests$/m);
    expect(r.stdout).toMatch(/^ {2}first-party +hello-app /m);
    expect(r.stdout).toMatch(/^ {2}removed +six +1\.16\.0 +-[\d.]+ kB installed/m);
    expect(r.stdout).toMatch(/^Total: /m);
  });

  it('still inspects a PEX from before target_wheels: every wheel, requirers from the edges', async () => {
    const older = join(work, 'older.pex');
    python('rewrite_pex.py', current, older, 'drop-target-wheels');
    const [report, now] = await Promise.all([inspectPex(older), inspectPex(current)]);
    expect(report.pex.per_target).toBe(false);
    expect(report.targets.map((t) => t.target)).toEqual(['current']);
    // The same requirers here (no markers in these edges), from PEX-INFO's projects.
    // (pex_bytes aside: Python's zipfile compressed the copy again.)
    const strip = (r: InspectReport) => r.targets[0]?.wheels.map((w) => ({ ...w, pex_bytes: 0 }));
    expect(strip(report)).toEqual(strip(now));
    expect(cli(older).stdout).toContain('PEX-INFO has no target_wheels');
  });

  it('reads the packed layout (a directory) with the same wheel sizes', async () => {
    const packed = await buildTestPex(work, 'packed', REQUESTS_WHEELS, 'packed');
    const [zipapp, dir] = await Promise.all([inspectPex(current), inspectPex(packed)]);
    expect(dir.pex.layout).toBe('packed');
    const strip = (r: InspectReport) =>
      r.wheels.map((w) => [w.file, w.files, w.installed_bytes, w.wheel_bytes]);
    expect(strip(dir)).toEqual(strip(zipapp));
    expect(dir.targets[0]?.wheels.map((w) => w.required_by)).toEqual(
      zipapp.targets[0]?.wheels.map((w) => w.required_by),
    );
    expect(dir.runtime.installed_bytes).toBe(zipapp.runtime.installed_bytes);
  });
});

describe('pexkit inspect on bad input', () => {
  const fails = (path: string, pattern: RegExp) => {
    const r = cli(path);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    // One line, naming the file.
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`pexkit inspect: ${path}`);
    expect(r.stderr).toMatch(pattern);
  };

  it('refuses a file that is not a zip, a missing file and a zip that is not a PEX', () => {
    const text = join(work, 'notes.pex');
    writeFileSync(text, 'just text\n');
    fails(text, /not a zip file/);
    fails(join(work, 'missing.pex'), /no such file/);
    fails(downloadWheel('idna==3.10', 'pure'), /no PEX-INFO/);
  });

  it('refuses a symlink inside a packed PEX, and a report written over the PEX', async () => {
    const packed = await buildTestPex(work, 'packed-link', REQUESTS_WHEELS, 'packed');
    symlinkSync('/etc/passwd', join(packed, 'evil.py'));
    fails(packed, /evil\.py is not a regular file or directory \(a symlink\?\)/);
    const r = cli(current, '--html', current);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--html .* would overwrite the PEX it reports on/);
    expect(readFileSync(current).subarray(0, 2).toString()).toBe('#!');
  });

  it('refuses a PEX built by pex, saying so', () => {
    const pexBuilt = join(work, 'by-pex.pex');
    execFileSync(join(pkgDir, '../../.venv-tools/bin/pex'), ['-o', pexBuilt], { stdio: 'ignore' });
    fails(pexBuilt, /not a PEX built by pexkit \(pex-built PEXes are not supported\)/);
  });

  it('refuses a truncated PEX', () => {
    const cut = join(work, 'cut.pex');
    const bytes = readFileSync(current);
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    fails(cut, /not a zip file|end of central directory|central directory/);
  });

  it('refuses a PEX-INFO that does not match its pex_hash, and a wheel that does not match its sha256', () => {
    const tampered = join(work, 'tampered.pex');
    python('rewrite_pex.py', current, tampered, 'tamper-info');
    fails(tampered, /PEX-INFO does not match its pex_hash/);
    const grown = join(work, 'grown.pex');
    const idna = 'idna-3.10-py3-none-any.whl';
    python('rewrite_pex.py', current, grown, 'grow-wheel', idna);
    fails(
      grown,
      new RegExp(`\\.deps/${idna.replace(/\./g, '\\.')} has sha256 [0-9a-f]{64}, PEX-INFO says`),
    );
  });

  it('refuses a PEX with a wheel PEX-INFO does not list', () => {
    const extra = join(work, 'extra.pex');
    python('rewrite_pex.py', current, extra, 'extra-wheel', 'evil-1.0-py3-none-any.whl');
    fails(extra, /\.deps\/evil-1\.0-py3-none-any\.whl is not listed in PEX-INFO distributions/);
  });

  it('escapes hostile names in the HTML page', async () => {
    const hostile = join(work, 'hostile.pex');
    python('rewrite_pex.py', current, hostile, 'hostile-names');
    const report = await inspectPex(hostile);
    expect(report.first_party.projects[0]).toBe('<img src=x onerror="alert(1)">');
    const html = renderHtml(report);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('</script><script>');
    expect(html).toContain('&#60;img src=x onerror=&#34;alert(1)&#34;&#62;');
    // Exactly the one inline script pexkit writes.
    expect(html.match(/<script>/g)).toHaveLength(1);
  });
});
