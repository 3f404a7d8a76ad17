/**
 * planBuild with extras and dependency groups asked for by name, on the uv workspace of
 * lock/test-fixtures/uv-conflicts (made by uv: conflicting `cpu` / `gpu` extras pinning
 * `mytorch` to two local flat indexes, groups). Downloads the PyPI wheels once (cached).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planBuild } from './plan.js';

const APP = join(dirname(fileURLToPath(import.meta.url)), '../lock/test-fixtures/uv-conflicts');
const MAC = 'macosx_11_0_arm64-cp-312-cp312';

describe('planBuild: extras and groups by name (uv conflicts fixture)', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'plan-groups-'));

  it('takes mytorch from the index of the requested extra, and the requested group', async () => {
    const plan = await planBuild({
      project: APP,
      targets: [MAC],
      extras: ['cpu'],
      groups: ['lint'],
      cacheDir,
      progress: 'none',
    });
    expect(plan.projects.map((p) => `${p.name}==${p.version}`).sort()).toEqual([
      'certifi==2026.10.19.post1',
      'idna==3.20',
      'mytorch==1.0.0',
      'myvision==1.0.0',
      'packaging==26.3',
      'six==1.17.0',
      'typing-extensions==4.16.0',
    ]);
    const torch = plan.projects.find((p) => p.name === 'mytorch');
    const cpuWheel = readFileSync(join(APP, '../idx/cpu/mytorch-1.0.0-py3-none-any.whl'));
    expect(torch?.wheels[0]?.sha256).toBe(createHash('sha256').update(cpuWheel).digest('hex'));
  }, 240_000);

  it('refuses conflicting extras, and a group the project does not define', async () => {
    await expect(
      planBuild({ project: APP, targets: [MAC], extras: ['cpu', 'gpu'], cacheDir }),
    ).rejects.toThrow("extra 'cpu' of 'app' and extra 'gpu' of 'app' conflict");
    await expect(
      planBuild({ project: APP, targets: [MAC], groups: ['tests'], cacheDir }),
    ).rejects.toThrow(
      "dependency-groups: no group 'tests' in app (groups: dev, docs-new, docs-old, lint)",
    );
  });

  it("refuses an sdist build on a target the lock's required-markers promise wheels for", async () => {
    const text = readFileSync(join(APP, 'uv.lock'), 'utf8');
    const noIdnaWheel = text.replace(/(name = "idna"[^[]*?)wheels = \[\n[^\]]*\]\n/, '$1');
    expect(noIdnaWheel).not.toBe(text);
    const lock = join(mkdtempSync(join(tmpdir(), 'plan-required-')), 'uv.lock');
    writeFileSync(lock, noIdnaWheel);
    const plan = (target: string) =>
      planBuild({
        project: APP,
        lock,
        targets: [target],
        cacheDir,
        offline: true,
        progress: 'none',
      });
    await expect(plan('manylinux2014_x86_64-cp-311-cp311')).rejects.toThrow(
      `idna 3.20: no wheel in the lock fits target manylinux2014_x86_64-cp-311-cp311, which the lock's required-markers ("platform_machine == 'x86_64' and sys_platform == 'linux'") promise wheels for`,
    );
  });
});
