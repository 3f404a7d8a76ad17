import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { cacheDir } from '../cache/cache-dir.js';
import { PexkitError } from '../errors.js';
import { rememberSessionCredentials } from '../fetch/credentials.js';
import { HttpStatusError, NetworkError } from '../fetch/errors.js';
import { HttpClient, toNetworkError, type HttpOptions, type HttpResponse } from '../fetch/http.js';
import { BodyTooLargeError, PAGE_SIZE_VARIABLE } from '../fetch/limits.js';
import { redactUrl } from '../fetch/redact.js';
import { DEFAULT_INDEX_URL } from '../fetch/settings.js';
import {
  isFresh,
  maxAgeFromCacheControl,
  readCachedPage,
  writeCachedPage,
  type CachedPage,
} from './page-cache.js';
import { IndexFormatError, parseSimpleHtml, parseSimpleJson, type IndexFile } from './parse.js';
import { normalizeProjectName, projectOfFilename } from './project-name.js';

export interface IndexOptions extends HttpOptions {
  /** Primary simple index (default https://pypi.org/simple/); `null` for none (find-links only). */
  indexUrl?: string | null;
  extraIndexUrls?: string[];
  /** Local wheelhouse directories, `file://` directories, or http(s) pages with flat links. */
  findLinks?: string[];
  /** Cache root for index pages (default `cacheDir()`). */
  cacheDir?: string;
  /** Never touch the network: cached index pages and find-links only. */
  offline?: boolean;
  /** `revalidate` (default): conditional GET with ETag / Last-Modified; `off`: neither read nor write. */
  pageCache?: 'revalidate' | 'off';
  /**
   * Use a cached index page without asking the server while it is younger than this (ms).
   * Default: the server's `Cache-Control: max-age` (PyPI: 10 minutes), else always revalidate.
   */
  pageMaxAgeMs?: number;
  http?: HttpClient;
}

/** No source knows the project. */
export class ProjectNotFoundError extends PexkitError {
  override readonly name = 'ProjectNotFoundError';
  constructor(
    readonly project: string,
    readonly tried: string[],
  ) {
    super(
      `package '${project}' was not found on any index or find-links source; tried:\n${tried.map((t) => `  - ${t}`).join('\n')}`,
    );
  }
}

const ACCEPT =
  'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01';

