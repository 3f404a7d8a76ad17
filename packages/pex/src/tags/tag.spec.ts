import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidTag, parseTag, tagToString } from './tag.js';

const strings = (text: string) => parseTag(text).map(tagToString);

describe('parseTag', () => {
  it('parses a plain tag', () => {
    expect(parseTag('py3-none-any')).toEqual([
      { interpreter: 'py3', abi: 'none', platform: 'any' },
    ]);
  });

  it('expands compressed tag sets interpreter-first', () => {
    expect(strings('py2.py3-none-any')).toEqual(['py2-none-any', 'py3-none-any']);
    expect(strings('cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64')).toEqual([
      'cp311-cp311-manylinux_2_17_x86_64',
      'cp311-cp311-manylinux2014_x86_64',
    ]);
    expect(strings('cp38.cp39-abi3.none-win32.win_amd64')).toHaveLength(8);
  });

  it('lower-cases and removes duplicates', () => {
    expect(strings('PY3.py3-NONE-Any')).toEqual(['py3-none-any']);
  });

  it.each([
    ['py3-none', 'three components'],
    ['py3-none-any-extra', 'three components'],
    ['py3--any', 'empty component'],
    ['py3-none-any.', 'empty component'],
    ['.py3-none-any', 'empty component'],
    ['3py-none-any', 'not an identifier'],
    ['py-3-none-any', 'three components'],
    ['', 'empty component'],
  ])('rejects %j (%s)', (text, reason) => {
    expect(() => parseTag(text)).toThrow(InvalidTag);
    expect(() => parseTag(text)).toThrow(reason);
  });

  it('accepts Unicode identifiers as interpreters (str.isidentifier)', () => {
    expect(strings('_é-none-any')).toEqual(['_é-none-any']);
    expect(() => parseTag('²py-none-any')).toThrow(InvalidTag);
  });

  it('bounds the expansion of a compressed tag set', () => {
    const many = Array.from({ length: 200 }, (_, i) => `a${i}`).join('.');
    expect(() => parseTag(`${many}-${many}-any`)).toThrow(/expands to 40000 tags/);
  });

  it('parses or throws InvalidTag for any string, quickly even at 10 KB', () => {
    const alphabet = fc.constantFrom('p', 'y', '3', '-', '.', '_', 'é', '²', ' ', 'A');
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 10_000 })),
        (text) => {
          try {
            parseTag(text);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidTag);
            expect((error as Error).message).toContain(JSON.stringify(text).slice(0, 20));
          }
        },
      ),
      { numRuns: 300 },
    );
    const started = Date.now();
    expect(() => parseTag(`${'a.'.repeat(5000)}a-b-c`)).not.toThrow();
    expect(() => parseTag('-'.repeat(10_000))).toThrow(InvalidTag);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
