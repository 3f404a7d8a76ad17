/**
 * Build-time checks of what a PEX will run: the entry point's module must be in the sealed code
 * (first-party files or a wheel), and some target must satisfy the interpreter constraints.
 * Either failing would otherwise only show at the first start, on the user's machine.
 */
import { UsageError } from '../errors.js';
import { SpecifierSet } from '../pep440/specifier.js';
import type { ResolvedWheel } from '../plan/build-plan.js';
import type { Target } from '../targets/target.js';
import { installedPath } from '../wheel/installed-paths.js';
import type { WheelVerdict } from '../wheel/validate.js';
import { ZipReader } from '../zip/reader.js';

/** True when a file at `name` (a path from the PEX's import root) makes `module` importable. */
function provides(name: string, modulePath: string): boolean {
  if (name === `${modulePath}.py` || name === `${modulePath}/__init__.py`) return true;
  if (name.startsWith(`${modulePath}/`)) return true; // a (namespace) package directory
  if (!name.startsWith(modulePath)) return false;
  // Extension modules: mod.so, mod.cpython-311-x86_64-linux-gnu.so, mod.pyd, mod.cp311-win_amd64.pyd
  return /^(\.[^/.]+)?\.(so|pyd)$/.test(name.slice(modulePath.length));
}

/**
 * Throws a UsageError when `entryPoint` (`module[:function]`) names a module that neither the
 * first-party files nor any wheel holds. `what` says where the entry point came from.
 */
export async function checkEntryModule(
  entryPoint: string | null,
  what: string,
  firstPartyNames: readonly string[],
  wheels: readonly ResolvedWheel[],
  verdicts: ReadonlyMap<string, WheelVerdict>,
): Promise<void> {
  if (entryPoint === null) return;
  const module = entryPoint.split(':')[0];
  const modulePath = module.split('.').join('/');
  if (firstPartyNames.some((n) => provides(n, modulePath))) return;
  // The standard library (`-m http.server`) is there wherever the PEX runs; unless a wheel or the
  // first-party code shadows it, which the checks above and below already accept.
  const { STDLIB_MODULES } = await import('./stdlib-modules.js');
  if (STDLIB_MODULES.has(module.split('.')[0])) return;
  for (const wheel of wheels) {
    const verdict = verdicts.get(wheel.filename);
    if (verdict === undefined) continue;
    const dataDir = `${verdict.distInfo.slice(0, -'.dist-info'.length)}.data`;
    const reader = await ZipReader.open(wheel.path);
    try {
      if (reader.entries.some((e) => provides(installedPath(e.name, dataDir), modulePath))) return;
    } finally {
      await reader.close();
    }
  }
  throw new UsageError(
    `${what} names module '${module}', which is not in the PEX: no ${modulePath}.py, ` +
      `${modulePath}/__init__.py or extension module in the first-party code or any wheel`,
  );
}

const CONSTRAINT = /^\s*([A-Za-z][A-Za-z0-9_]*)?\s*(.*?)\s*$/s;
const IMPLEMENTATIONS: Record<string, Target['implementation']> = {
  cpython: 'cp',
  pypy: 'pp',
};

function satisfies(constraint: string, target: Target): boolean {
  const [, name, spec] = CONSTRAINT.exec(constraint) as RegExpExecArray;
  if (name !== undefined) {
    const impl = IMPLEMENTATIONS[name.toLowerCase()];
    if (impl !== undefined && impl !== target.implementation) return false;
  }
  if (spec === undefined || spec === '') return true;
  let set: SpecifierSet;
  try {
    set = SpecifierSet.parse(spec);
  } catch {
    throw new UsageError(`interpreter constraint '${constraint}' is not a version specifier`);
  }
  const [major, minor] = target.pythonVersion;
  // Minor-version granularity: a target "3.11" fits ">=3.11.4" (a 3.11 patch release does).
  return set.contains(`${major}.${minor}.0`) || set.contains(`${major}.${minor}.999`);
}

/**
 * Throws a UsageError when no target of the build satisfies any interpreter constraint (by
 * implementation and Python version): such a PEX could not start on any machine it targets.
 */
export function checkConstraintsMeetTargets(
  constraints: readonly string[],
  targets: readonly Target[] | undefined,
  targetNames: readonly string[],
): void {
  if (constraints.length === 0 || targets === undefined || targets.length === 0) return;
  if (targets.some((t) => constraints.some((c) => satisfies(c, t)))) return;
  const described = targets.map(
    (t, i) =>
      `${targetNames[i] ?? t.source} (${t.implementation === 'pp' ? 'PyPy' : 'CPython'} ${t.pythonVersion.join('.')})`,
  );
  throw new UsageError(
    `no target satisfies the interpreter constraints ${constraints.join(' or ')}: ` +
      `targets are ${described.join(', ')}`,
  );
}
