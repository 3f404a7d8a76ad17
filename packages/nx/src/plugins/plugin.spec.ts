import { describe, expect, it } from 'vitest';
import { createNodesV2 } from './plugin.js';

describe('pexkit Nx plugin', () => {
  it('matches pyproject.toml files', () => {
    expect(createNodesV2[0]).toBe('**/pyproject.toml');
  });
});
