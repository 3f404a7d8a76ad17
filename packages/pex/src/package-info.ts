import { readFileSync } from 'node:fs';

interface PackageJson {
  name: string;
  version: string;
}

const packageJson = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as PackageJson;

/** The version of @pexkit/pex, recorded in every PEX's build properties. */
export const PEXKIT_VERSION: string = packageJson.version;

/** Directory holding the Python runtime shipped inside every PEX (`bootstrap/`). */
export const BOOTSTRAP_DIR: URL = new URL('../bootstrap/', import.meta.url);
