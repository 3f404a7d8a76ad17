import { loadNetrc, type Netrc } from './netrc.js';
import { credentialUrlsFromEnv } from './settings.js';

interface Credential {
  username: string;
  password: string;
  /** Path prefix of the URL the credential came from (longest prefix wins). */
  pathPrefix: string;
  /** Registration order: with no prefix match, the first configured URL of the host wins (like pip). */
  order: number;
}

export interface CredentialStoreOptions {
  /** Index / find-links URLs given as options; their user info applies to their host. */
  urls?: string[];
  env?: NodeJS.ProcessEnv;
  /** Read `$NETRC` / `~/.netrc` (default true). */
  netrc?: boolean | Netrc;
}

/**
 * Origin (scheme, host and port) → credentials, kept in one place so lookup rules are shared by
 * stores and the session: credentials given for https://host never go to http://host.
 */
class HostCredentials {
  private readonly byHost = new Map<string, Credential[]>();
  private registered = 0;

  add(url: string): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return;
    }
    if (parsed.username === '' && parsed.password === '') return;
    const username = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    const list = this.byHost.get(parsed.origin) ?? [];
    if (
      list.some(
        (c) =>
          c.pathPrefix === parsed.pathname && c.username === username && c.password === password,
      )
    )
      return;
    list.push({ username, password, pathPrefix: parsed.pathname, order: this.registered++ });
    list.sort((a, b) => b.pathPrefix.length - a.pathPrefix.length);
    this.byHost.set(parsed.origin, list);
  }

  find(url: URL): { username: string; password: string } | undefined {
    const candidates = this.byHost.get(url.origin) ?? [];
    const match =
      candidates.find((c) => url.pathname.startsWith(c.pathPrefix)) ??
      [...candidates].sort((a, b) => a.order - b.order)[0];
    return match === undefined ? undefined : { username: match.username, password: match.password };
  }
}

/**
 * In-memory credentials of every index URL the index client used in this process, so wheels it
 * listed (whose URLs carry no user info) download with the same credentials. Never persisted.
 */
const session = new HostCredentials();

/** Registers the user info of an index / find-links URL for this process (no-op without user info). */
export function rememberSessionCredentials(url: string): void {
  session.add(url);
}

/**
 * Looks up credentials for a URL, in order: the URL's own user info, the user info of a configured
 * index URL on the same host (options first, then PIP_* / UV_* variables), index URLs used earlier
 * in this process (`rememberSessionCredentials`), then netrc.
 */
export class CredentialStore {
  private readonly configured = new HostCredentials();
  private readonly netrc: Netrc;

  constructor(options: CredentialStoreOptions = {}) {
    const env = options.env ?? process.env;
    for (const url of [...(options.urls ?? []), ...credentialUrlsFromEnv(env)]) this.remember(url);
    this.netrc =
      options.netrc === false
        ? { machines: new Map() }
        : typeof options.netrc === 'object'
          ? options.netrc
          : loadNetrc(env);
  }

  /** Registers the user info of `url` (if any) for its host. */
  remember(url: string): void {
    this.configured.add(url);
  }

  /** `{ username, password }` for a URL, or undefined. */
  lookup(url: URL): { username: string; password: string } | undefined {
    if (url.username !== '' || url.password !== '') {
      return {
        username: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
      };
    }
    const known = this.configured.find(url) ?? session.find(url);
    if (known !== undefined) return known;
    const entry = this.netrc.machines.get(url.hostname.toLowerCase()) ?? this.netrc.default;
    if (entry !== undefined && (entry.login !== '' || entry.password !== '')) {
      return { username: entry.login, password: entry.password };
    }
    return undefined;
  }

  /** The `Authorization` header value for a URL, or undefined. */
  authorization(url: URL): string | undefined {
    const credential = this.lookup(url);
    if (credential === undefined) return undefined;
    return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
  }
}
