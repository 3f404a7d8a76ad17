/** Runs a PEX once under one interpreter, cold (an empty PEX_ROOT), and judges the outcome. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InterpreterInfo } from '../interpreter/current.js';

/** One interpreter's smoke run. */
export interface SmokeRun {
  /** The interpreter as found (path). */
  python: string;
  implementation: string;
  version: string;
  /** The PEX target that describes it. */
  target: string;
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** A Python traceback was printed (a failure even with exit code 0). */
  traceback: boolean;
  seconds: number;
  /** stdout then stderr, capped. */
  output: string;
}

const OUTPUT_CAP = 256 * 1024;
export const TRACEBACK = 'Traceback (most recent call last):';

/**
 * The environment of a run: the caller's, without anything that would make the PEX run other
 * code or another interpreter (`PYTHONPATH`, `PYTHONHOME`, every `PEX_*` setting), then
 * `PEX_ROOT` (an empty directory: a cold start, extracting everything) and `PEX_PYTHON` naming
 * the interpreter, so the runtime never re-executes into another one.
 */
export function smokeEnv(
  base: NodeJS.ProcessEnv,
  python: string,
  pexRoot: string,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (k.startsWith('PEX_') || k === 'PYTHONPATH' || k === 'PYTHONHOME') continue;
    env[k] = v;
  }
  env['PEX_ROOT'] = pexRoot;
  env['PEX_PYTHON'] = python;
  env['PYTHONIOENCODING'] = 'utf-8';
  return env;
}

export async function runUnder(
  info: InterpreterInfo,
  target: string,
  pex: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<SmokeRun> {
  const dir = await mkdtemp(join(tmpdir(), 'pexkit-smoke-'));
  const started = performance.now();
  try {
    const env = smokeEnv(options.env ?? process.env, info.path, join(dir, 'pex_root'));
    const chunks: Buffer[] = [];
    const errChunks: Buffer[] = [];
    let size = 0;
    const keep = (into: Buffer[]) => (chunk: Buffer) => {
      if (size >= OUTPUT_CAP) return;
      into.push(chunk.subarray(0, OUTPUT_CAP - size));
      size += chunk.length;
    };
    const { code, signal, timedOut } = await new Promise<{
      code: number | null;
      signal: string | null;
      timedOut: boolean;
    }>((resolve) => {
      // cwd: an empty directory, so nothing beside the PEX shadows what it imports.
      const child = spawn(info.path, [pex, ...args], {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, options.timeoutMs);
      child.stdout.on('data', keep(chunks));
      child.stderr.on('data', keep(errChunks));
      child.on('error', (error) => {
        clearTimeout(timer);
        errChunks.push(Buffer.from(String(error.message)));
        resolve({ code: null, signal: null, timedOut });
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, timedOut });
      });
    });
    const output = Buffer.concat([...chunks, ...errChunks]).toString('utf8');
    const traceback = output.includes(TRACEBACK);
    return {
      python: info.path,
      implementation: info.markerEnvironment['platform_python_implementation'] ?? '',
      version: info.markerEnvironment['python_full_version'] ?? info.version.join('.'),
      target,
      ok: code === 0 && !traceback && !timedOut,
      exitCode: code,
      signal,
      timedOut,
      traceback,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      output,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
