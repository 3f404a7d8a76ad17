import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compatibleTags, wheelSupportScore } from '../tags/compatible.js';
import { toolsBin, toolsPython } from '../testing/python-tools.js';
import {
  completePlatformFromTarget,
  loadCompletePlatform,
  targetFromCompletePlatform,
} from './complete-platform.js';
import { InvalidTarget, parseTarget } from './target.js';

describe('complete platforms', () => {
  it('reads the file pex3 writes on a real interpreter and keeps its tag order', async () => {
    const json = execFileSync(toolsBin('pex3'), ['interpreter', 'inspect', '--markers', '--tags'], {
      encoding: 'utf8',
    });
    const dir = mkdtempSync(join(tmpdir(), 'pexkit-complete-'));
    const file = join(dir, 'linux.json');
    writeFileSync(file, json);
    const parsed = JSON.parse(json) as {
      compatible_tags: string[];
      marker_environment: Record<string, string>;
    };
    const target = await loadCompletePlatform(file);
    expect(target.source).toBe(file);
    expect(compatibleTags(target)).toEqual(parsed.compatible_tags);
    expect(target.implementation).toBe('cp');
    expect(target.pythonVersion).toEqual([3, 11]);
    expect(target.abis[0]).toBe('cp311');
    expect(target.markerEnvironment.platform_release).toBe(
      parsed.marker_environment['platform_release'],
    );
    expect(target.unknownMarkers).toEqual([]);
    expect(target.platforms).toContain('linux_x86_64');
    expect(wheelSupportScore(['cp311-cp311-manylinux_2_17_x86_64'], target)).toBeDefined();
  });

  it('writes a file pex itself resolves a foreign-platform wheel with (PyPI)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pexkit-complete-'));
    const file = join(dir, 'win.json');
    writeFileSync(
      file,
      JSON.stringify(completePlatformFromTarget(parseTarget('win_amd64-cp-311-cp311'))),
    );
    const pexFile = join(dir, 'markupsafe.pex');
    execFileSync(
      toolsBin('pex'),
      [
        '--complete-platform',
        file,
        'markupsafe==2.1.5',
        '-o',
        pexFile,
        '--pex-root',
        join(dir, 'pex-root'),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const info = execFileSync(
      toolsPython(),
      [
        '-c',
        'import json,sys,zipfile; print(zipfile.ZipFile(sys.argv[1]).read("PEX-INFO").decode())',
        pexFile,
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(
      Object.keys((JSON.parse(info) as { distributions: Record<string, string> }).distributions),
    ).toEqual(['MarkupSafe-2.1.5-cp311-cp311-win_amd64.whl']);
  }, 180_000);

  it('round-trips an abbreviated target through the JSON form', () => {
    const abbreviated = parseTarget('macosx_11_0_arm64-cp-3.12-cp312');
    const json = completePlatformFromTarget(abbreviated);
    expect(json.marker_environment).not.toHaveProperty('platform_release');
    expect(json.compatible_tags[0]).toBe('cp312-cp312-macosx_11_0_arm64');
    const back = targetFromCompletePlatform(JSON.parse(JSON.stringify(json)), 'mac.json');
    expect(compatibleTags(back)).toEqual(compatibleTags(abbreviated));
    expect(back.markerEnvironment).toEqual(abbreviated.markerEnvironment);
    expect(back.unknownMarkers).toEqual(abbreviated.unknownMarkers);
    expect(back.abis).toEqual(['cp312', 'abi3', 'none']);
  });

  it('expands compressed tags and derives the version from the first tag', () => {
    const target = targetFromCompletePlatform(
      {
        marker_environment: {},
        compatible_tags: ['pp310-pypy310_pp73.none-win_amd64', 'py3-none-any'],
      },
      'inline',
    );
    expect(target.compatibleTags).toEqual([
      'pp310-pypy310_pp73-win_amd64',
      'pp310-none-win_amd64',
      'py3-none-any',
    ]);
    expect(target.implementation).toBe('pp');
    expect(target.pythonVersion).toEqual([3, 10]);
  });

  it.each([
    [[], 'expected a JSON object'],
    [{ compatible_tags: ['py3-none-any'] }, '"marker_environment" must be an object'],
    [{ marker_environment: {}, compatible_tags: [] }, 'non-empty array'],
    [{ marker_environment: {}, compatible_tags: ['py3-none'] }, 'compatible_tags[0]'],
    [
      { marker_environment: { os_name: 1 }, compatible_tags: ['py3-none-any'] },
      'marker_environment.os_name',
    ],
    [{ marker_environment: {}, compatible_tags: ['jy27-none-any'] }, 'neither CPython nor PyPy'],
  ])('rejects %j', (json, reason) => {
    expect(() => targetFromCompletePlatform(json, 'bad.json')).toThrow(InvalidTarget);
    expect(() => targetFromCompletePlatform(json, 'bad.json')).toThrow(reason);
    expect(() => targetFromCompletePlatform(json, 'bad.json')).toThrow('bad.json');
  });

  it('builds a target or throws InvalidTarget for any JSON value', () => {
    const tagText = fc.oneof(
      fc.constantFrom(
        'cp311-cp311-win_amd64',
        'py3-none-any',
        'pp310-pypy310_pp73-linux_x86_64',
        'py2.py3-none-any',
      ),
      fc.string(),
    );
    const shaped = fc.record({
      marker_environment: fc.oneof(
        fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.constant(null))),
        fc.anything(),
      ),
      compatible_tags: fc.oneof(fc.array(tagText, { maxLength: 5 }), fc.anything()),
    });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), shaped), (json) => {
        try {
          targetFromCompletePlatform(json, 'random.json');
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidTarget);
          expect((error as Error).message).toContain('random.json');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('names a missing or non-JSON file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pexkit-complete-'));
    await expect(loadCompletePlatform(join(dir, 'nope.json'))).rejects.toThrow(
      /Cannot read complete platform file .*nope\.json/,
    );
    writeFileSync(join(dir, 'junk.json'), '{not json');
    await expect(loadCompletePlatform(join(dir, 'junk.json'))).rejects.toThrow(
      /junk\.json: not JSON/,
    );
  });
});
