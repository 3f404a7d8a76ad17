/** Test support: the CPython 3.8+ interpreters installed with pyenv on this machine. */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function pythons(): string[] {
  const root = join(homedir(), '.pyenv/versions');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((v) => /^3\.(8|9|1[0-9])\.\d+$/.test(v))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((v) => join(root, v, 'bin/python3'))
    .filter((p) => existsSync(p));
}
