import { PexkitError } from '../errors.js';
import { redactUrl, sha256FromFragment, stripCredentials } from '../fetch/redact.js';

/** One distribution file offered by an index or find-links source. */
export interface IndexFile {
  filename: string;
  /** Absolute URL without credentials, `#sha256=` fragment kept when the index gave one. */
  url: string;
  sha256?: string;
  requiresPython?: string;
  /** `true`, or the yank reason; absent/false when not yanked. */
  yanked?: boolean | string;
  size?: number;
  /** Local file (find-links directory). */
  path?: string;
}

/** The index answered something that is not a PEP 691 / PEP 503 page. */
export class IndexFormatError extends PexkitError {
  override readonly name = 'IndexFormatError';
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

function parseAttributes(text: string): Map<string, string | undefined> {
  const attributes = new Map<string, string | undefined>();
  for (const match of text.matchAll(
    /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g,
  )) {
    const value = match[2] ?? match[3] ?? match[4];
    const name = match[1].toLowerCase();
    if (!attributes.has(name))
      attributes.set(name, value === undefined ? undefined : decodeEntities(value));
  }
  return attributes;
}

/**
 * Resolves a link against the page and returns it without user info; the fragment is kept. A
 * page fetched over the network may only link to http(s) URLs: a `file:` (or any other) link in
 * it would read the builder's own disk, so it is refused. Local find-links pages may link anywhere.
 */
function absolute(href: string, base: URL, pageUrl: string): string {
  const url = new URL(href, base);
  const remote = /^https?:/i.test(pageUrl); // the page's own scheme, whatever its <base> says
  if (remote && !/^https?:$/.test(url.protocol)) {
    throw new IndexFormatError(
      `index page ${redactUrl(pageUrl)} links to ${redactUrl(url.href.slice(0, 200))}: a remote ` +
        `page may only link to http(s) URLs; refused`,
    );
  }
  const fragment = url.hash;
  const clean = stripCredentials(url);
  clean.hash = fragment;
  return clean.href;
}

/** The file name a link names: its last path segment, percent-decoded. */
function lastSegment(url: string, pageUrl: string): string {
  const path = new URL(url).pathname;
  const segment = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new IndexFormatError(
      `index page ${redactUrl(pageUrl)} has a link with a malformed %-escape in its file name: ` +
        `${JSON.stringify(segment.slice(0, 200))}`,
    );
  }
}

/** Parses a PEP 503 HTML page (a project page or a flat find-links page). */
export function parseSimpleHtml(html: string, pageUrl: string): IndexFile[] {
  let base = stripCredentials(pageUrl);
  const baseTag = /<base\s([^>]*)>/i.exec(html);
  if (baseTag !== null) {
    const href = parseAttributes(baseTag[1]).get('href');
    if (href !== undefined) base = new URL(href, base);
  }
  const files: IndexFile[] = [];
  for (const match of html.matchAll(/<a\s([^>]*)>([\s\S]*?)<\/a\s*>/gi)) {
    const attributes = parseAttributes(match[1]);
    const href = attributes.get('href');
    if (href === undefined || href === '') continue;
    let url: string;
    try {
      url = absolute(href, base, pageUrl);
    } catch (error) {
      if (error instanceof IndexFormatError) throw error;
      continue;
    }
    // PEP 503: the anchor text must equal the URL's last path segment; like pip, trust the URL.
    const filename = lastSegment(url, pageUrl);
    if (filename === '') continue;
    const file: IndexFile = { filename, url };
    const sha256 = sha256FromFragment(url);
    if (sha256 !== undefined) file.sha256 = sha256;
    const requiresPython = attributes.get('data-requires-python');
    if (requiresPython !== undefined && requiresPython.trim() !== '')
      file.requiresPython = requiresPython.trim();
    if (attributes.has('data-yanked')) {
      const reason = attributes.get('data-yanked');
      file.yanked = reason === undefined || reason === '' ? true : reason;
    }
    files.push(file);
  }
  return files;
}

interface JsonFile {
  filename?: unknown;
  url?: unknown;
  hashes?: Record<string, unknown>;
  'requires-python'?: unknown;
  yanked?: unknown;
  size?: unknown;
}

/** Parses a PEP 691 JSON project page (`application/vnd.pypi.simple.v1+json`). */
export function parseSimpleJson(text: string, pageUrl: string): IndexFile[] {
  let data: { meta?: { 'api-version'?: unknown }; files?: unknown };
  try {
    data = JSON.parse(text) as typeof data;
  } catch (error) {
    throw new IndexFormatError(
      `index page ${pageUrl} is not valid JSON: ${(error as Error).message}`,
    );
  }
  const version = data.meta?.['api-version'];
  if (typeof version === 'string' && !version.startsWith('1.')) {
    throw new IndexFormatError(
      `index page ${pageUrl} uses simple API version ${version}; pexkit reads 1.x`,
    );
  }
  if (!Array.isArray(data.files))
    throw new IndexFormatError(`index page ${pageUrl} has no "files" list (PEP 691)`);
  const base = stripCredentials(pageUrl);
  const files: IndexFile[] = [];
  for (const raw of data.files as JsonFile[]) {
    if (typeof raw.filename !== 'string' || typeof raw.url !== 'string') {
      throw new IndexFormatError(
        `index page ${pageUrl} has a file entry without "filename" and "url"`,
      );
    }
    let url: string;
    try {
      url = absolute(raw.url, base, pageUrl);
    } catch (error) {
      if (error instanceof IndexFormatError) throw error;
      throw new IndexFormatError(
        `index page ${redactUrl(pageUrl)} has a file entry with a bad URL ${JSON.stringify(raw.url.slice(0, 200))}`,
      );
    }
    const file: IndexFile = { filename: raw.filename, url };
    const hash = raw.hashes?.['sha256'];
    const sha256 =
      typeof hash === 'string' && /^[0-9a-fA-F]{64}$/.test(hash)
        ? hash.toLowerCase()
        : sha256FromFragment(file.url);
    if (sha256 !== undefined) file.sha256 = sha256;
    if (typeof raw['requires-python'] === 'string' && raw['requires-python'].trim() !== '') {
      file.requiresPython = raw['requires-python'].trim();
    }
    if (raw.yanked === true || (typeof raw.yanked === 'string' && raw.yanked !== ''))
      file.yanked = raw.yanked;
    else if (raw.yanked === '') file.yanked = true;
    if (typeof raw.size === 'number' && Number.isSafeInteger(raw.size)) file.size = raw.size;
    files.push(file);
  }
  return files;
}
