import { readFileSync } from 'node:fs';

/** The version of @pexkit/nx (part of every inference cache key). */
export const PEXKIT_NX_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
