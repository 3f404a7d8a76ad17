/** Runs `tags_oracle.py` (pypa packaging in `.venv-tools`) on one batch; tests only. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { toolsPython } from './python-tools.js';

const ORACLE = fileURLToPath(new URL('./tags_oracle.py', import.meta.url));

export interface OracleTargetSpec {
  os: 'linux' | 'mac' | 'windows';
  arch?: string;
  glibc?: readonly [number, number] | null;
  musl?: readonly [number, number] | null;
  mac_version?: readonly [number, number];
  win_platform?: string;
  impl: 'cp' | 'pp';
  version: readonly [number, number];
  debug?: boolean;
  threaded?: boolean;
  pymalloc?: boolean;
  pypy_abi?: string;
}

export type OracleWheelResult =
  | { name: string; version: string; build: [string, string] | null; tags: string[] }
  | { error: string };

export interface TagsOracleAnswer {
  packaging: string;
  targets: string[][];
  wheels: OracleWheelResult[];
}

export function runTagsOracle(batch: {
  targets?: OracleTargetSpec[];
  wheels?: string[];
}): TagsOracleAnswer {
  const result = spawnSync(toolsPython(), [ORACLE], {
    input: JSON.stringify(batch),
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`tags_oracle.py failed (${result.status}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as TagsOracleAnswer;
}
