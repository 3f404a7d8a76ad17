import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import type {
  CreateDependenciesContext,
  CreateNodesContext,
  CreateNodesResult,
  FileData,
  ProjectConfiguration,
} from '@nx/devkit';

/** A temporary directory tree for plugin tests; `files` maps relative paths to contents. */
export function writeWorkspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pexkit-nx-'));
  for (const [path, text] of Object.entries(files)) writeFile(root, path, text);
  return root;
}

export function writeFile(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

export function removeWorkspace(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

export function nodesContext(
  workspaceRoot: string,
  namedInputs: Record<string, string[]> = {},
): CreateNodesContext {
  return { workspaceRoot, nxJsonConfiguration: { namedInputs } };
}

function listFiles(root: string, dir = root, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === '.nx') continue;
    const abs = join(dir, name);
    if (statSync(abs).isDirectory()) listFiles(root, abs, out);
    else out.push(relative(root, abs).split(sep).join('/'));
  }
  return out;
}

/** A createDependencies context as Nx builds it: projects and a file map with content hashes. */
export function dependenciesContext(
  workspaceRoot: string,
  projects: Record<string, ProjectConfiguration>,
): CreateDependenciesContext {
  const projectFileMap: Record<string, FileData[]> = {};
  const nonProjectFiles: FileData[] = [];
  const roots = Object.entries(projects).sort((a, b) => b[1].root.length - a[1].root.length);
  for (const file of listFiles(workspaceRoot).sort()) {
    const hash = createHash('sha1')
      .update(readFileSync(join(workspaceRoot, file)))
      .digest('hex');
    const owner = roots.find(([, p]) => p.root === '.' || file.startsWith(`${p.root}/`));
    if (owner === undefined) nonProjectFiles.push({ file, hash });
    else (projectFileMap[owner[0]] ??= []).push({ file, hash });
  }
  const fileMap = { projectFileMap, nonProjectFiles };
  return {
    workspaceRoot,
    projects,
    externalNodes: {},
    nxJsonConfiguration: {},
    fileMap,
    filesToProcess: fileMap,
  };
}

/** A small uv workspace like `examples/`: a virtual root, an app depending on a library. */
export const UV_WORKSPACE: Record<string, string> = {
  'py/pyproject.toml': '[tool.uv.workspace]\nmembers = ["apps/*", "libs/*"]\n',
  'py/apps/web/pyproject.toml': [
    '[project]',
    'name = "Web_App"',
    'version = "1.0.0"',
    'description = "the app"',
    'requires-python = ">=3.9"',
    'dependencies = ["core-lib", "click>=8"]',
    '',
    '[project.scripts]',
    'web-app = "web_app.main:run"',
    '',
    '[tool.uv.sources]',
    'core-lib = { workspace = true }',
    '',
    '[tool.pexkit]',
    'targets = ["current", "manylinux2014_aarch64-cp-311-cp311"]',
    'compress = false',
    '',
  ].join('\n'),
  'py/apps/web/src/web_app/__init__.py': '',
  'py/apps/web/src/web_app/main.py':
    'import click\nfrom core_lib import hello\n\n\ndef run():\n    print(hello())\n',
  'py/apps/web/tests/test_main.py': 'from web_app.main import run\n',
  'py/libs/core/pyproject.toml':
    '[project]\nname = "core-lib"\nversion = "0.1.0"\ndependencies = ["attrs"]\n',
  'py/libs/core/src/core_lib/__init__.py': 'def hello():\n    return "hi"\n',
  'py/libs/util/pyproject.toml': '[project]\nname = "util"\nversion = "0.1.0"\n',
  'py/libs/util/util.py': 'import os\n',
};

export const UV_WORKSPACE_FILES = Object.keys(UV_WORKSPACE).filter((f) =>
  f.endsWith('pyproject.toml'),
);

/** The projects of createNodes results, by name (root filled in). */
export function projectsOf(
  results: ReadonlyArray<readonly [string, CreateNodesResult]>,
): Record<string, ProjectConfiguration> {
  const out: Record<string, ProjectConfiguration> = {};
  for (const [, r] of results)
    for (const [root, p] of Object.entries(r.projects ?? {}))
      out[p.name ?? root] = { ...p, root } as ProjectConfiguration;
  return out;
}
