import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../testing/python-tools.js';

/** Directory with the real uv.lock / pylock.toml / requirements.txt made by real uv (cached in tmp/). */
export async function thirdPartyLockFixtures(): Promise<string> {
  const url = pathToFileURL(join(REPO_ROOT, 'tools/fixtures/make-lock-fixtures.mjs')).href;
  const mod = (await import(url)) as { makeLockFixtures: () => string };
  return mod.makeLockFixtures();
}
