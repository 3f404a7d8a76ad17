/** What the plugin records about a Python project in `metadata.pexkit` (read by createDependencies and the executor). */
export interface PythonProjectMetadata {
  /** Canonical `[project].name`. */
  pythonName: string;
  /** Workspace-relative `/` paths of the directories holding its import packages. */
  sourceRoots: string[];
  /** Directly declared first-party dependencies: canonical name and workspace-relative root. */
  dependencies: Array<{ name: string; root: string }>;
  /** Workspace-relative root of the uv workspace (the directory of its root pyproject.toml). */
  uvWorkspaceRoot: string;
  /** The inferred pytest target and the default dependency groups' requirements it installs. */
  test?: { target: string; rootGroups: string[]; ownGroups: string[] };
  /**
   * The inferred lint/typecheck targets' environment (the tests' one), when the project has them:
   * the first target's name and the groups it installs.
   */
  checks?: { target: string; rootGroups: string[]; ownGroups: string[] };
}

export function readPythonMetadata(
  metadata: Record<string, unknown> | undefined,
): PythonProjectMetadata | undefined {
  const value = metadata?.['pexkit'];
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Partial<PythonProjectMetadata>;
  if (
    typeof m.pythonName !== 'string' ||
    !Array.isArray(m.sourceRoots) ||
    !Array.isArray(m.dependencies)
  )
    return undefined;
  return m as PythonProjectMetadata;
}
