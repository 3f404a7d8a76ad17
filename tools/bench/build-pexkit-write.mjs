#!/usr/bin/env node
// The pexkit side of build-bench.mjs while `planBuild` (issue 4) is not available: reads the
// project's pyproject.toml, takes every wheel in a directory that a pinned requirements file
// named (already downloaded: a warm cache), hashes them, and calls writePex. Everything a warm
// `pexkit build` does except lock parsing.
// Usage: build-pexkit-write.mjs <project dir> <wheel dir> <output> <root requirement>...
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { REPO_ROOT } from './lib/bench-util.mjs';

const dist = join(REPO_ROOT, 'packages/pex/dist');
const { writePex } = await import(join(dist, 'pex/writer.js'));
const { readPyproject } = await import(join(dist, 'project/pyproject.js'));

const [projectDir, wheelDir, output, ...roots] = process.argv.slice(2);
const info = readPyproject(join(resolve(projectDir), 'pyproject.toml'));
const main = {
  name: info.name,
  version: info.version,
  root: dirname(info.path),
  sourceRoots: info.sourceRoots,
  scripts: info.scripts,
  guiScripts: info.guiScripts,
  entryPoints: info.entryPoints,
  dependencies: info.dependencies,
  requiresPython: info.requiresPython,
};
const sha256 = (path) =>
  new Promise((ok, fail) => {
    const h = createHash('sha256');
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (c) => h.update(c))
      .on('end', () => ok(h.digest('hex')))
      .on('error', fail);
  });
const files = readdirSync(wheelDir)
  .filter((f) => f.endsWith('.whl'))
  .sort();
const projects = await Promise.all(
  files.map(async (filename) => {
    const path = join(wheelDir, filename);
    const [raw, version] = filename.split('-');
    const name = raw.toLowerCase().replace(/[-_.]+/g, '-');
    const wheel = {
      filename,
      path,
      sha256: await sha256(path),
      size: statSync(path).size,
      name,
      version,
      targets: ['current'],
    };
    return { name, version, requires: [], wheels: [wheel] };
  }),
);
const plan = {
  main,
  firstParty: [main],
  requirements: roots,
  projects: projects.sort((a, b) => (a.name < b.name ? -1 : 1)),
  targets: ['current'],
  interpreterConstraints: info.requiresPython ? [info.requiresPython] : [],
};
const result = await writePex(plan, { output, consoleScript: Object.keys(info.scripts)[0] });
process.stdout.write(
  `${JSON.stringify({ output: result.output, size: result.size, sha256: result.sha256 })}\n`,
);
