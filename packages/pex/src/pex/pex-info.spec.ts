import { describe, expect, it } from 'vitest';
import type { BuildPlan, FirstPartyProject, ResolvedProject } from '../plan/build-plan.js';
import { buildPexInfo, type ProjectEntry } from './pex-info.js';

const app: FirstPartyProject = {
  name: 'app',
  version: '1.0',
  root: '/src/app',
  sourceRoots: ['/src/app/src'],
  scripts: { app: 'app.cli:main' },
  guiScripts: {},
  entryPoints: {},
  dependencies: ['click>=8'],
};

function click(version: string, requiresPython: string, requires: string[]): ResolvedProject {
  const filename = `click-${version}-py3-none-any.whl`;
  return {
    name: 'click',
    version,
    requires,
    requiresPython,
    wheels: [
      {
        filename,
        path: `/cache/${filename}`,
        sha256: version.replace(/\./g, '0').padEnd(64, 'a'),
        size: 1,
        name: 'click',
        version,
        targets: [],
      },
    ],
  };
}

function infoFor(projects: ResolvedProject[]) {
  const plan: BuildPlan = {
    main: app,
    firstParty: [app],
    requirements: ['click>=8'],
    projects,
    targets: ['manylinux2014_x86_64-cp-39-cp39', 'manylinux2014_x86_64-cp-312-cp312'],
    interpreterConstraints: ['>=3.9'],
  };
  return buildPexInfo({
    plan,
    verdicts: new Map(),
    codeHash: '0'.repeat(64),
    bootstrapHash: '1'.repeat(64),
    entryPoint: 'app.cli:main',
    script: null,
    interpreterConstraints: ['>=3.9'],
    inheritPath: 'false',
    venv: false,
  }).info;
}

describe('PEX-INFO projects', () => {
  it('keeps one object for a project with one version', () => {
    const info = infoFor([click('8.5.1', '>=3.10', [])]);
    expect(info.projects.click).toEqual({
      version: '8.5.1',
      requires: [],
      requires_python: '>=3.10',
      wheels: ['click-8.5.1-py3-none-any.whl'],
    });
  });

  it('lists every version, newest first, when targets needed different ones', () => {
    const info = infoFor([
      click('8.1.8', '>=3.7', ["importlib-metadata; python_version < '3.10'"]),
      click('8.5.1', '>=3.10', []),
    ]);
    const entries = info.projects.click as ProjectEntry[];
    expect(entries.map((e) => e.version)).toEqual(['8.5.1', '8.1.8']);
    expect(entries[1]?.requires).toEqual(["importlib-metadata; python_version < '3.10'"]);
    expect(Object.keys(info.distributions).sort()).toEqual([
      'click-8.1.8-py3-none-any.whl',
      'click-8.5.1-py3-none-any.whl',
    ]);
  });
});
