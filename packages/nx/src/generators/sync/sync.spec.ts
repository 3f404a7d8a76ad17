import { readFileSync } from 'node:fs';
import type { CreateNodesResult, ProjectConfiguration } from '@nx/devkit';
import { FsTree, flushChanges } from 'nx/src/generators/tree.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodes } from '../../plugins/plugin.js';
import { clearNodesMemoryCache } from '../../plugins/lib/nodes-cache.js';
import {
  nodesContext,
  removeWorkspace,
  writeFile,
  writeWorkspace,
} from '../../testing/workspace-fixture.js';
import { LockSubsetFileError } from '../../utils/lock-subset-file.js';
import { syncLockSubsetFiles } from './sync.js';

const examples = new URL('../../../../../examples/', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, examples), 'utf8');
const LOCK = read('uv.lock');

/** The examples' uv workspace (forks by Python version, a root dev group, a workspace library). */
const EXAMPLES: Record<string, string> = {
  'ex/pyproject.toml': read('pyproject.toml'),
  'ex/greeting/pyproject.toml': read('greeting/pyproject.toml'),
  'ex/greeting/tests/test_greeting.py': 'def test_x():\n    pass\n',
  'ex/hello-service/pyproject.toml': read('hello-service/pyproject.toml'),
  'ex/hello-service/tests/test_cli.py': 'def test_x():\n    pass\n',
  'ex/uv.lock': LOCK,
};
const PYPROJECTS = Object.keys(EXAMPLES).filter((f) => f.endsWith('pyproject.toml'));

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) removeWorkspace(r);
  clearNodesMemoryCache();
});

function workspace(files: Record<string, string>): string {
  const root = writeWorkspace(files);
  roots.push(root);
  return root;
}

/** The projects the plugin infers, as the project graph holds them. */
async function projectsOf(root: string, files = PYPROJECTS) {
  clearNodesMemoryCache();
  const results = await createNodes[1](files, {}, nodesContext(root));
  const out: Record<string, ProjectConfiguration> = {};
  for (const [, r] of results as Array<readonly [string, CreateNodesResult]>)
    for (const [dir, p] of Object.entries(r.projects ?? {}))
      out[p.name ?? dir] = { ...p, root: dir } as ProjectConfiguration;
  return out;
}

/** Runs the generator on disk (as `nx sync` does); returns what it reported and the files it changed. */
async function sync(root: string, files = PYPROJECTS) {
  const tree = new FsTree(root, false);
  const result = syncLockSubsetFiles(tree, await projectsOf(root, files));
  const changed = tree
    .listChanges()
    .map((c) => c.path)
    .sort();
  flushChanges(root, tree.listChanges());
  return { result, changed };
}

const text = (root: string, path: string) => readFileSync(`${root}/${path}`, 'utf8');

function bump(root: string, name: string, from: string, to: string): void {
  const before = text(root, 'ex/uv.lock');
  const after = before.replace(
    `name = "${name}"\nversion = "${from}"`,
    `name = "${name}"\nversion = "${to}"`,
  );
  expect(after).not.toBe(before);
  writeFile(root, 'ex/uv.lock', after);
}

