import * as pex from '@pexkit/pex';
import { PexOptionsError } from './normalize-options.js';

/**
 * The part of @pexkit/pex the executor calls: `buildPex` (engineer C's build orchestration).
 * Looked up at run time so that the plugin keeps working (inference, graph) with a @pexkit/pex
 * that does not export it yet; the executor then fails with a clear message.
 */
export interface BuildPexCall {
  project: string;
  lock: string;
  targets: string[];
  output: string;
  layout: 'zipapp' | 'packed' | 'loose';
  entryPoint?: string;
  consoleScript?: string;
  interpreterConstraints?: string[];
  pythonShebang?: string;
  indexUrl?: string;
  extraIndexUrls?: string[];
  findLinks?: string[];
  offline?: boolean;
  compress?: boolean;
  inheritPath?: 'false' | 'prefer' | 'fallback';
  venv?: boolean;
  cacheDir?: string;
  extras?: string[];
  includeTests?: boolean;
  excludes?: string[];
  logger?: { info?(message: string): void; warn?(message: string): void; debug?(message: string): void };
}

export interface BuildPexOutcome {
  output: string;
  sha256: string;
  size: number;
  pexHash: string;
}

type BuildPexFn = (options: BuildPexCall) => Promise<BuildPexOutcome>;

export function loadBuildPex(): BuildPexFn {
  const fn = (pex as unknown as { buildPex?: BuildPexFn }).buildPex;
  if (typeof fn !== 'function') {
    throw new PexOptionsError(`@pexkit/pex ${pex.PEXKIT_VERSION} does not export buildPex: install a @pexkit/pex that can build PEX files`);
  }
  return fn;
}
