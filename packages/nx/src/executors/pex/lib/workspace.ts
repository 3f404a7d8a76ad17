import { join } from 'node:path';
import { findWorkspace, type Workspace } from '@pexkit/pex';

/** The uv workspace holding a project (read from disk by @pexkit/pex). */
export function loadWorkspaceFor(workspaceRoot: string, projectRoot: string): Workspace {
  return findWorkspace(join(workspaceRoot, projectRoot));
}
