import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logger, type ExecutorContext, type ProjectConfiguration } from '@nx/devkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNodes } from '../../plugins/plugin.js';
import { clearNodesMemoryCache } from '../../plugins/lib/nodes-cache.js';
import { nodesContext, removeWorkspace } from '../../testing/workspace-fixture.js';
import pexExecutor from '../pex/executor.js';
import smokeExecutor from './executor.js';

const EXAMPLES = new URL('../../../../../examples/', import.meta.url);
const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) removeWorkspace(r);
  clearNodesMemoryCache();
  vi.restoreAllMocks();
});

/** A copy of examples/ with its inferred projects, and an executor context for a target. */
async function examples(): Promise<{
  root: string;
  context: (target: string) => ExecutorContext;
}> {
  const root = mkdtempSync(join(tmpdir(), 'pexkit-nx-smoke-'));
  roots.push(root);
  cpSync(EXAMPLES, root, {
    recursive: true,
    filter: (src) => !/\/(\.venv|dist|__pycache__)(\/|$)/.test(src),
  });
  const files = ['pyproject.toml', 'greeting/pyproject.toml', 'hello-service/pyproject.toml'];
  const projects: Record<string, ProjectConfiguration> = {};
  for (const [, r] of await createNodes[1](files, {}, nodesContext(root)))
    for (const [dir, p] of Object.entries(r.projects ?? {}))
      projects[p.name as string] = { ...p, root: dir } as ProjectConfiguration;
  return {
    root,
    context: (target) =>
      ({
        root,
        cwd: root,
        isVerbose: false,
        projectName: 'hello-service',
        targetName: target,
        projectsConfigurations: { version: 2, projects },
        nxJsonConfiguration: {},
        projectGraph: { nodes: {}, dependencies: {} },
      }) as ExecutorContext,
  };
}

function logged(spy: ReturnType<typeof vi.spyOn>): string {
  return spy.mock.calls.map((c: unknown[]) => String(c[0])).join('\n');
}

describe('@pexkit/nx:smoke', () => {
  it('runs the PEX the build target wrote, and fails when its entry point raises', async () => {
    const ws = await examples();
    const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    // Before the build: the PEX is missing.
    expect((await smokeExecutor({}, ws.context('smoke'))).success).toBe(false);
    expect(logged(error)).toMatch(
      /hello-service: .*dist\/hello-service\/hello-service\.pex does not exist \(build it first\)/,
    );
    expect((await pexExecutor({}, ws.context('build'))).success).toBe(true);
    expect((await smokeExecutor({}, ws.context('smoke'))).success).toBe(true);
    expect(logged(info)).toMatch(/PASS {2}CPython 3\.\d+\.\d+ .*\(target current/);
    expect(logged(info)).toMatch(/passed: \d+ of \d+ interpreter\(s\) passed/);

    writeFileSync(
      join(ws.root, 'hello-service/src/hello_service/cli.py'),
      'def main():\n    raise SystemExit(3)\n',
    );
    expect((await pexExecutor({}, ws.context('build'))).success).toBe(true);
    expect((await smokeExecutor({ args: ['--version'] }, ws.context('smoke'))).success).toBe(false);
    expect(logged(error)).toMatch(
      /pexkit smoke \S+hello-service\.pex --version[\s\S]*FAIL .*exit 3\)/,
    );
  });

  it('names a build target the project does not have', async () => {
    const ws = await examples();
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    expect((await smokeExecutor({ buildTarget: 'pex' }, ws.context('smoke'))).success).toBe(false);
    expect(logged(error)).toContain(
      'hello-service: option \'buildTarget\' names "pex", which the project does not have',
    );
  });
});
