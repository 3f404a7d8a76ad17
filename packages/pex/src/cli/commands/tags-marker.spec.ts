import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compatibleTags } from '../../tags/compatible.js';
import { completePlatformFromTarget } from '../../targets/complete-platform.js';
import { parseTarget } from '../../targets/target.js';
import { toolsPython } from '../../testing/python-tools.js';

const cli = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

describe('pexkit tags / pexkit marker', () => {
  it('prints the ordered tags of an abbreviated target', () => {
    const result = run('tags', 'musllinux_1_2_aarch64-cp-313-cp313');
    expect(result.status).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toEqual(
      compatibleTags(parseTarget('musllinux_1_2_aarch64-cp-313-cp313')),
    );
  });

  it('prints the tags of a complete platform file verbatim', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pexkit-cli-'));
    const file = join(dir, 'win.json');
    const json = completePlatformFromTarget(parseTarget('win_arm64-cp-311-cp311'));
    writeFileSync(file, JSON.stringify(json));
    const result = run('tags', file);
    expect(result.status).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toEqual(json.compatible_tags);
    expect(run('tags', '--complete-platform', file).stdout).toBe(result.stdout);
  });

  it('writes a complete platform with --json that reads back to the same tags', () => {
    const result = run('tags', '--json', 'manylinux_2_28_aarch64-pp-310-pypy310_pp73');
    expect(result.status).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'pexkit-cli-'));
    const file = join(dir, 'pypy.json');
    writeFileSync(file, result.stdout);
    expect(run('tags', file).stdout.trimEnd().split('\n')).toEqual(
      compatibleTags(parseTarget('manylinux_2_28_aarch64-pp-310-pypy310_pp73')),
    );
    const parsed = JSON.parse(result.stdout) as { marker_environment: Record<string, string> };
    expect(parsed.marker_environment['implementation_name']).toBe('pypy');
  });

  it('prints exactly sys_tags() of a real interpreter for `current`', () => {
    const python = toolsPython();
    const result = run('tags', 'current', '--python', python);
    expect(result.status).toBe(0);
    const expected = execFileSync(
      python,
      ['-c', 'from packaging import tags; print("\\n".join(map(str, tags.sys_tags())))'],
      {
        encoding: 'utf8',
      },
    );
    expect(result.stdout).toBe(expected);
    expect(
      run('marker', 'python_version == "3.11"', '--target', 'current', '--python', python).stdout,
    ).toBe('true\n');
  });

  it('explains a bad target and bad usage', () => {
    const bad = run('tags', 'manylinux2014_x86_64-cp-311');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('Invalid target "manylinux2014_x86_64-cp-311"');
    expect(bad.stderr).toContain('<platform>-<impl>-<version>-<abi>');
    expect(run('tags').status).toBe(1);
    expect(run('tags', '--bogus', 'x').stderr).toContain('bogus');
  });

  it('evaluates markers on a target', () => {
    const yes = run(
      'marker',
      'sys_platform == "win32" and platform_machine == "ARM64"',
      '--target',
      'win_arm64-cp-311-cp311',
    );
    expect(yes.status).toBe(0);
    expect(yes.stdout).toBe('true\n');
    const no = run(
      'marker',
      'python_version < "3.9"',
      '--target',
      'macosx_11_0_arm64-cp-312-cp312',
    );
    expect(no.stdout).toBe('false\n');
    const extra = run(
      'marker',
      'extra == "test"',
      '--target',
      'win32-cp-38-cp38',
      '--extra',
      'test',
    );
    expect(extra.stdout).toBe('true\n');
  });

  it('names an unknown marker variable and suggests --complete-platform', () => {
    const result = run(
      'marker',
      'platform_release >= "6"',
      '--target',
      'manylinux2014_x86_64-cp-311-cp311',
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('platform_release');
    expect(result.stderr).toContain('--complete-platform');
  });
});
