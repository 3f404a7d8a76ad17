import { describe, expect, it } from 'vitest';
import { InvalidSpecifier, Specifier, SpecifierSet } from './specifier.js';
import { Version } from './version.js';

const has = (spec: string, v: string, prereleases?: boolean): boolean =>
  SpecifierSet.parse(spec).contains(v, prereleases === undefined ? {} : { prereleases });

describe('SpecifierSet.contains', () => {
  it.each([
    ['==1.0', '1.0+local', true],
    ['==1.0+abc', '1.0+local', false],
    ['==1.0+abc', '1.0+ABC', true],
    ['!=1.0', '1.0+x', false],
    ['~=2.2', '2.3', true],
    ['~=2.2', '3.0', false],
    ['~=2.2.0', '2.3', false],
    ['~=2.2.0', '2.2.9', true],
    ['~=1.4.5a4', '1.4.5', true],
    ['!=1.2.*', '1.2.5', false],
    ['!=1.2.*', '1.3', true],
    ['==1.2.*', '1.2.0.dev1', true],
    ['==1.2.*', '1.20', false],
    ['===1.0', '1.0', true],
    ['===1.0', '1.0.0', false],
    ['===foo', 'FOO', true],
    ['<1.0', '1.0a1', false],
    ['<1.0', '0.9a1', true],
    ['<1.0rc1', '1.0a1', true],
    ['>1.0', '1.0.post1', false],
    ['>1.0', '1.0+local', false],
    ['>1.0', '1.0.1', true],
    ['>1.0.post1', '1.0.post2', true],
    ['>1.0a1', '1.0a1.post1', false],
    ['>1.0a1', '1.0a2', true],
    ['>1.0.dev1', '1.0a1', true],
    ['<=1.0', '1.0+local', true],
    ['>=1.0', '1!0.5', true],
    ['>=1.0,<2', '1.5', true],
    ['>=1.0,<2', '2.0', false],
    ['', 'anything', true],
    ['>=1.0', 'not-a-version', false],
  ] as const)('%j contains %j: %s', (spec, v, expected) => {
    expect(has(spec, v)).toBe(expected);
  });

  it('accepts an in-range pre-release unless told not to (packaging 26 rule)', () => {
    expect(has('>=1.0', '2.0a1')).toBe(true);
    expect(has('>=1.0', '2.0a1', false)).toBe(false);
    expect(has('>=1.0', '2.0a1', true)).toBe(true);
    expect(Specifier.parse('>=1.0').contains('2.0a1', { prereleases: false })).toBe(false);
    expect(SpecifierSet.parse('>=1.0a1').prereleases).toBe(true);
    expect(SpecifierSet.parse('>=1.0').prereleases).toBeUndefined();
    expect(Specifier.parse('!=1.0a1').prereleases).toBe(false);
  });

  it('accepts Version objects', () => {
    expect(SpecifierSet.parse('>=1.0').contains(Version.parse('1.5'))).toBe(true);
  });
});

describe('SpecifierSet.filter', () => {
  it('drops pre-releases when a final release matches, keeps them otherwise', () => {
    const set = SpecifierSet.parse('>=1.0');
    expect(set.filter(['1.0', '2.0a1'])).toEqual(['1.0']);
    expect(set.filter(['2.0a1', '3.0b1'])).toEqual(['2.0a1', '3.0b1']);
    expect(set.filter(['1.0', '2.0a1'], { prereleases: true })).toEqual(['1.0', '2.0a1']);
    expect(SpecifierSet.parse('>=1.0a1').filter(['1.0', '2.0a1'])).toEqual(['1.0', '2.0a1']);
    expect(set.filter(['0.5', 'junk', '1.5'])).toEqual(['1.5']);
  });
});

describe('parsing and printing', () => {
  it('prints sets sorted and de-duplicated like packaging', () => {
    expect(SpecifierSet.parse('>=1.0, <2, !=1.5.*, ==1.*').toString()).toBe(
      '!=1.5.*,<2,==1.*,>=1.0',
    );
    expect(SpecifierSet.parse('==1.0.0, ==1.0').toString()).toBe('==1.0');
    expect(SpecifierSet.parse(' , ').toString()).toBe('');
    expect(Specifier.parse(' >=  v1.0 ').toString()).toBe('>=v1.0');
  });

  it.each([
    '',
    '1.0',
    '=1.0',
    '=>1.0',
    '>=1.0+local',
    '~=1',
    '~=1.0+x',
    '==1.0a1.*',
    '>=1.*',
    '=== a b',
    '==='.concat(')'),
    '>= 1.0 2.0',
  ])('rejects %j with InvalidSpecifier', (text) => {
    expect(() => Specifier.parse(text)).toThrow(InvalidSpecifier);
  });

  it('names the bad clause of a set', () => {
    expect(() => SpecifierSet.parse('>=1.0, =>2')).toThrow(/">=1.0, =>2".*"=>2"/);
  });

  it('allows an empty arbitrary-equality version like packaging', () => {
    expect(Specifier.parse('===').toString()).toBe('===');
  });
});
