import { describe, expect, it } from 'vitest';
import {
  canonicalizeName,
  canonicalizeVersion,
  escapeWheelName,
  InvalidName,
  isNormalizedName,
} from './canonicalize.js';

describe('names', () => {
  it.each([
    ['Django', 'django'],
    ['zope.interface', 'zope-interface'],
    ['typing_extensions', 'typing-extensions'],
    ['Foo__Bar', 'foo-bar'],
    ['a-_.b', 'a-b'],
  ])('canonicalizeName(%j) = %j', (name, canonical) => {
    expect(canonicalizeName(name)).toBe(canonical);
    expect(isNormalizedName(canonical)).toBe(true);
  });

  it('validates when asked', () => {
    expect(() => canonicalizeName('foo-', { validate: true })).toThrow(InvalidName);
    expect(() => canonicalizeName('déjà', { validate: true })).toThrow(/déjà/);
    expect(canonicalizeName('Foo.Bar', { validate: true })).toBe('foo-bar');
  });

  it('isNormalizedName', () => {
    expect(isNormalizedName('foo-bar')).toBe(true);
    expect(isNormalizedName('Foo')).toBe(false);
    expect(isNormalizedName('foo--bar')).toBe(false);
    expect(isNormalizedName('foo_bar')).toBe(false);
  });

  it('escapes wheel names', () => {
    expect(escapeWheelName('zope.interface')).toBe('zope_interface');
    expect(escapeWheelName('Foo-Bar__baz')).toBe('foo_bar_baz');
  });

  it('canonicalizeVersion', () => {
    expect(canonicalizeVersion('1.0.0')).toBe('1');
    expect(canonicalizeVersion('1.0.0', { stripTrailingZero: false })).toBe('1.0.0');
    expect(canonicalizeVersion('v1.2.0.post0')).toBe('1.2.post0');
    expect(canonicalizeVersion('not a version')).toBe('not a version');
  });
});
