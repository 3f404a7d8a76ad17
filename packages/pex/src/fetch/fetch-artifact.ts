import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { artifactCachePath, cacheDir } from '../cache/cache-dir.js';
import {
  commitTempFile,
  fsyncFile,
  removeStaleTempFiles,
  tempPathFor,
  writeFileAtomic,
} from '../cache/atomic.js';
import { PexkitError } from '../errors.js';
import { HashMismatchError, NetworkError, OfflineMissingError } from './errors.js';
import { archiveProblem } from './archive-check.js';
import { Digests, hashFile } from './hash-file.js';
import { HttpClient, toNetworkError, type HttpOptions } from './http.js';
import { BodyTooLargeError, DOWNLOAD_SIZE_VARIABLE } from './limits.js';
import {
  checkPins,
  nothingPinned,
  pinsOf,
  type ArtifactPins,
  type PinnedArtifact,
} from './pins.js';
import { redactUrl, sha256FromFragment, stripCredentials } from './redact.js';
import { withCacheLock } from '../cache/entry-lock.js';
import { buildCachePath } from '../cache/layout.js';
import { holdEntry, touchEntry } from '../cache/holds.js';

/**
 * One artifact to bring onto local disk: a lock entry's wheel (or sdist), with every hash the lock
 * pins for it (`sha256`, `hashes`, `allowedHashes`; see PinnedArtifact).
 */
export interface ArtifactRef extends PinnedArtifact {
  url?: string;
  path?: string;
  size?: number;
}

export interface FetchedArtifact {
  /** Absolute path of the verified file (in the cache, or the local file itself). */
  path: string;
  sha256: string;
  size: number;
  /** Where the bytes came from this time. */
  source: 'cache' | 'local' | 'network';
  /** Bytes transferred over the network for this artifact (0 unless `source` is `network`). */
  downloadedBytes: number;
}

export interface FetchOptions extends HttpOptions {
  /** Cache root (default: `cacheDir()` — `$PEXKIT_CACHE_DIR`, XDG, `~/.cache/pexkit`). */
  cacheDir?: string;
  /** Use only the cache and local find-links directories; never the network. */
  offline?: boolean;
  /** Local wheelhouse directories (or `file://` URLs) searched by file name before downloading. */
  findLinks?: string[];
  /** Shared client; one is created (and closed) per call otherwise. */
  http?: HttpClient;
  /** Re-hash cache hits before trusting them (default true; a corrupt entry is dropped and re-fetched). */
  verifyCache?: boolean;
  /** Called with each chunk's size while downloading (progress display). */
  onBytes?: (bytes: number) => void;
}

/** No source for an artifact in offline mode (fetchAll gathers these into one OfflineMissingError). */
export class ArtifactUnavailableOfflineError extends OfflineMissingError {}

const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');

/** A `.whl` / `.zip` download that is not a zip archive (an HTML login page, a proxy error…). */
export class NotAnArchiveError extends PexkitError {
  override readonly name = 'NotAnArchiveError';
  constructor(filename: string, url: string, contentType: string | undefined) {
    super(
      `${filename} from ${url} is not a zip archive (server sent ${contentType ?? 'no content type'}); ` +
        'refused and not cached. Is a proxy or login page answering instead of the index?',
    );
  }
}

const inFlight = new Map<string, Promise<FetchedArtifact>>();
const sweptTempDirs = new Set<string>();

function isSha256(value: string | undefined): value is string {
  return value !== undefined && /^[0-9a-fA-F]{64}$/.test(value);
}

function localPathOf(artifact: ArtifactRef): string | undefined {
  if (artifact.path !== undefined && artifact.path !== '') return resolve(artifact.path);
  if (artifact.url?.startsWith('file:') === true) return fileURLToPath(artifact.url.split('#')[0]);
  return undefined;
}

function describe(artifact: ArtifactRef): string {
  const where =
    artifact.url !== undefined ? redactUrl(artifact.url) : (artifact.path ?? 'no URL or path');
  return `${artifact.filename} (${where})`;
}

/**
 * Checks a file on disk against the expected sha256, the lock's other pins (unless `pins` is
 * undefined) and the size; returns its real digest and size.
 */
