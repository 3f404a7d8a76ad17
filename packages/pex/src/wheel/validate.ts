import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { cacheDir } from '../cache/cache-dir.js';
import { ZipError } from '../zip/errors.js';
import { isSymlinkAttributes, unsafeEntryNameReason } from '../zip/names.js';
import { ZipReader, type ZipEntryInfo, type ZipLimits } from '../zip/reader.js';
import { canonicalizeName, escapeWheelName } from '../names/canonicalize.js';
import { compareVersions, Version } from '../pep440/version.js';
import { parseWheelFilename } from './filename.js';
import { InvalidWheelError } from './errors.js';
import { checkInstalledPaths } from './installed-paths.js';
import { parseCoreMetadata, parseEntryPoints, type EntryPoints } from './metadata.js';
import { parseRecord, type RecordRow } from './record.js';
import { buildCachePath } from '../cache/layout.js';
import { touchEntry } from '../cache/holds.js';

export { InvalidWheelError } from './errors.js';

/** What validation learnt about a wheel; cached per wheel sha256. */
export interface WheelVerdict {
  filename: string;
  sha256: string;
  /** `<name>-<version>.dist-info` directory inside the wheel. */
  distInfo: string;
  name: string;
  version: string;
  requiresPython: string | undefined;
  requiresDist: string[];
  entryPoints: EntryPoints;
  /**
   * Files directly under `<name>-<version>.data/scripts/` (installed to `bin/`): `#!python`
   * scripts and native binaries a PEX can run by name, as pex does.
   */
  scripts: string[];
  /** Number of zip entries (directories included). */
  entries: number;
  /** Sum of the uncompressed sizes. */
  installedSize: number;
}

export interface ValidateWheelOptions {
  /** pexkit build cache; verdicts go to `<cacheDir>/verified/<sha256>.json`. */
  cacheDir?: string;
  /** Skip the cache (always re-verify). */
  noCache?: boolean;
  limits?: ZipLimits;
}

/** Bumped whenever validation gets stricter, so verdicts of the laxer rules are not trusted. */
const VERDICT_VERSION = 3;
const STRONG_HASHES = new Set(['sha256', 'sha384', 'sha512']);

/** sha256 hex of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Verifies a wheel before it goes into a PEX: safe entry names (no `..`, absolute paths, drive
 * letters, backslashes), no symlinks, no duplicates, sizes within the zip-bomb caps, one
 * `.dist-info` with WHEEL, METADATA and RECORD, and every file listed in RECORD with a matching
 * sha256 (or stronger) hash and size. A passing verdict is cached under the wheel's sha256.
 */
export async function validateWheel(
  wheel: { path: string; filename?: string; sha256?: string },
  options: ValidateWheelOptions = {},
): Promise<WheelVerdict> {
  const filename = wheel.filename ?? basename(wheel.path);
  const sha256 = wheel.sha256 ?? (await sha256File(wheel.path));
  const marker = buildCachePath(
    cacheDir({ cacheDir: options.cacheDir }),
    'verified',
    `${sha256}.json`,
  );
  if (options.noCache !== true) {
    const cached = await readVerdict(marker, filename, sha256);
    if (cached !== undefined) {
      await touchEntry(marker);
      return cached;
    }
  }
  let reader: ZipReader;
  try {
    reader = await ZipReader.open(wheel.path, options.limits);
  } catch (error) {
    throw wrap(filename, error);
  }
  let verdict: WheelVerdict;
  try {
    verdict = await verify(reader, filename, sha256);
  } catch (error) {
    throw wrap(filename, error);
  } finally {
    await reader.close();
  }
  if (options.noCache !== true) await writeVerdict(marker, verdict);
  return verdict;
}

function wrap(filename: string, error: unknown): unknown {
  if (error instanceof ZipError) {
    return new InvalidWheelError(
      filename,
      error.entry,
      error.message.replace(`${error.archive}: `, '').replace(/^entry '[^']*': /, ''),
      {
        cause: error,
      },
    );
  }
  return error;
}

/** METADATA, RECORD and entry_points.txt are read whole; none is near this in a real wheel. */
const MAX_METADATA_FILE = 64 * 1024 * 1024;

