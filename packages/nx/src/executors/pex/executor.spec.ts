import {
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  closeSync,
  rmSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logger, type ExecutorContext, type ProjectConfiguration } from '@nx/devkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNodes } from '../../plugins/plugin.js';
import { clearNodesMemoryCache } from '../../plugins/lib/nodes-cache.js';
import {
  nodesContext,
  removeWorkspace,
  writeFile,
  writeWorkspace,
} from '../../testing/workspace-fixture.js';
import pexExecutor from './executor.js';

const EXAMPLES = new URL('../../../../../examples/', import.meta.url);
const MAKE_WHEEL = new URL('../../../../pex/src/wheel/test-support/make-wheel.py', import.meta.url);
const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) removeWorkspace(r);
  clearNodesMemoryCache();
  vi.restoreAllMocks();
});

/** A copy of examples/ (greeting + hello-service, locked by uv) as a workspace, with its inferred projects. */
async function examplesWorkspace(): Promise<{
  root: string;
  context: (project: string) => ExecutorContext;
}> {
  const root = mkdtempSync(join(tmpdir(), 'pexkit-nx-exec-'));
  roots.push(root);
  cpSync(EXAMPLES, root, {
    recursive: true,
    filter: (src) => !/\/(\.venv|dist|__pycache__)(\/|$)/.test(src),
  });
  const files = ['pyproject.toml', 'greeting/pyproject.toml', 'hello-service/pyproject.toml'];
  const results = await createNodes[1](files, {}, nodesContext(root));
  const projects: Record<string, ProjectConfiguration> = {};
  for (const [, r] of results)
    for (const [projectRoot, p] of Object.entries(r.projects ?? {}))
      projects[p.name as string] = { ...p, root: projectRoot } as ProjectConfiguration;
  return {
    root,
    context: (project) =>
      ({
        root,
        cwd: root,
        isVerbose: false,
        projectName: project,
        targetName: 'build',
        projectsConfigurations: { version: 2, projects },
        nxJsonConfiguration: {},
        projectGraph: { nodes: {}, dependencies: {} },
      }) as ExecutorContext,
  };
}

function errors(spy: ReturnType<typeof vi.spyOn>): string {
  return spy.mock.calls.map((c: unknown[]) => String(c[0])).join('\n');
}