async function verifyLocal(
  path: string,
  artifact: ArtifactRef,
  expected: string | undefined,
  source: string,
  pins: ArtifactPins,
  /** False: compute the pinned digests but leave checking them to the caller. */
  check = true,
): Promise<{ sha256: string; size: number; digests: Record<string, string> }> {
  const actual = await hashFile(path, pins.algorithms);
  if (expected !== undefined && actual.sha256 !== expected) {
    throw new HashMismatchError(artifact.filename, source, expected, actual.sha256);
  }
  if (check) checkPins(pins, actual.digests, artifact, source);
  if (artifact.size !== undefined && actual.size !== artifact.size) {
    throw new HashMismatchError(
      artifact.filename,
      source,
      `${artifact.size} bytes`,
      `${actual.size} bytes`,
      'size',
    );
  }
  return actual;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Cache file recording which sha256 a hash-less URL had, so later offline runs find it. */
function urlRecordPath(root: string, url: string): string {
  const key = createHash('sha256').update(stripCredentials(url).href).digest('hex');
  return buildCachePath(root, 'artifactsByUrl', key.slice(0, 2), `${key}.json`);
}

async function readUrlRecord(root: string, url: string): Promise<string | undefined> {
  try {
    const path = urlRecordPath(root, url);
    const record = JSON.parse(await readFile(path, 'utf8')) as {
      sha256?: unknown;
    };
    await touchEntry(path);
    return typeof record.sha256 === 'string' && isSha256(record.sha256) ? record.sha256 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A cache hit, verified; a corrupt entry is removed and undefined returned. An intact entry that
 * breaks the lock's other pins (sha512…) throws, unless `byUrl` (its sha256 came from an earlier
 * download of the same URL, not from the lock or index): then it is left alone and undefined
 * returned so the URL is fetched (and checked) again.
 */
async function fromCache(
  root: string,
  artifact: ArtifactRef,
  sha256: string,
  verify: boolean,
  pins: ArtifactPins,
  byUrl: boolean,
): Promise<FetchedArtifact | undefined> {
  const path = artifactCachePath(root, sha256, artifact.filename);
  if (!(await exists(path))) return undefined;
  try {
    if (verify || pins.algorithms.length > 0 || pins.anyOf.length > 0) {
      const { size, digests } = await verifyLocal(path, artifact, sha256, path, pins, false);
      try {
        checkPins(pins, digests, artifact, path);
      } catch (error) {
        if (byUrl) return undefined;
        throw new PinnedCacheError(error as Error);
      }
      await touchEntry(join(path, '..'));
      return { path, sha256, size, source: 'cache', downloadedBytes: 0 };
    }
    const { size } = await stat(path);
    if (artifact.size !== undefined && size !== artifact.size) throw new Error('size');
    await touchEntry(join(path, '..'));
    return { path, sha256, size, source: 'cache', downloadedBytes: 0 };
  } catch (error) {
    if (error instanceof PinnedCacheError) throw error.cause;
    await rm(path, { force: true });
    return undefined;
  }
}

/** Carries a pin mismatch of an intact cache entry out of fromCache's clean-up. */
class PinnedCacheError extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}

async function fromFindLinks(
  dirs: string[],
  artifact: ArtifactRef,
  expected: string | undefined,
  pins: ArtifactPins,
): Promise<FetchedArtifact | undefined> {
  for (const entry of dirs) {
    if (/^https?:/i.test(entry)) continue;
    const dir = entry.startsWith('file:') ? fileURLToPath(entry) : resolve(entry);
    const candidate = join(dir, basename(artifact.filename));
    if (!(await exists(candidate))) continue;
    try {
      const { sha256, size } = await verifyLocal(candidate, artifact, expected, candidate, pins);
      return { path: candidate, sha256, size, source: 'local', downloadedBytes: 0 };
    } catch (error) {
      if (!(error instanceof HashMismatchError)) throw error;
      // A different build of the same file name: not ours; keep looking.
    }
  }
  return undefined;
}

async function download(
  root: string,
  artifact: ArtifactRef,
  url: string,
  expected: string | undefined,
  pins: ArtifactPins,
  http: HttpClient,
  onBytes?: (n: number) => void,
): Promise<FetchedArtifact> {
  const shown = redactUrl(url);
  const tmpDir = buildCachePath(root, 'artifactsTmp');
  await mkdir(tmpDir, { recursive: true });
  if (!sweptTempDirs.has(tmpDir)) {
    sweptTempDirs.add(tmpDir);
    await removeStaleTempFiles(tmpDir);
  }
  return http.withRetry(url, async () => {
    const temp = tempPathFor(join(tmpDir, basename(artifact.filename)));
    try {
      const response = await http.get(url, { accept: '*/*', 'accept-encoding': 'identity' });
      const declared = Number(response.headers['content-length'] ?? NaN);
      // Never take more than the lock's size (or the cap when the size is unknown).
      const limit = artifact.size ?? http.limits.maxDownloadBytes;
      const tooLarge = new BodyTooLargeError(
        shown,
        limit,
        artifact.size !== undefined
          ? `the size the lock gives for ${artifact.filename}`
          : `the download cap; raise it with $${DOWNLOAD_SIZE_VARIABLE}`,
      );
      if (Number.isFinite(declared) && declared > limit) {
        response.body.destroy();
        throw tooLarge;
      }
      const hash = new Digests(pins.algorithms);
      let received = 0;
      let head = Buffer.alloc(0);
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          if (head.length < 4) head = Buffer.concat([head, chunk.subarray(0, 4 - head.length)]);
          received += chunk.length;
          if (received > limit) {
            callback(tooLarge);
            return;
          }
          hash.update(chunk);
          onBytes?.(chunk.length);
          callback(null, chunk);
        },
      });
      try {
        await pipeline(response.body, meter, createWriteStream(temp, { flags: 'wx', mode: 0o644 }));
      } catch (error) {
        throw error === tooLarge ? tooLarge : toNetworkError(error, shown, http);
      }
      if (Number.isFinite(declared) && received !== declared) {
        throw new NetworkError(
          shown,
          `body truncated: got ${received} of ${declared} bytes`,
          'TRUNCATED',
        );
      }
      const { sha256, digests } = hash.digest();
      if (expected !== undefined && sha256 !== expected) {
        throw new HashMismatchError(artifact.filename, shown, expected, sha256);
      }
      checkPins(pins, digests, artifact, shown);
      if (/\.(whl|zip)$/i.test(artifact.filename) && !head.equals(ZIP_MAGIC)) {
        // Without a hash to check, this at least keeps login pages and proxy errors out of the cache.
        const type = response.headers['content-type'];
        throw new NotAnArchiveError(artifact.filename, shown, Array.isArray(type) ? type[0] : type);
      }
      if (artifact.size !== undefined && received !== artifact.size) {
        throw new HashMismatchError(
          artifact.filename,
          shown,
          `${artifact.size} bytes`,
          `${received} bytes`,
          'size',
        );
      }
      if (expected === undefined && nothingPinned(pins)) {
        // No hash to check: at least the archive must read (a body cut short without a
        // Content-Length looks complete otherwise, and would be cached as good).
        const problem = await archiveProblem(temp, artifact.filename);
        if (problem !== undefined)
          throw new NetworkError(
            shown,
            `${artifact.filename} is not a readable archive (${problem}); refused and not cached`,
            'TRUNCATED',
          );
      }
      await fsyncFile(temp);
      // A lock-pinned entry is held already (under the lock this fill holds); a hash-less one
      // only now that its sha256 is known, before it appears.
      if (expected === undefined) await holdEntry(root, `artifact-${sha256}`);
      const target = artifactCachePath(root, sha256, artifact.filename);
      await mkdir(join(target, '..'), { recursive: true });
      await commitTempFile(temp, target);
      if (expected === undefined) {
        await writeFileAtomic(
          urlRecordPath(root, url),
          `${JSON.stringify({ url: shown, sha256, filename: artifact.filename })}\n`,
        );
      }
      return {
        path: target,
        sha256,
        size: received,
        source: 'network' as const,
        downloadedBytes: received,
      };
    } finally {
      await rm(temp, { force: true });
    }
  });
}

