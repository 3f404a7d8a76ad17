import { describe, expect, it } from 'vitest';
import { globToRegExp } from './glob.js';

describe('globToRegExp', () => {
  it.each([
    ['*.md', 'README.md', true],
    ['*.md', 'pkg/docs/a.md', true],
    ['*.md', 'pkg/a.mdx', false],
    ['pkg/*.txt', 'pkg/a.txt', true],
    ['pkg/*.txt', 'pkg/sub/a.txt', false],
    ['pkg/**/*.txt', 'pkg/sub/deep/a.txt', true],
    ['pkg/**/*.txt', 'pkg/a.txt', true],
    ['**/fixtures/', 'pkg/fixtures/', true],
    ['**/fixtures/', 'pkg/fixtures', false],
    ['data?.json', 'x/data1.json', true],
    ['data?.json', 'x/data10.json', false],
  ])('%s vs %s → %s', (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });
});

describe('compareNames', () => {
  it('orders like the UTF-8 bytes', async () => {
    const { compareNames } = await import('./user-code.js');
    const names = [
      'b',
      'a/b',
      'a/',
      'a',
      'A',
      '_x',
      '.deps/',
      'é',
      'z',
      '\u{1F600}',
      '\uFF21',
      'ab',
      'a.b',
    ];
    const bytewise = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...names].sort(compareNames)).toEqual(bytewise);
  });
});
