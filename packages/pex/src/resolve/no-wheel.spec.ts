import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LockArtifact } from '../lock/model.js';
import { parseTarget } from '../targets/target.js';
import { explainNoWheel, NO_WHEEL_LINES } from './no-wheel.js';
import { planBuild } from './plan.js';
import { NoCompatibleWheelError, selectArtifact } from './select.js';

/** The 60 wheel files of MarkupSafe 3.0.2 on PyPI. */
function markupsafeWheels(): string[] {
  const files: string[] = [];
  for (const [py, abi] of [
    ['cp39', 'cp39'],
    ['cp310', 'cp310'],
    ['cp311', 'cp311'],
    ['cp312', 'cp312'],
    ['cp313', 'cp313'],
    ['cp313', 'cp313t'],
  ]) {
    const mac = ['cp39', 'cp310', 'cp311'].includes(py as string) ? '10_9' : '10_13';
    for (const platform of [
      `macosx_${mac}_universal2`,
      'macosx_11_0_arm64',
      'manylinux_2_17_aarch64.manylinux2014_aarch64',
      'manylinux_2_17_x86_64.manylinux2014_x86_64',
      'manylinux_2_5_i686.manylinux1_i686.manylinux_2_17_i686.manylinux2014_i686',
      'musllinux_1_2_aarch64',
      'musllinux_1_2_i686',
      'musllinux_1_2_x86_64',
      'win32',
      'win_amd64',
    ])
      files.push(`MarkupSafe-3.0.2-${py}-${abi}-${platform}.whl`);
  }
  return files;
}

const wheel = (filename: string): LockArtifact => ({
  kind: 'wheel',
  filename,
  url: `https://files.example/${filename}`,
});

function noWheelMessage(target: string, options: { verbose?: boolean } = {}): string {
  try {
    selectArtifact(
      { name: 'markupsafe', version: '3.0.2', wheels: markupsafeWheels().map(wheel) },
      parseTarget(target),
      undefined,
      options,
    );
  } catch (error) {
    expect(error).toBeInstanceOf(NoCompatibleWheelError);
    return (error as Error).message;
  }
  throw new Error(`a wheel fits ${target}`);
}

