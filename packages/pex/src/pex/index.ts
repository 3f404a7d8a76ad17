// Public API of the PEX writer (issue 5): zip writer/reader, wheel validation, PEX layouts, buildPex.
export {
  ZipWriter,
  prepareEntry,
  type ZipWriterOptions,
  type PreparedEntry,
  type RawEntry,
  type ZipSummary,
} from '../zip/writer.js';
export { ZipReader, type ZipEntryInfo, type ZipLimits } from '../zip/reader.js';
export { ZipError, UnsafeZipEntryError, ZipBombError } from '../zip/errors.js';
export {
  reproducibleDosTime,
  dosDateTimeFromEpoch,
  DOS_EPOCH,
  type DosDateTime,
} from '../zip/dos-time.js';
export { unsafeEntryNameReason, isSymlinkAttributes } from '../zip/names.js';
export {
  validateWheel,
  sha256File,
  InvalidWheelError,
  type WheelVerdict,
  type ValidateWheelOptions,
} from '../wheel/validate.js';
export { parseRecord, formatRecord, recordHash, type RecordRow } from '../wheel/record.js';
export {
  parseCoreMetadata,
  formatCoreMetadata,
  parseEntryPoints,
  formatEntryPoints,
  type CoreMetadata,
  type EntryPoints,
} from '../wheel/metadata.js';
export {
  writePex,
  planWheels,
  PEX_LAYOUTS,
  WheelMismatchError,
  type PexLayout,
  type PexLogger,
  type WritePexOptions,
  type WritePexResult,
} from './writer.js';
export {
  buildPex,
  type BuildPexOptions,
  type BuildPexResult,
  type PlanBuildOptions,
  type PlanBuildFunction,
} from './build.js';
export {
  buildPexInfo,
  canonicalJson,
  hashNamedContents,
  type PexInfo,
  type InheritPath,
} from './pex-info.js';
export {
  collectUserCode,
  firstPartyDistInfo,
  distInfoDirName,
  UserCodeConflictError,
  type UserCodeFile,
  type CollectUserCodeOptions,
} from './user-code.js';
export { resolveEntry, type ResolvedEntry } from './entry-point.js';
export { readBootstrapFiles, MissingRuntimeError, type BootstrapFiles } from './bootstrap-files.js';
export { OutputPathError } from './output.js';
