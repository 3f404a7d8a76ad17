import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { rootCertificates } from 'node:tls';
import type { Agent, Dispatcher, EnvHttpProxyAgent } from 'undici';

/** What the client takes from undici (imported on the first request). */
type Undici = Pick<typeof import('undici'), 'Agent' | 'EnvHttpProxyAgent' | 'request'>;
import { PexkitError } from '../errors.js';
import { PEXKIT_VERSION } from '../package-info.js';
import { CredentialStore } from './credentials.js';
import {
  AuthenticationError,
  HttpStatusError,
  InsecureRedirectError,
  NetworkError,
} from './errors.js';
import { DEADLINE_VARIABLE, httpLimits, type HttpLimitOptions, type HttpLimits } from './limits.js';
import { redactUrl, stripCredentials } from './redact.js';

export interface HttpOptions extends HttpLimitOptions {
  env?: NodeJS.ProcessEnv;
  /** TCP + TLS connect timeout (default 10 s). */
  connectTimeoutMs?: number;
  /** Longest silence while waiting for headers or body bytes (default 30 s). */
  idleTimeoutMs?: number;
  /** Retries after the first attempt on transient errors (default 4). */
  retries?: number;
  /** First backoff delay; doubled per attempt, capped at 10 s, randomised to 50–100% (default 250 ms). */
  retryBaseDelayMs?: number;
  /** URLs whose user info provides credentials for their host (index URLs, find-links pages). */
  credentialUrls?: string[];
  credentials?: CredentialStore;
  /**
   * Extra trusted CA certificates (PEM file), added to Node's bundled roots. Default: the first of
   * `PEXKIT_CA_BUNDLE`, `PIP_CERT`, `SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE` that is set.
   */
  caFile?: string;
  /** Receives one-line diagnostics (retries); URLs in them are redacted. */
  log?: (line: string) => void;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** undici's body stream (also has `text()`, `json()`, `arrayBuffer()`). */
  body: Dispatcher.ResponseData['body'];
  /** Final URL after redirects, without credentials. */
  url: URL;
}

const MAX_REDIRECTS = 10;

function header(headers: HttpResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `Retry-After` as seconds or an HTTP date → milliseconds from now. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** undici / Node error codes worth a retry. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'TRUNCATED',
]);

/** True for errors a retry may cure: network failures, timeouts, truncation, 408/429/5xx. */
export function isTransient(error: unknown): boolean {
  if (error instanceof NetworkError)
    return error.code === undefined || TRANSIENT_CODES.has(error.code);
  if (error instanceof HttpStatusError)
    return error.status === 408 || error.status === 429 || error.status >= 500;
  return false;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return errorCode((error as { cause?: unknown }).cause);
}

/** Turns an undici / socket error into a NetworkError with a redacted URL and a plain reason. */
export function toNetworkError(
  error: unknown,
  url: string,
  options: { connectTimeoutMs: number; idleTimeoutMs: number },
): unknown {
  // Our own errors (typed network errors, size caps, refused redirects) pass unchanged.
  if (error instanceof PexkitError) return error;
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  let reason: string;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      reason = `connection timed out after ${options.connectTimeoutMs} ms`;
      break;
    case 'UND_ERR_HEADERS_TIMEOUT':
      reason = `no response within ${options.idleTimeoutMs} ms (server too slow; raise the timeout option)`;
      break;
    case 'UND_ERR_BODY_TIMEOUT':
      reason = `download stalled: no data for ${options.idleTimeoutMs} ms (raise the timeout option)`;
      break;
    case 'ECONNREFUSED':
      reason = 'connection refused';
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      reason = `host not found (${code}); check the index URL, DNS, or HTTPS_PROXY`;
      break;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      reason = `TLS certificate not trusted (${code}); point PEXKIT_CA_BUNDLE, PIP_CERT or SSL_CERT_FILE at your CA bundle (PEM)`;
      break;
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
      reason = `connection closed by the server before the response was complete (${code})`;
      break;
    default:
      reason = code === undefined ? message : `${message} (${code})`;
  }
  return new NetworkError(redactUrl(url), reason.replace(/\/\/[^/@\s]*@/g, '//***@'), code, {
    cause: error,
  });
}

function proxySetting(env: NodeJS.ProcessEnv, name: string): string {
  return env[name.toLowerCase()] ?? env[name.toUpperCase()] ?? '';
}

