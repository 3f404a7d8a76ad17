/**
 * The PEX-INFO of a built PEX, for `pexkit smoke`: read from a zipapp (through the hardened zip
 * reader) or a packed/loose directory, and the fields smoke needs checked for their types.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PexkitError } from '../errors.js';
import { ZipReader } from '../zip/reader.js';

/** A PEX that cannot be smoke-tested (missing, not a PEX, malformed PEX-INFO). */
export class SmokeError extends PexkitError {
  override readonly name = 'SmokeError';
}

/** What smoke reads from PEX-INFO. */
export interface SmokePexInfo {
  entryPoint: string | null;
  script: string | null;
  interpreterConstraints: string[];
  targets: string[];
}

const PEX_INFO_MAX = 64 * 1024 * 1024;

async function pexInfoText(path: string): Promise<string> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new SmokeError(`${path} does not exist (build it first)`);
  }
  if (st.isDirectory()) {
    try {
      return await readFile(join(path, 'PEX-INFO'), 'utf8');
    } catch {
      throw new SmokeError(`${path} is a directory without PEX-INFO: not a packed or loose PEX`);
    }
  }
  let reader: ZipReader;
  try {
    reader = await ZipReader.open(path, { allowPreamble: true });
  } catch (error) {
    throw new SmokeError(`${path} is not a PEX (${(error as Error).message})`, { cause: error });
  }
  try {
    const entry = reader.entries.find((e) => e.name === 'PEX-INFO');
    if (entry === undefined) throw new SmokeError(`${path} has no PEX-INFO: not a PEX`);
    if (entry.uncompressedSize > PEX_INFO_MAX)
      throw new SmokeError(`${path}: PEX-INFO is ${entry.uncompressedSize} bytes, too big`);
    return (await reader.read(entry)).toString('utf8');
  } finally {
    await reader.close();
  }
}

/** Reads and checks the PEX-INFO fields smoke uses. */
export async function readSmokePexInfo(path: string): Promise<SmokePexInfo> {
  const text = await pexInfoText(path);
  const bad = (what: string) => new SmokeError(`${path}: PEX-INFO ${what}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw bad('is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('is not an object');
  const d = doc as Record<string, unknown>;
  const strings = (key: string): string[] => {
    const v = d[key] ?? [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
      throw bad(`"${key}" is not a list of strings`);
    return v;
  };
  const nullable = (key: string): string | null => {
    const v = d[key] ?? null;
    if (v !== null && typeof v !== 'string') throw bad(`"${key}" is not a string`);
    return v;
  };
  return {
    entryPoint: nullable('entry_point'),
    script: nullable('script'),
    interpreterConstraints: strings('interpreter_constraints'),
    targets: strings('targets'),
  };
}
