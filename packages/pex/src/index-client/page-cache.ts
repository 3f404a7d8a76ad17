import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../cache/atomic.js';
import { redactUrl, stripCredentials } from '../fetch/redact.js';
import { buildCachePath } from '../cache/layout.js';
import { touchEntry } from '../cache/holds.js';

/** A cached index page with its validators. */
export interface CachedPage {
  /** Redacted URL (informational only; the file name is a hash of the credential-free URL). */
  url: string;
  /** Final URL after redirects (credential-free), for resolving relative links. */
  finalUrl: string;
  contentType: string;
  etag?: string;
  lastModified?: string;
  /** Freshness the server granted (`Cache-Control: max-age`), in milliseconds. */
  maxAgeMs?: number;
  body: string;
  fetchedAt: string;
}

export function pageCachePath(root: string, url: string): string {
  const key = createHash('sha256').update(stripCredentials(url).href).digest('hex');
  return buildCachePath(root, 'indexPages', key.slice(0, 2), `${key}.json`);
}

export async function readCachedPage(root: string, url: string): Promise<CachedPage | undefined> {
  try {
    const path = pageCachePath(root, url);
    const page = JSON.parse(await readFile(path, 'utf8')) as CachedPage;
    if (typeof page.body !== 'string' || typeof page.contentType !== 'string') return undefined;
    await touchEntry(path);
    return page;
  } catch {
    return undefined;
  }
}

export async function writeCachedPage(
  root: string,
  url: string,
  page: Omit<CachedPage, 'url' | 'fetchedAt'>,
): Promise<void> {
  const record: CachedPage = {
    url: redactUrl(stripCredentials(url)),
    ...page,
    fetchedAt: new Date().toISOString(),
  };
  await writeFileAtomic(pageCachePath(root, url), JSON.stringify(record));
}

/** `Cache-Control` → freshness in ms (0 for no-cache / no-store / none given). */
export function maxAgeFromCacheControl(value: string | undefined): number {
  if (value === undefined) return 0;
  const directives = value
    .toLowerCase()
    .split(',')
    .map((d) => d.trim());
  if (directives.some((d) => d === 'no-cache' || d === 'no-store')) return 0;
  const maxAge = directives.find((d) => d.startsWith('max-age='));
  const seconds = maxAge === undefined ? NaN : Number(maxAge.slice('max-age='.length));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

/** Whether a cached page may be used without asking the server. */
export function isFresh(
  page: CachedPage,
  maxAgeOverrideMs: number | undefined,
  now = Date.now(),
): boolean {
  const age = now - Date.parse(page.fetchedAt);
  const allowed = maxAgeOverrideMs ?? page.maxAgeMs ?? 0;
  return Number.isFinite(age) && age >= 0 && age < allowed;
}
