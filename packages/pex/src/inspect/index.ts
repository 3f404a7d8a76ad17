// Public API of `pexkit inspect`: what a PEX holds and costs, per target, as text, JSON or HTML.
export { inspectPex, type InspectPexOptions } from './inspect-pex.js';
export { InspectError } from './errors.js';
export {
  buildReport,
  INSPECT_SCHEMA,
  type InspectReport,
  type SizeReport,
  type TargetReport,
  type TargetWheelReport,
  type WheelReport,
} from './report.js';
export { diffReports, type DiffEntry, type InspectDiff, type SizeDelta } from './diff.js';
export { readPexFacts, type PexFacts, type WheelFacts, type PartSize } from './read-pex.js';
export { formatReport } from './format-text.js';
export { renderHtml } from './html.js';
export { squarify, type TreemapBox, type TreemapItem } from './treemap.js';
