import { describe, expect, it } from 'vitest';
import type { PexFacts, WheelFacts } from './read-pex.js';
import { buildReport } from './report.js';
import { diffReports } from './diff.js';
import { formatReport } from './format-text.js';

const CP39 = 'manylinux2014_x86_64-cp-39-cp39';
const CP312 = 'manylinux2014_x86_64-cp-312-cp312';

function wheel(file: string, installedBytes: number, files = 3): WheelFacts {
  return {
    file,
    sha256: file.length.toString(16).padStart(64, '0'),
    files,
    pexBytes: Math.round(installedBytes / 3),
    installedBytes,
    wheelBytes: Math.round(installedBytes / 2.5),
  };
}

/** A PEX built for two targets that need different versions of click. */
function facts(wheels: WheelFacts[], targetWheels?: Record<string, Record<string, string[]>>) {
  const part = { files: 2, pexBytes: 100, installedBytes: 300 };
  const f: PexFacts = {
    path: 'dist/app.pex',
    layout: 'zipapp',
    size: 12_345,
    info: {
      pexHash: 'a'.repeat(64),
      entryPoint: 'app:main',
      script: null,
      pexkitVersion: '0.1.0',
      interpreterConstraints: ['>=3.9'],
      distributions: Object.fromEntries(wheels.map((w) => [w.file, w.sha256])),
      projects: {
        click: [
          { version: '8.5.1', requires: [], wheels: ['click-8.5.1-py3-none-any.whl'] },
          {
            version: '8.1.8',
            requires: ["importlib-metadata; python_version < '3.10'"],
            wheels: ['click-8.1.8-py3-none-any.whl'],
          },
        ],
        'importlib-metadata': [
          { version: '8.5.0', requires: [], wheels: ['importlib_metadata-8.5.0-py3-none-any.whl'] },
        ],
      },
      requirements: ['click'],
      firstParty: ['app'],
      targets: [CP39, CP312],
      targetWheels,
    },
    wheels,
    firstParty: { ...part, topLevel: { 'app/': part } },
    runtime: { files: 10, pexBytes: 30_000, installedBytes: 90_000 },
    pexInfoBytes: 900,
  };
  return f;
}

const WHEELS = [
  wheel('click-8.1.8-py3-none-any.whl', 400_000),
  wheel('click-8.5.1-py3-none-any.whl', 450_000),
  wheel('importlib_metadata-8.5.0-py3-none-any.whl', 80_000),
];
const TARGET_WHEELS = {
  // Sorted keys, as in PEX-INFO: the report keeps the build's target order (cp39 first).
  [CP312]: { 'click-8.5.1-py3-none-any.whl': ['app'] },
  [CP39]: {
    'click-8.1.8-py3-none-any.whl': ['app'],
    'importlib_metadata-8.5.0-py3-none-any.whl': ['click'],
  },
};

describe('the inspect report', () => {
  it('lists per target the wheels it uses, who pulled them in, and its own totals', () => {
    const report = buildReport(facts(WHEELS, TARGET_WHEELS));
    expect(report.pex.per_target).toBe(true);
    expect(report.targets.map((t) => [t.target, t.wheels.map((w) => w.file)])).toEqual([
      [CP39, ['click-8.1.8-py3-none-any.whl', 'importlib_metadata-8.5.0-py3-none-any.whl']],
      [CP312, ['click-8.5.1-py3-none-any.whl']],
    ]);
    expect(report.targets[0]?.wheels[1]).toMatchObject({
      name: 'importlib-metadata',
      version: '8.5.0',
      required_by: ['click'],
    });
    // Target totals: its wheels + first-party (300) + runtime (90,000).
    expect(report.targets[0]?.totals).toEqual({
      wheels: 2,
      files: 3 + 3 + 2 + 10,
      pex_bytes: 133_333 + 26_667 + 100 + 30_000,
      installed_bytes: 400_000 + 80_000 + 300 + 90_000,
    });
    expect(report.targets[1]?.totals.installed_bytes).toBe(450_000 + 300 + 90_000);
    // Over the PEX: every wheel file once; pex_bytes is the file's size.
    expect(report.totals).toEqual({
      wheels: 3,
      files: 9 + 2 + 10,
      pex_bytes: 12_345,
      installed_bytes: 930_000 + 300 + 90_000,
    });
    expect(report.wheels.map((w) => [w.name, w.version, w.targets])).toEqual([
      ['click', '8.1.8', [CP39]],
      ['click', '8.5.1', [CP312]],
      ['importlib-metadata', '8.5.0', [CP39]],
    ]);
    const text = formatReport(report);
    expect(text).toContain(`Target ${CP39}: 2 wheel(s)`);
    expect(text).toContain(`Target ${CP312}: 1 wheel(s)`);
  });

  it('without target_wheels: every target lists every wheel, requirers from the unevaluated edges', () => {
    const report = buildReport(facts(WHEELS));
    expect(report.pex.per_target).toBe(false);
    for (const t of report.targets) expect(t.wheels).toHaveLength(3);
    expect(
      report.targets[0]?.wheels.map((w) => [w.file.split('-')[0], w.version, w.required_by]),
    ).toEqual([
      ['click', '8.1.8', ['app']],
      ['click', '8.5.1', ['app']],
      ['importlib_metadata', '8.5.0', ['click']],
    ]);
  });

  it('refuses target_wheels naming a wheel the PEX does not hold', () => {
    const bad = { ...TARGET_WHEELS, [CP312]: { 'six-1.16.0-py2.py3-none-any.whl': ['app'] } };
    expect(() => buildReport(facts(WHEELS, bad))).toThrow(
      /dist\/app\.pex: PEX-INFO target_wheels names six-1\.16\.0-py2\.py3-none-any\.whl for manylinux2014_x86_64-cp-312-cp312, which is not in \.deps\//,
    );
  });

  it('diffs by project: a version bump of one project is one grown or shrunk entry', () => {
    const before = buildReport(facts(WHEELS.slice(0, 1).concat(WHEELS.slice(2))));
    const after = buildReport(facts(WHEELS.slice(1)));
    const diff = diffReports(after, before);
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.grown).toEqual([
      {
        name: 'click',
        old_version: '8.1.8',
        new_version: '8.5.1',
        old_pex_bytes: 133_333,
        new_pex_bytes: 150_000,
        old_installed_bytes: 400_000,
        new_installed_bytes: 450_000,
        delta_pex_bytes: 16_667,
        delta_installed_bytes: 50_000,
      },
    ]);
    expect(diff.unchanged).toBe(1);
    expect(diffReports(before, after).shrunk.map((e) => e.delta_installed_bytes)).toEqual([
      -50_000,
    ]);
  });
});
