// Shared helpers for the benchmarks in tools/bench (build-* and start-*).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const TOOLS_BIN = join(REPO_ROOT, '.venv-tools/bin');

/** `.venv-tools/bin/<name>`, creating the venv (tools/setup-python-tools.sh) when missing. */
export function toolBin(name) {
  const bin = join(TOOLS_BIN, name);
  if (!existsSync(bin))
    execFileSync('bash', [join(REPO_ROOT, 'tools/setup-python-tools.sh')], { stdio: 'inherit' });
  return bin;
}

/** A CPython from pyenv (e.g. '3.11'), else the tools venv's python. */
export function pyenvPython(minor) {
  const root = join(homedir(), '.pyenv/versions');
  if (existsSync(root)) {
    const found = execFileSync('ls', [root], { encoding: 'utf8' })
      .split('\n')
      .find((v) => v.startsWith(`${minor}.`));
    if (found) return join(root, found, 'bin/python3');
  }
  return join(TOOLS_BIN, 'python');
}

export function ensureDir(dir) {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs a command, returning its wall time in seconds; throws with its output on failure. */
export function timed(cmd, args, options = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return { seconds, stdout: r.stdout, stderr: r.stderr };
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Size in bytes of a file, or of all files under a directory. */
export function sizeOf(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  const out = execFileSync('du', ['-sb', path], { encoding: 'utf8' });
  return Number(out.split('\t')[0]);
}

export function formatBytes(n) {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} MB` : `${(n / 1e3).toFixed(1)} KB`;
}

/** Prints rows (arrays of strings) as an aligned Markdown table. */
export function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}
