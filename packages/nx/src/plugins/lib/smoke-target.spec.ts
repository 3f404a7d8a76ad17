import type { ProjectConfiguration } from '@nx/devkit';
import { AggregateCreateNodesError } from '@nx/devkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodes } from '../plugin.js';
import { clearNodesMemoryCache } from './nodes-cache.js';
import {
  nodesContext,
  projectsOf,
  removeWorkspace,
  UV_WORKSPACE,
  UV_WORKSPACE_FILES,
  writeWorkspace,
} from '../../testing/workspace-fixture.js';
import type { PexkitPluginOptions } from './options.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) removeWorkspace(r);
  clearNodesMemoryCache();
});

async function infer(
  files: Record<string, string>,
  options?: PexkitPluginOptions,
): Promise<Record<string, ProjectConfiguration>> {
  const root = writeWorkspace(files);
  roots.push(root);
  return projectsOf(await createNodes[1](UV_WORKSPACE_FILES, options, nodesContext(root)));
}

const WEB = UV_WORKSPACE['py/apps/web/pyproject.toml'] as string;

describe('inferred smoke target', () => {
  it('runs the built PEX after the build, uncached, for every project with a PEX target only', async () => {
    const projects = await infer(UV_WORKSPACE);
    const smoke = projects['web-app']?.targets?.['smoke'];
    expect(smoke).toEqual({
      executor: '@pexkit/nx:smoke',
      dependsOn: ['build'],
      cache: false,
      options: {},
      metadata: {
        technologies: ['python'],
        description: expect.stringMatching(/every local interpreter it is for/),
        help: { command: 'npx pexkit smoke --help', example: { options: { args: ['--version'] } } },
      },
    });
    expect(projects['core-lib']?.targets?.['smoke']).toBeUndefined();
  });

  it('takes the PEX arguments from [tool.pexkit] smoke, and follows a renamed build target', async () => {
    const files = {
      ...UV_WORKSPACE,
      'py/apps/web/pyproject.toml': WEB.replace(
        '[tool.pexkit]',
        '[tool.pexkit]\nsmoke = ["--version"]',
      ),
    };
    const projects = await infer(files, { buildTargetName: 'pex', smokeTargetName: 'run-pex' });
    const smoke = projects['web-app']?.targets?.['run-pex'];
    expect(smoke?.dependsOn).toEqual(['pex']);
    expect(smoke?.options).toEqual({ buildTarget: 'pex', args: ['--version'] });
    // Not a build option: the build target does not see it.
    expect(projects['web-app']?.targets?.['pex']?.options).not.toHaveProperty('smoke');
    clearNodesMemoryCache();
    const none = await infer(UV_WORKSPACE, { smokeTargetName: false });
    expect(Object.keys(none['web-app']?.targets ?? {})).toEqual(['build', 'inspect', 'test']);
  });

  it('reports a [tool.pexkit] smoke that is not a list of strings, naming the file', async () => {
    const files = {
      ...UV_WORKSPACE,
      'py/apps/web/pyproject.toml': WEB.replace('[tool.pexkit]', '[tool.pexkit]\nsmoke = "--help"'),
    };
    const error = await infer(files).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregateCreateNodesError);
    expect((error as AggregateCreateNodesError).errors[0]?.[1].message).toBe(
      'py/apps/web/pyproject.toml [tool.pexkit]: tool.pexkit.smoke must be an array of strings (the PEX\'s arguments), got "--help"',
    );
  });
});
