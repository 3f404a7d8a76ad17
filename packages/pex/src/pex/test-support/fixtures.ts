/** Test support: a small first-party app on disk and hand-built BuildPlans over real wheels. */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BuildPlan, FirstPartyProject, ResolvedProject } from '../../plan/build-plan.js';
import { sha256File } from '../../wheel/validate.js';

/** Writes `files` (relative path → contents) under `root`. */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const full = join(root, rel);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}

export const APP_FILES: Record<string, string> = {
  'pyproject.toml':
    '[project]\nname = "hello-app"\nversion = "1.2.0"\ndependencies = ["requests>=2"]\n[project.scripts]\nhello = "hello_app.cli:main"\n',
  'README.md': '# hello\n',
  'src/hello_app/__init__.py': 'GREETING = "hello"\n',
  'src/hello_app/cli.py':
    'import sys\n\ndef main():\n    import requests\n    from importlib.metadata import version\n    print("hello", requests.__version__, version("hello-app"), " ".join(sys.argv[1:]))\n',
  'src/hello_app/py.typed': '',
  'src/hello_app/data/greeting.txt': 'hi there\n',
  'src/hello_app/tests/test_cli.py': 'def test(): pass\n',
  'src/hello_app/__pycache__/cli.cpython-311.pyc': 'junk',
  'src/nsp/sub/mod.py': 'NAME = "namespace"\n',
  'tests/test_app.py': 'def test(): pass\n',
};

/** Writes the test app (src layout, a namespace package, data, tests, caches) under `root`. */
export function writeApp(root: string): FirstPartyProject {
  writeTree(root, APP_FILES);
  return appProject(root);
}

export function appProject(root: string): FirstPartyProject {
  return {
    name: 'hello-app',
    version: '1.2.0',
    root,
    sourceRoots: [join(root, 'src')],
    scripts: { hello: 'hello_app.cli:main' },
    guiScripts: {},
    entryPoints: {},
    dependencies: ['requests>=2'],
    requiresPython: '>=3.8',
  };
}

/** A ResolvedProject for a wheel file on disk (name/version from the file name). */
export async function projectForWheel(
  path: string,
  requires: string[] = [],
): Promise<ResolvedProject> {
  const filename = path.split('/').pop()!;
  const [rawName, version] = filename.split('-');
  const name = rawName.toLowerCase().replace(/[-_.]+/g, '-');
  return {
    name,
    version,
    requires,
    wheels: [
      {
        filename,
        path,
        sha256: await sha256File(path),
        size: statSync(path).size,
        name,
        version,
        targets: ['current'],
      },
    ],
  };
}

export async function planFor(
  main: FirstPartyProject,
  wheelPaths: string[],
  requirements: string[] = ['requests>=2'],
): Promise<BuildPlan> {
  const projects = await Promise.all(wheelPaths.map((p) => projectForWheel(p)));
  projects.sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    main,
    firstParty: [main],
    requirements,
    projects,
    targets: ['current'],
    interpreterConstraints: ['>=3.8'],
  };
}

/** Pinned wheels of requests and its dependencies (pure Python except charset-normalizer's). */
export const REQUESTS_WHEELS = [
  'requests==2.32.3',
  'idna==3.10',
  'certifi==2024.8.30',
  'urllib3==2.2.3',
  'charset-normalizer==3.4.0',
];