function header(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parsePage(
  page: Pick<CachedPage, 'body' | 'contentType' | 'finalUrl'>,
  shownUrl: string,
): IndexFile[] {
  const type = page.contentType.split(';')[0].trim().toLowerCase();
  if (type === 'application/vnd.pypi.simple.v1+json' || type === 'application/json')
    return parseSimpleJson(page.body, page.finalUrl);
  if (
    type === 'application/vnd.pypi.simple.v1+html' ||
    type === 'text/html' ||
    type === '' ||
    type === 'application/xhtml+xml'
  ) {
    return parseSimpleHtml(page.body, page.finalUrl);
  }
  throw new IndexFormatError(
    `index page ${shownUrl} has content type '${type}', expected PEP 691 JSON or PEP 503 HTML`,
  );
}

const PAGE_CAP_HINT = `the index page cap; raise it with $${PAGE_SIZE_VARIABLE}`;

/** The body of an index page, refused as soon as it passes `cap` bytes. */
async function readPage(response: HttpResponse, cap: number, shownUrl: string): Promise<Buffer> {
  const declared = Number(header(response.headers, 'content-length') ?? NaN);
  const tooLarge = new BodyTooLargeError(shownUrl, cap, PAGE_CAP_HINT, 'index page');
  if (Number.isFinite(declared) && declared > cap) {
    response.body.destroy();
    throw tooLarge;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += (chunk as Buffer).length;
    if (total > cap) {
      response.body.destroy();
      throw tooLarge;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Undoes `Content-Encoding` (gzip, deflate, br) of an index page, never past `cap` bytes. */
function decodeBody(
  raw: Buffer,
  encoding: string | undefined,
  shownUrl: string,
  cap: number,
): string {
  const kind = (encoding ?? 'identity').trim().toLowerCase();
  const options = { maxOutputLength: cap };
  try {
    if (kind === 'gzip' || kind === 'x-gzip') return gunzipSync(raw, options).toString('utf8');
    if (kind === 'deflate') return inflateSync(raw, options).toString('utf8');
    if (kind === 'br') return brotliDecompressSync(raw, options).toString('utf8');
  } catch (error) {
    // A decompression bomb: stop at the cap, once (not a transient error worth a retry).
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new BodyTooLargeError(
        shownUrl,
        cap,
        PAGE_CAP_HINT,
        `decompressed (${kind}) index page`,
      );
    throw new NetworkError(
      shownUrl,
      `corrupt ${kind} body: ${(error as Error).message}`,
      'TRUNCATED',
    );
  }
  if (kind !== 'identity' && kind !== '')
    throw new IndexFormatError(
      `index page ${shownUrl} uses unsupported Content-Encoding '${kind}'`,
    );
  return raw.toString('utf8');
}

type PageResult = { files: IndexFile[] } | { notFound: true };

/** Fetches one index or find-links page (with the page cache), parsed. */
async function loadPage(
  url: string,
  http: HttpClient | undefined,
  options: IndexOptions,
  root: string,
): Promise<PageResult | { unavailableOffline: true }> {
  const shown = redactUrl(url);
  const useCache = options.pageCache !== 'off';
  const cached = useCache ? await readCachedPage(root, url) : undefined;
  if (options.offline === true || http === undefined) {
    return cached === undefined
      ? { unavailableOffline: true }
      : { files: parsePage(cached, shown) };
  }
  if (cached !== undefined && isFresh(cached, options.pageMaxAgeMs))
    return { files: parsePage(cached, shown) };
  const conditional: Record<string, string> = {};
  if (cached?.etag !== undefined) conditional['if-none-match'] = cached.etag;
  if (cached?.lastModified !== undefined) conditional['if-modified-since'] = cached.lastModified;
  try {
    return await http.withRetry(url, async () => {
      const response = await http.get(url, {
        accept: ACCEPT,
        'accept-encoding': 'gzip, deflate, br',
        ...conditional,
      });
      if (response.status === 304 && cached !== undefined) {
        response.body.resume();
        const refreshed = {
          ...cached,
          maxAgeMs: maxAgeFromCacheControl(header(response.headers, 'cache-control')),
        };
        if (useCache) await writeCachedPage(root, url, refreshed);
        return { files: parsePage(cached, shown) };
      }
      let raw: Buffer;
      try {
        raw = await readPage(response, http.limits.maxPageBytes, shown);
      } catch (error) {
        throw toNetworkError(error, shown, http);
      }
      const declared = Number(header(response.headers, 'content-length') ?? NaN);
      if (Number.isFinite(declared) && raw.length !== declared) {
        throw new NetworkError(
          shown,
          `body truncated: got ${raw.length} of ${declared} bytes`,
          'TRUNCATED',
        );
      }
      const body = decodeBody(
        raw,
        header(response.headers, 'content-encoding'),
        shown,
        http.limits.maxPageBytes,
      );
      const page = {
        finalUrl: response.url.href,
        contentType: header(response.headers, 'content-type') ?? '',
        etag: header(response.headers, 'etag'),
        lastModified: header(response.headers, 'last-modified'),
        maxAgeMs: maxAgeFromCacheControl(header(response.headers, 'cache-control')),
        body,
      };
      const files = parsePage(page, shown);
      if (useCache) await writeCachedPage(root, url, page);
      return { files };
    });
  } catch (error) {
    if (error instanceof HttpStatusError && (error.status === 404 || error.status === 410))
      return { notFound: true };
    throw error;
  }
}

async function listDirectory(dir: string, project: string): Promise<IndexFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new PexkitError(
      `find-links directory ${dir} cannot be read: ${(error as Error).message}`,
    );
  }
  return names
    .filter((n) => projectOfFilename(n) === project)
    .sort()
    .map((n) => ({ filename: n, url: pathToFileURL(join(dir, n)).href, path: join(dir, n) }));
}

/**
 * Every distribution file (wheels and sdists) of a project over the primary index, the extra
 * indexes and the find-links sources, in that order, de-duplicated by file name (first wins).
 * Indexes are asked for PEP 691 JSON and PEP 503 HTML is accepted; relative links are resolved
 * against the page. Offline, only cached index pages and local find-links are used.
 */
export async function listIndexFiles(
  name: string,
  options: IndexOptions = {},
): Promise<IndexFile[]> {
  const project = normalizeProjectName(name);
  const root = cacheDir({ cacheDir: options.cacheDir, env: options.env });
  const indexes = [
    ...(options.indexUrl === null ? [] : [options.indexUrl ?? DEFAULT_INDEX_URL]),
    ...(options.extraIndexUrls ?? []),
  ];
  const findLinks = options.findLinks ?? [];
  const remotes = [...indexes, ...findLinks.filter((f) => /^https?:/i.test(f))];
  const http =
    options.offline === true
      ? undefined
      : (options.http ??
        new HttpClient({
          ...options,
          credentialUrls: [...(options.credentialUrls ?? []), ...remotes],
        }));
  for (const url of remotes) {
    rememberSessionCredentials(url);
    options.http?.credentials.remember(url);
  }
  const tried: string[] = [];
  const offlineMissing: string[] = [];
  const all: IndexFile[] = [];
  try {
    for (const index of indexes) {
      const pageUrl = `${index.replace(/\/*$/, '/')}${project}/`;
      tried.push(redactUrl(pageUrl));
      const result = await loadPage(pageUrl, http, options, root);
      if ('files' in result) all.push(...result.files);
      else if ('unavailableOffline' in result) offlineMissing.push(redactUrl(pageUrl));
    }
    for (const link of findLinks) {
      if (/^https?:/i.test(link)) {
        tried.push(redactUrl(link));
        const result = await loadPage(link, http, options, root);
        if ('files' in result)
          all.push(...result.files.filter((f) => projectOfFilename(f.filename) === project));
        else if ('unavailableOffline' in result) offlineMissing.push(redactUrl(link));
      } else {
        const dir = link.startsWith('file:') ? fileURLToPath(link) : resolve(link);
        tried.push(dir);
        all.push(...(await listDirectory(dir, project)));
      }
    }
  } finally {
    if (options.http === undefined) await http?.close();
  }
  const seen = new Set<string>();
  const unique = all.filter((f) => (seen.has(f.filename) ? false : (seen.add(f.filename), true)));
  if (unique.length === 0) {
    if (offlineMissing.length > 0) {
      throw new PexkitError(
        `offline mode: no cached index page and no find-links file for package '${project}'; not cached: ${offlineMissing.join(', ')}`,
      );
    }
    throw new ProjectNotFoundError(project, tried);
  }
  return unique;
}

/** The wheels (`.whl`) among `listIndexFiles`. */
export async function listIndexWheels(
  name: string,
  options: IndexOptions = {},
): Promise<IndexFile[]> {
  return (await listIndexFiles(name, options)).filter((f) => f.filename.endsWith('.whl'));
}
