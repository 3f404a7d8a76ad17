export {
  planBuild,
  interpreterConstraintsOf,
  LockHashError,
  NoWheelsError,
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
export { explainNoWheel, explainWheel, type RejectedWheel } from './no-wheel.js';
export { evaluateMarker, MarkerNeedsCompletePlatformError } from './markers.js';
export { resolveTargets, type NamedTarget } from './targets.js';
