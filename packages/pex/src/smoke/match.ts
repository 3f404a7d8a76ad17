/**
 * Which local interpreters a PEX is for: one of its targets describes the interpreter (same
 * implementation, Python minor and ABI, a platform tag in common) and it satisfies one of the
 * interpreter constraints, as the runtime checks them (bootstrap/pexkit_boot/interpreter.py).
 */
import {
  hostPlatforms,
  targetFromInterpreter,
  type InterpreterInfo,
} from '../interpreter/current.js';
import { SpecifierSet } from '../pep440/specifier.js';
import type { Target } from '../targets/target.js';

const CONSTRAINT = /^\s*([A-Za-z][A-Za-z0-9_]*)?\s*(.*?)\s*$/;

/** Undefined when the interpreter satisfies any constraint (or there are none), else why not. */
export function unsatisfiedConstraints(
  constraints: readonly string[],
  info: InterpreterInfo,
): string | undefined {
  if (constraints.length === 0) return undefined;
  const impl = info.markerEnvironment['platform_python_implementation'] ?? '';
  const version = info.markerEnvironment['python_full_version'] ?? info.version.join('.');
  for (const c of constraints) {
    const m = CONSTRAINT.exec(c);
    const name = m?.[1];
    if (name !== undefined && name.toLowerCase() !== impl.toLowerCase()) continue;
    let spec: SpecifierSet;
    try {
      spec = SpecifierSet.parse(m?.[2] ?? '');
    } catch {
      continue; // a constraint the runtime cannot read either
    }
    if (spec.contains(version, { prereleases: true })) return undefined;
  }
  return `${impl} ${version} does not satisfy ${constraints.join(' or ')}`;
}

/** Whether `target` describes the interpreter: implementation, minor, ABI and a platform tag. */
export function targetDescribes(target: Target, info: InterpreterInfo): boolean {
  const host = targetFromInterpreter(info, info.path);
  if (host.implementation !== target.implementation) return false;
  if (
    host.pythonVersion[0] !== target.pythonVersion[0] ||
    host.pythonVersion[1] !== target.pythonVersion[1]
  )
    return false;
  if (!target.abis.some((a) => host.abis.includes(a))) return false;
  const platforms = new Set(hostPlatforms(info));
  return target.platforms.some((p) => platforms.has(p));
}

export type InterpreterVerdict = { fits: true; target: string } | { fits: false; reason: string };

/** Whether the PEX (its named targets and interpreter constraints) is for this interpreter. */
export function interpreterVerdict(
  info: InterpreterInfo,
  targets: ReadonlyArray<{ name: string; target: Target }>,
  constraints: readonly string[],
): InterpreterVerdict {
  const named = targets.find((t) => targetDescribes(t.target, info));
  const impl = info.markerEnvironment['platform_python_implementation'] ?? '';
  const version = info.markerEnvironment['python_full_version'] ?? info.version.join('.');
  if (named === undefined)
    return {
      fits: false,
      reason: `${impl} ${version} on ${hostPlatforms(info)[0] ?? info.platform.sysconfig_platform} matches none of the targets ${targets.map((t) => t.name).join(', ') || '(none readable)'}`,
    };
  const why = unsatisfiedConstraints(constraints, info);
  return why === undefined ? { fits: true, target: named.name } : { fits: false, reason: why };
}
