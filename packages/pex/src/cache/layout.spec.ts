import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BOOTSTRAP_DIR } from '../package-info.js';
import { BUILD_CACHE_DIRS, buildCachePath, PEX_ROOT_DIRS, pexRootPath } from './layout.js';

/** The runtime's PEX_ROOT names: pexkit_boot/layout.py, and the folders stage 1 joins itself. */
const RUNTIME_NAMES = `
import ast, json, sys
sys.path.insert(0, sys.argv[1])
from pexkit_boot import layout
stage1 = set()
for node in ast.walk(ast.parse(open(sys.argv[1] + "/__main__.py").read())):
    if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "join" and len(node.args) > 1 \\
            and getattr(node.args[0], "id", "") in ("root", "trusted"):  # joins onto the PEX_ROOT
        arg = node.args[1]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            stage1.add(arg.value)
print(json.dumps({"dirs": layout.DIRS, "stage1": sorted(stage1)}))
`;

describe('cache layout', () => {
  it('the runtime names the PEX_ROOT folders as src/cache/layout.ts does', () => {
    const out = JSON.parse(
      execFileSync('python3', ['-c', RUNTIME_NAMES, fileURLToPath(BOOTSTRAP_DIR)], {
        encoding: 'utf8',
      }),
    ) as { dirs: Record<string, string>; stage1: string[] };
    expect(out.dirs).toEqual(PEX_ROOT_DIRS);
    // Stage 1 joins `pexes` and `bootstrap` onto the root itself (it imports nothing on a warm
    // start): every folder it names must be one of the layout's.
    expect(out.stage1.length).toBeGreaterThan(0);
    for (const name of out.stage1) expect(Object.values(PEX_ROOT_DIRS)).toContain(name);
  });

  it('build-cache and PEX_ROOT folders do not collide except where shared on purpose', () => {
    const build = new Set(Object.values(BUILD_CACHE_DIRS).map((d) => d.split('/')[0]));
    const shared = Object.values(PEX_ROOT_DIRS).filter((d) => build.has(d));
    expect(shared.sort()).toEqual(['locks', 'trash']);
    expect(buildCachePath('/c', 'artifacts', 'ab', 'x.whl')).toBe('/c/artifacts/sha256/ab/x.whl');
    expect(pexRootPath('/r', 'installed', 'abc')).toBe('/r/installed/abc');
  });
});
