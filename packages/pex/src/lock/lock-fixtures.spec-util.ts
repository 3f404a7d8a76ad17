import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../testing/python-tools.js';

/** Directory with the real uv.lock / pylock.toml / requirements.txt made by real uv (cached in tmp/). */
export async function thirdPartyLockFixtures(): Promise<string> {
  const url = pathToFileURL(join(REPO_ROOT, 'tools/fixtures/make-lock-fixtures.mjs')).href;
  const mod = (await import(url)) as { makeLockFixtures: () => string };
  return mod.makeLockFixtures();
}

/** The examples workspace lock exported (no dev group) for `hello-service`: requirements.txt, pylock.toml. */
export async function examplesLockExports(): Promise<string> {
  const url = pathToFileURL(join(REPO_ROOT, 'tools/fixtures/make-lock-fixtures.mjs')).href;
  const mod = (await import(url)) as { exportExamples: (member?: string) => string };
  return mod.exportExamples('hello-service');
}
