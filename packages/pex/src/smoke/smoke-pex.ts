/**
 * `pexkit smoke`: runs a built PEX — `--help` of its entry point, or given arguments — under
 * every interpreter on this machine that one of its targets describes and its interpreter
 * constraints admit, each cold (an empty PEX_ROOT), and fails on a non-zero exit, a timeout or
 * a Python traceback in the output.
 */
import { resolve } from 'node:path';
import { localInterpreters } from '../interpreter/discover.js';
import { resolveTargets } from '../resolve/targets.js';
import type { Target } from '../targets/target.js';
import { interpreterVerdict } from './match.js';
import { readSmokePexInfo, SmokeError } from './pex-info-of.js';
import { runUnder, type SmokeRun } from './run-under.js';

export interface SmokeOptions {
  /** The PEX (a zipapp file or a packed/loose directory). */
  pex: string;
  /** Arguments for the PEX; default `['--help']`. */
  args?: string[];
  /** Interpreters describing the `current` target (as `pexkit build --python`); default python3. */
  python?: string[];
  /** Per interpreter; default 120 s. */
  timeoutMs?: number;
  cacheDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Called before each run (progress). */
  onRun?: (python: string) => void;
}

export interface SmokeReport {
  pex: string;
  args: string[];
  entryPoint: string | null;
  targets: string[];
  interpreterConstraints: string[];
  runs: SmokeRun[];
  /** Interpreters found but not run, and why (not for this PEX, or not inspectable). */
  skipped: Array<{ python: string; reason: string }>;
  /** Targets that could not be read (a complete-platform file that is gone). */
  unreadableTargets: Array<{ target: string; reason: string }>;
  /** At least one interpreter ran and every run passed. */
  ok: boolean;
}

export const DEFAULT_SMOKE_ARGS = ['--help'];

export async function smokePex(options: SmokeOptions): Promise<SmokeReport> {
  const env = options.env ?? process.env;
  const pex = resolve(options.pex);
  const info = await readSmokePexInfo(pex);
  const args = options.args ?? DEFAULT_SMOKE_ARGS;
  const targets: Array<{ name: string; target: Target }> = [];
  const unreadableTargets: SmokeReport['unreadableTargets'] = [];
  for (const name of info.targets) {
    try {
      targets.push(
        ...(await resolveTargets([name], {
          ...(options.python !== undefined && options.python.length > 0
            ? { python: options.python[0] }
            : {}),
          ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
          env,
        })),
      );
    } catch (error) {
      unreadableTargets.push({
        target: name,
        reason: (error as Error).message.split('\n')[0] ?? '',
      });
    }
  }
  const found = await localInterpreters({ env, cacheDir: options.cacheDir });
  const skipped: SmokeReport['skipped'] = found.unusable.map((u) => ({
    python: u.path,
    reason: u.reason,
  }));
  const runs: SmokeRun[] = [];
  for (const interpreter of found.interpreters) {
    const verdict = interpreterVerdict(interpreter, targets, info.interpreterConstraints);
    if (!verdict.fits) {
      skipped.push({ python: interpreter.path, reason: verdict.reason });
      continue;
    }
    options.onRun?.(interpreter.path);
    runs.push(
      await runUnder(interpreter, verdict.target, pex, args, {
        env,
        timeoutMs: options.timeoutMs ?? 120_000,
      }),
    );
  }
  return {
    pex,
    args: [...args],
    entryPoint: info.entryPoint ?? (info.script !== null ? `script ${info.script}` : null),
    targets: info.targets,
    interpreterConstraints: info.interpreterConstraints,
    runs,
    skipped,
    unreadableTargets,
    ok: runs.length > 0 && runs.every((r) => r.ok),
  };
}

/** The report as text: one line per interpreter, the output of each failure, a verdict. */
export function formatSmokeReport(
  report: SmokeReport,
  options: { verbose?: boolean } = {},
): string {
  const lines = [
    `pexkit smoke ${report.pex} ${report.args.join(' ')}`.trimEnd(),
    `  targets ${report.targets.join(', ') || '(none)'}; interpreter constraints ${report.interpreterConstraints.join(' or ') || '(none)'}`,
  ];
  for (const t of report.unreadableTargets)
    lines.push(`  target ${t.target} unreadable: ${t.reason}`);
  for (const r of report.runs) {
    const why = r.timedOut
      ? 'timed out'
      : r.exitCode !== 0
        ? r.exitCode === null
          ? `killed by ${r.signal ?? 'a signal'}`
          : `exit ${r.exitCode}`
        : r.traceback
          ? 'exit 0 but printed a traceback'
          : 'ok';
    lines.push(
      `  ${r.ok ? 'PASS' : 'FAIL'}  ${r.implementation} ${r.version.padEnd(8)} ${r.python}  (target ${r.target}, ${r.seconds} s${r.ok ? '' : `, ${why}`})`,
    );
    if (!r.ok || options.verbose === true) {
      const tail = r.output.trimEnd().split('\n').slice(-20);
      for (const l of tail) lines.push(`        | ${l}`);
    }
  }
  for (const s of report.skipped) lines.push(`  skip  ${s.python}: ${s.reason}`);
  const failed = report.runs.filter((r) => !r.ok).length;
  if (report.runs.length === 0)
    lines.push(
      'FAILED: no interpreter on this machine fits the PEX (install a matching one, e.g. with pyenv, or build for `current`)',
    );
  else
    lines.push(
      `${failed === 0 ? 'passed' : 'FAILED'}: ${report.runs.length - failed} of ${report.runs.length} interpreter(s) passed`,
    );
  return `${lines.join('\n')}\n`;
}

export { SmokeError };
