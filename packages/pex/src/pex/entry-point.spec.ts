import { describe, expect, it } from 'vitest';
import type { BuildPlan, FirstPartyProject } from '../plan/build-plan.js';
import type { WheelVerdict } from '../wheel/validate.js';
import { resolveEntry } from './entry-point.js';

function verdict(filename: string, scripts: string[], consoleScripts = {}): WheelVerdict {
  return {
    filename,
    sha256: '0'.repeat(64),
    distInfo: `${filename.split('-').slice(0, 2).join('-')}.dist-info`,
    name: filename.split('-')[0],
    version: filename.split('-')[1],
    requiresPython: undefined,
    requiresDist: [],
    entryPoints: { console_scripts: consoleScripts },
    scripts,
    entries: 1,
    installedSize: 1,
  };
}

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

  it('offers scripts shipped as files in .data/scripts/ (ruff, aws) by name, after entry points', () => {
    const ruff = verdict('ruff-0.8.4-py3-none-manylinux_2_17_x86_64.whl', ['ruff']);
    const aws = verdict('awscli-1.36.26-py3-none-any.whl', ['aws', 'aws.cmd', 'aws_completer']);
    const plan = planWith({});
    expect(resolveEntry({ consoleScript: 'ruff' }, plan, [ruff, aws])).toEqual({
      entryPoint: null,
      script: 'ruff',
    });
    expect(resolveEntry({ consoleScript: 'aws' }, plan, [ruff, aws]).script).toBe('aws');
    // An entry-point script of the same name wins, as at run time.
    const both = verdict('tool-1.0-py3-none-any.whl', ['tool'], { tool: 'tool.cli:main' });
    expect(resolveEntry({ consoleScript: 'tool' }, plan, [both])).toEqual({
      entryPoint: 'tool.cli:main',
      script: null,
    });
    expect(() => resolveEntry({ consoleScript: 'nope' }, plan, [ruff, aws])).toThrow(
      /available: aws \(file in awscli-1\.36\.26-py3-none-any\.whl\), aws\.cmd .*ruff \(file in ruff-/,
    );
  });
});
