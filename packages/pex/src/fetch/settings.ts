/** Where wheels come from, as configured by options or the usual environment variables. */
export interface IndexSettings {
  /** The primary simple index (PEP 503 / 691). May carry user info; redact before showing. */
  indexUrl: string;
  extraIndexUrls: string[];
  /** Local wheelhouse directories or HTML pages with links to wheels. */
  findLinks: string[];
}

export const DEFAULT_INDEX_URL = 'https://pypi.org/simple/';

function words(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(/\s+/).filter((w) => w !== '');
}

/** `UV_INDEX`: space-separated indexes, each `url` or `name=url`. */
function uvIndexes(value: string | undefined): string[] {
  return words(value).map((w) => {
    const eq = w.indexOf('=');
    return eq > 0 && !w.slice(0, eq).includes('://') ? w.slice(eq + 1) : w;
  });
}

function firstSet(env: NodeJS.ProcessEnv, names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/**
 * Index settings from explicit values (which win) and the environment: `UV_DEFAULT_INDEX`,
 * `UV_INDEX_URL`, `PIP_INDEX_URL` for the primary index (first set wins), `UV_INDEX` (`[name=]url`),
 * `UV_EXTRA_INDEX_URL` and `PIP_EXTRA_INDEX_URL` (space-separated) for extra ones, `PIP_FIND_LINKS` / `UV_FIND_LINKS`
 * for find-links, de-duplicated in order.
 */
export function readIndexSettings(
  explicit: Partial<IndexSettings> = {},
  env: NodeJS.ProcessEnv = process.env,
): IndexSettings {
  const indexUrl =
    explicit.indexUrl ??
    firstSet(env, ['UV_DEFAULT_INDEX', 'UV_INDEX_URL', 'PIP_INDEX_URL']) ??
    DEFAULT_INDEX_URL;
  const extra = explicit.extraIndexUrls ?? [
    ...uvIndexes(env['UV_INDEX']),
    ...words(env['UV_EXTRA_INDEX_URL']),
    ...words(env['PIP_EXTRA_INDEX_URL']),
  ];
  const findLinks = explicit.findLinks ?? [
    ...words(env['UV_FIND_LINKS']?.replace(/,/g, ' ')),
    ...words(env['PIP_FIND_LINKS']),
  ];
  return {
    indexUrl,
    extraIndexUrls: [...new Set(extra)].filter((u) => u !== indexUrl),
    findLinks: [...new Set(findLinks)],
  };
}

/** Every index URL the environment names (for credential look-up), primary ones first. */
export function credentialUrlsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return [
    ...['UV_DEFAULT_INDEX', 'UV_INDEX_URL', 'PIP_INDEX_URL'].flatMap((n) => words(env[n])),
    ...uvIndexes(env['UV_INDEX']),
    ...words(env['UV_EXTRA_INDEX_URL']),
    ...words(env['PIP_EXTRA_INDEX_URL']),
  ];
}
