/* global setTimeout, clearTimeout */
import { spawn } from 'node:child_process';

/** Runs a command, streaming its output with a prefix; resolves to { code, stdout, stderr }. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 15 * 60_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!options.quiet) process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!options.quiet) process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like run, but rejects with the command's output when it exits non-zero. */
export async function check(command, args, options = {}) {
  const r = await run(command, args, options);
  if (r.code !== 0) {
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(`${command} ${args.join(' ')} exited ${r.code}\n${tail}`);
  }
  return r;
}
