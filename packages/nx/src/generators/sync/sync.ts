import { createProjectGraphAsync, type ProjectConfiguration, type Tree } from '@nx/devkit';
import type { SyncGeneratorResult } from 'nx/src/utils/sync-generators.js';
import {
  expectedLockSubsetFiles,
  LOCK_SUBSET_FILE,
  lockSubsetProjects,
} from '../../utils/lock-subset-file.js';

/**
 * `nx sync` (task sync generator of the inferred build and test targets): writes each Python
 * project's lock-subset file, the packages its targets take from the lock. Run by `nx sync`,
 * checked by `nx sync:check` (CI), and before `nx build`/`nx test` on a developer's machine.
 */
export async function syncGenerator(tree: Tree): Promise<SyncGeneratorResult> {
  const graph = await createProjectGraphAsync();
  const projects: Record<string, ProjectConfiguration> = {};
  for (const [name, node] of Object.entries(graph.nodes)) projects[name] = node.data;
  return syncLockSubsetFiles(tree, projects);
}

/** The generator's work for given projects (what the project graph holds). */
export function syncLockSubsetFiles(
  tree: Tree,
  projects: Record<string, Pick<ProjectConfiguration, 'root' | 'metadata' | 'targets'>>,
): SyncGeneratorResult {
  const wanted = lockSubsetProjects(projects);
  const expected = expectedLockSubsetFiles(tree.root, wanted);
  const changed: string[] = [];
  for (const [file, text] of expected) {
    const current = tree.exists(file) ? tree.read(file, 'utf-8') : null;
    if (text === undefined) {
      if (current !== null) {
        tree.delete(file);
        changed.push(`${file} (removed: the project reads no lock)`);
      }
    } else if (current !== text) {
      tree.write(file, text);
      changed.push(current === null ? `${file} (new)` : file);
    }
  }
  if (changed.length === 0) return;
  return {
    outOfSyncMessage: `The lock subsets (${LOCK_SUBSET_FILE}) of ${changed.length} Python project(s) do not match their lock (uv.lock changed, or a project's dependencies, extras or groups did). Run 'nx sync' and commit the files: the build and test hashes and 'nx affected' see the lock only through them.`,
    outOfSyncDetails: changed,
  };
}

export default syncGenerator;
