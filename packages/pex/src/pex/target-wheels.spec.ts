import { describe, expect, it } from 'vitest';
import type { BuildPlan, FirstPartyProject, ResolvedProject } from '../plan/build-plan.js';
import { parseTarget } from '../targets/target.js';
import { targetWheels } from './target-wheels.js';

const CP39 = 'manylinux2014_x86_64-cp-39-cp39';
const CP312 = 'manylinux2014_x86_64-cp-312-cp312';

function member(name: string, dependencies: string[]): FirstPartyProject {
  return {
    name,
    version: '1.0',
    root: `/src/${name}`,
    sourceRoots: [`/src/${name}/src`],
    scripts: {},
    guiScripts: {},
    entryPoints: {},
    dependencies,
  };
}

function project(
  name: string,
  version: string,
  targets: string[],
  requires: string[] = [],
): ResolvedProject {
  const filename = `${name.replace(/-/g, '_')}-${version}-py3-none-any.whl`;
  return {
    name,
    version,
    requires,
    wheels: [
      {
        filename,
        path: `/cache/${filename}`,
        sha256: 'a'.repeat(64),
        size: 1,
        name,
        version,
        targets,
      },
    ],
  };
}

describe('target_wheels', () => {
  it('records per target the wheel each project uses and who requires it, markers evaluated', () => {
    const app = member('app', ['lib', 'click>=8', "colorama; sys_platform == 'win32'"]);
    const lib = member('lib', ['click']);
    const plan: BuildPlan = {
      main: app,
      firstParty: [app, lib],
      // `rich` comes from an extra of the app: no first-party project declares it.
      requirements: ['click>=8', "colorama; sys_platform == 'win32'", 'rich'],
      projects: [
        project('click', '8.1.8', [CP39], ["importlib-metadata; python_version < '3.10'"]),
        project('click', '8.5.1', [CP312]),
        project('colorama', '0.4.6', [CP39, CP312]),
        project('importlib-metadata', '8.5.0', [CP39], ['zipp>=3.20']),
        project('rich', '13.9.4', [CP39, CP312]),
        project('zipp', '3.21.0', [CP39]),
      ],
      targets: [CP39, CP312],
      interpreterConstraints: ['>=3.9'],
      resolvedTargets: [parseTarget(CP39), parseTarget(CP312)],
    };
    expect(targetWheels(plan)).toEqual({
      [CP39]: {
        'click-8.1.8-py3-none-any.whl': ['app', 'lib'],
        // On Linux nothing requires colorama (the lock had it for Windows).
        'colorama-0.4.6-py3-none-any.whl': [],
        'importlib_metadata-8.5.0-py3-none-any.whl': ['click'],
        'rich-13.9.4-py3-none-any.whl': ['app'],
        'zipp-3.21.0-py3-none-any.whl': ['importlib-metadata'],
      },
      [CP312]: {
        'click-8.5.1-py3-none-any.whl': ['app', 'lib'],
        'colorama-0.4.6-py3-none-any.whl': [],
        'rich-13.9.4-py3-none-any.whl': ['app'],
      },
    });
  });

  it('keeps an edge whose marker the target cannot decide', () => {
    const app = member('app', ["distro; platform_release >= '5'"]);
    const plan: BuildPlan = {
      main: app,
      firstParty: [app],
      requirements: ["distro; platform_release >= '5'"],
      projects: [project('distro', '1.9.0', [CP312])],
      targets: [CP312],
      interpreterConstraints: [],
      resolvedTargets: [parseTarget(CP312)],
    };
    expect(targetWheels(plan)[CP312]).toEqual({ 'distro-1.9.0-py3-none-any.whl': ['app'] });
  });
});
