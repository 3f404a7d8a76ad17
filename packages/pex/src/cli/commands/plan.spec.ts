import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../testing/python-tools.js';
import { formatPlan, parsePlanArgs } from './plan.js';
import { planBuild } from '../../resolve/plan.js';

describe('pexkit plan', () => {
  it('maps its options onto planBuild', () => {
    expect(
      parsePlanArgs([
        '--project',
        'apps/svc',
        '--lock',
        'x/uv.lock',
        '--target',
        'current',
        '--target',
        'win_amd64-cp-311-cp311',
        '--python',
        '/usr/bin/python3',
        '--python',
        'pypy3',
        '--extra',
        'fast',
        '--group',
        'lint',
        '--group',
        'docs',
        '--index-url',
        'https://i/simple',
        '--extra-index-url',
        'https://e/simple',
        '--find-links',
        'wh',
        '--offline',
        '--cache-dir',
        '/c',
        '--json',
      ]),
    ).toEqual({
      options: {
        project: 'apps/svc',
        lock: 'x/uv.lock',
        targets: ['current', 'win_amd64-cp-311-cp311'],
        python: ['/usr/bin/python3', 'pypy3'],
        extras: ['fast'],
        groups: ['lint', 'docs'],
        indexUrl: 'https://i/simple',
        extraIndexUrls: ['https://e/simple'],
        findLinks: ['wh'],
        offline: true,
        cacheDir: '/c',
      },
      json: true,
      help: false,
    });
    expect(parsePlanArgs([]).options).toEqual({ project: '.' });
    expect(() => parsePlanArgs(['--frobnicate'])).toThrow(/frobnicate/);
    expect(() => parsePlanArgs(['stray'])).toThrow(/unexpected argument 'stray'/);
  });

  it('prints one line per target and wheel', async () => {
    const plan = await planBuild({
      project: join(REPO_ROOT, 'examples/hello-service'),
      targets: ['win_amd64-cp-311-cp311'],
      progress: 'none',
      cacheDir: join(REPO_ROOT, 'tmp/e2e-cache'),
    });
    const text = formatPlan(plan);
    expect(text.split('\n')[0]).toBe('hello-service 0.1.0 (first-party: hello-service, greeting)');
    expect(text).toContain('win_amd64-cp-311-cp311:\n');
    expect(text).toMatch(/\n {2}click==8\.5\.1 {2}click-8\.5\.1-py3-none-any\.whl\n/);
  });
});
