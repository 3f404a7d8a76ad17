import { logger } from '@nx/devkit';
import type { BuildPexOptions, PexLogger } from '@pexkit/pex';
import type { NormalizedPexOptions } from './normalize-options.js';

/**
 * A logger for @pexkit/pex that is both shapes its modules accept: a `(line) => void` function
 * (the resolver) and a `{ info, warn, debug }` object (the writer).
 */
export function pexLogger(): PexLogger & ((line: string) => void) {
  const log = ((line: string) => logger.info(line)) as PexLogger & ((line: string) => void);
  log.info = (m: string) => logger.info(m);
  log.warn = (m: string) => logger.warn(m);
  log.debug = (m: string) => logger.verbose(m);
  return log;
}

/** Maps normalized executor options 1:1 onto `buildPex` options. */
export function toBuildPexOptions(o: NormalizedPexOptions): BuildPexOptions {
  const call: BuildPexOptions = {
    project: o.projectDir,
    lock: o.lock,
    targets: o.targets,
    output: o.output,
    layout: o.layout,
    extraIndexUrls: o.extraIndexUrls,
    findLinks: o.findLinks,
    offline: o.offline,
    compress: o.compress,
    compileBytecode: o.compile,
    inheritPath: o.inheritPath,
    venv: o.venv,
    extras: o.extras,
    groups: o.groups,
    includeTests: o.includeTests,
    excludes: o.excludes,
    logger: pexLogger(),
  };
  if (o.python !== undefined) call.python = o.python;
  if (o.entryPoint !== undefined) call.entryPoint = o.entryPoint;
  if (o.consoleScript !== undefined) call.consoleScript = o.consoleScript;
  if (o.interpreterConstraints !== undefined)
    call.interpreterConstraints = o.interpreterConstraints;
  if (o.pythonShebang !== undefined) call.pythonShebang = o.pythonShebang;
  if (o.indexUrl !== undefined) call.indexUrl = o.indexUrl;
  if (o.cacheDir !== undefined) call.cacheDir = o.cacheDir;
  return call;
}
