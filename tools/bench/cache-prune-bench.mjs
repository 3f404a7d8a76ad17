#!/usr/bin/env node
// `pexkit cache prune` on a big cache (issue 15: a 1 GB cache of 2,000 entries in < 5 s).
// Builds a build cache of N entries (default 2000) totalling SIZE (default 1 GiB): downloads
// (half the entries, most of the bytes), deflated wheels, verdicts, index pages, interpreter
// facts, with sparse files (or --real ones), last used over the past 60 days; then times, as a
// user runs it (the CLI, a fresh process each):
//   1. cache info
//   2. cache prune --older-than 30d --dry-run
//   3. cache prune --max-size 0              (all of it)
//   4. cache prune --older-than 30d          (about half, on a new cache)
// With --pex-root the same for a PEX_ROOT of N installed wheels (a few files each) and their
// start plans, pruned by `pexkit cache prune --pex-root` (the runtime's cache_tools.py).
// Usage: node tools/bench/cache-prune-bench.mjs [--entries 2000] [--size 1G] [--real]
//          [--pex-root] [--runs 3] [--make DIR (only make the cache there)]
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { median, REPO_ROOT } from './lib/bench-util.mjs';
import { BUILD_CACHE_DIRS } from '../../packages/pex/dist/cache/layout.js';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '2000' },
    size: { type: 'string', default: '1G' },
    real: { type: 'boolean', default: false },
    'pex-root': { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    make: { type: 'string' },
  },
});
const N = Number(values.entries);
const UNITS = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 };
const TOTAL = Math.round(
  parseFloat(values.size) * (UNITS[values.size.slice(-1).toUpperCase()] ?? 1),
);
const CLI = join(REPO_ROOT, 'packages/pex/bin/pexkit.js');
const DAY = 86_400_000;
const hex = (s) => createHash('sha256').update(String(s)).digest('hex');
const chunk = Buffer.alloc(1 << 20, 7);

function file(path, bytes, daysAgo) {
  mkdirSync(dirname(path), { recursive: true });
  if (values.real) {
    const fd = openSync(path, 'w');
    for (let left = bytes; left > 0; left -= chunk.length)
      writeSync(fd, chunk, 0, Math.min(left, chunk.length));
    closeSync(fd);
  } else {
    writeFileSync(path, '');
    if (bytes > 0) {
      const fd = openSync(path, 'r+');
      writeSync(fd, Buffer.from([1]), 0, 1, bytes - 1); // sparse: one real byte at the end
      closeSync(fd);
    }
  }
  const t = new Date(Date.now() - daysAgo * DAY);
  utimesSync(path, t, t);
}

function age(path, daysAgo) {
  const t = new Date(Date.now() - daysAgo * DAY);
  utimesSync(path, t, t);
}

/** A build cache: 50% downloads (90% of the bytes), 20% deflated, 15% verdicts, 10% pages, 5% interpreters. */
function makeBuildCache(root) {
  const counts = { dl: N * 0.5, def: N * 0.2, ver: N * 0.15, page: N * 0.1, interp: N * 0.05 };
  const big = Math.floor((TOTAL * 0.9) / counts.dl);
  const small = Math.floor((TOTAL * 0.1) / (counts.def + counts.ver + counts.page + counts.interp));
  let i = 0;
  const days = () => (i * 37) % 60; // spread over 60 days
  for (let k = 0; k < counts.dl; k++, i++) {
    const h = hex(i);
    const dir = join(root, BUILD_CACHE_DIRS.artifacts, h.slice(0, 2), h);
    file(join(dir, `pkg${i}-1.0-py3-none-any.whl`), big, days());
    age(dir, days());
  }
  for (let k = 0; k < counts.def; k++, i++) {
    file(join(root, BUILD_CACHE_DIRS.deflated, `${hex(i)}.deflate`), small, days());
    file(join(root, BUILD_CACHE_DIRS.deflated, `${hex(i)}.json`), 80, days());
  }
  for (let k = 0; k < counts.ver; k++, i++)
    file(join(root, BUILD_CACHE_DIRS.verified, `${hex(i)}.json`), small, days());
  for (let k = 0; k < counts.page; k++, i++) {
    const h = hex(i);
    file(join(root, BUILD_CACHE_DIRS.indexPages, h.slice(0, 2), `${h}.json`), small, days());
  }
  for (let k = 0; k < counts.interp; k++, i++)
    file(join(root, BUILD_CACHE_DIRS.interpreters, `${hex(i).slice(0, 32)}.json`), small, days());
  return i;
}

