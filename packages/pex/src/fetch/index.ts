export {
  fetchArtifact,
  ArtifactUnavailableOfflineError,
  NotAnArchiveError,
  type ArtifactRef,
  type FetchedArtifact,
  type FetchOptions,
} from './fetch-artifact.js';
export {
  fetchAll,
  FetchFailedError,
  type FetchAllOptions,
  type FetchAllResult,
} from './fetch-all.js';
export { HttpClient, isTransient, type HttpOptions, type HttpResponse } from './http.js';
export {
  CredentialStore,
  rememberSessionCredentials,
  type CredentialStoreOptions,
} from './credentials.js';
export {
  readIndexSettings,
  credentialUrlsFromEnv,
  DEFAULT_INDEX_URL,
  type IndexSettings,
} from './settings.js';
export { redactUrl, stripCredentials, sha256FromFragment } from './redact.js';
export { parseNetrc, loadNetrc, type Netrc, type NetrcEntry } from './netrc.js';
export { hashFile } from './hash-file.js';
export { formatBytes } from './progress.js';
export {
  AuthenticationError,
  HashMismatchError,
  HttpStatusError,
  NetworkError,
  OfflineMissingError,
} from './errors.js';
