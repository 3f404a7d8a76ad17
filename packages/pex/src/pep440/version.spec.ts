import { describe, expect, it } from 'vitest';
import { PexkitError } from '../errors.js';
import { compareVersions, InvalidVersion, Version } from './version.js';

const norm = (s: string): string => Version.parse(s).toString();

describe('Version.parse / toString', () => {
  it.each([
    ['1.0', '1.0'],
    ['v1.0', '1.0'],
    ['V1.0', '1.0'],
    ['1.0-1', '1.0.post1'],
    ['1.0.a1', '1.0a1'],
    ['1.0_post2', '1.0.post2'],
    ['1.0-post-2', '1.0.post2'],
    ['1.0rev3', '1.0.post3'],
    ['1.0r', '1.0.post0'],
    ['1.0c1', '1.0rc1'],
    ['1.0pre1', '1.0rc1'],
    ['1.0preview', '1.0rc0'],
    ['1.0ALPHA2', '1.0a2'],
    ['1.0Beta', '1.0b0'],
    ['1.0.DEV', '1.0.dev0'],
    ['1.0a-', '1.0a0'],
    ['1.0a--1', '1.0a0.post1'],
    ['1!2.0', '1!2.0'],
    ['0!1.0', '1.0'],
    ['00.01.002', '0.1.2'],
    ['1.0+AbC.01', '1.0+abc.1'],
    ['1.0+a-b_c', '1.0+a.b.c'],
    [' 1.0\n', '1.0'],
    ['\u00a01.0\u3000', '1.0'],
    ['1.0a1.post2.dev3+x.4', '1.0a1.post2.dev3+x.4'],
    ['123456789012345678901234567890', '123456789012345678901234567890'],
  ])('%j normalizes to %j', (input, canonical) => {
    expect(norm(input)).toBe(canonical);
  });

  it.each([
    '',
    ' ',
    '1.',
    '.1',
    '1..0',
    'vv1.0',
    '1.0.*',
    '1.0+',
    '1.0+a..b',
    '1!',
    '!1',
    'one',
    '\ufeff1.0',
    '١.٠',
    '1.0 a1',
    '1.0-',
    '1.0+abc-',
  ])('rejects %j with InvalidVersion naming it', (input) => {
    expect(() => Version.parse(input)).toThrow(InvalidVersion);
    try {
      Version.parse(input);
    } catch (e) {
      expect(e).toBeInstanceOf(PexkitError);
      expect((e as InvalidVersion).input).toBe(input);
      expect((e as Error).message).toContain(JSON.stringify(input));
    }
  });

  it('exposes the parts like packaging', () => {
    const v = Version.parse('2!1.2.3rc4.post5.dev6+Ubuntu.7');
    expect(v.epoch).toBe(2);
    expect(v.release).toEqual([1, 2, 3]);
    expect(v.pre).toEqual(['rc', 4]);
    expect(v.post).toBe(5);
    expect(v.dev).toBe(6);
    expect(v.local).toBe('ubuntu.7');
    expect(v.public).toBe('2!1.2.3rc4.post5.dev6');
    expect(v.baseVersion).toBe('2!1.2.3');
    expect([v.isPrerelease, v.isPostrelease, v.isDevrelease]).toEqual([true, true, true]);
    expect([v.major, v.minor, v.micro]).toEqual([1, 2, 3]);
    expect(Version.parse('1').minor).toBe(0);
    expect(Version.parse('1.0.dev1').isPrerelease).toBe(true);
    expect(Version.parse('1.0.post1').isPrerelease).toBe(false);
  });
});

describe('Version ordering', () => {
  it('sorts like PEP 440', () => {
    const sorted = [
      '1.0.post1',
      '1.0+l',
      '1.0a1.post1',
      '0.9',
      '1.0rc1',
      '1.0',
      '1.0.dev1',
      '1.0a1',
      '1.0b1',
      '1.0a1.dev1',
      '1.0.post1.dev1',
    ]
      .map((s) => Version.parse(s))
      .sort((a, b) => a.compare(b))
      .map(String);
    expect(sorted).toEqual([
      '0.9',
      '1.0.dev1',
      '1.0a1.dev1',
      '1.0a1',
      '1.0a1.post1',
      '1.0b1',
      '1.0rc1',
      '1.0',
      '1.0+l',
      '1.0.post1.dev1',
      '1.0.post1',
    ]);
  });

  it.each([
    ['1.0rc1', '1.0', -1],
    ['1.0.post1', '1.0', 1],
    ['1.0', '1.0.0', 0],
    ['1!0.1', '2.0', 1],
    ['1.0+abc', '1.0+1', -1],
    ['1.0+abc', '1.0+abc.1', -1],
    ['1.0+ABD', '1.0+abc.1', 1],
    ['99999999999999999999', '99999999999999999998', 1],
  ] as const)('%s vs %s is %i', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
    expect(Version.parse(a).equals(Version.parse(b))).toBe(sign === 0);
  });
});
