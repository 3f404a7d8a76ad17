import type { CreateNodesResult, ProjectConfiguration } from '@nx/devkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodes } from '../plugin.js';
import { clearNodesMemoryCache } from './nodes-cache.js';
import {
  nodesContext,
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
  const results = await createNodes[1](UV_WORKSPACE_FILES, options, nodesContext(root));
  const out: Record<string, ProjectConfiguration> = {};
  for (const [, r] of results as ReadonlyArray<readonly [string, CreateNodesResult]>) {
    for (const [dir, p] of Object.entries(r.projects ?? {}))
      out[p.name ?? dir] = { ...p, root: dir } as ProjectConfiguration;
  }
  return out;
}

describe('the inferred inspect target', () => {
  it('runs pexkit inspect on the built PEX and caches the JSON and HTML reports beside it', async () => {
    const projects = await infer(UV_WORKSPACE);
    const inspect = projects['web-app']?.targets?.['inspect'];
    expect(inspect).toEqual({
      command:
        'pexkit inspect dist/py/apps/web/web-app.pex --json-file dist/py/apps/web/web-app.inspect.json --html dist/py/apps/web/web-app.inspect.html',
      cache: true,
      dependsOn: ['build'],
      inputs: [
        { dependentTasksOutputFiles: '**/*.pex', transitive: false },
        { dependentTasksOutputFiles: '**/*.pex/**/*', transitive: false },
      ],
      outputs: [
        '{workspaceRoot}/dist/py/apps/web/web-app.inspect.json',
        '{workspaceRoot}/dist/py/apps/web/web-app.inspect.html',
      ],
      metadata: expect.objectContaining({
        technologies: ['python'],
        help: expect.objectContaining({ command: 'npx pexkit inspect --help' }),
      }),
    });
    // Libraries build no PEX, so there is nothing to inspect.
    expect(projects['core-lib']?.targets?.['inspect']).toBeUndefined();
    expect(projects['util']?.targets?.['inspect']).toBeUndefined();
  });

  it("follows [tool.pexkit] output and the build target's name, and can be turned off", async () => {
    const web = (UV_WORKSPACE['py/apps/web/pyproject.toml'] as string).replace(
      'compress = false',
      'compress = false\noutput = "out/web app\'s.pex"',
    );
    const files = { ...UV_WORKSPACE, 'py/apps/web/pyproject.toml': web };
    const renamed = await infer(files, { buildTargetName: 'pex', inspectTargetName: 'size' });
    const size = renamed['web-app']?.targets?.['size'];
    expect(size?.dependsOn).toEqual(['pex']);
    expect(size?.command).toBe(
      `pexkit inspect 'out/web app'\\''s.pex' --json-file 'out/web app'\\''s.inspect.json' --html 'out/web app'\\''s.inspect.html'`,
    );
    expect(size?.outputs).toEqual([
      "{workspaceRoot}/out/web app's.inspect.json",
      "{workspaceRoot}/out/web app's.inspect.html",
    ]);
    const off = await infer(UV_WORKSPACE, { inspectTargetName: false });
    expect(Object.keys(off['web-app']?.targets ?? {})).not.toContain('inspect');
    const noBuild = await infer(UV_WORKSPACE, { buildTargetName: false });
    expect(Object.keys(noBuild['web-app']?.targets ?? {})).not.toContain('inspect');
  });
});
