import { loadLock, lockSubset, subsetHash, type Workspace } from '@pexkit/pex';

/**
 * The lock-subset hashes of several projects of one uv workspace, reading the lock once: what the
 * Nx cache key needs to know about the lock. @pexkit/pex computes it (`lockSubset` over the
 * project's first-party closure, then `subsetHash`), so lock entries no build of the project can
 * reach do not change it.
 */
export function lockSubsetHashes(
  lockPath: string,
  workspace: Workspace,
  projects: Array<{ name: string; extras?: string[] }>,
): Map<string, string> {
  const lock = loadLock(lockPath);
  const out = new Map<string, string>();
  for (const { name, extras = [] } of projects) out.set(name, subsetHash(lockSubset(lock, workspace, name, extras)));
  return out;
}
