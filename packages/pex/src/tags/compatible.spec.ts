import { describe, expect, it } from 'vitest';
import { parseTarget } from '../targets/target.js';
import {
  compatibleTags,
  cpythonAbis,
  cpythonTags,
  genericTags,
  pythonCompatibleTags,
  wheelSupportScore,
} from './compatible.js';
import { parseTag } from './tag.js';

describe('cpythonTags', () => {
  it('lists the ABI, abi3, none, then abi3 back to cp32', () => {
    expect(cpythonTags([3, 5], ['cp35m'], ['linux_x86_64'])).toEqual([
      'cp35-cp35m-linux_x86_64',
      'cp35-abi3-linux_x86_64',
      'cp35-none-linux_x86_64',
      'cp34-abi3-linux_x86_64',
      'cp33-abi3-linux_x86_64',
      'cp32-abi3-linux_x86_64',
    ]);
  });

  it('covers cp38 → cp32 and cp313 → cp32 abi3 ranges', () => {
    const abi3 = (minor: number) =>
      cpythonTags([3, minor], [`cp3${minor}`], ['any']).filter((t) => t.includes('-abi3-'));
    expect(abi3(8)).toHaveLength(7);
    expect(abi3(13)).toHaveLength(12);
    expect(abi3(13).at(-1)).toBe('cp32-abi3-any');
  });

  it('uses abi3t (and no abi3) for free-threaded ABIs', () => {
    const tags = cpythonTags([3, 13], ['cp313t'], ['any']);
    expect(tags.slice(0, 3)).toEqual(['cp313-cp313t-any', 'cp313-abi3t-any', 'cp313-none-any']);
    expect(tags.some((t) => t.includes('-abi3-'))).toBe(false);
  });

  it('drops explicit abi3/none ABIs and re-adds them in their place', () => {
    expect(cpythonTags([3, 11], ['abi3', 'none'], ['any']).slice(0, 3)).toEqual([
      'cp311-abi3-any',
      'cp311-none-any',
      'cp310-abi3-any',
    ]);
  });
});

describe('cpythonAbis', () => {
  it('lets 3.8+ debug builds load release extensions', () => {
    expect(cpythonAbis([3, 11], 'cp311d')).toEqual(['cp311d', 'cp311']);
    expect(cpythonAbis([3, 13], 'cp313td')).toEqual(['cp313td', 'cp313t']);
    expect(cpythonAbis([3, 7], 'cp37dm')).toEqual(['cp37dm']);
    expect(cpythonAbis([3, 12], 'cp312')).toEqual(['cp312']);
  });
});

describe('generic and pure-Python tags', () => {
  it('adds none to generic ABIs', () => {
    expect(genericTags('pp310', ['pypy310_pp73'], ['win_amd64'])).toEqual([
      'pp310-pypy310_pp73-win_amd64',
      'pp310-none-win_amd64',
    ]);
  });

  it('lists pyXY-none-<platform>, <interp>-none-any, pyXY-none-any', () => {
    expect(pythonCompatibleTags([3, 1], 'cp31', ['win32'])).toEqual([
      'py31-none-win32',
      'py3-none-win32',
      'py30-none-win32',
      'cp31-none-any',
      'py31-none-any',
      'py3-none-any',
      'py30-none-any',
    ]);
  });
});

describe('compatibleTags for targets', () => {
  it('starts and ends like sys_tags on a manylinux2014 CPython 3.11', () => {
    const tags = compatibleTags(parseTarget('manylinux2014_x86_64-cp-311-cp311'));
    expect(tags.slice(0, 3)).toEqual([
      'cp311-cp311-linux_x86_64',
      'cp311-cp311-manylinux_2_17_x86_64',
      'cp311-cp311-manylinux2014_x86_64',
    ]);
    expect(tags).toContain('cp37-abi3-manylinux1_x86_64');
    expect(tags.slice(-14, -12)).toEqual(['cp311-none-any', 'py311-none-any']);
    expect(tags.at(-1)).toBe('py30-none-any');
  });

  it('uses pp3-none-any for PyPy', () => {
    const tags = compatibleTags(parseTarget('manylinux2014_x86_64-pp-39-pypy39_pp73'));
    expect(tags[0]).toBe('pp39-pypy39_pp73-linux_x86_64');
    expect(tags).toContain('pp3-none-any');
    expect(tags.some((t) => t.includes('abi3'))).toBe(false);
  });
});

describe('wheelSupportScore', () => {
  const target = parseTarget('manylinux_2_28_x86_64-cp-312-cp312');

  it('ranks native wheels before abi3 before pure Python; undefined when unsupported', () => {
    const native = wheelSupportScore(
      parseTag('cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64'),
      target,
    );
    const abi3 = wheelSupportScore(['cp38-abi3-manylinux_2_17_x86_64'], target);
    const pure = wheelSupportScore(['py2.py3-none-any'], target);
    expect(native).toBeDefined();
    expect(native!).toBeLessThan(abi3!);
    expect(abi3!).toBeLessThan(pure!);
    expect(wheelSupportScore(['cp312-cp312-manylinux_2_34_x86_64'], target)).toBeUndefined();
    expect(wheelSupportScore(['cp312-cp312-win_amd64'], target)).toBeUndefined();
    expect(wheelSupportScore(['cp311-cp311-manylinux_2_17_x86_64'], target)).toBeUndefined();
  });

  it('prefers a newer manylinux over an older one', () => {
    const newer = wheelSupportScore(['cp312-cp312-manylinux_2_28_x86_64'], target)!;
    const older = wheelSupportScore(['cp312-cp312-manylinux1_x86_64'], target)!;
    expect(newer).toBeLessThan(older);
  });
});
