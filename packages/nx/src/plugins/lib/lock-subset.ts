import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as pex from '@pexkit/pex';
import type { Workspace } from '@pexkit/pex';

/**
 * The lock-subset hash of a project: what the Nx cache key needs to know about the lock. It is
 * computed by @pexkit/pex (`loadLock`, `lockSubset`, `subsetHash`); this module only adapts the
 * calls and parses each lock once per inference call.
 */
interface LockApi {
  loadLock(path: string): unknown;
  lockSubset(lock: unknown, workspace: Workspace, projectName: string): unknown;
  subsetHash(subset: unknown): string;
}

function lockApi(): LockApi | undefined {
  const api = pex as unknown as Partial<LockApi>;
  if (typeof api.loadLock === 'function' && typeof api.lockSubset === 'function' && typeof api.subsetHash === 'function') {
    return api as LockApi;
  }
  return undefined;
}

/** Computes subset hashes for several projects of one workspace, reading the lock once. */
export function lockSubsetHashes(lockPath: string, workspace: Workspace, projectNames: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const api = lockApi();
  if (api === undefined) {
    // @pexkit/pex without lock subsets: the whole lock keys every project (correct, less precise).
    const whole = 'lock:' + createHash('sha256').update(readFileSync(lockPath)).digest('hex');
    for (const name of projectNames) out.set(name, whole);
    return out;
  }
  const lock = api.loadLock(lockPath);
  for (const name of projectNames) out.set(name, api.subsetHash(api.lockSubset(lock, workspace, name)));
  return out;
}
