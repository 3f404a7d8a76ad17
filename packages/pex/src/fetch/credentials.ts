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
 * Looks up credentials for a URL, in order: the URL's own user info, the user info of a configured
 * index URL on the same host (options first, then PIP_* / UV_* variables), then netrc.
 */
export class CredentialStore {
  private readonly byHost = new Map<string, Credential[]>();
  private readonly netrc: Netrc;
  private registered = 0;

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
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return;
    }
    if (parsed.username === '' && parsed.password === '') return;
    const list = this.byHost.get(parsed.host) ?? [];
    list.push({
      username: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      pathPrefix: parsed.pathname,
      order: this.registered++,
    });
    list.sort((a, b) => b.pathPrefix.length - a.pathPrefix.length);
    this.byHost.set(parsed.host, list);
  }

  /** `{ username, password }` for a URL, or undefined. */
  lookup(url: URL): { username: string; password: string } | undefined {
    if (url.username !== '' || url.password !== '') {
      return { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    }
    const candidates = this.byHost.get(url.host) ?? [];
    const match =
      candidates.find((c) => url.pathname.startsWith(c.pathPrefix)) ??
      [...candidates].sort((a, b) => a.order - b.order)[0];
    if (match !== undefined) return { username: match.username, password: match.password };
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