describe('no-wheel errors a person can read', () => {
  it('shows the near miss first: a macOS 10.13 wheel for a 10.12 target', () => {
    const message = noWheelMessage('macosx_10_12_x86_64-cp-312-cp312');
    const lines = message.split('\n');
    expect(lines[0]).toBe(
      'No wheel of markupsafe 3.0.2 fits target macosx_10_12_x86_64-cp-312-cp312:',
    );
    expect(lines[1]).toBe(
      '  MarkupSafe-3.0.2-cp312-cp312-macosx_10_13_universal2.whl: needs macOS 10.13, target is 10.12',
    );
    // A few lines per package, not every tag of every file (the old message was ~10 KB).
    expect(lines.length).toBeLessThanOrEqual(NO_WHEEL_LINES + 2);
    expect(message.length).toBeLessThan(1500);
    expect(lines.at(-2)).toMatch(
      /^ {2}… and \d+ more files further from the target \(--verbose lists them all\)$/,
    );
    // The next closest: other CPythons' macOS wheels, before other architectures and OSes.
    expect(lines.slice(2, 5).join('\n')).toMatch(
      /macosx_10_9_universal2\.whl: for CPython 3\.11, target is CPython 3\.12/,
    );
    expect(message).not.toContain('win_amd64');
  });

  it('lists every file with its reason behind --verbose', () => {
    const lines = noWheelMessage('macosx_10_12_x86_64-cp-312-cp312', { verbose: true }).split('\n');
    expect(lines.filter((l) => l.startsWith('  MarkupSafe-'))).toHaveLength(60);
    expect(lines).toContain(
      '  MarkupSafe-3.0.2-cp312-cp312-win_amd64.whl: for Windows (win_amd64)',
    );
    expect(lines).toContain(
      '  MarkupSafe-3.0.2-cp312-cp312-macosx_11_0_arm64.whl: for arm64, target is x86_64',
    );
  });

  it('names the C library, the interpreter family and the ABI that are off', () => {
    const first = (target: string) => noWheelMessage(target).split('\n')[1];
    expect(first('manylinux2010_x86_64-cp-312-cp312')).toBe(
      '  MarkupSafe-3.0.2-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl: needs glibc 2.17, target has 2.12',
    );
    expect(first('musllinux_1_1_x86_64-cp-312-cp312')).toBe(
      '  MarkupSafe-3.0.2-cp312-cp312-musllinux_1_2_x86_64.whl: needs musl 1.2, target has 1.1',
    );
    expect(first('manylinux2014_x86_64-pp-39-pypy39_pp73')).toBe(
      '  MarkupSafe-3.0.2-cp39-cp39-manylinux_2_17_x86_64.manylinux2014_x86_64.whl: for CPython 3.9, target is PyPy 3.9',
    );
    expect(first('manylinux2014_x86_64-cp-38-cp38')).toMatch(
      /^ {2}MarkupSafe-3\.0\.2-cp39-cp39-manylinux_2_17_x86_64\.manylinux2014_x86_64\.whl: for CPython 3\.9, target is CPython 3\.8$/,
    );
    expect(
      explainNoWheel(
        [{ filename: 'cryptography-44.0.0-cp39-abi3-manylinux_2_28_x86_64.whl' }],
        parseTarget('manylinux_2_28_x86_64-cp-38-cp38'),
      ),
    ).toEqual([
      'cryptography-44.0.0-cp39-abi3-manylinux_2_28_x86_64.whl: needs CPython 3.9+ (abi3), target is CPython 3.8',
    ]);
    expect(
      explainNoWheel(
        [{ filename: 'demo-1.0-py3-none-any.whl', requiresPython: '>=3.10' }],
        parseTarget('manylinux2014_x86_64-cp-39-cp39'),
      ),
    ).toEqual(['demo-1.0-py3-none-any.whl: requires Python >=3.10, target is 3.9']);
  });

  it('reports every package without a wheel at once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'no-wheel-plan-'));
    mkdirSync(join(root, 'app'));
    writeFileSync(
      join(root, 'app', 'pyproject.toml'),
      '[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.9"\ndependencies = ["markupsafe", "pyyaml"]\n',
    );
    const wheels = (files: string[]) =>
      files
        .map(
          (f) =>
            `  { url = "https://files.example/${f}", hash = "sha256:${'a'.repeat(64)}", size = 1 },`,
        )
        .join('\n');
    writeFileSync(
      join(root, 'app', 'uv.lock'),
      `version = 1\nrequires-python = ">=3.9"\n\n` +
        `[[package]]\nname = "app"\nversion = "1.0"\nsource = { virtual = "." }\n` +
        `dependencies = [{ name = "markupsafe" }, { name = "pyyaml" }]\n\n` +
        `[[package]]\nname = "markupsafe"\nversion = "3.0.2"\nsource = { registry = "https://pypi.org/simple" }\n` +
        `wheels = [\n${wheels(markupsafeWheels())}\n]\n\n` +
        `[[package]]\nname = "pyyaml"\nversion = "6.0.2"\nsource = { registry = "https://pypi.org/simple" }\n` +
        `wheels = [\n${wheels(['PyYAML-6.0.2-cp312-cp312-macosx_11_0_arm64.whl', 'PyYAML-6.0.2-cp312-cp312-win_amd64.whl'])}\n]\n`,
    );
    const cacheDir = mkdtempSync(join(tmpdir(), 'no-wheel-cache-'));
    const failure = await planBuild({
      project: join(root, 'app'),
      targets: ['macosx_10_12_x86_64-cp-312-cp312'],
      cacheDir,
      offline: true,
      progress: 'none',
    }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toMatch(
      /^2 packages have no usable wheel for a target:\n\nNo wheel of markupsafe 3\.0\.2 fits/,
    );
    expect(failure?.message).toContain(
      'No wheel of pyyaml 6.0.2 fits target macosx_10_12_x86_64-cp-312-cp312:\n  PyYAML-6.0.2-cp312-cp312-macosx_11_0_arm64.whl: for arm64, target is x86_64\n',
    );
    expect(failure?.message.length).toBeLessThan(2500);
  });
});
