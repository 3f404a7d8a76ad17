import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadLock, lockSubset, subsetHash, type Workspace } from '@pexkit/pex';

/**
 * The lock-subset hashes of several projects of one uv workspace, reading the lock once: what the
 * Nx cache key needs to know about the lock. @pexkit/pex computes it (`lockSubset` over the
 * project's first-party closure, then `subsetHash`), so lock entries no build of the project can
 * reach do not change it.
 *
 * A project whose subset cannot be computed (the lock is stale: a member or dependency is missing,
 * or a pyproject.toml it depends on is broken and reported on its own) is keyed on the whole lock
 * file instead: correct, only less precise, and its build reports the real problem. A lock that
 * cannot be read at all throws (reported on the lock file).
 */
export function lockSubsetHashes(
  lockPath: string,
  workspace: Workspace,
  projects: Array<{ name: string; extras?: string[] }>,
): Map<string, string> {
  const lock = loadLock(lockPath);
  const out = new Map<string, string>();
  let whole: string | undefined;
  for (const { name, extras = [] } of projects) {
    try {
      out.set(name, subsetHash(lockSubset(lock, workspace, name, extras)));
    } catch {
      whole ??= `whole-lock:${createHash('sha256').update(readFileSync(lockPath)).digest('hex')}`;
      out.set(name, whole);
    }
  }
  return out;
}
