import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadLock, lockSubset, subsetHash, type Workspace } from '@pexkit/pex';

/** What one target takes from the lock: a project's closure, plus some extra requirements. */
export interface SubsetRequest {
  /** Canonical name of the first-party project. */
  name: string;
  /** Extras of the project to activate. */
  extras?: string[];
  /** Further third-party requirements, e.g. the dependency groups a test run installs. */
  requirements?: string[];
}

/**
 * Lock-subset hashes for several targets of one uv workspace, reading the lock once: what the Nx
 * cache key needs to know about the lock, one hash per request, in order. @pexkit/pex computes
 * them (`lockSubset` over the project's first-party closure and over the extra requirements, then
 * `subsetHash`), so lock entries that the target cannot reach do not change them.
 *
 * A request whose subset cannot be computed (the lock is stale: a member or dependency is missing,
 * or a pyproject.toml it depends on is broken and reported on its own) is keyed on the whole lock
 * file instead: correct, only less precise, and its target reports the real problem. A lock that
 * cannot be read at all throws (reported on the lock file).
 */
export function lockSubsetHashes(
  lockPath: string,
  workspace: Workspace,
  requests: SubsetRequest[],
): string[] {
  const lock = loadLock(lockPath);
  let whole: string | undefined;
  // A project's build and test share its closure, and test runs share the root's groups: each
  // distinct subset is walked and hashed once.
  const memo = new Map<string, string>();
  const once = (key: string, compute: () => string): string => {
    let hash = memo.get(key);
    if (hash === undefined) memo.set(key, (hash = compute()));
    return hash;
  };
  return requests.map(({ name, extras = [], requirements = [] }) => {
    try {
      const own = once(`project ${JSON.stringify([name, extras])}`, () =>
        subsetHash(lockSubset(lock, workspace, name, extras)),
      );
      if (requirements.length === 0) return own;
      const more = once(`requirements ${JSON.stringify(requirements)}`, () =>
        subsetHash(lockSubset(lock, { firstParty: [], requirements })),
      );
      return createHash('sha256').update(`${own}\n${more}`).digest('hex');
    } catch {
      whole ??= `whole-lock:${createHash('sha256').update(readFileSync(lockPath)).digest('hex')}`;
      return whole;
    }
  });
}