/** A PEX_ROOT: N installed wheels of 5 files each (and their lock files), one start plan per 10 of them. */
function makePexRoot(root) {
  const per = Math.floor(TOTAL / N / 5);
  for (let i = 0; i < N; i++) {
    const dir = join(root, 'installed', hex(i));
    for (let f = 0; f < 5; f++) file(join(dir, `pkg${i}`, `mod${f}.py`), per, (i * 37) % 60);
    age(join(dir, `pkg${i}`), (i * 37) % 60);
    // Every entry of a used PEX_ROOT has its lock files: made with it, held by cold starts.
    for (const suffix of ['.lock', '.use'])
      file(join(root, 'locks', `installed_${hex(i)}${suffix}`), 0, 0);
    age(dir, (i * 37) % 60);
  }
  for (let p = 0; p < N / 10; p++) {
    const wheels = Array.from({ length: 10 }, (_, k) => join(root, 'installed', hex(p * 10 + k)));
    const plan = join(
      root,
      'pexes',
      hex(`pex${p}`),
      'cpython-3.11.7-cpython-311-linux-00000000.json',
    );
    mkdirSync(dirname(plan), { recursive: true });
    writeFileSync(
      plan,
      JSON.stringify({ check: wheels, sys_path: wheels, entry: ['module', 'x'] }),
    );
    age(plan, (p * 370) % 60);
  }
  return N;
}

function time(args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, 'cache', ...args], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`pexkit cache ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, out: r.stdout };
}

if (values.make !== undefined) {
  mkdirSync(values.make, { recursive: true });
  console.log(
    `made ${values['pex-root'] ? makePexRoot(values.make) : makeBuildCache(values.make)} entries in ${values.make}`,
  );
  process.exit(0);
}

const where = values['pex-root'] ? '--pex-root' : '--cache-dir';
const results = { info: [], dry: [], all: [], half: [] };
let made = 0;
let removedHalf = 0;
const make = (root) => (values['pex-root'] ? makePexRoot(root) : makeBuildCache(root));
for (let run = 0; run < Number(values.runs); run++) {
  const root = mkdtempSync(join(tmpdir(), 'pexkit-prune-bench-'));
  try {
    made = make(root);
    results.info.push(time(['info', where, root]).ms);
    results.dry.push(time(['prune', '--older-than', '30d', '--dry-run', where, root]).ms);
    const all = time(['prune', '--max-size', '0', '--json', where, root]);
    results.all.push(all.ms);
    if (JSON.parse(all.out).removed.length !== made)
      throw new Error('entries left after --max-size 0');
    rmSync(root, { recursive: true, force: true });
    make(root);
    const half = time(['prune', '--older-than', '30d', '--json', where, root]);
    results.half.push(half.ms);
    removedHalf = JSON.parse(half.out).removed.length;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
const gib = (TOTAL / 2 ** 30).toFixed(2);
console.log(
  `${values['pex-root'] ? 'PEX_ROOT' : 'build cache'}: ${made} entries, ${gib} GiB (${values.real ? 'real' : 'sparse'} files); ` +
    `median of ${values.runs} runs, load average ${loadavg()[0].toFixed(1)}`,
);
console.log(`  cache info                       ${median(results.info).toFixed(0)} ms`);
console.log(`  prune --older-than 30d --dry-run ${median(results.dry).toFixed(0)} ms`);
console.log(
  `  prune --max-size 0               ${median(results.all).toFixed(0)} ms (all ${made} entries)`,
);
console.log(
  `  prune --older-than 30d           ${median(results.half).toFixed(0)} ms (${removedHalf} entries, fresh cache)`,
);
