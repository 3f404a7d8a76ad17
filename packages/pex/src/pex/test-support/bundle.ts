/** Test support: bundles a TypeScript entry with esbuild so a plain `node` (any user) can run it. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../testing/python-tools.js';

/** Bundles `entry` into `outFile` (ESM); `import.meta.url` is pinned to src/package-info.ts. */
export function bundleForNode(entry: string, outFile: string): void {
  const metaUrl = pathToFileURL(
    fileURLToPath(new URL('../../package-info.ts', import.meta.url)),
  ).href;
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
