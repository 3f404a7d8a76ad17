export {
  smokePex,
  formatSmokeReport,
  DEFAULT_SMOKE_ARGS,
  type SmokeOptions,
  type SmokeReport,
} from './smoke-pex.js';
export { SmokeError, readSmokePexInfo, type SmokePexInfo } from './pex-info-of.js';
export { interpreterVerdict, targetDescribes, unsatisfiedConstraints } from './match.js';
export { runUnder, smokeEnv, TRACEBACK, type SmokeRun } from './run-under.js';
