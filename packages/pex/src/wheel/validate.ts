import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { cacheDir } from '../cache/cache-dir.js';
import { PexkitError } from '../errors.js';
import { ZipError } from '../zip/errors.js';
import { isSymlinkAttributes, unsafeEntryNameReason } from '../zip/names.js';
import { ZipReader, type ZipEntryInfo, type ZipLimits } from '../zip/reader.js';
import { parseCoreMetadata, parseEntryPoints, type EntryPoints } from './metadata.js';
import { parseRecord, type RecordRow } from './record.js';

/** A wheel that must not go into a PEX: unsafe, incomplete or tampered with. */
export class InvalidWheelError extends PexkitError {
  override readonly name = 'InvalidWheelError';
  constructor(
    readonly wheel: string,
    readonly entry: string | undefined,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`wheel ${wheel}${entry === undefined ? '' : `, entry '${entry}'`}: ${problem}`, options);
  }
}

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

const VERDICT_VERSION = 1;
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
  const marker = join(cacheDir({ cacheDir: options.cacheDir }), 'verified', `${sha256}.json`);
  if (options.noCache !== true) {
    const cached = await readVerdict(marker, filename, sha256);
    if (cached !== undefined) return cached;
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
  const expectedPrefix = filename
    .split('-')
    .slice(0, 2)
    .join('-')
    .toLowerCase()
    .replace(/[-_.]+/g, '_');
  const actualPrefix = distInfo
    .slice(0, -'.dist-info'.length)
    .toLowerCase()
    .replace(/[-_.]+/g, '_');
  if (expectedPrefix !== actualPrefix) {
    throw new InvalidWheelError(
      filename,
      distInfo,
      `does not match the wheel file name (expected ${expectedPrefix}.dist-info)`,
    );
  }
  const need = (file: string): ZipEntryInfo => {
    const entry = byName.get(`${distInfo}/${file}`);
    if (entry === undefined)
      throw new InvalidWheelError(filename, `${distInfo}/${file}`, 'missing');
    return entry;
  };
  need('WHEEL');
  const metadataText = (await reader.read(need('METADATA'))).toString('utf8');
  const recordName = `${distInfo}/RECORD`;
  let rows: RecordRow[];
  try {
    rows = parseRecord((await reader.read(need('RECORD'))).toString('utf8'));
  } catch (error) {
    if (error instanceof ZipError) throw error;
    throw new InvalidWheelError(filename, recordName, `cannot parse: ${(error as Error).message}`);
  }
  const recorded = new Map<string, RecordRow>();
  for (const row of rows) recorded.set(row.path, row);
  const unsigned = new Set([recordName, `${recordName}.jws`, `${recordName}.p7s`]);
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
    const data = await reader.read(entry);
    const actual = createHash(algorithm).update(data).digest('base64url');
    if (actual !== row.hash.slice(eq + 1).replace(/=+$/, '')) {
      throw new InvalidWheelError(
        filename,
        entry.name,
        `RECORD hash mismatch (RECORD says ${row.hash}, file has ${algorithm}=${actual})`,
      );
    }
    if (row.size !== undefined && row.size !== data.length) {
      throw new InvalidWheelError(
        filename,
        entry.name,
        `RECORD size mismatch (RECORD says ${row.size}, file has ${data.length})`,
      );
    }
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
  let meta;
  try {
    meta = parseCoreMetadata(metadataText);
  } catch (error) {
    throw new InvalidWheelError(filename, `${distInfo}/METADATA`, (error as Error).message);
  }
  const epEntry = byName.get(`${distInfo}/entry_points.txt`);
  const entryPoints =
    epEntry === undefined ? {} : parseEntryPoints((await reader.read(epEntry)).toString('utf8'));
  return {
    filename,
    sha256,
    distInfo,
    name: meta.name,
    version: meta.version,
    requiresPython: meta.requiresPython,
    requiresDist: meta.requiresDist,
    entryPoints,
    entries: reader.entries.length,
    installedSize,
  };
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
