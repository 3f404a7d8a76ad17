import { PexkitError } from '../errors.js';

/** Downloaded or local content does not match the expected sha256 (or size); nothing was kept. */
export class HashMismatchError extends PexkitError {
  override readonly name: string = 'HashMismatchError';
  constructor(
    readonly filename: string,
    /** Redacted URL or local path the bytes came from. */
    readonly source: string,
    readonly expected: string,
    readonly actual: string,
    what = 'sha256',
  ) {
    super(
      `${what} mismatch for ${filename} from ${source}: expected ${expected}, got ${actual}; ` +
        `the file was refused and not cached (the lock file or index may be stale, or the download was tampered with)`,
    );
  }
}

/** An https URL redirected to http while credentials were involved: refused, nothing sent. */
export class InsecureRedirectError extends PexkitError {
  override readonly name = 'InsecureRedirectError';
  constructor(
    readonly url: string,
    readonly location: string,
  ) {
    super(
      `refused the redirect from ${url} to ${location}: it downgrades https to http and the ` +
        'request carries credentials, which must not travel unencrypted; point the index at an ' +
        'https URL that does not redirect to http',
    );
  }
}

/** The server answered 401/403. */
export class AuthenticationError extends PexkitError {
  override readonly name = 'AuthenticationError';
  constructor(
    readonly url: string,
    readonly status: number,
    readonly credentialsSent: boolean,
  ) {
    const host = safeHost(url);
    const machine = safeHost(url, 'hostname');
    super(
      `${status === 401 ? '401 Unauthorized' : '403 Forbidden'} from ${host} for ${url}: ` +
        (credentialsSent ? 'the credentials sent were rejected. ' : 'no credentials were sent. ') +
        `Credentials are looked up in the URL's user info, the index URLs from options and ` +
        `PIP_INDEX_URL / PIP_EXTRA_INDEX_URL / UV_INDEX_URL / UV_EXTRA_INDEX_URL / UV_DEFAULT_INDEX / UV_INDEX ` +
        `(https://user:password@${host}/...), and ~/.netrc (or $NETRC) "machine ${machine}" ` +
        '(netrc entries name a host without a port)',
    );
  }
}

/** A non-success HTTP status other than 401/403 (404, or 5xx after retries). */
export class HttpStatusError extends PexkitError {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly url: string,
    readonly status: number,
    detail = '',
    /** Server's `Retry-After` (429/503), in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(`HTTP ${status} for ${url}${detail === '' ? '' : `: ${detail}`}`);
  }
}

/** The connection failed, was reset, timed out, or the body was cut short. */
export class NetworkError extends PexkitError {
  override readonly name = 'NetworkError';
  constructor(
    readonly url: string,
    readonly reason: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`network error fetching ${url}: ${reason}`, options);
  }
}

/** Offline mode and some artifacts are neither in the cache nor in a find-links directory. */
export class OfflineMissingError extends PexkitError {
  override readonly name = 'OfflineMissingError';
  constructor(readonly missing: string[]) {
    super(
      `offline mode: ${missing.length} artifact(s) are not in the cache or a find-links directory:\n` +
        missing.map((m) => `  - ${m}`).join('\n') +
        '\nrun once with network access (or add a --find-links wheelhouse) to fill the cache',
    );
  }
}

function safeHost(url: string, part: 'host' | 'hostname' = 'host'): string {
  try {
    return new URL(url)[part];
  } catch {
    return url;
  }
}
