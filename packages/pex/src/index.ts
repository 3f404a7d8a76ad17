export { PexkitError, UsageError } from './errors.js';
export { PEXKIT_VERSION, BOOTSTRAP_DIR } from './package-info.js';
export * from './project/index.js';
export * from './lock/index.js';
export * from './resolve/index.js';
export * from './interpreter/index.js';
export * from './sdist/index.js';
export { type Tag, InvalidTag, parseTag, tagToString } from './tags/tag.js';
export { compatibleTags, wheelSupportScore } from './tags/compatible.js';
export { expandPlatform } from './tags/platforms.js';
export { macPlatforms } from './tags/macos.js';
export { manylinuxPlatforms } from './tags/manylinux.js';
export { musllinuxPlatforms } from './tags/musllinux.js';
export {
  type Target,
  type TargetMarkerEnvironment,
  type MarkerVariable,
  MARKER_VARIABLES,
  InvalidTarget,
  parseTarget,
} from './targets/target.js';
export {
  type CompletePlatformJson,
  loadCompletePlatform,
  targetFromCompletePlatform,
  completePlatformFromTarget,
} from './targets/complete-platform.js';
export * from './cache/index.js';
export * from './fetch/index.js';
export * from './index-client/index.js';
export {
  Version,
  InvalidVersion,
  compareVersions,
  type PreReleaseKind,
  type VersionParts,
} from './pep440/version.js';
export {
  Specifier,
  SpecifierSet,
  InvalidSpecifier,
  type SpecifierOperator,
  type PrereleaseOptions,
} from './pep440/specifier.js';
export {
  Marker,
  InvalidMarker,
  UndefinedEnvironmentName,
  UndefinedComparison,
  MARKER_ENVIRONMENT_KEYS,
  type MarkerEnvironment,
  type MarkerEvaluateOptions,
} from './pep508/marker.js';
export { Requirement, InvalidRequirement } from './pep508/requirement.js';
export {
  canonicalizeName,
  isNormalizedName,
  isValidName,
  escapeWheelName,
  canonicalizeVersion,
  InvalidName,
} from './names/canonicalize.js';
export {
  type WheelFilename,
  type SdistFilename,
  InvalidWheelFilename,
  InvalidSdistFilename,
  parseWheelFilename,
  parseSdistFilename,
} from './wheel/filename.js';
export {
  MarkerNeedsUnknownValue,
  evaluateMarkerOnTarget,
  unknownMarkerVariables,
} from './targets/markers.js';
export * from './pex/index.js';
export * from './inspect/index.js';
export * from './smoke/index.js';