const CA_VARIABLES = ['PEXKIT_CA_BUNDLE', 'PIP_CERT', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE'];

/** Node's roots plus the PEM certificates of `caFile` (or the first CA variable set). */
function loadCaBundle(caFile: string | undefined, env: NodeJS.ProcessEnv): string[] | undefined {
  let file = caFile;
  let origin = 'the caFile option';
  if (file === undefined) {
    const name = CA_VARIABLES.find((n) => (env[n] ?? '') !== '');
    if (name === undefined) return undefined;
    file = env[name] as string;
    origin = `$${name}`;
  }
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PexkitError(
      `cannot read the CA bundle ${file} (from ${origin}): ${(error as Error).message}`,
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new PexkitError(`the CA bundle ${file} (from ${origin}) holds no PEM certificate`);
  }
  return [...rootCertificates, pem];
}

/** Runs `make` with undici's one-time "EnvHttpProxyAgent is experimental" warning silenced (CLI noise). */
function quietly<T>(make: () => T): T {
  const original = process.emitWarning;
  process.emitWarning = function (
    this: NodeJS.Process,
    warning: string | Error,
    ...rest: unknown[]
  ): void {
    const code = (rest[0] as { code?: unknown } | undefined)?.code;
    if (code === 'UNDICI-EHPA') return;
    (original as (this: NodeJS.Process, ...args: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return make();
  } finally {
    process.emitWarning = original;
  }
}

/** undici's EnvHttpProxyAgent options: TLS settings for the proxy and, through a tunnel, the origin. */
function proxyAgentOptions(
  agentOptions: Agent.Options,
  tls: Record<string, unknown>,
  httpProxy: string,
  httpsProxy: string,
  noProxy: string,
): EnvHttpProxyAgent.Options {
  const options: EnvHttpProxyAgent.Options & {
    requestTls: Record<string, unknown>;
    proxyTls: Record<string, unknown>;
  } = {
    ...agentOptions,
    httpProxy,
    httpsProxy,
    noProxy,
    requestTls: tls,
    proxyTls: tls,
  };
  return options;
}

/**
 * A small HTTP client on undici: proxies from `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`,
 * connect and idle timeouts, `pexkit/<version>` user agent, Basic auth from the credential store
 * (never logged), redirects followed by hand (credentials re-looked-up per host), typed errors.
 */
export class HttpClient {
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly retries: number;
  readonly retryBaseDelayMs: number;
  readonly credentials: CredentialStore;
  /** Total deadline per request and body size caps (options, else `PEXKIT_*` variables). */
  readonly limits: HttpLimits;
  /** undici and the dispatcher, loaded on the first request: a build from warm caches never pays for it. */
  private client: Promise<{ request: Undici['request']; dispatcher: Dispatcher }> | undefined;
  private readonly makeDispatcher: (undici: Undici) => Dispatcher;
  private readonly log: (line: string) => void;
  /** Appended to connection errors when a proxy is configured. */
  private readonly proxyNote: string;
  /** Requests sent (each attempt and redirect counts); tests use it to prove "no network I/O". */
  requestCount = 0;

  constructor(options: HttpOptions = {}) {
    const env = options.env ?? process.env;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.retries = options.retries ?? 4;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 250;
    this.limits = httpLimits(options, env);
    this.credentials =
      options.credentials ?? new CredentialStore({ urls: options.credentialUrls, env });
    this.log = options.log ?? (() => undefined);
    const ca = loadCaBundle(options.caFile, env);
    const tlsOptions = { timeout: this.connectTimeoutMs, ...(ca === undefined ? {} : { ca }) };
    const agentOptions = {
      connect: tlsOptions,
      headersTimeout: this.idleTimeoutMs,
      bodyTimeout: this.idleTimeoutMs,
    };
    const httpProxy = proxySetting(env, 'http_proxy');
    const httpsProxy = proxySetting(env, 'https_proxy');
    const proxies = [httpsProxy, httpProxy].filter((p) => p !== '').map((p) => redactUrl(p));
    this.proxyNote =
      proxies.length === 0
        ? ''
        : ` (through proxy ${[...new Set(proxies)].join(' / ')}; NO_PROXY='${proxySetting(env, 'no_proxy')}')`;
    this.makeDispatcher = (undici) =>
      httpProxy !== '' || httpsProxy !== ''
        ? quietly(
            () =>
              new undici.EnvHttpProxyAgent(
                proxyAgentOptions(
                  agentOptions,
                  tlsOptions,
                  httpProxy,
                  httpsProxy,
                  proxySetting(env, 'no_proxy'),
                ),
              ),
          )
        : new undici.Agent(agentOptions);
  }

  private undici(): Promise<{ request: Undici['request']; dispatcher: Dispatcher }> {
    this.client ??= import('undici').then((undici) => ({
      request: undici.request,
      dispatcher: this.makeDispatcher(undici),
    }));
    return this.client;
  }

  /**
   * GET `url` following redirects; resolves with a 2xx or 304 response whose body the caller must
   * consume or destroy. 401/403 → AuthenticationError; other statuses → HttpStatusError. The
   * whole exchange (redirects, headers, body) must finish within `limits.deadlineMs`, else the
   * request and its body fail with a NetworkError (code `DEADLINE`, not retried).
   */
  async get(url: string | URL, headers: Record<string, string> = {}): Promise<HttpResponse> {
    const first = new URL(typeof url === 'string' ? url : url.href);
    const controller = new AbortController();
    const seconds = this.limits.deadlineMs / 1000;
    const timer = setTimeout(() => {
      controller.abort(
        new NetworkError(
          redactUrl(first),
          `no complete response within ${seconds} s, the total deadline per request ` +
            `(raise it with $${DEADLINE_VARIABLE}=<seconds>)`,
          'DEADLINE',
        ),
      );
    }, this.limits.deadlineMs);
    try {
      const response = await this.follow(first, headers, controller.signal);
      const stop = (): void => clearTimeout(timer);
      response.body.once('close', stop).once('end', stop).once('error', stop);
      return response;
    } catch (error) {
      clearTimeout(timer);
      if (controller.signal.aborted) throw controller.signal.reason;
      throw error;
    }
  }

  private async follow(
    start: URL,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    let current = start;
    for (let hop = 0; ; hop++) {
      const target = stripCredentials(current);
      const auth = this.credentials.authorization(current);
      const shown = redactUrl(current);
      let response: Dispatcher.ResponseData;
      this.requestCount++;
      const { request, dispatcher } = await this.undici();
      try {
        response = await request(target, {
          method: 'GET',
          dispatcher,
          signal,
          headers: {
            'user-agent': `pexkit/${PEXKIT_VERSION}`,
            ...headers,
            ...(auth === undefined ? {} : { authorization: auth }),
          },
        });
      } catch (error) {
        const converted = toNetworkError(error, shown, this);
        if (converted instanceof NetworkError && this.proxyNote !== '') {
          throw new NetworkError(converted.url, converted.reason + this.proxyNote, converted.code, {
            cause: error,
          });
        }
        throw converted;
      }
      const { statusCode } = response;
      if (statusCode >= 300 && statusCode < 400 && statusCode !== 304) {
        response.body.resume();
        const location = header(response.headers, 'location');
        if (location === undefined)
          throw new HttpStatusError(shown, statusCode, 'redirect without a Location header');
        if (hop >= MAX_REDIRECTS)
          throw new HttpStatusError(shown, statusCode, `more than ${MAX_REDIRECTS} redirects`);
        const next = new URL(location, target);
        if (next.protocol !== 'http:' && next.protocol !== 'https:')
          throw new HttpStatusError(
            shown,
            statusCode,
            `redirect to a ${next.protocol} URL refused (only http and https are followed)`,
          );
        // Credentials never travel in clear: no https → http hop for a request that carries them.
        if (
          current.protocol === 'https:' &&
          next.protocol === 'http:' &&
          (auth !== undefined || this.credentials.lookup(next) !== undefined)
        )
          throw new InsecureRedirectError(shown, redactUrl(next));
        // Keep the original URL's user info only on the same origin.
        if (next.origin === current.origin && next.username === '') {
          next.username = current.username;
          next.password = current.password;
        }
        current = next;
        continue;
      }
      if (statusCode === 401 || statusCode === 403) {
        response.body.resume();
        throw new AuthenticationError(shown, statusCode, auth !== undefined);
      }
      if (statusCode >= 400) {
        let detail = '';
        try {
          // Only the start of an error page: a hostile server may send gigabytes.
          const head: Buffer[] = [];
          let size = 0;
          for await (const chunk of response.body) {
            head.push(chunk as Buffer);
            size += (chunk as Buffer).length;
            if (size >= 4096) break;
          }
          response.body.destroy();
          detail = Buffer.concat(head).toString('utf8').slice(0, 200).replace(/\s+/g, ' ').trim();
        } catch {
          // The body is only a hint.
        }
        throw new HttpStatusError(
          shown,
          statusCode,
          detail.startsWith('<') ? '' : detail,
          retryAfterMs(header(response.headers, 'retry-after')),
        );
      }
      return { status: statusCode, headers: response.headers, body: response.body, url: target };
    }
  }

  /** Runs `attempt` with retries and exponential backoff (with jitter) on transient errors. */
  async withRetry<T>(url: string, attempt: (attemptNumber: number) => Promise<T>): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        return await attempt(n);
      } catch (error) {
        if (n >= this.retries || !isTransient(error)) throw error;
        const cap = Math.min(10_000, this.retryBaseDelayMs * 2 ** n);
        const jittered = Math.round(cap / 2 + (Math.random() * cap) / 2);
        // Honour a server's Retry-After, up to 30 s.
        const asked = error instanceof HttpStatusError ? error.retryAfterMs : undefined;
        const delay = asked === undefined ? jittered : Math.min(30_000, Math.max(jittered, asked));
        this.log(
          `retrying ${redactUrl(url)} in ${delay} ms (attempt ${n + 2} of ${this.retries + 1}): ${(error as Error).message}`,
        );
        await sleep(delay);
      }
    }
  }

  async close(): Promise<void> {
    if (this.client !== undefined) await (await this.client).dispatcher.close();
  }
}
