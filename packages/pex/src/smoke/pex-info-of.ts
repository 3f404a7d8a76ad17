/**
 * The PEX-INFO of a built PEX, for `pexkit smoke`: read from a zipapp (through the hardened zip
 * reader) or a packed/loose directory, parsed by `pexkit inspect`'s reader.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PexkitError } from '../errors.js';
import { readPexInfo } from '../inspect/read-pex-info.js';
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

/**
 * Reads the PEX-INFO fields smoke uses, checked as `pexkit inspect` checks them (types, and the
 * document hashes to its own pex_hash).
 */
export async function readSmokePexInfo(path: string): Promise<SmokePexInfo> {
  const info = readPexInfo(path, await pexInfoText(path));
  return {
    entryPoint: info.entryPoint,
    script: info.script,
    interpreterConstraints: info.interpreterConstraints,
    targets: info.targets,
  };
}
