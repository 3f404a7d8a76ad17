import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectConfiguration } from '@nx/devkit';
import {
  expectedLockSubsetFiles,
  LOCK_SUBSET_FILE,
  lockSubsetProjects,
} from '../../../utils/lock-subset-file.js';
import { joinWorkspacePath } from '../../../utils/paths.js';
import { PexOptionsError } from './normalize-options.js';

/**
 * The build's cache key covers the lock only through the project's lock-subset file: building
 * with a stale file would store a PEX of the new lock under the old key (and serve it to others
 * from a remote cache). So a missing or stale file fails the build, naming the fix. In CI Nx does
 * not run task sync generators itself; `nx sync:check` before the build reports the same.
 */
export function checkLockSubsetFile(
  workspaceRoot: string,
  projects: Record<string, ProjectConfiguration>,
  projectName: string,
): void {
  const project = projects[projectName];
  if (project === undefined) return;
  const wanted = lockSubsetProjects({ [projectName]: project });
  const file = joinWorkspacePath(project.root, LOCK_SUBSET_FILE);
  const expected = expectedLockSubsetFiles(workspaceRoot, wanted).get(file);
  if (expected === undefined) return;
  const abs = join(workspaceRoot, file);
  const actual = existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
  if (actual === expected) return;
  throw new PexOptionsError(
    `${projectName}: ${file} ${actual === undefined ? 'is missing' : 'is out of date with the lock'}; run 'nx sync' and commit it (the build's cache key covers the lock through this file)`,
  );
}
