import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tagToString } from '../tags/tag.js';
import {
  InvalidSdistFilename,
  InvalidWheelFilename,
  parseSdistFilename,
  parseWheelFilename,
} from './filename.js';

describe('parseWheelFilename', () => {
  it('parses name, version and compressed tags', () => {
    const wheel = parseWheelFilename('Foo_Bar-1.0-py2.py3-none-any.whl');
    expect(wheel.name).toBe('foo-bar');
    expect(String(wheel.version)).toBe('1.0');
    expect(wheel.buildTag).toBeUndefined();
    expect(wheel.tags.map(tagToString)).toEqual(['py2-none-any', 'py3-none-any']);
  });

  it('expands manylinux dual tags and reads build tags', () => {
    const wheel = parseWheelFilename(
      'numpy-2.1.0-1abc-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
    );
    expect(wheel.buildTag).toEqual([1n, 'abc']);
    expect(wheel.tags.map(tagToString)).toEqual([
      'cp311-cp311-manylinux_2_17_x86_64',
      'cp311-cp311-manylinux2014_x86_64',
    ]);
    expect(parseWheelFilename('a-1-007-py3-none-any.whl').buildTag).toEqual([7n, '']);
    // Exact past 2^53, as Python's int is.
    expect(parseWheelFilename('a-1-9999999999999999999x-py3-none-any.whl').buildTag).toEqual([
      9999999999999999999n,
      'x',
    ]);
  });

  it('normalises the version and lower-cases tags', () => {
    const wheel = parseWheelFilename('pkg-V1.0RC1-PY3-NONE-ANY.whl');
    expect(String(wheel.version)).toBe('1.0rc1');
    expect(wheel.tags.map(tagToString)).toEqual(['py3-none-any']);
  });

  it.each([
    ['foo-1.0-py3-none-any.zip', "extension must be '.whl'"],
    ['foo-1.0-py3-none.whl', 'wrong number of parts'],
    ['foo-bar-1.0-1-extra-py3-none-any.whl', 'wrong number of parts'],
    ['foo__bar-1.0-py3-none-any.whl', 'invalid project name'],
    ['-1.0-py3-none-any.whl', 'invalid project name'],
    ['foo-1.0.x-py3-none-any.whl', 'invalid version'],
    ['foo-1.0-abc-py3-none-any.whl', 'invalid build number'],
    ['foo-1.0-py3--any.whl', 'invalid tag component'],
    ['foo-1.0-3py-none-any.whl', 'invalid tag component'],
  ])('rejects %j (%s)', (filename, reason) => {
    expect(() => parseWheelFilename(filename)).toThrow(InvalidWheelFilename);
    expect(() => parseWheelFilename(filename)).toThrow(reason);
    expect(() => parseWheelFilename(filename)).toThrow(JSON.stringify(filename));
  });

  it('parses or throws InvalidWheelFilename for random and mutated names, fast on 10 KB', () => {
    const seeds = ['foo-1.0-py3-none-any.whl', 'a_b-2!1.0.post1+x-3x-cp311-abi3-win_amd64.whl'];
    const mutated = fc
      .tuple(fc.constantFrom(...seeds), fc.nat(45), fc.string({ maxLength: 4 }))
      .map(([seed, at, insert]) => seed.slice(0, at) + insert + seed.slice(at));
    const long = fc
      .string({
        unit: fc.constantFrom('a', '1', '_', '-', '.', '+', '!'),
        minLength: 9000,
        maxLength: 10_000,
      })
      .map((s) => `${s}.whl`);
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutated, long), (text) => {
        try {
          parseWheelFilename(text);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidWheelFilename);
        }
      }),
      { numRuns: 500 },
    );
    const started = Date.now();
    const hostile = [
      `a-${'1.'.repeat(5000)}0-py3-none-any.whl`,
      `a-1.0-${'p.'.repeat(3000)}p-${'n.'.repeat(3000)}n-any.whl`,
      `${'a'.repeat(10_000)}-1-py3-none-any.whl`,
      `a-1.0+${'a.'.repeat(5000)}b-py3-none-any.whl`,
    ];
    for (const text of hostile) {
      try {
        parseWheelFilename(text);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidWheelFilename);
      }
    }
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('parseSdistFilename', () => {
  it('splits at the last dash', () => {
    const sdist = parseSdistFilename('Foo.Bar-baz-1.0.post1.tar.gz');
    expect(sdist.name).toBe('foo-bar-baz');
    expect(String(sdist.version)).toBe('1.0.post1');
    expect(String(parseSdistFilename('x-2.zip').version)).toBe('2');
  });

  it('parses or throws InvalidSdistFilename for random names, fast on 10 KB', () => {
    const unit = fc.constantFrom('a', '1', '-', '.', '_', '+', '!', 'tar', 'gz', 'zip');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit, maxLength: 3000 }).map((s) => `${s}.tar.gz`),
        ),
        (text) => {
          try {
            parseSdistFilename(text);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidSdistFilename);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it.each([
    ['foo-1.0.tar.bz2', "'.tar.gz' or '.zip'"],
    ['foo.tar.gz', 'expected {name}-{version}'],
    ['-1.0.tar.gz', 'project name is empty'],
    ['foo-x.y.tar.gz', 'invalid version'],
  ])('rejects %j', (filename, reason) => {
    expect(() => parseSdistFilename(filename)).toThrow(InvalidSdistFilename);
    expect(() => parseSdistFilename(filename)).toThrow(reason);
  });
});
