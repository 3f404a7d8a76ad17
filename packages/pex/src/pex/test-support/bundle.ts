/** Test support: bundles a TypeScript entry with esbuild so a plain `node` (any user) can run it. */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../testing/python-tools.js';

/**
 * Bundles `entry` into `outFile` (ESM). The bundle reads `package.json` and `bootstrap/` through
 * `import.meta.url` (src/package-info.ts), so copies of both go into `pkg/` beside `outFile` and
 * `import.meta.url` points there: the bundle never reaches back into the checkout, which another
 * user may not be able to read (a clone under a 0700 directory).
 */
export function bundleForNode(entry: string, outFile: string): void {
  const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const pkg = join(dirname(outFile), 'pkg');
  mkdirSync(join(pkg, 'src'), { recursive: true });
  cpSync(join(packageRoot, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(packageRoot, 'bootstrap'), join(pkg, 'bootstrap'), { recursive: true });
  const metaUrl = pathToFileURL(join(pkg, 'src', 'package-info.js')).href;
  execFileSync(join(REPO_ROOT, 'node_modules/.bin/esbuild'), [
    entry,
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--log-level=error',
    `--define:import.meta.url=${JSON.stringify(metaUrl)}`,
    `--outfile=${outFile}`,
  ]);
}
