/** Case shapes for `tags_oracle.py`, run through {@link runOracle}; tests only. */
import { runOracle } from './differential.js';

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

export type TagsOracleCase =
  { k: 'sys_tags'; spec: OracleTargetSpec } | { k: 'wheel'; s: string } | { k: 'tag'; s: string };

/** packaging's answers, in case order; checks that the oracle ran packaging 26.3. */
export function runTagsOracle<R>(cases: readonly TagsOracleCase[]): R[] {
  const answer = runOracle<R>('tags_oracle.py', cases);
  if (answer.packaging !== '26.3')
    throw new Error(`tags_oracle.py ran packaging ${answer.packaging}, not 26.3`);
  return answer.results;
}
