import { relative, sep } from 'node:path';

/** Workspace-relative `/` path (`.` for the root itself). */
export function toWorkspacePath(workspaceRoot: string, abs: string): string {
  const rel = relative(workspaceRoot, abs).split(sep).join('/');
  return rel === '' ? '.' : rel;
}

/** Directory part of a workspace-relative `/` path (`.` at the top). */
export function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i === -1 ? '.' : file.slice(0, i);
}

/** Joins workspace-relative `/` paths, normalising `.` and `..`. */
export function joinWorkspacePath(...parts: string[]): string {
  const out: string[] = [];
  for (const part of parts.join('/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.length === 0 ? '.' : out.join('/');
}

/** True if `path` is `dir` or inside it (workspace-relative `/` paths). */
export function isWithin(path: string, dir: string): boolean {
  return dir === '.' || path === dir || path.startsWith(`${dir}/`);
}
