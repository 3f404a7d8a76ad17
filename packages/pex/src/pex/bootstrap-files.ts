import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PexkitError } from '../errors.js';
import { BOOTSTRAP_DIR } from '../package-info.js';
import { compareNames } from './user-code.js';

/** The Python runtime is missing or incomplete in the installed @pexkit/pex package. */
export class MissingRuntimeError extends PexkitError {
  override readonly name = 'MissingRuntimeError';
}

export interface BootstrapFiles {
  /** `__main__.py` (stage 1, at the PEX root). */
  main: Buffer;
  /** The runtime package files, named `pexkit_boot/…` (under `.bootstrap/` in a PEX). */
  package: Array<{ name: string; data: Buffer }>;
}

/** Reads the runtime shipped with @pexkit/pex (`bootstrap/`): `*.py` files only, sorted. */
export async function readBootstrapFiles(
  dir: string = fileURLToPath(BOOTSTRAP_DIR),
): Promise<BootstrapFiles> {
  let main: Buffer;
  try {
    main = await readFile(join(dir, '__main__.py'));
  } catch (error) {
    throw new MissingRuntimeError(
      `the PEX runtime is missing: cannot read ${join(dir, '__main__.py')}`,
      { cause: error },
    );
  }
  const pkg: Array<{ name: string; data: Buffer }> = [];
  const walk = async (sub: string): Promise<void> => {
    const entries = await readdir(join(dir, sub), { withFileTypes: true });
    for (const e of entries.sort((a, b) => compareNames(a.name, b.name))) {
      const rel = `${sub}/${e.name}`;
      if (e.isDirectory() && e.name !== '__pycache__') await walk(rel);
      else if (e.isFile() && e.name.endsWith('.py'))
        pkg.push({ name: rel, data: await readFile(join(dir, rel)) });
    }
  };
  try {
    await walk('pexkit_boot');
  } catch (error) {
    throw new MissingRuntimeError(
      `the PEX runtime is missing: cannot read ${join(dir, 'pexkit_boot')}`,
      { cause: error },
    );
  }
  if (pkg.length === 0)
    throw new MissingRuntimeError(`the PEX runtime in ${dir} has no pexkit_boot/*.py files`);
  return { main, package: pkg };
}
