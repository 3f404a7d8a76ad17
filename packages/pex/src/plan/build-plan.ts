/**
 * The hand-off between resolution (lock → wheels per target, issue 4) and the writer (issue 5):
 * everything the writer needs to seal a PEX, with every wheel already on local disk and verified.
 */
import type { Target } from '../targets/target.js';

/** A first-party project whose code goes into the PEX. */
export interface FirstPartyProject {
  /** Canonical (PEP 503) name. */
  name: string;
  version: string;
  /** Absolute directory holding its pyproject.toml. */
  root: string;
  /** Directories (absolute) that hold its import packages / modules: `src/` or the root. */
  sourceRoots: string[];
  /** `[project.scripts]`: console script name → `module:function`. */
  scripts: Record<string, string>;
  /** `[project.gui-scripts]`. */
  guiScripts: Record<string, string>;
  /** `[project.entry-points]` groups (for entry_points.txt). */
  entryPoints: Record<string, Record<string, string>>;
  /** PEP 508 dependency strings as written in pyproject.toml (workspace members included). */
  dependencies: string[];
  requiresPython?: string;
}

/** One wheel on local disk, verified against the lock's sha256 (or hashed on download). */
export interface ResolvedWheel {
  filename: string;
  /** Absolute path of the verified file (usually in the download cache). */
  path: string;
  sha256: string;
  size: number;
  /** Canonical project name and version from the file name. */
  name: string;
  version: string;
  /** The target strings (as given) that chose this wheel. */
  targets: string[];
}

/** One third-party project in the closure. */
export interface ResolvedProject {
  name: string;
  version: string;
  /** PEP 508 strings of its dependency edges, extras resolved, other markers kept. */
  requires: string[];
  requiresPython?: string;
  wheels: ResolvedWheel[];
}

export interface BuildPlan {
  /** The project being built (the app). */
  main: FirstPartyProject;
  /** The app and every workspace project it depends on, transitively (main first). */
  firstParty: FirstPartyProject[];
  /** PEP 508 roots: third-party requirements of the first-party closure, markers kept. */
  requirements: string[];
  /**
   * Third-party projects in the closure over all targets, sorted by name, then version. A name
   * appears more than once when targets need different versions of it (a uv lock forked by
   * Python version, e.g. click 8.1.8 for cp39 and 8.5.1 for cp311); each wheel's `targets` says
   * which targets use it.
   */
  projects: ResolvedProject[];
  /** Target strings as given by the user (e.g. `current`, `manylinux2014_x86_64-cp-311-cp311`). */
  targets: string[];
  /** The lock file the plan was read from (an input the output must never replace). */
  lockPath?: string;
  /** Default interpreter constraints derived from requires-python (pex syntax). */
  interpreterConstraints: string[];
  /**
   * The targets resolved (same order as `targets`). The writer narrows the interpreter
   * constraints to the Python versions on which, for some target, the runtime would find a
   * fitting wheel of every project (`resolve/python-range.ts`). Absent: no narrowing.
   */
  resolvedTargets?: Target[];
}