async function verify(reader: ZipReader, filename: string, sha256: string): Promise<WheelVerdict> {
  const byName = new Map<string, ZipEntryInfo>();
  const distInfos = new Set<string>();
  let installedSize = 0;
  for (const entry of reader.entries) {
    const reason = unsafeEntryNameReason(entry.name);
    if (reason !== undefined)
      throw new InvalidWheelError(filename, entry.name, `unsafe name: ${reason}`);
    if (isSymlinkAttributes(entry.externalAttributes, entry.versionMadeBy)) {
      throw new InvalidWheelError(
        filename,
        entry.name,
        'is a symbolic link; wheels must not hold symlinks',
      );
    }
    if (byName.has(entry.name))
      throw new InvalidWheelError(filename, entry.name, 'duplicate entry name');
    if (entry.isDirectory && entry.uncompressedSize !== 0)
      throw new InvalidWheelError(filename, entry.name, 'directory entry with contents');
    byName.set(entry.name, entry);
    installedSize += entry.uncompressedSize;
    const top = entry.name.split('/')[0];
    if (top.endsWith('.dist-info') && entry.name.includes('/')) distInfos.add(top);
  }
  if (distInfos.size !== 1) {
    throw new InvalidWheelError(
      filename,
      undefined,
      distInfos.size === 0
        ? 'no .dist-info directory'
        : `several .dist-info directories: ${[...distInfos].sort().join(', ')}`,
    );
  }
  const distInfo = [...distInfos][0];
  const expectedPrefix = escapeWheelName(filename.split('-').slice(0, 2).join('-'));
  const actualPrefix = escapeWheelName(distInfo.slice(0, -'.dist-info'.length));
  if (expectedPrefix !== actualPrefix) {
    throw new InvalidWheelError(
      filename,
      distInfo,
      `does not match the wheel file name (expected ${expectedPrefix}.dist-info)`,
    );
  }
  checkInstalledPaths(filename, reader.entries, distInfo);
  const need = (file: string): ZipEntryInfo => {
    const entry = byName.get(`${distInfo}/${file}`);
    if (entry === undefined)
      throw new InvalidWheelError(filename, undefined, `${distInfo}/${file} is missing`);
    return entry;
  };
  const readSmall = async (entry: ZipEntryInfo): Promise<string> => {
    if (entry.uncompressedSize > MAX_METADATA_FILE) {
      throw new InvalidWheelError(
        filename,
        entry.name,
        `is ${entry.uncompressedSize} bytes (more than the ${MAX_METADATA_FILE} pexkit reads)`,
      );
    }
    return (await reader.read(entry)).toString('utf8');
  };
  need('WHEEL');
  const metadataText = await readSmall(need('METADATA'));
  const recordName = `${distInfo}/RECORD`;
  let rows: RecordRow[];
  const recordText = await readSmall(need('RECORD'));
  try {
    rows = parseRecord(recordText);
  } catch (error) {
    throw new InvalidWheelError(filename, recordName, `cannot parse: ${(error as Error).message}`);
  }
  const recorded = new Map<string, RecordRow>();
  for (const row of rows) recorded.set(row.path, row);
  const unsigned = new Set([recordName, `${recordName}.jws`, `${recordName}.p7s`]);
  // What each file must hash to; then one pass over the archive checks them all.
  const expected = new Map<ZipEntryInfo, { row: RecordRow; algorithm: string }>();
  for (const entry of reader.entries) {
    if (entry.isDirectory) continue;
    const row = recorded.get(entry.name);
    if (row === undefined) {
      if (unsigned.has(entry.name)) continue;
      throw new InvalidWheelError(filename, entry.name, 'is not listed in RECORD');
    }
    if (unsigned.has(entry.name) && row.hash === '') continue;
    const eq = row.hash.indexOf('=');
    const algorithm = eq > 0 ? row.hash.slice(0, eq) : '';
    if (!STRONG_HASHES.has(algorithm)) {
      throw new InvalidWheelError(
        filename,
        entry.name,
        `RECORD gives no sha256 (or stronger) hash: '${row.hash}'`,
      );
    }
    expected.set(entry, { row, algorithm });
  }
  for (const row of rows) {
    if (!byName.has(row.path)) {
      const reason = unsafeEntryNameReason(row.path);
      throw new InvalidWheelError(
        filename,
        row.path,
        reason === undefined
          ? 'listed in RECORD but missing from the wheel'
          : `RECORD lists an unsafe path: ${reason}`,
      );
    }
  }
  const digests = new Map<ZipEntryInfo, { hash: Hash; size: number }>();
  await reader.scan((entry) => {
    const want = expected.get(entry);
    if (want === undefined) return undefined;
    const state = { hash: createHash(want.algorithm), size: 0 };
    digests.set(entry, state);
    return (chunk) => {
      state.hash.update(chunk);
      state.size += chunk.length;
    };
  });
  for (const [entry, { row, algorithm }] of expected) {
    const got = digests.get(entry)!;
    const actual = got.hash.digest('base64url');
    if (actual !== row.hash.slice(algorithm.length + 1).replace(/=+$/, '')) {
      throw new InvalidWheelError(
        filename,
        entry.name,
        `RECORD hash mismatch (RECORD says ${row.hash}, file has ${algorithm}=${actual})`,
      );
    }
    if (row.size !== undefined && row.size !== got.size) {
      throw new InvalidWheelError(
        filename,
        entry.name,
        `RECORD size mismatch (RECORD says ${row.size}, file has ${got.size})`,
      );
    }
  }
  let meta;
  try {
    meta = parseCoreMetadata(metadataText);
  } catch (error) {
    throw new InvalidWheelError(filename, `${distInfo}/METADATA`, (error as Error).message);
  }
  checkMetadataMatchesFilename(filename, distInfo, meta);
  const epEntry = byName.get(`${distInfo}/entry_points.txt`);
  const entryPoints = epEntry === undefined ? {} : parseEntryPoints(await readSmall(epEntry));
  return {
    filename,
    sha256,
    distInfo,
    name: meta.name,
    version: meta.version,
    requiresPython: meta.requiresPython,
    requiresDist: meta.requiresDist,
    entryPoints,
    scripts: dataScripts(reader.entries, distInfo),
    entries: reader.entries.length,
    installedSize,
  };
}