describe('@pexkit/nx:pex', () => {
  it('fails, naming file, module and fix, when code imports an undeclared workspace project', async () => {
    const ws = await examplesWorkspace();
    writeFile(ws.root, 'greeting/src/greeting/extra.py', 'import hello_service\n');
    const spy = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const result = await pexExecutor({}, ws.context('hello-service'));
    expect(result.success).toBe(false);
    expect(errors(spy)).toContain(
      "greeting/src/greeting/extra.py imports 'hello_service' from project 'hello-service', but 'greeting' does not declare it",
    );
    expect(existsSync(join(ws.root, 'dist/hello-service/hello-service.pex'))).toBe(false);
    // Allowed by option: the build goes ahead.
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    expect(
      (await pexExecutor({ allowUndeclaredImports: true }, ws.context('hello-service'))).success,
    ).toBe(true);
    expect(existsSync(join(ws.root, 'dist/hello-service/hello-service.pex'))).toBe(true);
  }, 180_000);

  it('fails clearly on bad options and on projects the plugin did not infer', async () => {
    const ws = await examplesWorkspace();
    const spy = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    expect(
      (await pexExecutor({ layout: 'tarball' as 'zipapp' }, ws.context('hello-service'))).success,
    ).toBe(false);
    expect(
      (await pexExecutor({}, { ...ws.context('hello-service'), projectName: 'nope' })).success,
    ).toBe(false);
    rmSync(join(ws.root, 'uv.lock'));
    expect((await pexExecutor({}, ws.context('hello-service'))).success).toBe(false);
    const text = errors(spy);
    expect(text).toContain("hello-service: option 'layout' must be one of zipapp, packed, loose");
    expect(text).toContain('nope: not a Python project inferred by @pexkit/nx/plugin');
    expect(text).toContain("uv.lock does not exist: run 'uv lock' in . or set 'lock'");
  });

  it('refuses an output that is one of the build inputs (uv.lock, pyproject.toml) and keeps it', async () => {
    const ws = await examplesWorkspace();
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    const spy = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    for (const output of ['uv.lock', 'hello-service/pyproject.toml']) {
      const before = readFileSync(join(ws.root, output));
      expect((await pexExecutor({ output }, ws.context('hello-service'))).success).toBe(false);
      expect(readFileSync(join(ws.root, output)).equals(before)).toBe(true);
    }
    const text = errors(spy);
    expect(text).toMatch(/uv\.lock is the lock file .* of this build; refusing to replace it/);
    expect(text).toMatch(
      /pyproject\.toml is the pyproject\.toml of hello-service .* of this build/,
    );
  }, 180_000);

  it("refuses to build when the project's lock-subset file is stale or missing (the cache key would be wrong)", async () => {
    const ws = await examplesWorkspace();
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    const spy = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const file = join(ws.root, 'hello-service/pexkit.lock-subset');
    const good = readFileSync(file, 'utf8');
    writeFile(
      ws.root,
      'hello-service/pexkit.lock-subset',
      good.replace(/^rich==\S+$/m, 'rich==1.0'),
    );
    expect((await pexExecutor({}, ws.context('hello-service'))).success).toBe(false);
    rmSync(file);
    expect((await pexExecutor({}, ws.context('hello-service'))).success).toBe(false);
    const text = errors(spy);
    expect(text).toContain(
      "hello-service: hello-service/pexkit.lock-subset is out of date with the lock; run 'nx sync' and commit it",
    );
    expect(text).toContain(
      "hello-service: hello-service/pexkit.lock-subset is missing; run 'nx sync'",
    );
    expect(existsSync(join(ws.root, 'dist/hello-service/hello-service.pex'))).toBe(false);
  });

  it('builds the app into dist/{projectRoot}/<name>.pex in-process', async () => {
    const ws = await examplesWorkspace();
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    const spy = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const result = await pexExecutor({}, ws.context('hello-service'));
    expect(errors(spy)).toBe('');
    expect(result.success).toBe(true);
    const pex = join(ws.root, 'dist/hello-service/hello-service.pex');
    expect(existsSync(pex)).toBe(true);
    const head = Buffer.alloc(2);
    const fd = openSync(pex, 'r');
    readSync(fd, head, 0, 2, 0);
    closeSync(fd);
    expect(head.toString()).toBe('#!');
  }, 180_000);

  it('builds a PEX running a script a dependency ships as a file ([tool.pexkit] console-script)', async () => {
    const root = writeWorkspace({
      'tool/pyproject.toml':
        '[project]\nname = "tool"\nversion = "1.0"\nrequires-python = ">=3.8"\ndependencies = ["greet==1.0"]\n\n' +
        '[tool.pexkit]\nconsole-script = "greet"\n',
      'tool/src/tool/__init__.py': '',
      'wheels/.keep': '',
    });
    roots.push(root);
    const wheel = join(root, 'wheels', 'greet-1.0-py3-none-any.whl');
    const b64 = (t: string) => Buffer.from(t).toString('base64');
    execFileSync('python3', [fileURLToPath(MAKE_WHEEL)], {
      input: JSON.stringify({
        name: 'greet',
        version: '1.0',
        tag: 'py3-none-any',
        out: wheel,
        files: [
          { name: 'greetlib/__init__.py', data: b64('') },
          { name: 'greet-1.0.data/scripts/greet', data: b64('#!python\nprint("hi")\n') },
        ],
      }),
    });
    const sha = createHash('sha256').update(readFileSync(wheel)).digest('hex');
    writeFile(root, 'tool/requirements.txt', `greet==1.0 --hash=sha256:${sha}\n`);
    const results = await createNodes[1](['tool/pyproject.toml'], {}, nodesContext(root));
    const projects: Record<string, ProjectConfiguration> = {};
    for (const [, r] of results)
      for (const [projectRoot, p] of Object.entries(r.projects ?? {}))
        projects[p.name as string] = { ...p, root: projectRoot } as ProjectConfiguration;
    const target = projects['tool']?.targets?.['pex'] ?? projects['tool']?.targets?.['build'];
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    const spy = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const result = await pexExecutor(
      {
        ...(target?.options as object),
        lock: 'tool/requirements.txt',
        findLinks: ['wheels'],
        offline: true,
        cacheDir: '.pexkit-cache',
      },
      {
        root,
        cwd: root,
        isVerbose: false,
        projectName: 'tool',
        targetName: 'build',
        projectsConfigurations: { version: 2, projects },
        nxJsonConfiguration: {},
        projectGraph: { nodes: {}, dependencies: {} },
      } as ExecutorContext,
    );
    expect(errors(spy)).toBe('');
    expect(result.success).toBe(true);
    const out = execFileSync(join(root, 'dist/tool/tool.pex'), { encoding: 'utf8' });
    expect(out.trim()).toBe('hi');
  }, 180_000);
});
