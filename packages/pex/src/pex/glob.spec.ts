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