/** The names of the files directly under the wheel's `.data/scripts/`, sorted. */
function dataScripts(entries: readonly ZipEntryInfo[], distInfo: string): string[] {
  const prefix = `${distInfo.slice(0, -'.dist-info'.length)}.data/scripts/`;
  return entries
    .filter((e) => !e.isDirectory && e.name.startsWith(prefix))
    .map((e) => e.name.slice(prefix.length))
    .filter((name) => name !== '' && !name.includes('/'))
    .sort();
}

/** METADATA's Name and Version must be the project and version of the wheel's file name. */
function checkMetadataMatchesFilename(
  filename: string,
  distInfo: string,
  meta: { name: string; version: string },
): void {
  let parsed;
  try {
    parsed = parseWheelFilename(filename);
  } catch {
    return; // not a standard wheel name (callers that rename); the .dist-info check stands
  }
  if (canonicalizeName(meta.name) !== parsed.name) {
    throw new InvalidWheelError(
      filename,
      `${distInfo}/METADATA`,
      `names the project '${meta.name}', the file name '${parsed.name}'`,
    );
  }
  const version = Version.tryParse(meta.version);
  if (version === undefined || compareVersions(version, parsed.version) !== 0) {
    throw new InvalidWheelError(
      filename,
      `${distInfo}/METADATA`,
      `says version '${meta.version}', the file name '${parsed.version.toString()}'`,
    );
  }
}

async function readVerdict(
  marker: string,
  filename: string,
  sha256: string,
): Promise<WheelVerdict | undefined> {
  try {
    const parsed = JSON.parse(await readFile(marker, 'utf8')) as {
      version?: number;
      verdict?: WheelVerdict;
    };
    if (parsed.version !== VERDICT_VERSION || parsed.verdict === undefined) return undefined;
    if (parsed.verdict.sha256 !== sha256) return undefined;
    return { ...parsed.verdict, filename };
  } catch {
    return undefined;
  }
}

async function writeVerdict(marker: string, verdict: WheelVerdict): Promise<void> {
  const dir = join(marker, '..');
  await mkdir(dir, { recursive: true });
  const tmp = `${marker}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(tmp, `${JSON.stringify({ version: VERDICT_VERSION, verdict })}\n`);
    await rename(tmp, marker);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
