export {
  planBuild,
  interpreterConstraintsOf,
  LockHashError,
  type PlanOptions,
  type PlanLogger,
} from './plan.js';
export {
  subsetForTarget,
  lockSubset,
  subsetHash,
  edgeRequirement,
  LockSubsetError,
  type SubsetRoots,
  type SubsetEntry,
  type LockSubset,
} from './subset.js';
export {
  selectArtifact,
  wheelNameParts,
  NoCompatibleWheelError,
  RequiresPythonError,
  type Selection,
  type Candidate,
  type SelectablePackage,
} from './select.js';
export { evaluateMarker, MarkerNeedsCompletePlatformError } from './markers.js';
export { resolveTargets, type NamedTarget } from './targets.js';
