import { describe, expect, it } from 'vitest';
import type { BuildPlan, FirstPartyProject } from '../plan/build-plan.js';
import { resolveEntry } from './entry-point.js';

function planWith(scripts: Record<string, string>): BuildPlan {
  const main: FirstPartyProject = {
    name: 'hello-service',
    version: '1.0',
    root: '/w/hello-service',
    sourceRoots: ['/w/hello-service/src'],
    scripts,
    guiScripts: {},
    entryPoints: {},
    dependencies: [],
  };
  return {
    main,
    firstParty: [main],
    requirements: [],
    projects: [],
    targets: ['current'],
    interpreterConstraints: [],
  };
}

describe('resolveEntry', () => {
  it("defaults to the app's only console script", () => {
    expect(resolveEntry({}, planWith({ serve: 'svc.cli:main' }), [])).toEqual({
      entryPoint: 'svc.cli:main',
      script: null,
    });
  });

  it('defaults to the script named like the project among several', () => {
    const plan = planWith({ admin: 'svc.admin:main', hello_service: 'svc.cli:main' });
    expect(resolveEntry({}, plan, []).entryPoint).toBe('svc.cli:main');
  });

  it('runs as an interpreter when no script can be chosen', () => {
    expect(resolveEntry({}, planWith({ a: 'x:a', b: 'x:b' }), [])).toEqual({
      entryPoint: null,
      script: null,
    });
    expect(resolveEntry({}, planWith({}), [])).toEqual({ entryPoint: null, script: null });
  });

  it('names the available scripts when the requested one is unknown', () => {
    expect(() =>
      resolveEntry({ consoleScript: 'nope' }, planWith({ serve: 'svc.cli:main' }), []),
    ).toThrow(
      /--console-script 'nope' is not defined by hello-service.*available: serve \(hello-service\)/,
    );
  });
});