async function fetchOne(artifact: ArtifactRef, options: FetchOptions): Promise<FetchedArtifact> {
  if (
    artifact.filename === '' ||
    artifact.filename.includes('/') ||
    artifact.filename.includes('\\') ||
    artifact.filename.startsWith('.')
  ) {
    throw new PexkitError(
      `bad artifact file name '${artifact.filename}' for ${describe(artifact)}`,
    );
  }
  const lockHash = (artifact.sha256 ?? artifact.hashes?.['sha256'])?.toLowerCase();
  if (lockHash !== undefined && !isSha256(lockHash)) {
    throw new PexkitError(
      `bad sha256 '${lockHash}' for ${describe(artifact)}: expected 64 hex digits`,
    );
  }
  const pins = pinsOf(artifact);
  const local = localPathOf(artifact);
  if (local !== undefined) {
    if (!(await exists(local)))
      throw new PexkitError(`local artifact ${artifact.filename} not found at ${local}`);
    const { sha256, size } = await verifyLocal(local, artifact, lockHash, local, pins);
    return { path: local, sha256, size, source: 'local', downloadedBytes: 0 };
  }
  if (artifact.url === undefined || artifact.url === '') {
    throw new PexkitError(`artifact ${artifact.filename} has neither a URL nor a path`);
  }
  const url = artifact.url;
  if (!URL.canParse(url))
    throw new PexkitError(`bad URL for ${artifact.filename}: ${redactUrl(url)}`);
  if (!/^https?:/i.test(url))
    throw new PexkitError(
      `unsupported URL scheme for ${describe(artifact)}: only http(s) and file are supported`,
    );
  const expected = lockHash ?? sha256FromFragment(url);
  const root = cacheDir({ cacheDir: options.cacheDir, env: options.env });
  const verify = options.verifyCache ?? true;
  const known = expected ?? (await readUrlRecord(root, url));
  if (known !== undefined) {
    await holdEntry(root, `artifact-${known.toLowerCase()}`); // before looking: a prune then leaves it alone
    const hit = await fromCache(root, artifact, known, verify, pins, expected === undefined);
    if (hit !== undefined) return hit;
  }
  const found = await fromFindLinks(options.findLinks ?? [], artifact, expected, pins);
  if (found !== undefined) return found;
  if (options.offline === true) throw new ArtifactUnavailableOfflineError([describe(artifact)]);
  // One download per entry across processes sharing the cache (parallel builds): the lock's
  // holder downloads, the others wait and then find the verified entry.
  const lockKey = `artifact-${expected ?? createHash('sha256').update(stripCredentials(url).href).digest('hex')}`;
  return withCacheLock(root, lockKey, async () => {
    const now = expected ?? (await readUrlRecord(root, url));
    if (now !== undefined && now !== known) await holdEntry(root, `artifact-${now.toLowerCase()}`);
    if (now !== undefined) {
      const hit = await fromCache(root, artifact, now, verify, pins, expected === undefined);
      if (hit !== undefined) return hit;
    }
    const http = options.http ?? new HttpClient(options);
    try {
      return await download(root, artifact, url, expected, pins, http, options.onBytes);
    } finally {
      if (options.http === undefined) await http.close();
    }
  });
}

