/** Test support: builds real wheel files (valid or deliberately broken) with CPython's zipfile. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TestWheelFile {
  name: string;
  data: string | Buffer;
  /** Store as a symlink (Unix mode 0120777). */
  symlink?: boolean;
}

export interface TestWheelSpec {
  name: string;
  version: string;
  tag?: string;
  files: TestWheelFile[];
  /** Also add `count` tiny modules `<prefix>/mNNNNNN.py`. */
  generated?: { prefix: string; count: number };
  requiresDist?: string[];
  requiresPython?: string;
  entryPoints?: string;
  /**
   * `tamper-first`: wrong hash for the first file; `omit-first`: first file not in RECORD;
   * `none`: no RECORD at all.
   */
  record?: 'ok' | 'tamper-first' | 'omit-first' | 'none';
  /** Name and Version written to METADATA (default: `name`, `version`). */
  metadataName?: string;
  metadataVersion?: string;
  /** Entries added after RECORD (so RECORD does not list them). */
  unrecorded?: TestWheelFile[];
}

/** A CPython 3.8+ to run the generator (any of the pyenv ones, or the tools venv). */
export function anyPython(): string {
  for (const v of ['3.11.7', '3.12.1', '3.13.0', '3.10.13']) {
    const p = join(homedir(), '.pyenv/versions', v, 'bin/python3');
    if (existsSync(p)) return p;
  }
  return 'python3';
}

/** Writes `<dir>/<name>-<version>-<tag>.whl` and returns its path. */
export function makeWheel(dir: string, spec: TestWheelSpec): string {
  const tag = spec.tag ?? 'py3-none-any';
  const out = join(dir, `${spec.name}-${spec.version}-${tag}.whl`);
  const enc = (f: TestWheelFile) => ({ ...f, data: Buffer.from(f.data).toString('base64') });
  const input = JSON.stringify({
    ...spec,
    tag,
    out,
    files: spec.files.map(enc),
    unrecorded: (spec.unrecorded ?? []).map(enc),
  });
  execFileSync(anyPython(), [fileURLToPath(new URL('./make-wheel.py', import.meta.url))], {
    input,
  });
  return out;
}
