import { UsageError } from '../errors.js';
import type { BuildPlan } from '../plan/build-plan.js';
import type { WheelVerdict } from '../wheel/validate.js';

/** What goes into PEX-INFO's `entry_point` / `script`. */
export interface ResolvedEntry {
  entryPoint: string | null;
  script: string | null;
}

const ENTRY_POINT = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*(:[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*)?$/;

/**
 * The console script a PEX of `project` runs when none is named: its only `[project.scripts]`
 * entry, or the one named like the project.
 */
export function defaultConsoleScript(project: BuildPlan['main']): string | undefined {
  const scripts = Object.keys(project.scripts);
  if (scripts.length === 1) return scripts[0];
  return scripts.find((s) => s.replace(/[-_.]+/g, '-').toLowerCase() === project.name);
}

/**
 * Turns `--entry-point` / `--console-script` into PEX-INFO fields. A console script is looked up
 * at build time, first in the first-party projects (the app first), then in the wheels'
 * `entry_points.txt`, and recorded as its `module:function`; failing those, a file a wheel ships
 * in `.data/scripts/` is recorded by name as PEX-INFO's `script`. An unknown name is an error
 * that lists the scripts on offer.
 */
export function resolveEntry(
  options: { entryPoint?: string; consoleScript?: string },
  plan: BuildPlan,
  verdicts: Iterable<WheelVerdict>,
): ResolvedEntry {
  if (options.entryPoint !== undefined && options.consoleScript !== undefined) {
    throw new UsageError('give either --entry-point or --console-script, not both');
  }
  if (options.entryPoint !== undefined) {
    if (!ENTRY_POINT.test(options.entryPoint)) {
      throw new UsageError(
        `--entry-point '${options.entryPoint}' is not 'module' or 'module:function'`,
      );
    }
    return { entryPoint: options.entryPoint, script: null };
  }
  const name = options.consoleScript ?? defaultConsoleScript(plan.main);
  // No entry point at all: the PEX runs as an interpreter (as pex does).
  if (name === undefined) return { entryPoint: null, script: null };
  const offered = new Map<string, { target: string; from: string }>();
  const offer = (scripts: Record<string, string> | undefined, from: string): void => {
    for (const [script, target] of Object.entries(scripts ?? {})) {
      if (!offered.has(script)) offered.set(script, { target, from });
    }
  };
  const firstParty = [plan.main, ...plan.firstParty.filter((p) => p.name !== plan.main.name)];
  for (const p of firstParty) {
    offer(p.scripts, p.name);
    offer(p.guiScripts, p.name);
  }
  const sorted = [...verdicts].sort((a, b) =>
    a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0,
  );
  for (const v of sorted) {
    offer(v.entryPoints.console_scripts, v.filename);
    offer(v.entryPoints.gui_scripts, v.filename);
  }
  // Scripts shipped as files (`<dist>.data/scripts/`: `#!python` scripts, native binaries such
  // as ruff) come after the entry-point scripts, as at run time; PEX-INFO names them as `script`
  // and the runtime runs the installed file.
  const files = new Map<string, string>();
  for (const v of sorted) {
    for (const script of v.scripts) {
      if (!offered.has(script) && !files.has(script)) files.set(script, v.filename);
    }
  }
  const found = offered.get(name);
  if (found === undefined && files.has(name)) return { entryPoint: null, script: name };
  if (found === undefined) {
    const list = [
      ...[...offered.entries()].map(([s, o]) => `${s} (${o.from})`),
      ...[...files.entries()].map(([s, from]) => `${s} (file in ${from})`),
    ].sort();
    throw new UsageError(
      `--console-script '${name}' is not defined by ${plan.main.name} or its dependencies; ` +
        (list.length === 0 ? 'no console scripts are available' : `available: ${list.join(', ')}`),
    );
  }
  // `module:function [extra1,extra2]`: the extras part only matters to installers.
  const target = found.target.replace(/\s*\[.*\]\s*$/, '').trim();
  if (!ENTRY_POINT.test(target)) {
    throw new UsageError(
      `console script '${name}' of ${found.from} has an unusable target '${found.target}'`,
    );
  }
  return { entryPoint: target, script: null };
}
