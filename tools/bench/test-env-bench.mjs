#!/usr/bin/env node
/* global performance */
// The inferred `test` target's cost: the shared uv environment (`--all-packages`, before) against
// each project's own environment (`--package <member> --group <root groups> --exact` in its
// .venv, now), on a copy of examples/, interleaved, warm (environments synced once before), and
// cold (own environment deleted before each run; uv's cache warm). Usage:
//   node tools/bench/test-env-bench.mjs [--runs 11]
// Needs .venv-tools (bash tools/setup-python-tools.sh) for uv.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const uv = join(repo, '.venv-tools/bin/uv');
const i = process.argv.indexOf('--runs');
const runs = i === -1 ? 11 : Number(process.argv[i + 1]);
const pytest = ['python', '-m', 'pytest', '-p', 'no:cacheprovider', '-q'];
const projects = [
  { dir: 'greeting', name: 'greeting' },
  { dir: 'hello-service', name: 'hello-service' },
];

const root = mkdtempSync(join(tmpdir(), 'pexkit-test-env-bench-'));
cpSync(join(repo, 'examples'), root, {
  recursive: true,
  filter: (src) => !/[\\/]\.venv([\\/]|$)/.test(src),
});

function time(args, cwd, env) {
  const s = performance.now();
  const r = spawnSync(uv, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = performance.now() - s;
  if (r.status !== 0) throw new Error(`uv ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return ms;
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const shared = (p) => time(['run', '--locked', '--all-packages', ...pytest], join(root, p.dir), {});
const own = (p) =>
  time(
    ['run', '--locked', '--package', p.name, '--group', 'dev', '--exact', ...pytest],
    join(root, p.dir),
    { UV_PROJECT_ENVIRONMENT: `${p.dir}/.venv` },
  );

try {
  const result = {};
  for (const p of projects) {
    shared(p);
    own(p); // sync both environments once: the warm runs below reuse them
    const a = [];
    const b = [];
    const cold = [];
    for (let r = 0; r < runs; r++) {
      a.push(shared(p));
      b.push(own(p));
      rmSync(join(root, p.dir, '.venv'), { recursive: true, force: true });
      cold.push(own(p));
    }
    result[p.name] = {
      sharedWarmMs: Math.round(median(a)),
      ownWarmMs: Math.round(median(b)),
      ownColdMs: Math.round(median(cold)),
      warmRatio: Number((median(b) / median(a)).toFixed(2)),
    };
  }
  console.log(JSON.stringify({ runs, ...result }, null, 2));
} finally {
  rmSync(root, { recursive: true, force: true });
}