/**
 * Brings one artifact onto local disk, verified: a local path (or `file://` URL) is hashed and
 * checked in place; a URL is served from the content-addressed cache when its sha256 is known
 * (lock hash, else the index's `#sha256=` fragment, else a previous download of the same URL),
 * then from find-links directories, else streamed to a temp file in the cache while hashed,
 * checked, and renamed into `<cache>/artifacts/sha256/<aa>/<sha256>/<filename>`. Concurrent
 * fetches of the same artifact in one process share one download.
 */
export function fetchArtifact(
  artifact: ArtifactRef,
  options: FetchOptions = {},
): Promise<FetchedArtifact> {
  const root = cacheDir({ cacheDir: options.cacheDir, env: options.env });
  const expected =
    artifact.sha256?.toLowerCase() ??
    (artifact.url !== undefined ? sha256FromFragment(artifact.url) : undefined);
  const where =
    artifact.path ??
    (artifact.url !== undefined && URL.canParse(artifact.url)
      ? stripCredentials(artifact.url).href
      : '');
  // Refs with different pins (sha512, --hash sets) are checked separately.
  const pinned = JSON.stringify([artifact.hashes ?? {}, artifact.allowedHashes ?? []]);
  const key = `${root}\0${artifact.filename}\0${expected ?? where}\0${pinned}\0${options.offline === true}`;
  const running = inFlight.get(key);
  if (running !== undefined) return running;
  const promise = fetchOne(artifact, options).finally(() => inFlight.delete(key));
  inFlight.set(key, promise);
  return promise;
}