describe('sync generator (lock-subset files)', () => {
  it('keys a build on the extras and dependency groups it asks for (uv conflicts fixture)', async () => {
    const fx = new URL('../../../../pex/src/lock/test-fixtures/uv-conflicts/', import.meta.url);
    const fixture = (p: string) => readFileSync(new URL(p, fx), 'utf8');
    const app = `${fixture('pyproject.toml')}\n[tool.pexkit]\nentry-point = "app:main"\nextras = ["cpu"]\ngroups = ["lint"]\n`;
    const files = ['ws/pyproject.toml', 'ws/packages/lib/pyproject.toml'];
    const root = workspace({
      'ws/pyproject.toml': app,
      'ws/packages/lib/pyproject.toml': fixture('packages/lib/pyproject.toml'),
      'ws/uv.lock': fixture('uv.lock'),
    });
    await sync(root, files);
    const subset = text(root, 'ws/pexkit.lock-subset');
    expect(subset).toContain(
      '\n[build] uv.lock\nextras: cpu\ngroups: lint\nfirst-party: app, lib\n',
    );
    expect(subset.match(/\nmytorch==1\.0\.0/g)).toHaveLength(1); // the CPU index's only
    expect(subset).toContain('\ntyping-extensions==4.16.0\n'); // which only the CPU build needs
    expect(subset).toContain('\npackaging==26.3\n'); // the lint group
    expect(subset).not.toContain('iniconfig'); // the dev group is not asked for
  });

  it("writes each project's closure and the workspace's test groups, readable, with forks by Python version", async () => {
    const root = workspace(EXAMPLES);
    const first = await sync(root);
    expect(first.changed).toEqual([
      'ex/greeting/pexkit.lock-subset',
      'ex/hello-service/pexkit.lock-subset',
      'ex/pexkit.test-groups.lock-subset',
    ]);
    expect(first.result).toMatchObject({
      outOfSyncMessage: expect.stringMatching(/Run 'nx sync' and commit the files/),
      outOfSyncDetails: [
        'ex/greeting/pexkit.lock-subset (new)',
        'ex/hello-service/pexkit.lock-subset (new)',
        'ex/pexkit.test-groups.lock-subset (new)',
      ],
    });
    const app = text(root, 'ex/hello-service/pexkit.lock-subset');
    // Build and test share the closure; the workspace library and its dependency are in it.
    expect(app).toContain('\n[build, test] ../uv.lock\nfirst-party: hello-service, greeting\n');
    expect(app).toContain('\nattrs==26.1.0\n');
    expect(app).toContain("\nclick==8.1.8 ; python_full_version < '3.10'\n");
    expect(app).toContain("\nclick==8.5.1 ; python_full_version >= '3.10'\n");
    expect(app).toMatch(/\nsha256: [0-9a-f]{64}\n$/);
    expect(app).not.toContain('pytest'); // dev tools are the tests' alone
    const lib = text(root, 'ex/greeting/pexkit.lock-subset');
    expect(lib).toContain('\n[test] ../uv.lock\nfirst-party: greeting\n');
    expect(lib).not.toContain('rich');
    const groups = text(root, 'ex/pexkit.test-groups.lock-subset');
    expect(groups).toContain('requirements: pytest>=8\n');
    expect(groups).toContain("\npytest==8.4.2 ; python_full_version < '3.10'\n");
    // In sync now: nothing to do, nothing to report.
    expect(await sync(root)).toEqual({ result: undefined, changed: [] });
  });

  it('changes exactly the files of the projects whose subset a lock-only bump touches', async () => {
    const root = workspace(EXAMPLES);
    await sync(root);
    // rich: hello-service's alone.
    bump(root, 'rich', '15.0.0', '15.0.1');
    const rich = await sync(root);
    expect(rich.changed).toEqual(['ex/hello-service/pexkit.lock-subset']);
    expect(rich.result).toMatchObject({
      outOfSyncDetails: ['ex/hello-service/pexkit.lock-subset'],
    });
    expect(text(root, 'ex/hello-service/pexkit.lock-subset')).toContain('\nrich==15.0.1\n');
    // pluggy comes with pytest (the root's dev group): the test groups alone, no build input.
    bump(root, 'pluggy', '1.7.0', '1.7.1');
    expect((await sync(root)).changed).toEqual(['ex/pexkit.test-groups.lock-subset']);
    // attrs: greeting's, so hello-service's too.
    bump(root, 'attrs', '26.1.0', '26.1.1');
    expect((await sync(root)).changed).toEqual([
      'ex/greeting/pexkit.lock-subset',
      'ex/hello-service/pexkit.lock-subset',
    ]);
  });

  it('changes nothing for a comment in the uv root pyproject.toml or an unrelated lock entry', async () => {
    const root = workspace(EXAMPLES);
    await sync(root);
    writeFile(root, 'ex/pyproject.toml', `# a comment\n${EXAMPLES['ex/pyproject.toml']}`);
    expect((await sync(root)).changed).toEqual([]);
    writeFile(
      root,
      'ex/uv.lock',
      `${LOCK}\n[[package]]\nname = "unused"\nversion = "1.0"\nsource = { registry = "https://pypi.org/simple" }\n`,
    );
    expect((await sync(root)).changed).toEqual([]);
  });

  it("adds a member's own default groups to the test groups, and extras of a build as a section", async () => {
    const root = workspace({
      ...EXAMPLES,
      'ex/greeting/pyproject.toml': `${EXAMPLES['ex/greeting/pyproject.toml']}\n[dependency-groups]\ndev = ["iniconfig"]\n`,
      'ex/hello-service/pyproject.toml': EXAMPLES['ex/hello-service/pyproject.toml']!.replace(
        '[tool.uv.sources]',
        '[project.optional-dependencies]\nfancy = ["colorama"]\n\n[tool.pexkit]\nextras = ["fancy"]\n\n[tool.uv.sources]',
      ),
      'ex/uv.lock': LOCK.replace(
        '    { name = "rich" },\n]\n',
        '    { name = "rich" },\n]\n\n[package.optional-dependencies]\nfancy = [\n    { name = "colorama" },\n]\n',
      ),
    });
    await sync(root);
    const groups = text(root, 'ex/pexkit.test-groups.lock-subset');
    expect(groups).toContain('\n[greeting:test: its own default dependency groups] uv.lock\n');
    expect(groups).toContain('requirements: iniconfig\n');
    const app = text(root, 'ex/hello-service/pexkit.lock-subset');
    expect(app).toContain('\n[build] ../uv.lock\nextras: fancy\n');
    expect(app).toContain('\n[test] ../uv.lock\nfirst-party: hello-service, greeting\n');
  });

  it('lists the whole of a flat lock (no edges) for every build that uses it', async () => {
    const root = workspace({
      ...EXAMPLES,
      'ex/hello-service/pyproject.toml': EXAMPLES['ex/hello-service/pyproject.toml']!.replace(
        '[tool.uv.sources]',
        '[tool.pexkit]\nlock = "ex/requirements.txt"\n\n[tool.uv.sources]',
      ),
      'ex/requirements.txt': 'attrs==26.1.0\nclick==8.1.8\nidna==3.10\nrich==15.0.0\n',
    });
    await sync(root);
    const app = text(root, 'ex/hello-service/pexkit.lock-subset');
    expect(app).toContain('\n[build] ../requirements.txt\n');
    // idna is nobody's dependency, but a flat lock cannot tell: it is listed (safe).
    expect(app).toContain('\nidna==3.10\n');
    writeFile(
      root,
      'ex/requirements.txt',
      'attrs==26.1.0\nclick==8.1.8\nidna==3.11\nrich==15.0.0\n',
    );
    expect((await sync(root)).changed).toEqual(['ex/hello-service/pexkit.lock-subset']);
  });

  it('fails naming the lock file and line when the lock is malformed', async () => {
    const root = workspace({
      ...EXAMPLES,
      'ex/uv.lock':
        'version = 1\nrequires-python = ">=3.9"\n\n[[package]]\nname = "attrs"\nversion = = "1"\n',
    });
    const tree = new FsTree(root, false);
    const projects = await projectsOf(root);
    let error: unknown;
    try {
      syncLockSubsetFiles(tree, projects);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LockSubsetFileError);
    expect((error as Error).message).toMatch(/hello-service: \S*ex\/uv\.lock:6:\d+: invalid TOML/);
    expect(tree.listChanges()).toEqual([]);
  });

  it('fails naming the project when the lock is stale (a new member is not locked yet)', async () => {
    const root = workspace({
      ...EXAMPLES,
      'ex/pyproject.toml': EXAMPLES['ex/pyproject.toml']!.replace(
        '"hello-service"]',
        '"hello-service", "newlib"]',
      ),
      'ex/newlib/pyproject.toml': '[project]\nname = "newlib"\nversion = "0.1.0"\n',
      'ex/newlib/tests/test_newlib.py': 'def test_x():\n    pass\n',
    });
    const projects = await projectsOf(root, [...PYPROJECTS, 'ex/newlib/pyproject.toml']);
    expect(() => syncLockSubsetFiles(new FsTree(root, false), projects)).toThrow(
      /of 1 project\(s\):\n {2}newlib: .*newlib/,
    );
  });
});
