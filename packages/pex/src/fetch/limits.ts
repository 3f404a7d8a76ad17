import { PexkitError, UsageError } from '../errors.js';

/**
 * Resource caps of every HTTP request, so a hostile or broken server cannot exhaust memory, disk
 * or time. Options win over the environment variables, which win over the defaults.
 */
export interface HttpLimits {
  /** Total time for one request: redirects, headers and the whole body (default 900 s). */
  deadlineMs: number;
  /** Largest index page, compressed and decompressed (default 64 MiB). */
  maxPageBytes: number;
  /** Largest download when the lock gives no size (default 5 GiB); else the lock's size. */
  maxDownloadBytes: number;
}

export interface HttpLimitOptions {
  /** Total deadline per request in ms (`PEXKIT_HTTP_DEADLINE`, seconds). */
  deadlineMs?: number;
  /** Index page cap in bytes (`PEXKIT_MAX_INDEX_PAGE_SIZE`). */
  maxPageBytes?: number;
  /** Download cap in bytes when the size is not known (`PEXKIT_MAX_DOWNLOAD_SIZE`). */
  maxDownloadBytes?: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  deadlineMs: 900_000,
  maxPageBytes: 64 * 1024 ** 2,
  maxDownloadBytes: 5 * 1024 ** 3,
};

export const DEADLINE_VARIABLE = 'PEXKIT_HTTP_DEADLINE';
export const PAGE_SIZE_VARIABLE = 'PEXKIT_MAX_INDEX_PAGE_SIZE';
export const DOWNLOAD_SIZE_VARIABLE = 'PEXKIT_MAX_DOWNLOAD_SIZE';

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `123`, `64M`, `5G` (binary units, optional `B`/`iB`) → bytes. */
export function parseByteSize(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*$/i.exec(text);
  const n = m === null ? NaN : Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? NaN);
  if (!Number.isFinite(n) || n < 1)
    throw new UsageError(`${what}: expected a size such as 67108864, 64M or 5G, got '${text}'`);
  return Math.floor(n);
}

/** Human form of a byte count for messages (`64 MiB`, `943 bytes`). */
export function showBytes(n: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (n >= size && n % (size / 1024) === 0) return `${Number((n / size).toFixed(2))} ${unit}`;
  }
  return `${n} bytes`;
}

export function httpLimits(options: HttpLimitOptions, env: NodeJS.ProcessEnv): HttpLimits {
  const set = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const deadlineText = set(DEADLINE_VARIABLE);
  let deadlineMs = options.deadlineMs;
  if (deadlineMs === undefined && deadlineText !== undefined) {
    const seconds = Number(deadlineText);
    if (!Number.isFinite(seconds) || seconds <= 0)
      throw new UsageError(
        `$${DEADLINE_VARIABLE}: expected a number of seconds, got '${deadlineText}'`,
      );
    deadlineMs = seconds * 1000;
  }
  const page = set(PAGE_SIZE_VARIABLE);
  const download = set(DOWNLOAD_SIZE_VARIABLE);
  return {
    deadlineMs: deadlineMs ?? DEFAULT_HTTP_LIMITS.deadlineMs,
    maxPageBytes:
      options.maxPageBytes ??
      (page === undefined
        ? DEFAULT_HTTP_LIMITS.maxPageBytes
        : parseByteSize(page, `$${PAGE_SIZE_VARIABLE}`)),
    maxDownloadBytes:
      options.maxDownloadBytes ??
      (download === undefined
        ? DEFAULT_HTTP_LIMITS.maxDownloadBytes
        : parseByteSize(download, `$${DOWNLOAD_SIZE_VARIABLE}`)),
  };
}

/** A response body went past a size cap; it was stopped and nothing was kept. Not retried. */
export class BodyTooLargeError extends PexkitError {
  override readonly name = 'BodyTooLargeError';
  constructor(
    readonly url: string,
    readonly limit: number,
    /** What sets the limit, e.g. "the lock's size for x.whl" or "$PEXKIT_MAX_INDEX_PAGE_SIZE". */
    why: string,
    what = 'body',
  ) {
    super(`${what} of ${url} exceeds ${showBytes(limit)} (${why}); stopped, nothing was kept`);
  }
}

/** The variables above, for `--help` texts. */
export const NETWORK_LIMITS_HELP = [
  'Network limits (environment variables):',
  `  ${`${DEADLINE_VARIABLE}=<seconds>`.padEnd(36)}total time per request, body included (default 900)`,
  `  ${`${DOWNLOAD_SIZE_VARIABLE}=<size>`.padEnd(36)}largest download the lock gives no size for (default 5G)`,
  `  ${`${PAGE_SIZE_VARIABLE}=<size>`.padEnd(36)}largest index page, compressed or decompressed (default 64M)`,
  '  Sizes take K, M or G (binary). A body is never read past the size the lock gives.',
  '',
].join('\n');
